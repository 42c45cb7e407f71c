import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type Server as WebSocketServerOf } from 'ws';
import { Connection, DemoWebSocket } from '../core/connection.ts';
import { MemoryBudget } from '../core/memory-budget.ts';
import { clientAddress, noteForwardedFor } from '../core/address-buckets.ts';
import { ServerMetrics } from '../core/metrics.ts';
import { metricsRefusal } from './metrics-access.ts';
import { handleClusterAdmin, type ClusterAdminContext } from './cluster-admin.ts';
import { HandshakeCounter } from '../core/handshake-counter.ts';
import { AddressLimits } from './address-limits.ts';
import { isHostAllowed, ownHostNames } from './host-check.ts';
import { attackerHostRefusal } from '../attacker/host.ts';
import { createAttackerServer } from '../attacker/listener.ts';
import { applyHttpTimeouts, CONNECTION_CHECK_INTERVAL_MS } from './timeouts.ts';
import { logLine } from './log.ts';
import { resolveOptions, type DemoServerOptions, type TlsCredentials } from '../options.ts';
import { isOriginAllowed } from './origin.ts';
import { routeFactories } from '../routes/index.ts';
import { matchPath, type Handshake, type HandshakeRefusal, type Route, type RouteContext } from '../core/route.ts';
import { StaticSite } from './static-files.ts';

export interface DemoServer {
  /** The HTTP server (an https one with the `tls` option); not listening until `listen()`. */
  readonly httpServer: Server;
  /** The attacker listener's port once `listenAttacker()` resolved; `null` before, or when it is not used. */
  readonly attackerPort: number | null;
  /** Open WebSocket connections. */
  readonly connections: ReadonlySet<Connection>;
  /**
   * Handles an HTTP upgrade for a `/ws/…` path and returns `true`; returns
   * `false` for other paths so a host server (Astro's dev server, whose hot
   * reload also upgrades) can handle them.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Answers `/healthz`, `/metrics` (http/metrics-access.ts says who may read it), plain HTTP requests to `/ws/…` and routes' own HTTP paths (`/account/…`); returns `false` for other paths. */
  handleApiRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** Starts listening; resolves with the bound address (use port 0 in tests). */
  listen(port: number, host: string): Promise<AddressInfo>;
  /**
   * Starts the attacker listener (chapter 10: a page of "another site", see
   * attacker/listener.ts) on `port` (0 picks a free one) after `listen()`.
   * Rejects, naming the flag, on a non-loopback `host` unless `onLan`.
   */
  listenAttacker(port: number, host: string, options?: { readonly onLan?: boolean }): Promise<AddressInfo>;
  /**
   * Stops accepting, closes every client with 1001, waits up to
   * `closeTimeoutMs` for close handshakes, then destroys what is left.
   */
  close(): Promise<void>;
}

/** A route of any kind: the server only hands `open()` what that route's `check()` returned. */
type AnyRoute = Route<unknown>;

interface RegisteredRoute {
  readonly route: AnyRoute;
  /** The pattern from the route's doc, e.g. `/ws/chat/:room`. */
  readonly path: string;
}

/** `::ffff:127.0.0.1:5432` → `127.0.0.1:5432`: the client's address (as the per-address limits count it) and port. */
function peerOf(request: IncomingMessage): string {
  return `${clientAddress(request)}:${String(request.socket.remotePort ?? 0)}`;
}

/** The address part of `peerOf()`, read back from a connection once its socket has gone. */
function addressOfPeer(peer: string): string {
  return peer.slice(0, peer.lastIndexOf(':'));
}

/**
 * Destroys a socket that errs before its upgrade completes. A function of
 * its own, not an arrow inside `handleUpgrade`: an arrow there would keep
 * that call's whole scope (the request, its headers, the URL) alive as long
 * as the socket, about 3 KiB per idle connection.
 */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

