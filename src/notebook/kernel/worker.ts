/**
 * The notebook kernel's Web Worker: one per page (and a fresh one for each
 * exercise check). Running reader code here keeps the page responsive: an
 * endless loop blocks only this worker, which the page can terminate.
 */
import { isPageToKernel } from './protocol.ts';
import { KernelRuntime } from './runtime.ts';

/** The parts of `DedicatedWorkerGlobalScope` used here (the DOM lib types `self` as a Window). */
const worker = globalThis as unknown as {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  addEventListener(type: 'unhandledrejection', listener: (event: PromiseRejectionEvent) => void): void;
};

const runtime = new KernelRuntime({
  WebSocket: globalThis.WebSocket,
  post: (message) => {
    worker.postMessage(message);
  },
  now: () => performance.timeOrigin + performance.now(),
});

worker.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isPageToKernel(event.data)) runtime.receive(event.data);
});
worker.addEventListener('error', (event: ErrorEvent) => {
  event.preventDefault();
  runtime.reportUncaught(event.error ?? new Error(event.message));
});
worker.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  event.preventDefault();
  runtime.reportUncaught(event.reason);
});
