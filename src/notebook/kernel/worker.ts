/**
 * The notebook kernel's Web Worker: one per page (and a fresh one for each
 * exercise check). Running reader code here keeps the page responsive: an
 * endless loop blocks only this worker, which the page can terminate.
 */
import { isPageToKernel } from './protocol.ts';
import { KernelRuntime } from './runtime.ts';

// Type-checked with the WebWorker lib (tsconfig.worker.json): `self` is the worker's scope.

const runtime = new KernelRuntime({
  WebSocket: globalThis.WebSocket,
  post: (message) => {
    self.postMessage(message);
  },
  now: () => performance.timeOrigin + performance.now(),
});

self.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isPageToKernel(event.data)) runtime.receive(event.data);
});
self.addEventListener('error', (event: ErrorEvent) => {
  event.preventDefault();
  runtime.reportUncaught(event.error ?? new Error(event.message));
});
self.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  event.preventDefault();
  runtime.reportUncaught(event.reason);
});