function refuseHandshake(socket: Duplex, refusal: HandshakeRefusal): void {
  const body = `${refusal.message}\n`;
  socket.end(
    `HTTP/1.1 ${String(refusal.status)} ${STATUS_CODES[refusal.status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      Object.entries(refusal.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join('') +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${String(Buffer.byteLength(body))}\r\n\r\n${body}`,
  );
}

function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  response.end(`${text}\n`);
}

function isDemoPath(pathname: string): boolean {
  return pathname === '/ws' || pathname.startsWith('/ws/');
}

/** An https server for `credentials`; a certificate or key OpenSSL refuses (not PEM, not a pair) is a `TypeError` naming the cause. */
function createTlsServer(credentials: Readonly<TlsCredentials>, handleRequest: (request: IncomingMessage, response: ServerResponse) => void): Server {
  try {
    return createHttpsServer({ connectionsCheckingInterval: CONNECTION_CHECK_INTERVAL_MS, cert: credentials.cert, key: credentials.key }, handleRequest);
  } catch (error) {
    throw new TypeError(`the certificate and key were refused (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/**
 * Builds the demo server: the static site, `/healthz`, and every WebSocket
 * endpoint under `/ws/`, on one HTTP server. Nothing listens and no timer
 * runs until `listen()` is called or a connection arrives.
 */
export function createDemoServer(options: Partial<DemoServerOptions> = {}): DemoServer {
  const config = resolveOptions(options);
  const startedAt = Date.now();
  const site = config.staticDir === null ? null : new StaticSite(config.staticDir);
  const connections = new Set<Connection>();
  const budget = new MemoryBudget(config.maxTotalBufferedBytes);
  const metrics = new ServerMetrics(budget, routeFactories.map((factory) => factory.doc.path));
  const addressLimits = new AddressLimits(config);
  const handshakeCounter = new HandshakeCounter();
  const clusterAdmin: ClusterAdminContext = {
    options: config.clusterAdmin,
    handshakes: handshakeCounter,
    drain() {
      const open = [...connections].filter((connection) => connection.state === 'open');
      // RFC 6455 §7.4.1 and the IANA registry: 1012 Service Restart, "come back".
      for (const connection of open) connection.fail('SERVICE_RESTART', 'drained by npm run cluster');
      return open.length;
    },
  };
  const ownNames = ownHostNames();
  const hostRefusal = (host: string | undefined): HandshakeRefusal | null =>
    isHostAllowed(host, ownNames, config.allowedHosts)
      ? null
      : { status: 421, message: `this server does not answer to the host ${JSON.stringify(host ?? '')}; start it with --allowed-hosts to add a name` };
  const writeLog = config.log;
  let attackerServer: Server | null = null;
  let attackerPort: number | null = null;
  const context: RouteContext = {
    options: config,
    log(event, message) {
      writeLog?.(logLine(event, message));
    },
    attackerPort: () => attackerPort,
    metrics,
  };
  const routes: RegisteredRoute[] = routeFactories.map((factory) => ({ route: factory.create(context), path: factory.doc.path }));
  const handshakes = new WeakMap<IncomingMessage, { route: AnyRoute; handshake: Handshake }>();
  /** ws fixes the message size limit per WebSocketServer, so routes with their own limit get their own instance. */
  const webSocketServers = new Map<number, WebSocketServerOf<typeof DemoWebSocket>>();
  function webSocketServerFor(maxPayload: number): WebSocketServerOf<typeof DemoWebSocket> {
    const existing = webSocketServers.get(maxPayload);
    if (existing !== undefined) return existing;
    const webSockets = new WebSocketServer<typeof DemoWebSocket>({
      noServer: true,
      WebSocket: DemoWebSocket,
      maxPayload,
      // Compression hides the frame bytes the chapters decode, and costs memory per client.
      perMessageDeflate: false,
      clientTracking: false,
      // Connection answers pings itself, so a ping flood gets a close frame (1008), not ws's reset after 60 pending pongs.
      autoPong: false,
      handleProtocols(offered, request) {
        const pending = handshakes.get(request);
        return pending?.route.selectProtocol?.(offered, pending.handshake) ?? false;
      },
    });
    // ws emits the 101 response lines just before writing them (RFC 6455 §4.2.2).
    webSockets.on('headers', (lines: string[], request: IncomingMessage) => {
      handshakes.get(request)?.handshake.responseLines.push(...lines);
    });
    webSocketServers.set(maxPayload, webSockets);
    return webSockets;
  }
  /** Connections whose route runs its own heartbeat. */
  const withoutHeartbeat = new WeakSet<Connection>();
  let nextConnectionId = 1;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let closing = false;

  function findRoute(pathname: string): { route: AnyRoute; path: string; params: Record<string, string> } | null {
    for (const { route, path } of routes) {
      const params = matchPath(path, pathname);
      if (params !== null) return { route, path, params };
    }
    return null;
  }

  /**
   * RFC 6455 §5.5.2: a ping the client has not answered by the next tick
   * means a dead peer or a jammed socket; drop it (the client sees 1006).
   */
  function beat(): void {
    for (const connection of connections) {
      if (withoutHeartbeat.has(connection) || connection.state !== 'open') continue;
      if (!connection.answeredPing) {
        connection.terminate(`no pong within ${String(config.heartbeatIntervalMs)} ms`);
        continue;
      }
      connection.answeredPing = false;
      connection.socket.ping();
    }
  }

  function startHeartbeat(): void {
    if (heartbeat !== null || config.heartbeatIntervalMs === 0) return;
    heartbeat = setInterval(beat, config.heartbeatIntervalMs);
    heartbeat.unref();
  }

  function stopHeartbeatWhenIdle(): void {
    if (connections.size === 0 && heartbeat !== null) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
  }

  function connectionClosed(connection: Connection, code: number, reason: Buffer): void {
    connections.delete(connection);
    metrics.closed(connection, code);
    addressLimits.closed(addressOfPeer(connection.peer));
    stopHeartbeatWhenIdle();
    if (writeLog === null) return;
    const error = connection.lastError === null ? '' : `  (${connection.lastError})`;
    context.log(
      'close',
      `#${String(connection.id)} ${connection.endpoint}  ${connection.peer}  ${connection.describeClose(code, reason.toString())}  ${connection.describeTraffic()}${error}`,
    );
  }

  function accept(socket: DemoWebSocket, request: IncomingMessage, route: AnyRoute, path: string, handshake: Handshake, checked: unknown): void {
    const connection = new Connection(nextConnectionId++, socket, handshake.url.pathname, peerOf(request), config, connectionClosed, budget);
    if (route.serverHeartbeat === false) withoutHeartbeat.add(connection);
    connections.add(connection);
    metrics.opened(connection, path);
    handshakeCounter.count();
    addressLimits.opened(addressOfPeer(connection.peer));
    // The log lines are built only when someone reads them (not under --quiet, not in a benchmark).
    if (writeLog !== null) {
      const protocol = socket.protocol === '' ? '' : `  protocol ${socket.protocol}`;
      context.log('open', `#${String(connection.id)} ${connection.endpoint}  ${connection.peer}${protocol}`);
    }
    if (route.serverHeartbeat !== false) startHeartbeat();
    try {
      route.open(connection, handshake, checked);
    } catch (error) {
      connection.lastError = error instanceof Error ? error.message : String(error);
      connection.close(1011, 'internal error');
    }
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!isDemoPath(url.pathname)) return false;
    socket.on('error', destroyOnError);
    noteForwardedFor(request, config.trustedProxies);
    function refuse(refusal: HandshakeRefusal): true {
      context.log('refuse', `${url.pathname}  ${peerOf(request)}  ${String(refusal.status)} ${refusal.message}`);
      refuseHandshake(socket, refusal);
      return true;
    }
    if (closing) return refuse({ status: 503, message: 'server shutting down' });
    // RFC 6455 §4.2.1: the handshake is an HTTP/1.1 (or later) GET.
    if (request.httpVersionMajor < 1 || (request.httpVersionMajor === 1 && request.httpVersionMinor < 1)) {
      return refuse({ status: 400, message: `a WebSocket handshake needs HTTP/1.1 or later, got HTTP/${request.httpVersion}` });
    }
    const wrongHost = hostRefusal(request.headers.host);
    if (wrongHost !== null) return refuse(wrongHost);
    if (!isOriginAllowed(request, config.allowedOrigins)) {
      return refuse({
        status: 403,
        message: `origin ${request.headers.origin ?? ''} is not allowed; start the server with --allowed-origins to allow it`,
      });
    }
    const found = findRoute(url.pathname);
    if (found === null) return refuse({ status: 404, message: `no WebSocket endpoint at ${url.pathname}` });
    const overAddressLimit = addressLimits.admit(clientAddress(request));
    if (overAddressLimit !== null) return refuse(overAddressLimit);
    if (connections.size >= config.maxConnections) {
      return refuse({ status: 503, message: `connection limit reached (${String(config.maxConnections)})` });
    }
    const handshake: Handshake = { request, url, params: found.params, responseLines: [] };
    const checked = found.route.check?.(handshake) ?? { ok: true, value: undefined };
    if (!checked.ok) return refuse(checked.refusal);
    handshakes.set(request, { route: found.route, handshake });
    const maxPayload = found.route.maxMessageBytes ?? config.maxMessageBytes;
    webSocketServerFor(maxPayload).handleUpgrade(request, socket, head, (webSocket) => {
      // ws has its own error listener on the socket now; one fewer listener per idle connection.
      socket.off('error', destroyOnError);
      // Deleted now, not left to the WeakMap: an entry keeps the request, its
      // headers and the URL alive through V8's young-generation collections,
      // so they were promoted to the old generation and grew the heap by about
      // 2 KiB of RSS per idle connection before a full collection freed them.
      handshakes.delete(request);
      accept(webSocket, request, found.route, found.path, handshake, checked.value);
    });
    return true;
  }

  /** Offers a plain HTTP request to the routes that answer some (`handleHttp`), in route-list order. */
  function handleRouteHttp(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? '/', 'http://localhost');
    return routes.some(({ route }) => route.handleHttp?.(request, response, url) === true);
  }

  function handleApiRequest(request: IncomingMessage, response: ServerResponse): boolean {
    if (handleRouteHttp(request, response)) return true;
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      const byEndpoint: Record<string, number> = {};
      for (const connection of connections) {
        byEndpoint[connection.endpoint] = (byEndpoint[connection.endpoint] ?? 0) + 1;
      }
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      response.end(
        `${JSON.stringify({
          status: closing ? 'closing' : 'ok',
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          connections: connections.size,
          connectionsByEndpoint: byEndpoint,
          bufferedBytes: budget.totalBytes,
          maxTotalBufferedBytes: budget.limitBytes,
          shedConnections: budget.shedCount,
          // Where chat rooms live: this process's memory, or Redis shared with other instances (chapter 11). Never the Redis address.
          chatBroker: config.chatRedis === null ? 'memory' : 'redis',
        })}\n`,
      );
      return true;
    }
    if (url.pathname === '/metrics') {
      const refusal = metricsRefusal(request, config.metricsOnLan);
      if (refusal !== null) {
        sendText(response, 403, refusal);
        return true;
      }
      metrics.text().then(
        (text) => {
          response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
          response.end(request.method === 'HEAD' ? undefined : text);
        },
        (error: unknown) => {
          context.log('error', `collecting /metrics: ${error instanceof Error ? error.message : String(error)}`);
          sendText(response, 500, 'Could not collect the metrics.');
        },
      );
      return true;
    }
    if (isDemoPath(url.pathname)) {
      if (findRoute(url.pathname) === null) {
        sendText(response, 404, `No WebSocket endpoint at ${url.pathname}.`);
      } else {
        sendText(
          response,
          426,
          `${url.pathname} is a WebSocket endpoint. Connect with new WebSocket("${config.tls === null ? 'ws' : 'wss'}://${request.headers.host ?? 'localhost'}${url.pathname}").`,
          { upgrade: 'websocket', connection: 'Upgrade' },
        );
      }
      return true;
    }
    return false;
  }

  function handleRequest(request: IncomingMessage, response: ServerResponse): void {
    noteForwardedFor(request, config.trustedProxies);
    const wrongHost = hostRefusal(request.headers.host);
    if (wrongHost !== null) {
      sendText(response, wrongHost.status, wrongHost.message);
      return;
    }
    // Chapter 11's admin actions (POST) under npm run cluster; 404 on any other server.
    if (handleClusterAdmin(request, response, clusterAdmin)) return;
    // Routes' own HTTP requests (POST /account/login) come before the GET-only site.
    if (handleRouteHttp(request, response)) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, `${request.method ?? ''} is not supported; the demo server answers GET and HEAD.`, { allow: 'GET, HEAD' });
      return;
    }
    if (handleApiRequest(request, response)) return;
    if (site === null) {
      sendText(response, 404, 'This demo server serves WebSocket endpoints only (no site folder was given).');
      return;
    }
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    site.serve(request, response, pathname).catch((error: unknown) => {
      context.log('error', `serving ${pathname}: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) sendText(response, 500, 'Internal server error.');
      else response.destroy();
    });
  }
  const httpServer: Server = config.tls === null ? createHttpServer({ connectionsCheckingInterval: CONNECTION_CHECK_INTERVAL_MS }, handleRequest) : createTlsServer(config.tls, handleRequest);
  applyHttpTimeouts(httpServer, config);
  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!handleUpgrade(request, socket, head)) {
      refuseHandshake(socket, { status: 404, message: 'WebSocket endpoints live under /ws/' });
    }
  });
  httpServer.on('clientError', (_error, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolvePromise, reject) => {
      server.once('error', reject);
      ownNames.add(host.toLowerCase());
      server.listen(port, host, () => {
        server.off('error', reject);
        resolvePromise(server.address() as AddressInfo);
      });
    });
  }

  return {
    httpServer,
    get attackerPort() {
      return attackerPort;
    },
    connections,
    handleUpgrade,
    handleApiRequest,
    listen(port, host) {
      return listenOn(httpServer, port, host);
    },
    async listenAttacker(port, host, { onLan = false } = {}) {
      const refusal = attackerHostRefusal(host, onLan);
      if (refusal !== null) throw new TypeError(refusal);
      const site = httpServer.address();
      if (site === null || typeof site === 'string' || attackerServer !== null) {
        throw new TypeError('listenAttacker() needs the site listening first (listen()), and runs once');
      }
      const attacker = createAttackerServer({
        ...config,
        victimPort: site.port,
        victimScheme: config.tls === null ? 'http:' : 'https:',
        isHostAllowed: (name) => hostRefusal(name) === null,
      });
      const address = await listenOn(attacker, port, host);
      attackerServer = attacker;
      attackerPort = address.port;
      return address;
    },
    async close() {
      closing = true;
      const stopped = httpServer.listening
        ? new Promise<void>((resolvePromise) => {
            httpServer.close(() => {
              resolvePromise();
            });
          })
        : Promise.resolve();
      const closed = [...connections].map(
        (connection) =>
          new Promise<void>((resolvePromise) => {
            if (connection.state === 'closed') {
              resolvePromise();
              return;
            }
            connection.socket.once('close', () => {
              resolvePromise();
            });
            connection.fail('SERVER_SHUTDOWN');
          }),
      );
      await Promise.all(closed);
      if (heartbeat !== null) clearInterval(heartbeat);
      heartbeat = null;
      for (const { route } of routes) route.dispose?.();
      httpServer.closeIdleConnections();
      httpServer.closeAllConnections();
      const attacker = attackerServer;
      if (attacker?.listening === true) {
        await new Promise<void>((resolvePromise) => {
          attacker.close(() => {
            resolvePromise();
          });
          attacker.closeAllConnections();
        });
      }
      await stopped;
    },
  };
}
