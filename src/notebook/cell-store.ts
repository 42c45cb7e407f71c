import type { KernelEvent } from './kernel/kernel.ts';
import type { CheckResult, OutputItem } from './kernel/protocol.ts';
import { SnapshotStore } from '../shared/snapshot-store.ts';

/** Where a cell is in its life, as a notebook shows it. */
export type CellRunState = 'idle' | 'queued' | 'running' | 'done' | 'error' | 'stopped';

/** A line the page adds itself, about the kernel rather than the code. */
export interface Notice {
  readonly kind: 'notice';
  readonly tone: 'info' | 'warning';
  readonly text: string;
}

export interface OutputRow {
  readonly id: number;
  /** Epoch ms. */
  readonly at: number;
  readonly item: OutputItem | Notice;
}

export interface CellSnapshot {
  readonly state: CellRunState;
  /** Kernel-wide execution number of the latest run, like Jupyter's `[3]`; `null` before the first. */
  readonly executionCount: number | null;
  /** When the latest run started (epoch ms), for relative times. */
  readonly runStartedAt: number | null;
  readonly outputs: readonly OutputRow[];
  /** Results of the latest Check, for exercises. */
  readonly checkResults: readonly CheckResult[] | null;
}

/** What the store needs of a kernel. */
export interface KernelEvents {
  subscribe(listener: (event: KernelEvent) => void): () => void;
}

/** Output rows kept per cell; the oldest scroll away. */
export const MAX_OUTPUT_ROWS = 500;

export const STUCK_NOTICE =
  'The code never gave control back (an endless loop?), so the kernel was restarted: variables and sockets from earlier cells are gone. Run them again.';
export const CRASH_NOTICE = 'The kernel crashed and was restarted: variables and sockets from earlier cells are gone.';
export const RESTART_NOTICE = 'Kernel restarted: variables and sockets from earlier cells are gone.';

/**
 * One cell's state, fed by kernel events for its id. No DOM: the element
 * renders snapshots. Several kernels may feed one store (the page kernel for
 * Run, a fresh one for an exercise's Check).
 */
export class CellStore extends SnapshotStore<CellSnapshot> {
  readonly cellId: string;
  readonly #unsubscribes: (() => void)[] = [];
  readonly #now: () => number;
  #nextRowId = 1;

  constructor(cellId: string, now: () => number = () => Date.now()) {
    super({ state: 'idle', executionCount: null, runStartedAt: null, outputs: [], checkResults: null });
    this.cellId = cellId;
    this.#now = now;
  }

  /** Feeds this store from `kernel`; returns the function that stops it. */
  attach(kernel: KernelEvents): () => void {
    const unsubscribe = kernel.subscribe((event) => {
      this.#handle(event);
    });
    this.#unsubscribes.push(unsubscribe);
    return unsubscribe;
  }

  /** Adds a line of the page's own (e.g. "Checking in a fresh kernel…"). */
  notice(text: string, tone: Notice['tone'] = 'info'): void {
    this.#append({ kind: 'notice', tone, text }, this.#now());
  }

  clearOutputs(): void {
    this.update({ outputs: [], checkResults: null });
  }

  dispose(): void {
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.forgetListeners();
  }

  #handle(event: KernelEvent): void {
    switch (event.type) {
      case 'queued':
        if (event.cellId === this.cellId && this.snapshot.state !== 'running') this.update({ state: 'queued' });
        return;
      case 'started':
        if (event.cellId !== this.cellId) return;
        this.update({ state: 'running', executionCount: event.executionCount, runStartedAt: this.#now(), outputs: [], checkResults: null });
        return;
      case 'output':
        if (event.cellId === this.cellId) this.#append(event.item, event.at);
        return;
      case 'done':
        if (event.cellId !== this.cellId) return;
        this.update({ state: event.status === 'ok' ? 'done' : event.status });
        return;
      case 'checked':
        if (event.cellId === this.cellId) this.update({ checkResults: event.results });
        return;
      case 'restarted':
        if (event.cellId === this.cellId && event.reason === 'stuck') this.notice(STUCK_NOTICE, 'warning');
        else if (event.cellId === this.cellId && event.reason === 'crashed') this.notice(CRASH_NOTICE, 'warning');
        else if (event.reason === 'requested' && this.snapshot.executionCount !== null) this.notice(RESTART_NOTICE);
        if (this.snapshot.state === 'queued' || this.snapshot.state === 'running') this.update({ state: 'stopped' });
        return;
      case 'state':
        return;
    }
  }

  #append(item: OutputRow['item'], at: number): void {
    const outputs = [...this.snapshot.outputs, { id: this.#nextRowId++, at, item }];
    this.update({ outputs: outputs.length > MAX_OUTPUT_ROWS ? outputs.slice(-MAX_OUTPUT_ROWS) : outputs });
  }

}
