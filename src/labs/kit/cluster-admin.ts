/**
 * The page's side of `npm run cluster`'s admin actions (chapter 11's
 * failover and draining labs): asks this page's server for the cluster's
 * secret (`GET /cluster/admin`, answered only to this machine and only by an
 * instance the cluster started), then lists, stops, starts and drains
 * instances through it. The server side is demo-server/http/cluster-admin.ts.
 */

export type InstanceState = 'running' | 'stopped' | 'starting';

export interface ClusterInstance {
  /** `demo-1`, `demo-2`, … */
  readonly name: string;
  readonly port: number;
  readonly state: InstanceState;
}

export interface ClusterView {
  readonly instances: readonly ClusterInstance[];
  /** nginx's port, or `null` when the cluster runs without nginx. */
  readonly proxyPort: number | null;
}

export interface HandshakeCounts {
  readonly bucketMs: number;
  readonly nowMs: number;
  readonly buckets: readonly { readonly atMs: number; readonly count: number }[];
}

/** What a lab can do: act on the cluster, or say why not. */
export type ClusterAccess = { readonly kind: 'ready'; readonly admin: ClusterAdmin } | { readonly kind: 'unavailable'; readonly reason: string };

/** The first sentence of every "cannot" status. */
export const NEEDS_CLUSTER = 'This lab needs npm run cluster, with this page opened from one of its addresses on the machine that runs it.';

/** `{ "error": "…" }` from the server, or the HTTP status. */
async function errorOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // Not JSON: a static host's 404 page, say.
  }
  return `HTTP ${String(response.status)}`;
}

export class ClusterAdmin {
  readonly #secret: string;
  /** The instance that served this page. */
  readonly self: string;

  constructor(secret: string, self: string) {
    this.#secret = secret;
    this.self = self;
  }

  async #call<T>(method: 'GET' | 'POST', path: string): Promise<T> {
    const response = await fetch(`/cluster${path}`, { method, cache: 'no-store', headers: { authorization: `Bearer ${this.#secret}` } });
    if (!response.ok) throw new Error(await errorOf(response));
    return (await response.json()) as T;
  }

  view(): Promise<ClusterView> {
    return this.#call('GET', '/instances');
  }

  /** Kills `name` (SIGKILL: its clients see 1006), starts it again, or drains it (1012 to each client). */
  act(name: string, action: 'stop' | 'start' | 'drain'): Promise<ClusterView & { done?: string; closed?: number }> {
    return this.#call('POST', `/instances/${encodeURIComponent(name)}/${action}`);
  }

  /**
   * Chapter 11's herd: the cluster opens `clients` WebSockets to `from`, drains it (1012) and has them
   * reconnect to `to` after the mode's delay; resolves after the drain.
   */
  herd(from: string, to: string, mode: 'no-jitter' | 'full-jitter', clients: number): Promise<{ drainedAtMs: number; closed: number }> {
    const query = new URLSearchParams({ to, mode, clients: String(clients) });
    return this.#call('POST', `/instances/${encodeURIComponent(from)}/herd?${query.toString()}`);
  }

  handshakes(name: string, sinceMs: number): Promise<HandshakeCounts> {
    return this.#call('GET', `/instances/${encodeURIComponent(name)}/handshakes?sinceMs=${String(Math.floor(sinceMs))}`);
  }
}

/** Asks this page's server whether it belongs to `npm run cluster` and may act on it. */
export async function openClusterAdmin(): Promise<ClusterAccess> {
  let response: Response;
  try {
    response = await fetch('/cluster/admin', { cache: 'no-store' });
  } catch (error) {
    return { kind: 'unavailable', reason: `${NEEDS_CLUSTER} No server answered /cluster/admin (${error instanceof Error ? error.message : String(error)}).` };
  }
  if (!response.ok) return { kind: 'unavailable', reason: `${NEEDS_CLUSTER} This page's server says: ${await errorOf(response)}.` };
  try {
    const body = (await response.json()) as { secret?: unknown; instance?: unknown };
    if (typeof body.secret === 'string' && typeof body.instance === 'string') return { kind: 'ready', admin: new ClusterAdmin(body.secret, body.instance) };
  } catch {
    // Falls through: not the demo server's answer.
  }
  return { kind: 'unavailable', reason: `${NEEDS_CLUSTER} This page's server is not a Socketbook demo server.` };
}

/** `ws://<this page's host>:<port>`: an instance or the proxy, on the machine that served the page. */
export function wsOrigin(port: number): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname}:${String(port)}`;
}
