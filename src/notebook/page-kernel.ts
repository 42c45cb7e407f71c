import { Kernel } from './kernel/kernel.ts';
import { pageServer } from '../labs/kit/page-server.ts';
import { KERNEL_CREATED_EVENT } from './kernel-created.ts';

/**
 * The page's kernel, created on the first Run. Loading this module is what
 * pulls in the kernel code, so a page that is only read never does.
 */

let shared: Kernel | null = null;

/** Starts a kernel worker; Vite bundles the worker from this URL. */
function createKernelWorker(): Worker {
  return new Worker(new URL('./kernel/worker.ts', import.meta.url), { type: 'module', name: 'socketbook-kernel' });
}

/** The kernel every cell on the page shares. */
export function pageKernel(): Kernel {
  if (shared === null) {
    shared = new Kernel(createKernelWorker, pageServer().url);
    window.dispatchEvent(new CustomEvent(KERNEL_CREATED_EVENT));
  }
  return shared;
}

/** A kernel of its own, e.g. to check an exercise in a clean scope; dispose it when done. */
export function freshKernel(): Kernel {
  return new Kernel(createKernelWorker, pageServer().url);
}
