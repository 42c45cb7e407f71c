/**
 * The three consumers of the backpressure lab. Each opens its own data
 * socket to /ws/backpressure, keeps a ConsumerLedger, and pushes the hello,
 * its progress (whenever it changes) and how the socket closed:
 *
 * - `blocking`: a dedicated Web Worker with its own WebSocket that busy-waits
 *   on each message, so its thread cannot read the socket meanwhile and
 *   Chromium stops reading TCP (no standard requires it): the pressure
 *   reaches the server.
 * - `queued`: the page's WebSocket hands over every message at once; they
 *   wait in a queue worked through with timers, so nothing pushes back and
 *   the backlog grows in the page's memory.
 * - `stream`: WebSocketStream, whose readable stream only pulls the next
 *   message when the consumer asks for it: the pressure reaches the server,
 *   and the page stays responsive.
 */
import { ConsumerLedger, STOPPED_REASON, stopPolicy, type ConsumerProgress } from '../../shared/backpressure/consumer.ts';
import type { ConsumerKind, PageClose } from '../../shared/backpressure/store.ts';
import { formatBytes } from '../../shared/format.ts';
import { BACKLOG_OVER_BUDGET_CLOSE_CODE, type BackpressureHello, type BackpressureMode } from '../../shared/protocol/backpressure.ts';

export interface ConsumerSettings {
  readonly mode: BackpressureMode;
  readonly workPerMessageMs: number;
  readonly creditWindow: number;
  readonly pageBudgetBytes: number;
}

export type ConsumerClose = Omit<PageClose, 'elapsedMs'>;

export interface ConsumerCallbacks {
  readonly hello: (hello: BackpressureHello) => void;
  /** Called whenever a message is received or processed (the worker: at most every 50 ms). */
  readonly progress: (progress: ConsumerProgress) => void;
  /** Called once, when the data socket closed or the page closed it. */
  readonly closed: (close: ConsumerClose) => void;
}

export interface ConsumerHandle {
  readonly kind: ConsumerKind;
  /** naive: close now, discarding what is queued; credit/conflate: ask the server to finish, drain, then close with 1000. */
  stop(): void;
  /** Ends everything at once (a new run, or the lab left the page). */
  abort(): void;
}

/** Messages between the page and the blocking consumer's worker. */
export type WorkerCommand =
  | { readonly type: 'start'; readonly url: string; readonly settings: ConsumerSettings }
  | { readonly type: 'stop' };
export type WorkerReport =
  | { readonly type: 'hello'; readonly hello: BackpressureHello }
  | { readonly type: 'progress'; readonly progress: ConsumerProgress }
  | { readonly type: 'closed'; readonly close: ConsumerClose; readonly progress: ConsumerProgress };

/** Whether this browser has WebSocketStream (Chromium 124+). */
export function hasWebSocketStream(): boolean {
  return 'WebSocketStream' in globalThis;
}

export function startConsumer(kind: ConsumerKind, url: string, settings: ConsumerSettings, callbacks: ConsumerCallbacks): ConsumerHandle {
  switch (kind) {
    case 'blocking':
      return startWorkerConsumer(url, settings, callbacks);
    case 'queued':
      return startQueuedConsumer(url, settings, callbacks);
    case 'stream':
      return startStreamConsumer(url, settings, callbacks);
  }
}

function once(callback: (close: ConsumerClose) => void): (close: ConsumerClose) => void {
  let called = false;
  return (close) => {
    if (called) return;
    called = true;
    callback(close);
  };
}

function startWorkerConsumer(url: string, settings: ConsumerSettings, callbacks: ConsumerCallbacks): ConsumerHandle {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'blocking consumer' });
  const closed = once(callbacks.closed);
  worker.addEventListener('message', (event: MessageEvent<WorkerReport>) => {
    const report = event.data;
    if (report.type === 'hello') callbacks.hello(report.hello);
    else callbacks.progress(report.progress);
    if (report.type === 'closed') {
      closed(report.close);
      worker.terminate();
    }
  });
  worker.addEventListener('error', (event) => {
    closed({ code: 1006, reason: `the worker failed: ${event.message}`, wasClean: false, initiatedBy: 'page' });
    worker.terminate();
  });
  worker.postMessage({ type: 'start', url, settings } satisfies WorkerCommand);
  return {
    kind: 'blocking',
    stop() {
      // The worker reads this between two messages, at most workPerMessageMs from now.
      worker.postMessage({ type: 'stop' } satisfies WorkerCommand);
    },
    abort() {
      worker.terminate();
      closed({ code: 1000, reason: STOPPED_REASON, wasClean: true, initiatedBy: 'page' });
    },
  };
}

