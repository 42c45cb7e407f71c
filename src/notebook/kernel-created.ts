/**
 * Fired on `window` when the page kernel is created, so every cell can show
 * its state. Its own module: cells listen for it without loading the kernel.
 */
export const KERNEL_CREATED_EVENT = 'socketbook:kernel-created';
