import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { CHAT_OPTION_BOUNDS, resolveChatOptions } from './routes/chat/options.ts';
import { OPTION_BOUNDS, resolveOptions, type DemoServerOptions } from './options.ts';
import { requireBoundedInteger, type BoundedInteger } from '../src/shared/bounded-integer.ts';
import { CHAT_DEFAULTS, type ChatOptions } from '../src/shared/protocol/chat.ts';
import { attackerHostRefusal, isLoopbackHost } from './attacker/host.ts';
import { CLASSROOM_DEFAULTS } from './routes/classroom/options.ts';

const CLASSROOM_DATA_DIR = CLASSROOM_DEFAULTS.dataDir;

export const USAGE = `Usage: npm start -- [options]

Serves the Socketbook site and its WebSocket endpoints on one port.

Options (environment variable in brackets):
  --port <n>               port to listen on (PORT, default 8080; 0 picks a free port)
  --host <address>         address to bind (HOST, default 127.0.0.1;
                           0.0.0.0 shares it on the LAN for a classroom)
  --allowed-origins <list> comma-separated origins that may open WebSockets besides
                           this site and localhost, e.g. http://school.example:4321
                           (a trailing / is dropped), or * for any (ALLOWED_ORIGINS)
  --max-message-bytes <n>  largest message a client may send; larger closes with 1009
                           (MAX_MESSAGE_BYTES, default 65536)
  --max-connections <n>    WebSocket connections at once (MAX_CONNECTIONS, default 20000)
  --max-connections-per-address <n>
                           WebSocket connections at once from one address; more get 503
                           (MAX_CONNECTIONS_PER_ADDRESS, default 256). A class behind
                           one NAT shares one address: raise it for a big class
  --handshakes-per-second-per-address <n>
                           handshakes a second from one address after a burst of 4×
                           that; more get 429 with Retry-After
                           (HANDSHAKES_PER_SECOND_PER_ADDRESS, default 50)
  --headers-timeout-ms <n> time to send a request's headers or a handshake; slower
                           (or silent) connections are closed (HEADERS_TIMEOUT_MS,
                           default 10000)
  --request-timeout-ms <n> time to send a whole request (REQUEST_TIMEOUT_MS, default 30000)
  --allowed-hosts <list>   comma-separated host names this server answers to besides
                           localhost and the machine's own addresses and name, e.g. a
                           DNS name for the classroom machine, or * for any; other
                           Host headers get 421 (ALLOWED_HOSTS)
  --trusted-proxies <list> comma-separated addresses of reverse proxies (e.g. 127.0.0.1
                           for nginx on this machine) whose X-Forwarded-For names the
                           client: the per-address limits and the log use that address
                           (TRUSTED_PROXIES, default none: the header is ignored)
  --max-buffered-bytes <n> bytes queued for one client before it is cut off with 1008
                           (MAX_BUFFERED_BYTES, default 16777216); past 1 MiB the server
                           stops reading the client until its queue drains
  --max-total-buffered-bytes <n>
                           bytes queued for all clients together; past it the client
                           holding the most is dropped at once without a close frame
                           (it sees 1006), repeated until under the budget
                           (MAX_TOTAL_BUFFERED_BYTES, default 268435456)
  --chat-rooms-per-address <n>
                           chat rooms one address may have created at once (its
                           oldest empty one is forgotten first); more close with 1013
                           (CHAT_ROOMS_PER_ADDRESS, default 20)
  --chat-places-per-address <n>
                           places in chat rooms one address may hold at once; more
                           close with 1013 (CHAT_PLACES_PER_ADDRESS, default 64, two
                           per student of a class of 30 behind one NAT: raise it for more)
  --chat-limits <list>     comma-separated name=value overrides of the chat's limits,
                           e.g. messagesPerSecond=1000,maxMembersPerRoom=2000 for a
                           benchmark; names as in CHAT_DEFAULTS (CHAT_LIMITS, default none)
  --attacker-port <n>      port of the attacker page, chapter 10's "other site" that
                           tries to use the reader's demo login (ATTACKER_PORT, default
                           the port + 1, a free one with --port 0; 0 turns it off). Only
                           on a loopback --host; if the default port is busy it is skipped
  --attacker-on-lan        serve the attacker page even when --host is not loopback
  --tls                    serve https and wss with a self-signed certificate made at
                           start with openssl (for localhost and 127.0.0.1, one day)
  --tls-cert <file>        serve https and wss with this PEM certificate (TLS_CERT)
  --tls-key <file>         and this PEM private key (TLS_KEY); give both
  --redis <url>            share chat rooms with every server on this Redis, e.g.
                           redis://127.0.0.1:6379 (REDIS_URL, default none: rooms
                           live in this process); see npm run cluster
  --redis-member-ttl-ms <n>
                           how long the members of a server that died stay listed
                           on the others (REDIS_MEMBER_TTL_MS, default 10000)
  --metrics-on-lan         answer GET /metrics (Prometheus text) from any address; by
                           default only from this machine (METRICS_ON_LAN=1)
  --classroom              class mode: students' pages report their progress to this
                           server, which keeps it in --data-dir, and the teacher follows
                           the class on a dashboard whose secret link is printed at start
                           (CLASSROOM=1). On by itself when --host is not loopback
                           (a class on a LAN); --no-classroom (CLASSROOM=0) turns it off
  --data-dir <folder>      where class mode keeps its database and the teacher token,
                           created on demand (DATA_DIR, default .socketbook-data in the
                           current folder); delete the folder to start a new class
  --hide-solutions         class mode: exercises' solutions start hidden; the teacher
                           reveals them one by one from the dashboard
  --site <folder>          built site to serve (default dist/)
  --quiet                  no per-connection log lines
  --help                   show this help
`;

