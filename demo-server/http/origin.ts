import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(origin: string): string | null {
  try {
    return new URL(origin).hostname;
  } catch {
    return null;
  }
}

/**
 * Decides whether a handshake's `Origin` may open a WebSocket here. Browsers
 * always send `Origin` on WebSocket handshakes and do not apply CORS to them,
 * so this check is what stops cross-site WebSocket hijacking (RFC 6455 §10.2).
 * Non-browser clients (the CLI, tests) send no Origin and are allowed.
 *
 * Allowed: no Origin; an Origin whose host equals the request's `Host`
 * (same origin, which covers a classroom LAN address); loopback origins
 * (a reader running the site on their own machine); and `allowedOrigins`.
 */
export function isOriginAllowed(request: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes('*') || allowedOrigins.includes(origin)) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  if (request.headers.host !== undefined && originHost === request.headers.host) return true;
  const hostname = hostnameOf(origin);
  return hostname !== null && LOOPBACK_HOSTS.has(hostname);
}

/**
 * The stricter check of endpoints that act on a login (`/ws/account/safe`,
 * `/account/*`): the Origin must be the site's own (its host equals the
 * request's `Host`) or listed in `allowedOrigins`. Loopback origins on other
 * ports are NOT let through here: `http://localhost:PORT+1` is another
 * origin, and the chapter 10 attacker page lives there. No Origin (a
 * non-browser client, which carries no victim's cookies) is allowed.
 */
export function isOwnOrigin(request: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes('*') || allowedOrigins.includes(origin)) return true;
  try {
    return request.headers.host !== undefined && new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
