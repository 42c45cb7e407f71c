/**
 * The control server of `npm run cluster`: the process that owns the
 * instances stops, starts and drains them for chapter 11's labs. It listens
 * on 127.0.0.1 on a free port and answers only requests carrying the
 * cluster's random secret; the instances relay the page's requests to it
 * (demo-server/http/cluster-admin.ts says who may ask them).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { carriesSecret, CLUSTER_ENV } from '../http/cluster-admin.ts';
import { sendError, sendJson } from '../http/json-response.ts';
import { startInstance, type InstanceOptions, type Running } from './processes.ts';
import { WebSocket } from 'ws';
import { readBoundedInteger } from '../../src/shared/bounded-integer.ts';
import { HERD_CLIENTS, HERD_MODES, startHerd, type HerdMode } from '../../src/shared/herd.ts';

/** A fresh secret for one run of the cluster: 192 random bits, base64url. Never a default one. */
export function newClusterSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** `running`: listening; `stopped`: killed from the page (or it died); `starting`: being started again. */
export type InstanceState = 'running' | 'stopped' | 'starting';

/**
 * One instance of the cluster, which may be killed and started again on the
 * same port with the same flags. `onStart` sees each new process (to print
 * its exit, say).
 */
export class InstanceSlot {
  readonly name: string;
  #options: InstanceOptions;
  #running: Running | null = null;
  #state: InstanceState = 'starting';
  readonly #onStart: (running: Running) => void;

  private constructor(options: InstanceOptions & { readonly name: string }, onStart: (running: Running) => void) {
    this.name = options.name;
    this.#options = options;
    this.#onStart = onStart;
  }

  /** Starts the first process; with port 0, later starts reuse the port it got, so the proxy finds it again. */
  static async start(options: InstanceOptions & { readonly name: string }, onStart: (running: Running) => void = () => undefined): Promise<InstanceSlot> {
    const slot = new InstanceSlot(options, onStart);
    await slot.startAgain();
    return slot;
  }

  get port(): number {
    return this.#running?.port ?? this.#options.port;
  }

  get state(): InstanceState {
    return this.#state;
  }

  /** The process, while there is one. */
  get running(): Running | null {
    return this.#running;
  }

  /** SIGKILL: no close frame, so its clients see 1006 (through nginx too, which drops their connections). */
  async kill(): Promise<void> {
    const running = this.#running;
    this.#state = 'stopped';
    await running?.stop('SIGKILL');
  }

  /** SIGTERM: the instance closes its clients with 1001 (Going Away) and exits. */
  async stop(): Promise<void> {
    const running = this.#running;
    this.#state = 'stopped';
    await running?.stop('SIGTERM');
  }

