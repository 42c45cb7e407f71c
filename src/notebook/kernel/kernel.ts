import { isKernelToPage, type CheckResult, type KernelToPage, type OutputItem, type PageToKernel, type RunStatus } from './protocol.ts';

/**
 * The page side of a notebook kernel: owns the worker, queues runs so cells
 * execute one at a time in the order they were asked, stops runs, restarts
 * the worker, and tells cells what happened to them. No DOM: the worker is
 * made by a factory, so unit tests pass a fake.
 */

/** The part of `Worker` the kernel uses. */
export interface WorkerLike {
  postMessage(message: PageToKernel): void;
  terminate(): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
}

/** `starting`: worker loading; `idle`; `busy`: running a cell; `restarting`; `closed`: disposed. */
export type KernelState = 'starting' | 'idle' | 'busy' | 'restarting' | 'closed';

export type KernelEvent =
  | { readonly type: 'queued'; readonly runId: number; readonly cellId: string }
  | { readonly type: 'started'; readonly runId: number; readonly cellId: string; readonly executionCount: number }
  | { readonly type: 'output'; readonly cellId: string; readonly at: number; readonly item: OutputItem }
  | { readonly type: 'done'; readonly runId: number; readonly cellId: string; readonly status: RunStatus }
  | { readonly type: 'checked'; readonly runId: number; readonly cellId: string; readonly results: readonly CheckResult[] }
  | { readonly type: 'state'; readonly state: KernelState }
  /** The worker was replaced: every variable and socket is gone. `cellId` is the cell that was running, if any. */
  | { readonly type: 'restarted'; readonly reason: 'requested' | 'stuck' | 'crashed'; readonly cellId: string | null };

export interface KernelOptions {
  /** How long a run may ignore Stop before the worker is terminated (it is stuck in a loop). */
  readonly interruptTimeoutMs: number;
  /** How long to wait for the worker to close its sockets on restart. */
  readonly shutdownTimeoutMs: number;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

export const KERNEL_DEFAULTS: KernelOptions = {
  interruptTimeoutMs: 500,
  shutdownTimeoutMs: 500,
  now: () => Date.now(),
};

interface PendingRun {
  readonly runId: number;
  readonly cellId: string;
  readonly message: PageToKernel;
}

export class Kernel {
  readonly #createWorker: () => WorkerLike;
  readonly #server: string;
  readonly #options: KernelOptions;
  readonly #listeners = new Set<(event: KernelEvent) => void>();
  #worker: WorkerLike;
  #state: KernelState = 'starting';
  #queue: PendingRun[] = [];
  #current: PendingRun | null = null;
  #nextRunId = 1;
  #executionCount = 0;
  #interruptTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(createWorker: () => WorkerLike, server: string, options: Partial<KernelOptions> = {}) {
    this.#createWorker = createWorker;
    this.#server = server;
    this.#options = { ...KERNEL_DEFAULTS, ...options };
    this.#worker = this.#start();
  }

  get state(): KernelState {
    return this.#state;
  }

