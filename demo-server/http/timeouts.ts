import type { Server } from 'node:http';

/** The HTTP timeouts of `createDemoServer()` (see options.ts for their defaults). */
export interface HttpTimeoutOptions {
  /** Time to receive a request's headers, handshakes included (slowloris, silent connections). */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request. */
  readonly requestTimeoutMs: number;
}

/**
 * How often Node checks open connections against the timeouts. Its default
 * is 30 s, which with its 60 s headers timeout let a slowloris request, a
 * half-sent handshake or a connection that never sent a byte live about 85 s.
 */
export const CONNECTION_CHECK_INTERVAL_MS = 1_000;

/**
 * Applies the timeouts to `server`. Node closes a connection whose headers
 * or request are late (408 when it can still answer); the check runs every
 * `CONNECTION_CHECK_INTERVAL_MS`, so a timeout fires at most a second late.
 * Upgraded connections leave Node's HTTP handling and are not affected.
 */
export function applyHttpTimeouts(server: Server, options: HttpTimeoutOptions): void {
  server.headersTimeout = options.headersTimeoutMs;
  server.requestTimeout = options.requestTimeoutMs;
  // A keep-alive connection waiting for its next request is idle; 5 s is Node's default, kept explicit.
  server.keepAliveTimeout = 5_000;
}
