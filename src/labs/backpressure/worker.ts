/**
 * The backpressure lab's blocking consumer: a dedicated worker with its own
 * WebSocket that busy-waits on every message. While it spins, its thread
 * cannot take the next message, and Chromium stops reading the socket (its
 * behaviour, measured in the lab; no standard requires it), so TCP's flow
 * control pushes back to the server, as a CPU-bound consumer would. Being a worker, it never freezes the page.
 */
import { busyWait, ConsumerLedger, stopPolicy } from '../../shared/backpressure/consumer.ts';
import type { ConsumerClose, ConsumerSettings, WorkerCommand, WorkerReport } from './consumers.ts';

/** Progress goes to the page at most this often (each message, when messages are slow). */
const PROGRESS_INTERVAL_MS = 50;

/** The worker's global scope (the project's TypeScript lib is the DOM's). */
const scope = self as unknown as {
  postMessage(message: WorkerReport): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerCommand>) => void): void;
};
let mode: ConsumerSettings['mode'] = 'naive';
let socket: WebSocket | null = null;
let ledger: ConsumerLedger | null = null;
let lastReportAt = 0;
let closeReported = false;

function report(message: WorkerReport): void {
  scope.postMessage(message);
}

function reportProgress(force = false): void {
  if (ledger === null) return;
  const now = performance.now();
  if (!force && now - lastReportAt < PROGRESS_INTERVAL_MS) return;
  lastReportAt = now;
  report({ type: 'progress', progress: ledger.progress() });
}

function reportClosed(close: ConsumerClose): void {
  if (closeReported || ledger === null) return;
  closeReported = true;
  report({ type: 'closed', close, progress: ledger.progress() });
}

function closeByPage(code: number, reason: string): void {
  reportClosed({ code, reason, wasClean: true, initiatedBy: 'page' });
  socket?.close(code, reason);
}

function start(url: string, settings: ConsumerSettings): void {
  const data = new WebSocket(url);
  socket = data;
  mode = settings.mode;
  const books = new ConsumerLedger({ mode: settings.mode, creditWindow: settings.creditWindow }, (text) => {
    if (data.readyState === WebSocket.OPEN) data.send(text);
  });
  ledger = books;
  data.addEventListener('message', (event: MessageEvent<string>) => {
    const kind = books.receive(event.data);
    if (kind === 'hello' && books.hello !== null) report({ type: 'hello', hello: books.hello });
    if (kind === 'data' && !closeReported) {
      busyWait(settings.workPerMessageMs);
      books.processed(event.data);
    }
    reportProgress();
    if (books.drained) closeByPage(1000, 'finished');
  });
  data.addEventListener('close', (event) => {
    reportClosed({ code: event.code, reason: event.reason, wasClean: event.wasClean, initiatedBy: 'remote' });
  });
  // When no message comes (credit mode waiting, or the end), progress still reaches the page.
  setInterval(() => reportProgress(true), 4 * PROGRESS_INTERVAL_MS);
}

scope.addEventListener('message', (event) => {
  const command = event.data;
  if (command.type === 'start') {
    start(command.url, command.settings);
  } else if (ledger !== null) {
    stopPolicy(mode, ledger, closeByPage);
  }
});