  /** Listens to every kernel event; returns the unsubscribe function. */
  subscribe(listener: (event: KernelEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Queues `code` to run as cell `cellId`; returns the run id. */
  run(cellId: string, code: string): number {
    const runId = this.#nextRunId++;
    return this.#enqueue({ runId, cellId, message: { type: 'run', runId, cellId, code } });
  }

  /** Queues the reader's `code` followed by the exercise's `checks`. */
  check(cellId: string, code: string, checks: string): number {
    const runId = this.#nextRunId++;
    return this.#enqueue({ runId, cellId, message: { type: 'check', runId, cellId, code, checks } });
  }

  /** Whether `cellId` is running or waiting to run. */
  isPending(cellId: string): boolean {
    return this.#current?.cellId === cellId || this.#queue.some((run) => run.cellId === cellId);
  }

  /**
   * Stops `cellId`: a queued run is dropped; a running one is interrupted,
   * and if it does not yield within `interruptTimeoutMs` (an endless loop)
   * the worker is terminated and replaced.
   */
  stop(cellId: string): void {
    const dropped = this.#queue.filter((run) => run.cellId === cellId);
    this.#queue = this.#queue.filter((run) => run.cellId !== cellId);
    for (const run of dropped) this.#emit({ type: 'done', runId: run.runId, cellId, status: 'stopped' });
    const current = this.#current;
    if (current === null || current.cellId !== cellId || this.#interruptTimer !== null) return;
    this.#worker.postMessage({ type: 'interrupt', runId: current.runId });
    this.#interruptTimer = setTimeout(() => {
      this.#interruptTimer = null;
      if (this.#current === current) this.#replaceWorker('stuck');
    }, this.#options.interruptTimeoutMs);
  }

  /** Ends the worker (closing its sockets first when it can) and starts a fresh one. */
  async restart(): Promise<void> {
    this.#setState('restarting');
    await this.#shutDownWorker();
    this.#replaceWorker('requested');
  }

  /** Ends the worker for good (closing its sockets first when it can). */
  async dispose(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#cancelAll();
    await this.#shutDownWorker();
    this.#worker.terminate();
    this.#setState('closed');
  }

  #start(): WorkerLike {
    const worker = this.#createWorker();
    worker.addEventListener('message', (event) => {
      if (worker === this.#worker && isKernelToPage(event.data)) this.#receive(event.data);
    });
    worker.addEventListener('error', () => {
      if (worker === this.#worker && this.#state !== 'closed') this.#replaceWorker('crashed');
    });
    this.#setState('starting');
    worker.postMessage({ type: 'init', server: this.#server });
    return worker;
  }

  #enqueue(run: PendingRun): number {
    if (this.#state === 'closed') throw new Error('this kernel has been disposed');
    this.#queue.push(run);
    this.#emit({ type: 'queued', runId: run.runId, cellId: run.cellId });
    this.#pump();
    return run.runId;
  }

  #pump(): void {
    if (this.#current !== null || this.#state === 'starting' || this.#state === 'restarting' || this.#state === 'closed') return;
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#setState('idle');
      return;
    }
    this.#current = next;
    this.#setState('busy');
    this.#worker.postMessage(next.message);
  }

  #receive(message: KernelToPage): void {
    switch (message.type) {
      case 'ready':
        this.#setState('idle');
        this.#pump();
        return;
      case 'output':
        this.#emit({ type: 'output', cellId: message.cellId, at: message.at, item: message.item });
        return;
      case 'started':
        this.#executionCount += 1;
        this.#emit({ type: 'started', runId: message.runId, cellId: message.cellId, executionCount: this.#executionCount });
        return;
      case 'done':
        this.#emit({ type: 'done', runId: message.runId, cellId: message.cellId, status: message.status });
        // A check run reports `done` for the reader's code, then `checked` when the checks end.
        if (this.#current?.message.type !== 'check') this.#finish(message.runId);
        return;
      case 'checked':
        this.#emit({ type: 'checked', runId: message.runId, cellId: message.cellId, results: message.results });
        this.#finish(message.runId);
        return;
      case 'interrupted':
        if (this.#interruptTimer !== null) clearTimeout(this.#interruptTimer);
        this.#interruptTimer = null;
        return;
      case 'shutdown-complete':
        return;
    }
  }

  #finish(runId: number): void {
    if (this.#current?.runId !== runId) return;
    this.#current = null;
    this.#pump();
  }

  #cancelAll(): void {
    if (this.#interruptTimer !== null) clearTimeout(this.#interruptTimer);
    this.#interruptTimer = null;
    const cancelled = [...(this.#current === null ? [] : [this.#current]), ...this.#queue];
    this.#current = null;
    this.#queue = [];
    for (const run of cancelled) this.#emit({ type: 'done', runId: run.runId, cellId: run.cellId, status: 'stopped' });
  }

  async #shutDownWorker(): Promise<void> {
    const worker = this.#worker;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#options.shutdownTimeoutMs);
      worker.addEventListener('message', (event) => {
        if (isKernelToPage(event.data) && event.data.type === 'shutdown-complete') {
          clearTimeout(timer);
          resolve();
        }
      });
      worker.postMessage({ type: 'shutdown' });
    });
  }

  #replaceWorker(reason: 'requested' | 'stuck' | 'crashed'): void {
    const cellId = this.#current?.cellId ?? null;
    this.#cancelAll();
    this.#worker.terminate();
    this.#executionCount = 0;
    this.#worker = this.#start();
    this.#emit({ type: 'restarted', reason, cellId });
  }

  #setState(state: KernelState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit({ type: 'state', state });
  }

  #emit(event: KernelEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