  async startAgain(): Promise<void> {
    this.#state = 'starting';
    try {
      const running = await startInstance(this.#options);
      this.#running = running;
      this.#options = { ...this.#options, port: running.port };
      this.#state = 'running';
      running.child.once('exit', () => {
        if (this.#running === running) this.#state = 'stopped';
      });
      this.#onStart(running);
    } catch (error) {
      this.#state = 'stopped';
      throw error;
    }
  }
}

/**
 * Per-address limits of the cluster's instances: chapter 11's draining lab
 * opens up to 200 sockets from one browser and has them all reconnect at
 * once, which the defaults (a burst of 200 handshakes, 256 connections)
 * would refuse with 429 and 503. The cluster runs on loopback only.
 */
export const CLUSTER_HANDSHAKE_LIMITS = ['--handshakes-per-second-per-address', '500', '--max-connections-per-address', '1000'] as const;

/** The environment that lets an instance relay admin actions to `controlUrl` (see cluster-admin.ts). */
export function clusterEnv(secret: string, controlUrl: string, name: string): Record<string, string> {
  return { [CLUSTER_ENV.secret]: secret, [CLUSTER_ENV.controlUrl]: controlUrl, [CLUSTER_ENV.name]: name };
}

export interface ClusterControl {
  /** `http://127.0.0.1:<port>`, for the instances' environment. */
  readonly url: string;
  close(): Promise<void>;
}

export interface ClusterControlOptions {
  readonly secret: string;
  /** Filled in once the instances are started (they need the control server's address first). */
  readonly instances: readonly InstanceSlot[];
  /** nginx's port, or `null` without nginx: the labs say where the clients of a stopped instance go. */
  proxyPort(): number | null;
  readonly log?: (line: string) => void;
}

/** How long a stop waits after answering, so the instance that relayed the request can pass the answer on. */
const KILL_DELAY_MS = 300;

/** The actions that change an instance (`handshakes` only reads). */
const ACTIONS = ['stop', 'start', 'drain', 'herd'] as const;

/**
 * Starts the control server on 127.0.0.1 (a free port). Answers, with the secret:
 *
 * - `GET /instances`: each instance's name, port and state, and the proxy's port;
 * - `POST /instances/<name>/stop`: SIGKILL (its clients see 1006);
 * - `POST /instances/<name>/start`: starts it again on its port;
 * - `POST /instances/<name>/drain`: it closes its clients with 1012 and keeps running;
 * - `GET /instances/<name>/handshakes?sinceMs=`: its accepted handshakes per 100 ms;
 * - `POST /instances/<name>/herd?to=<other>&clients=<n>&mode=no-jitter|full-jitter`:
 *   opens n WebSockets to it, drains it and has them reconnect to `to`
 *   (src/shared/herd.ts); answers after the drain, with its time.
 */
export async function startClusterControl(options: ClusterControlOptions): Promise<ClusterControl> {
  const busy = new Set<string>();
  let herding = false;
  const describe = () => ({
    instances: options.instances.map((slot) => ({ name: slot.name, port: slot.port, state: slot.state })),
    proxyPort: options.proxyPort(),
  });
  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!carriesSecret(request.headers.authorization, options.secret)) {
      sendError(response, 401, "the cluster's control server needs its secret");
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/instances' && request.method === 'GET') {
      sendJson(response, 200, describe());
      return;
    }
    const match = /^\/instances\/([^/]+)\/([a-z]+)$/.exec(url.pathname);
    const slot = options.instances.find((each) => each.name === match?.[1]);
    if (match === null || slot === undefined) {
      const names = options.instances.map((each) => each.name).join(', ');
      sendError(response, 404, `no such instance or action: ${url.pathname.slice(0, 80)} (instances: ${names}; actions: ${ACTIONS.join(', ')}, handshakes)`);
      return;
    }
    const action = match[2] ?? '';
    if (action === 'handshakes') {
      if (request.method !== 'GET') return sendError(response, 405, 'GET …/handshakes', { allow: 'GET' });
      if (slot.state !== 'running') return sendError(response, 409, `${slot.name} is ${slot.state}`);
      return forward(response, slot, `/cluster/self/handshakes${url.search}`, 'GET');
    }
    if (!(ACTIONS as readonly string[]).includes(action)) {
      sendError(response, 404, `no action ${JSON.stringify(action.slice(0, 20))}: ${ACTIONS.join(', ')}, handshakes`);
      return;
    }
    if (request.method !== 'POST') return sendError(response, 405, `POST …/${action}`, { allow: 'POST' });
    if (busy.has(slot.name)) return sendError(response, 409, `${slot.name} is already being stopped or started`);
    busy.add(slot.name);
    try {
      if (action === 'drain') {
        if (slot.state !== 'running') return sendError(response, 409, `${slot.name} is ${slot.state}: nothing to drain`);
        return await forward(response, slot, '/cluster/self/drain', 'POST');
      }
      if (action === 'herd') return await herd(response, slot, url.searchParams);
      if (action === 'stop') {
        if (slot.state !== 'running') return sendError(response, 409, `${slot.name} is already ${slot.state}`);
        // The answer first: the request may have come through the very instance being killed (nginx picks any), which must still pass it on.
        sendJson(response, 200, { ...describe(), done: `${slot.name} is killed (SIGKILL) in ${String(KILL_DELAY_MS)} ms: its clients see 1006, no close frame` });
        await new Promise((done) => setTimeout(done, KILL_DELAY_MS));
        await slot.kill();
        options.log?.(`${slot.name} killed from the page (SIGKILL)`);
        return;
      }
      if (slot.state === 'running') return sendError(response, 409, `${slot.name} is already running`);
      await slot.startAgain();
      options.log?.(`${slot.name} started again from the page`);
      return sendJson(response, 200, { ...describe(), done: `${slot.name} started again on port ${String(slot.port)}` });
    } finally {
      busy.delete(slot.name);
    }
  }
  /** Chapter 11's draining lab: a herd from `slot` to another instance (one herd at a time). */
  async function herd(response: ServerResponse, from: InstanceSlot, query: URLSearchParams): Promise<void> {
    const clients = readBoundedInteger(HERD_CLIENTS, query.get('clients') ?? '');
    if (!clients.ok) return sendError(response, 400, clients.message);
    const mode = query.get('mode') ?? '';
    if (!(HERD_MODES as readonly string[]).includes(mode)) return sendError(response, 400, `mode must be ${HERD_MODES.join(' or ')}, got ${JSON.stringify(mode.slice(0, 40))}`);
    const to = options.instances.find((each) => each.name === query.get('to'));
    if (to === undefined || to === from) return sendError(response, 400, `to must name another instance (${options.instances.map((each) => each.name).join(', ')})`);
    if (from.state !== 'running' || to.state !== 'running') return sendError(response, 409, `${from.name} and ${to.name} must both be running`);
    if (herding) return sendError(response, 409, 'a herd is already running: wait for it to finish');
    herding = true;
    try {
      const started = await startHerd({
        mode: mode as HerdMode,
        clients: clients.value,
        fromUrl: `ws://127.0.0.1:${String(from.port)}/ws/echo`,
        toUrl: `ws://127.0.0.1:${String(to.port)}/ws/echo`,
        open: (socketUrl) => {
          const socket = new WebSocket(socketUrl);
          // A refused or failed connection is counted by its close event; the error must not crash the process.
          socket.on('error', () => undefined);
          return socket;
        },
        drain: async () => {
          const reply = await fetch(`http://127.0.0.1:${String(from.port)}/cluster/self/drain`, { method: 'POST', headers: { authorization: `Bearer ${options.secret}` } });
          if (!reply.ok) throw new Error(`${from.name} refused the drain (${String(reply.status)})`);
          return ((await reply.json()) as { closed: number }).closed;
        },
      });
      void started.finished.finally(() => {
        herding = false;
      });
      options.log?.(`${from.name} drained with a herd of ${String(clients.value)} (${mode}) reconnecting to ${to.name}`);
      sendJson(response, 200, { from: from.name, to: to.name, mode, clients: clients.value, closed: started.closed, code: 1012, drainedAtMs: started.drainedAtMs });
    } catch (error) {
      herding = false;
      sendError(response, 502, error instanceof Error ? error.message : String(error));
    }
  }
  async function forward(response: ServerResponse, slot: InstanceSlot, path: string, method: 'GET' | 'POST'): Promise<void> {
    try {
      const reply = await fetch(`http://127.0.0.1:${String(slot.port)}${path}`, { method, headers: { authorization: `Bearer ${options.secret}` }, signal: AbortSignal.timeout(5_000) });
      sendJson(response, reply.status, await reply.json());
    } catch (error) {
      sendError(response, 502, `${slot.name} did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, error instanceof Error ? error.message : String(error));
      else response.destroy();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