function startQueuedConsumer(url: string, settings: ConsumerSettings, callbacks: ConsumerCallbacks): ConsumerHandle {
  const socket = new WebSocket(url);
  const queue: string[] = [];
  let working = false;
  const closed = once(callbacks.closed);
  const ledger = new ConsumerLedger({ mode: settings.mode, creditWindow: settings.creditWindow }, (text) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
  });
  const closeByPage = (code: number, reason: string) => {
    queue.length = 0;
    closed({ code, reason, wasClean: true, initiatedBy: 'page' });
    socket.close(code, reason);
  };
  const workThroughQueue = () => {
    const next = queue.shift();
    if (next === undefined || socket.readyState !== WebSocket.OPEN) {
      working = false;
      return;
    }
    working = true;
    // Timers leave the page responsive, and the socket keeps being read: nothing pushes back.
    setTimeout(() => {
      ledger.processed(next);
      callbacks.progress(ledger.progress());
      if (ledger.drained) closeByPage(1000, 'finished');
      workThroughQueue();
    }, settings.workPerMessageMs);
  };
  socket.addEventListener('message', (event: MessageEvent<string>) => {
    const kind = ledger.receive(event.data);
    if (kind === 'hello' && ledger.hello !== null) callbacks.hello(ledger.hello);
    if (kind === 'finished' && ledger.drained) closeByPage(1000, 'finished');
    const progress = ledger.progress();
    callbacks.progress(progress);
    if (kind !== 'data') return;
    queue.push(event.data);
    if (progress.backlogBytes > settings.pageBudgetBytes) {
      closeByPage(BACKLOG_OVER_BUDGET_CLOSE_CODE, `page backlog over ${formatBytes(settings.pageBudgetBytes)}`);
      return;
    }
    if (!working) workThroughQueue();
  });
  socket.addEventListener('close', (event) => {
    closed({ code: event.code, reason: event.reason, wasClean: event.wasClean, initiatedBy: 'remote' });
  });
  return {
    kind: 'queued',
    stop: () => stopPolicy(settings.mode, ledger, closeByPage),
    abort: () => closeByPage(1000, STOPPED_REASON),
  };
}

/** The parts of WebSocketStream (not yet in TypeScript's DOM types) the stream consumer uses. */
interface WebSocketStreamLike {
  readonly opened: Promise<{ readonly readable: ReadableStream<string | ArrayBuffer>; readonly writable: WritableStream<string> }>;
  readonly closed: Promise<{ readonly closeCode: number; readonly reason: string }>;
  close(info?: { closeCode?: number; reason?: string }): void;
}
type WebSocketStreamConstructor = new (url: string) => WebSocketStreamLike;

function startStreamConsumer(url: string, settings: ConsumerSettings, callbacks: ConsumerCallbacks): ConsumerHandle {
  const Stream = (globalThis as unknown as { WebSocketStream: WebSocketStreamConstructor }).WebSocketStream;
  const stream = new Stream(url);
  const closed = once(callbacks.closed);
  let writer: WritableStreamDefaultWriter<string> | null = null;
  const ledger = new ConsumerLedger({ mode: settings.mode, creditWindow: settings.creditWindow }, (text) => {
    void writer?.write(text).catch(() => undefined);
  });
  const closeByPage = (code: number, reason: string) => {
    closed({ code, reason, wasClean: true, initiatedBy: 'page' });
    stream.close({ closeCode: code, reason });
  };
  stream.closed.then(
    ({ closeCode, reason }) => closed({ code: closeCode, reason, wasClean: true, initiatedBy: 'remote' }),
    (error: unknown) => {
      const { closeCode, reason } = error as { closeCode?: number; reason?: string };
      closed({ code: closeCode ?? 1006, reason: reason ?? '', wasClean: false, initiatedBy: 'remote' });
    },
  );
  void (async () => {
    const { readable, writable } = await stream.opened;
    writer = writable.getWriter();
    const reader = readable.getReader();
    for (;;) {
      // The next message is pulled from the network only now: until then it waits in TCP.
      const { value, done } = await reader.read();
      if (done) return;
      if (typeof value !== 'string') continue;
      const kind = ledger.receive(value);
      if (kind === 'hello' && ledger.hello !== null) callbacks.hello(ledger.hello);
      callbacks.progress(ledger.progress());
      if (kind === 'data') {
        await new Promise((resolve) => setTimeout(resolve, settings.workPerMessageMs));
        ledger.processed(value);
        callbacks.progress(ledger.progress());
      }
      if (ledger.drained) {
        closeByPage(1000, 'finished');
        return;
      }
    }
  })().catch(() => undefined);
  return {
    kind: 'stream',
    stop: () => stopPolicy(settings.mode, ledger, closeByPage),
    abort: () => closeByPage(1000, STOPPED_REASON),
  };
}
