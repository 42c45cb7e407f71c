import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A loader for a CommonJS package that is only needed by some servers
 * (prom-client for a scrape of /metrics, ioredis for `--redis`): the
 * package is required the first time the loader is called, in place, and
 * then reused. A package loaded with the server stays in its heap for good,
 * and every full collection marks it (issue 23: the 16 KiB echo's extra
 * cost was the collector marking a bigger heap).
 */
export function loadOnFirstUse<T>(packageName: string): () => T {
  let loaded: T | null = null;
  return () => (loaded ??= require(packageName) as T);
}
