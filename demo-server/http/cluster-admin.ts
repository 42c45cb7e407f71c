/**
 * Chapter 11's admin actions on an instance of `npm run cluster`: stop and
 * start an instance, drain one (close its clients with 1012), read its
 * handshakes per 100 ms. They exist only when the cluster started this
 * process: it passes a random secret and its control server's address in
 * the environment (never in flags, which `ps` shows to every user). A plain
 * `npm start` has no secret, and every `/cluster/` path answers 404.
 *
 * Who may act: a request from this machine (a loopback client address,
 * through nginx too since it names the client) that carries the secret as
 * `Authorization: Bearer …`. The page learns the secret from
 * `GET /cluster/admin`, also loopback only and same-origin only (no CORS
 * headers, so another site's page cannot read it), so a student on the LAN
 * can neither read the secret nor use it, and another site open in the
 * teacher's browser cannot either.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientAddress } from '../core/address-buckets.ts';
import type { HandshakeCounter } from '../core/handshake-counter.ts';
import { isLoopbackName } from './host-check.ts';
import { sendError, sendJson } from './json-response.ts';

/** What `npm run cluster` gives each instance. */
export interface ClusterAdminOptions {
  /** Shared by the instances and the control server; random per run. */
  readonly secret: string;
  /** The control server of `npm run cluster` (demo-server/cluster/control.ts), on loopback. */
  readonly controlUrl: string;
  /** This instance's name in the cluster (`demo-2`). */
  readonly name: string;
}

/** The environment variables `npm run cluster` sets for each instance. */
export const CLUSTER_ENV = { secret: 'SOCKETBOOK_CLUSTER_SECRET', controlUrl: 'SOCKETBOOK_CLUSTER_CONTROL', name: 'SOCKETBOOK_CLUSTER_INSTANCE' } as const;

/** Shortest secret accepted: 128 bits as base64url is 22 characters. */
const MIN_SECRET_CHARS = 22;

/** What every `/cluster/` path answers on a server `npm run cluster` did not start. */
export const CLUSTER_ADMIN_OFF = 'cluster admin actions are off: this server was not started by npm run cluster';

/**
 * Reads the cluster's variables from `env`: `null` when none is set (a plain
 * server), a `TypeError` when they are incomplete or malformed.
 */
export function clusterAdminFromEnv(env: Readonly<Record<string, string | undefined>>): ClusterAdminOptions | null {
  const secret = env[CLUSTER_ENV.secret];
  const controlUrl = env[CLUSTER_ENV.controlUrl];
  const name = env[CLUSTER_ENV.name];
  if (secret === undefined && controlUrl === undefined && name === undefined) return null;
  if (secret === undefined || controlUrl === undefined || name === undefined) {
    throw new TypeError(`${CLUSTER_ENV.secret}, ${CLUSTER_ENV.controlUrl} and ${CLUSTER_ENV.name} are set together, by npm run cluster`);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(secret) || secret.length < MIN_SECRET_CHARS) {
    throw new TypeError(`${CLUSTER_ENV.secret} must be at least ${String(MIN_SECRET_CHARS)} base64url characters`);
  }
  if (!/^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(controlUrl)) throw new TypeError(`${CLUSTER_ENV.controlUrl} must look like http://127.0.0.1:<port>, got ${JSON.stringify(controlUrl)}`);
  if (!/^[a-z0-9-]{1,32}$/.test(name)) throw new TypeError(`${CLUSTER_ENV.name} must be 1 to 32 lowercase letters, digits or "-", got ${JSON.stringify(name)}`);
  return { secret, controlUrl, name };
}

/** Whether `header` is `Bearer <secret>`, compared in constant time. */
export function carriesSecret(header: string | undefined, secret: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface ClusterAdminContext {
  readonly options: ClusterAdminOptions | null;
  readonly handshakes: HandshakeCounter;
  /** Closes every WebSocket client of this instance with 1012; returns how many. */
  drain(): number;
}

/** How long the control server may take to answer a relayed action (a start waits for the instance to listen). */
const RELAY_TIMEOUT_MS = 25_000;

/**
 * Answers `/cluster/…` and returns `true`; `false` for other paths.
 *
 * - `GET /cluster/admin`: this instance's name and the secret (loopback only).
 * - `/cluster/instances[/<name>/<action>]`: relayed to the control server, with the secret.
 * - `POST /cluster/self/drain`, `GET /cluster/self/handshakes?sinceMs=`: this instance's own.
 */
export function handleClusterAdmin(request: IncomingMessage, response: ServerResponse, context: ClusterAdminContext): boolean {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== '/cluster' && !url.pathname.startsWith('/cluster/')) return false;
  const { options } = context;
  if (options === null) {
    sendError(response, 404, CLUSTER_ADMIN_OFF);
    return true;
  }
  const address = clientAddress(request);
  if (!isLoopbackName(address)) {
    sendError(response, 403, `cluster admin actions answer only this machine (your address is ${address})`);
    return true;
  }
  if (url.pathname === '/cluster/admin') {
    if (request.method !== 'GET') {
      sendError(response, 405, 'GET /cluster/admin', { allow: 'GET' });
      return true;
    }
    sendJson(response, 200, { instance: options.name, secret: options.secret });
    return true;
  }
  if (!carriesSecret(request.headers.authorization, options.secret)) {
    sendError(response, 401, "cluster admin actions need the cluster's secret (Authorization: Bearer …, from GET /cluster/admin)");
    return true;
  }
  if (url.pathname === '/cluster/self/drain') {
    if (request.method !== 'POST') sendError(response, 405, 'POST /cluster/self/drain', { allow: 'POST' });
    else sendJson(response, 200, { instance: options.name, closed: context.drain(), code: 1012 });
    return true;
  }
  if (url.pathname === '/cluster/self/handshakes') {
    const since = url.searchParams.get('sinceMs') ?? '0';
    if (request.method !== 'GET') sendError(response, 405, 'GET /cluster/self/handshakes', { allow: 'GET' });
    else if (!/^\d{1,15}$/.test(since)) sendError(response, 400, `sinceMs must be a whole number of milliseconds since 1970, got ${JSON.stringify(since)}`);
    else sendJson(response, 200, { instance: options.name, ...context.handshakes.since(Number(since)) });
    return true;
  }
  if (url.pathname === '/cluster/instances' || url.pathname.startsWith('/cluster/instances/')) {
    void relay(request, response, options, `${url.pathname.slice('/cluster'.length)}${url.search}`);
    return true;
  }
  sendError(response, 404, `no cluster admin action at ${url.pathname}`);
  return true;
}

/** Passes the request on to the control server of `npm run cluster`, which owns the processes. */
async function relay(request: IncomingMessage, response: ServerResponse, options: ClusterAdminOptions, path: string): Promise<void> {
  try {
    const answer = await fetch(`${options.controlUrl}${path}`, {
      method: request.method === 'POST' ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${options.secret}` },
      signal: AbortSignal.timeout(RELAY_TIMEOUT_MS),
    });
    const body: unknown = await answer.json();
    sendJson(response, answer.status, body);
  } catch (error) {
    sendError(response, 502, `the cluster's control server did not answer: ${error instanceof Error ? error.message : String(error)}`);
  }
}