export interface CliOptions {
  readonly port: number;
  readonly host: string;
  readonly quiet: boolean;
  readonly help: boolean;
  readonly siteDir: string;
  readonly server: Partial<DemoServerOptions>;
  /**
   * The attacker listener: its port (0: a free one) and whether it was asked
   * for (`--attacker-port`) or is the default (port + 1, skipped with a
   * warning when busy); `null` when off.
   */
  readonly attacker: { readonly port: number; readonly explicit: boolean } | null;
  readonly attackerOnLan: boolean;
  /**
   * Class mode's folder and settings, or `null` when off. `main.ts` reads
   * the teacher token from the folder (`teacherTokenIn()`) and puts it in
   * `server.classroom`.
   */
  readonly classroom: { readonly dataDir: string; readonly hideSolutions: boolean } | null;
  /** `self-signed` for `--tls`, the two files for `--tls-cert`/`--tls-key`; `null` for plain http. */
  readonly tls: { readonly kind: 'self-signed' } | { readonly kind: 'files'; readonly cert: string; readonly key: string } | null;
}

/** `text` as `--flag` reads an option's range (declared once, in `OPTION_BOUNDS` or `CHAT_OPTION_BOUNDS`). */
function parseInteger(flag: string, text: string, bounds: BoundedInteger): number {
  return requireBoundedInteger({ ...bounds, name: flag }, text);
}

const PORT = { name: '--port', min: 0, max: 65_535 } as const;
const ATTACKER_PORT = { name: '--attacker-port', min: 1, max: 65_535, zeroMeansOff: true } as const;

/** Where the attacker page listens, from `--attacker-port`, `--port` and `--host` (see `CliOptions.attacker`). */
function attackerListener(text: string | undefined, port: number, host: string, onLan: boolean): CliOptions['attacker'] {
  if (text !== undefined) {
    const chosen = requireBoundedInteger(ATTACKER_PORT, text);
    if (chosen === 0) return null;
    if (chosen === port) throw new TypeError(`--attacker-port ${String(chosen)} is the site's own port; the attacker page needs another (another port is another origin)`);
    const refusal = attackerHostRefusal(host, onLan);
    if (refusal !== null) throw new TypeError(refusal);
    return { port: chosen, explicit: true };
  }
  // The default is off where it would reach the LAN, and past the last port; main.ts says so.
  if (attackerHostRefusal(host, onLan) !== null || port === PORT.max) return null;
  return { port: port === 0 ? 0 : port + 1, explicit: false };
}

