import { HERD_CLIENTS, HERD_WINDOW_MS, type HerdMode } from '../../shared/herd.ts';
import { readBoundedInteger } from '../../shared/bounded-integer.ts';
import { SnapshotStore } from '../../shared/snapshot-store.ts';

/** 100 ms buckets drawn after the 1012. */
export const DRAIN_BUCKETS = HERD_WINDOW_MS / 100;

export type DrainPhase = 'idle' | 'draining' | 'reconnecting' | 'done' | 'failed';

export interface DrainResult {
  readonly clients: number;
  /** Clients the instance closed with 1012. */
  readonly closed: number;
  /** Handshakes at the other instance per 100 ms after the 1012, `DRAIN_BUCKETS` of them. */
  readonly perBucket: readonly number[];
  readonly peak: number;
  /** All handshakes in the window: the clients that came back. */
  readonly total: number;
}

export interface DrainSnapshot {
  readonly phase: DrainPhase;
  readonly mode: HerdMode | null;
  readonly clients: number;
  readonly results: Readonly<Partial<Record<HerdMode, DrainResult>>>;
  readonly problem: string | null;
}

export interface HandshakeBuckets {
  readonly bucketMs: number;
  readonly buckets: readonly { readonly atMs: number; readonly count: number }[];
}

/** What a run talks to: the cluster's herd action and the surviving instance's handshake counts. */
export interface DrainRunContext {
  /** Starts the herd on the draining instance; resolves after the drain with its time and how many it closed. */
  readonly herd: (mode: HerdMode, clients: number) => Promise<{ readonly drainedAtMs: number; readonly closed: number }>;
  readonly handshakes: (sinceMs: number) => Promise<HandshakeBuckets>;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The cluster's clock (the instances' `Date.now()`), to know when the window is over. */
  readonly now?: () => number;
}

/** `DRAIN_BUCKETS` counts from the bucket that holds `startMs`, zeros where no handshake came. */
export function bucketsAfter(counts: HandshakeBuckets, startMs: number): number[] {
  const first = Math.floor(startMs / counts.bucketMs);
  const series = new Array<number>(DRAIN_BUCKETS).fill(0);
  for (const { atMs, count } of counts.buckets) {
    const index = Math.floor(atMs / counts.bucketMs) - first;
    if (index >= 0 && index < DRAIN_BUCKETS) series[index] = (series[index] ?? 0) + count;
  }
  return series;
}

/** Why `value` is not a number of clients the lab accepts, or `null`. */
export function clientsProblem(value: string): string | null {
  const reading = readBoundedInteger(HERD_CLIENTS, value);
  return reading.ok ? null : reading.message;
}

const defaultSleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * Chapter 11's draining lab, without DOM: asks the cluster for a herd (N
 * clients on one instance, drained with 1012, reconnecting to another, see
 * src/shared/herd.ts) and reads the other instance's own count of
 * handshakes per 100 ms while they arrive, for each mode.
 */
export class DrainStore extends SnapshotStore<DrainSnapshot> {
  #run = 0;

  constructor() {
    super({ phase: 'idle', mode: null, clients: 0, results: {}, problem: null });
  }

  get running(): boolean {
    return this.snapshot.phase === 'draining' || this.snapshot.phase === 'reconnecting';
  }

  async run(mode: HerdMode, clients: string, context: DrainRunContext): Promise<void> {
    if (this.running) return;
    const problem = clientsProblem(clients);
    if (problem !== null) {
      this.update({ phase: 'failed', mode, problem });
      return;
    }
    const count = Number(clients);
    const run = ++this.#run;
    const sleep = context.sleep ?? defaultSleep;
    const now = context.now ?? Date.now;
    this.update({ phase: 'draining', mode, clients: count, problem: null });
    let started;
    try {
      started = await context.herd(mode, count);
    } catch (error) {
      this.update({ phase: 'failed', problem: `the cluster refused the herd: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    this.update({ phase: 'reconnecting' });
    // A little past the window, so the last bucket is complete when read.
    const endAt = started.drainedAtMs + HERD_WINDOW_MS + 200;
    for (;;) {
      if (run !== this.#run) return;
      let perBucket: number[];
      try {
        perBucket = bucketsAfter(await context.handshakes(started.drainedAtMs), started.drainedAtMs);
      } catch (error) {
        this.update({ phase: 'failed', problem: `the handshake counts did not come: ${error instanceof Error ? error.message : String(error)}` });
        return;
      }
      const done = now() >= endAt;
      const result: DrainResult = { clients: count, closed: started.closed, perBucket, peak: Math.max(...perBucket), total: perBucket.reduce((sum, each) => sum + each, 0) };
      this.update({ results: { ...this.snapshot.results, [mode]: result }, ...(done ? { phase: 'done' as const } : {}) });
      if (done) return;
      await sleep(250);
    }
  }
}
