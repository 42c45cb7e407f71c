/**
 * The backpressure lab's blocking consumer: a dedicated worker with its own
 * WebSocket that busy-waits on every message. While it spins, its thread
 * cannot take the next message, and Chromium stops reading the socket (its
 * behaviour, measured in the lab; no standard requires it), so TCP's flow
 * control pushes back to the server, as a CPU-bound consumer would. Being a worker, it never freezes the page.
 */
import { busyWait, ConsumerLedger, stopPolicy } from '../../shared/backpressure/consumer.ts';
import type { ConsumerClose, ConsumerSettings, WorkerCommand, WorkerReport } from './consumers.ts';

/**
 * Progress goes to the page at most this often (each message, when messages
 * are slow); the last change before a pause is sent when the interval is up.
 */
const PROGRESS_INTERVAL_MS = 50;

let mode: ConsumerSettings['mode'] = 'naive';
let socket: WebSocket | null = null;
let ledger: ConsumerLedger | null = null;
let lastReportAt = 0;
let pendingReport: ReturnType<typeof setTimeout> | null = null;
let closeReported = false;

function report(message: WorkerReport): void {
  self.postMessage(message);
}

function reportProgress(): void {
  if (ledger === null || closeReported) return;
  const waitMs = lastReportAt + PROGRESS_INTERVAL_MS - performance.now();
  if (waitMs > 0) {
    pendingReport ??= setTimeout(() => {
      pendingReport = null;
      reportProgress();
    }, waitMs);
    return;
  }
  lastReportAt = performance.now();
  report({ type: 'progress', progress: ledger.progress() });
}

function reportClosed(close: ConsumerClose): void {
  if (closeReported || ledger === null) return;
  closeReported = true;
  if (pendingReport !== null) clearTimeout(pendingReport);
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
}

self.addEventListener('message', (event: MessageEvent<WorkerCommand>) => {
  const command = event.data;
  if (command.type === 'start') {
    start(command.url, command.settings);
  } else if (ledger !== null) {
    stopPolicy(mode, ledger, closeByPage);
  }
});