/**
 * Class mode: `--classroom`/`--no-classroom` (or CLASSROOM=1/0) when given,
 * else on exactly when `--host` is not loopback, since a server students can
 * reach is a class. `--data-dir` or `--hide-solutions` with class mode off
 * is a mistake worth saying.
 */
function classroomMode(values: { classroom?: boolean; 'data-dir'?: string; 'hide-solutions'?: boolean }, env: NodeJS.ProcessEnv, host: string): CliOptions['classroom'] {
  let on = values.classroom;
  if (on === undefined && env.CLASSROOM !== undefined && env.CLASSROOM !== '') {
    if (!/^[01]$/.test(env.CLASSROOM)) throw new TypeError(`CLASSROOM must be 1 (on) or 0 (off), got ${JSON.stringify(env.CLASSROOM)}`);
    on = env.CLASSROOM === '1';
  }
  on ??= !isLoopbackHost(host);
  if (!on) {
    if (values['data-dir'] !== undefined) throw new TypeError('--data-dir is for class mode: add --classroom (it is off on a loopback --host)');
    if (values['hide-solutions'] === true) throw new TypeError('--hide-solutions is for class mode: add --classroom (it is off on a loopback --host)');
    return null;
  }
  const dataDir = values['data-dir'] ?? env.DATA_DIR ?? CLASSROOM_DATA_DIR;
  if (dataDir.trim() === '') throw new TypeError('--data-dir needs a folder');
  return { dataDir, hideSolutions: values['hide-solutions'] === true };
}

/** A comma-separated list, trimmed, without empty entries. */
function listOf(text: string): string[] {
  return text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/**
 * `http://a.example/` (as copied from an address bar) → `http://a.example`:
 * the Origin a browser sends (RFC 6454 §6.1) has no path, so a trailing
 * slash is dropped and the host lowercased. Anything with a real path, a
 * query or a scheme other than http(s) is refused, naming the flag.
 */
export function parseOrigin(text: string): string {
  if (text === '*') return text;
  const url = URL.canParse(text) ? new URL(text) : null;
  // The href of a bare origin is the origin and `/`; a path, query, fragment or user name adds to it.
  if (url === null || !/^https?:$/.test(url.protocol) || url.href !== `${url.origin}/`) {
    throw new TypeError(`--allowed-origins entries look like http://host:port (scheme, host and port, no path), or *, got ${JSON.stringify(text)}`);
  }
  return url.origin;
}

/** A host name or address without a port, or `*`, as the Host check compares them. */
function parseHost(text: string): string {
  if (text !== '*' && !/^[a-z0-9.:[\]-]+$/i.test(text)) {
    throw new TypeError(`--allowed-hosts entries are host names or addresses without a scheme or port (school.example, 192.168.1.20), or *, got ${JSON.stringify(text)}`);
  }
  return text;
}

/**
 * Reads `--chat-limits` (`name=value,name=value`): each name must be one of
 * `CHAT_DEFAULTS`, each value a whole number, and the result must pass the
 * same checks as `createDemoServer()` makes, so a bad flag fails at start-up.
 */
export function parseChatLimits(text: string): Partial<ChatOptions> {
  const limits: Partial<Record<keyof ChatOptions, number>> = {};
  const names = Object.keys(CHAT_DEFAULTS) as (keyof ChatOptions)[];
  for (const entry of listOf(text)) {
    const match = /^([A-Za-z]+)=(\d+)$/.exec(entry);
    if (match === null) throw new TypeError(`--chat-limits entries look like name=number, got ${JSON.stringify(entry)}`);
    const [, name = '', value = ''] = match;
    const known = names.find((candidate) => candidate === name);
    if (known === undefined) throw new TypeError(`--chat-limits: unknown limit ${JSON.stringify(name)}; known: ${names.join(', ')}`);
    limits[known] = Number(value);
  }
  resolveChatOptions(limits);
  return limits;
}

/**
 * The flags as given, by name. parseArgs explains some mistakes over three
 * lines (`--max-message-bytes -5` is "ambiguous"); they are joined into one,
 * as every other message is.
 */
function readFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allowed-origins': { type: 'string' },
        'max-message-bytes': { type: 'string' },
        'max-connections': { type: 'string' },
        'max-connections-per-address': { type: 'string' },
        'handshakes-per-second-per-address': { type: 'string' },
        'headers-timeout-ms': { type: 'string' },
        'request-timeout-ms': { type: 'string' },
        'allowed-hosts': { type: 'string' },
        'trusted-proxies': { type: 'string' },
        'max-buffered-bytes': { type: 'string' },
        'max-total-buffered-bytes': { type: 'string' },
        'chat-rooms-per-address': { type: 'string' },
        'chat-places-per-address': { type: 'string' },
        'chat-limits': { type: 'string' },
        'attacker-port': { type: 'string' },
        'attacker-on-lan': { type: 'boolean', default: false },
        tls: { type: 'boolean', default: false },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        redis: { type: 'string' },
        'redis-member-ttl-ms': { type: 'string' },
        'metrics-on-lan': { type: 'boolean', default: false },
        classroom: { type: 'boolean' },
        'data-dir': { type: 'string' },
        'hide-solutions': { type: 'boolean', default: false },
        site: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      // --no-classroom keeps class mode off on a LAN address.
      allowNegative: true,
    }).values;
  } catch (error) {
    throw new TypeError((error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' '), { cause: error });
  }
}

