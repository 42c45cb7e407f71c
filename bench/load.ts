/**
 * The main thread's side of the load generator: a pool of worker threads
 * (load-worker.ts), each answering one command at a time.
 */
import { Worker } from 'node:worker_threads';
import type { LoadCommand, LoadReply } from './load-protocol.ts';

export class LoadWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  constructor() {
    this.#worker = new Worker(new URL('./load-worker.ts', import.meta.url));
    this.#worker.on('message', (reply: LoadReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (reply.ok) pending?.resolve(reply.result);
      else pending?.reject(new Error(reply.error));
    });
    this.#worker.on('error', (error: Error) => {
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
  }

  /** Sends `command` and resolves with the worker's result (typed by the caller, see load-protocol.ts). */
  run<T>(command: LoadCommand): Promise<T> {
    const id = this.#nextId++;
    if (process.env.BENCH_DEBUG !== undefined) console.error(`-> ${String(id)} ${command.type}`);
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, command });
    });
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

/** `total` split as evenly as possible into `parts` whole numbers. */
export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, index) => Math.floor(total / parts) + (index < total % parts ? 1 : 0));
}

/**
 * Splits `total` clients (or connections) across `workers` and runs
 * `command(worker, share, firstIndex)` on each at once.
 */
export function spread<T>(workers: readonly LoadWorker[], total: number, command: (worker: LoadWorker, share: number, firstIndex: number) => Promise<T>): Promise<T[]> {
  const shares = split(total, workers.length);
  let first = 0;
  return Promise.all(
    workers.map((worker, index) => {
      const share = shares[index] ?? 0;
      const start = first;
      first += share;
      return command(worker, share, start);
    }),
  );
}
