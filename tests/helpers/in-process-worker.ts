import type { WorkerLike } from '../../src/notebook/kernel/kernel.ts';
import type { PageToKernel } from '../../src/notebook/kernel/protocol.ts';
import { KernelRuntime } from '../../src/notebook/kernel/runtime.ts';

type Listener = (event: { data: unknown; message?: string }) => void;

/**
 * The real kernel runtime behind the `Worker` interface, on this thread and
 * Node's WebSocket, with messages delivered asynchronously as postMessage does.
 */
export class InProcessWorker implements WorkerLike {
  readonly #listeners: Listener[] = [];
  readonly runtime: KernelRuntime;
  terminated = false;

  constructor() {
    this.runtime = new KernelRuntime({
      WebSocket: globalThis.WebSocket,
      post: (message) => {
        setTimeout(() => {
          if (!this.terminated) for (const listener of this.#listeners) listener({ data: message });
        }, 0);
      },
      now: () => Date.now(),
    });
  }

  postMessage(message: PageToKernel): void {
    setTimeout(() => {
      if (!this.terminated) this.runtime.receive(message);
    }, 0);
  }

  terminate(): void {
    this.terminated = true;
    // A terminated worker's sockets die with it (the server sees the TCP connection drop).
    this.runtime.closeAllSockets(1000, 'worker terminated');
  }

  addEventListener(type: 'message' | 'error', listener: Listener): void {
    if (type === 'message') this.#listeners.push(listener);
  }
}

/** A worker whose code is stuck in a loop: it starts runs but never answers again. */
export class StuckWorker implements WorkerLike {
  readonly #listeners: Listener[] = [];
  terminated = false;

  postMessage(message: PageToKernel): void {
    const reply = (data: unknown) =>
      setTimeout(() => {
        for (const listener of this.#listeners) listener({ data });
      }, 0);
    if (message.type === 'init') reply({ type: 'ready' });
    if (message.type === 'run') reply({ type: 'started', runId: message.runId, cellId: message.cellId });
  }

  terminate(): void {
    this.terminated = true;
  }

  addEventListener(type: 'message' | 'error', listener: Listener): void {
    if (type === 'message') this.#listeners.push(listener);
  }
}