/** Reads flags, falling back to environment variables, then defaults. Throws `TypeError` on bad values. */
export function parseCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  const values = readFlags(argv);
  const server: Partial<DemoServerOptions> = {};
  const origins = values['allowed-origins'] ?? env.ALLOWED_ORIGINS;
  if (origins !== undefined && origins.trim() !== '') server.allowedOrigins = listOf(origins).map(parseOrigin);
  const maxMessage = values['max-message-bytes'] ?? env.MAX_MESSAGE_BYTES;
  if (maxMessage !== undefined) server.maxMessageBytes = parseInteger('--max-message-bytes', maxMessage, OPTION_BOUNDS.maxMessageBytes);
  const maxConnections = values['max-connections'] ?? env.MAX_CONNECTIONS;
  if (maxConnections !== undefined) server.maxConnections = parseInteger('--max-connections', maxConnections, OPTION_BOUNDS.maxConnections);
  const perAddress = values['max-connections-per-address'] ?? env.MAX_CONNECTIONS_PER_ADDRESS;
  if (perAddress !== undefined) server.maxConnectionsPerAddress = parseInteger('--max-connections-per-address', perAddress, OPTION_BOUNDS.maxConnectionsPerAddress);
  const handshakeRate = values['handshakes-per-second-per-address'] ?? env.HANDSHAKES_PER_SECOND_PER_ADDRESS;
  if (handshakeRate !== undefined) {
    server.handshakesPerSecondPerAddress = parseInteger('--handshakes-per-second-per-address', handshakeRate, OPTION_BOUNDS.handshakesPerSecondPerAddress);
    server.handshakeBurstPerAddress = 4 * server.handshakesPerSecondPerAddress;
  }
  const headersTimeout = values['headers-timeout-ms'] ?? env.HEADERS_TIMEOUT_MS;
  if (headersTimeout !== undefined) server.headersTimeoutMs = parseInteger('--headers-timeout-ms', headersTimeout, OPTION_BOUNDS.headersTimeoutMs);
  const requestTimeout = values['request-timeout-ms'] ?? env.REQUEST_TIMEOUT_MS;
  if (requestTimeout !== undefined) server.requestTimeoutMs = parseInteger('--request-timeout-ms', requestTimeout, OPTION_BOUNDS.requestTimeoutMs);
  const hosts = values['allowed-hosts'] ?? env.ALLOWED_HOSTS;
  if (hosts !== undefined && hosts.trim() !== '') server.allowedHosts = listOf(hosts).map(parseHost);
  const proxies = values['trusted-proxies'] ?? env.TRUSTED_PROXIES;
  if (proxies !== undefined && proxies.trim() !== '') {
    server.trustedProxies = listOf(proxies).map((proxy) => {
      if (isIP(proxy) === 0) throw new TypeError(`--trusted-proxies entries are IP addresses (127.0.0.1, ::1), got ${JSON.stringify(proxy)}`);
      return proxy;
    });
  }
  const maxBuffered = values['max-buffered-bytes'] ?? env.MAX_BUFFERED_BYTES;
  if (maxBuffered !== undefined) server.maxBufferedBytes = parseInteger('--max-buffered-bytes', maxBuffered, OPTION_BOUNDS.maxBufferedBytes);
  const maxTotalBuffered = values['max-total-buffered-bytes'] ?? env.MAX_TOTAL_BUFFERED_BYTES;
  if (maxTotalBuffered !== undefined) {
    server.maxTotalBufferedBytes = parseInteger('--max-total-buffered-bytes', maxTotalBuffered, OPTION_BOUNDS.maxTotalBufferedBytes);
  }
  const chatLimits = values['chat-limits'] ?? env.CHAT_LIMITS;
  if (chatLimits !== undefined && chatLimits.trim() !== '') server.chat = parseChatLimits(chatLimits);
  const chatRooms = values['chat-rooms-per-address'] ?? env.CHAT_ROOMS_PER_ADDRESS;
  if (chatRooms !== undefined) server.chat = { ...server.chat, maxRoomsPerAddress: parseInteger('--chat-rooms-per-address', chatRooms, CHAT_OPTION_BOUNDS.maxRoomsPerAddress) };
  const chatPlaces = values['chat-places-per-address'] ?? env.CHAT_PLACES_PER_ADDRESS;
  if (chatPlaces !== undefined) server.chat = { ...server.chat, maxPlacesPerAddress: parseInteger('--chat-places-per-address', chatPlaces, CHAT_OPTION_BOUNDS.maxPlacesPerAddress) };
  const redisUrl = values.redis ?? env.REDIS_URL;
  const memberTtl = values['redis-member-ttl-ms'] ?? env.REDIS_MEMBER_TTL_MS;
  if (redisUrl !== undefined && redisUrl.trim() !== '') {
    if (!/^rediss?:\/\/[^\s]+$/.test(redisUrl)) throw new TypeError(`--redis looks like redis://host:port, got ${JSON.stringify(redisUrl)}`);
    server.chatRedis = { url: redisUrl, ...(memberTtl === undefined ? {} : { memberTtlMs: parseInteger('--redis-member-ttl-ms', memberTtl, OPTION_BOUNDS.chatRedisMemberTtlMs) }) };
  } else if (memberTtl !== undefined) {
    throw new TypeError('--redis-member-ttl-ms needs --redis');
  }
  if (values['metrics-on-lan'] || env.METRICS_ON_LAN === '1') server.metricsOnLan = true;
  // Flags that are fine one by one may contradict each other (--max-buffered-bytes
  // below the message size): the server's own checks run now, so they fail here
  // with the usage, not later as a stack trace.
  resolveOptions(server);
  const port = requireBoundedInteger(PORT, values.port ?? env.PORT ?? '8080');
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  const certFile = values['tls-cert'] ?? env.TLS_CERT;
  const keyFile = values['tls-key'] ?? env.TLS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new TypeError(`--tls-cert and --tls-key go together: give both files, or --tls alone for a self-signed certificate`);
  }
  const tls: CliOptions['tls'] =
    certFile !== undefined && keyFile !== undefined ? { kind: 'files', cert: certFile, key: keyFile } : values.tls ? { kind: 'self-signed' } : null;
  return {
    port,
    host,
    classroom: classroomMode(values, env, host),
    attacker: attackerListener(values['attacker-port'] ?? env.ATTACKER_PORT, port, host, values['attacker-on-lan']),
    attackerOnLan: values['attacker-on-lan'],
    tls,
    quiet: values.quiet,
    help: values.help,
    siteDir: values.site ?? 'dist',
    server,
  };
}
