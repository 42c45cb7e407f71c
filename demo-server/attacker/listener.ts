/**
 * The attacker listener: a second HTTP server in the demo server's process,
 * on its own port, that serves only the attacker page (the page, its script
 * and its style). A different port is a different origin, so to the browser
 * the page is "another site" attacking the tutorial's demo account
 * (chapter 10, cross-site WebSocket hijacking). It always speaks plain http:
 * `localhost:PORT+1` and `127.0.0.1:PORT+1` are the two names the chapter
 * compares (same-site and cross-site with `localhost:PORT`).
 */
import { readFileSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { applyHttpTimeouts, CONNECTION_CHECK_INTERVAL_MS, type HttpTimeoutOptions } from '../http/timeouts.ts';

export interface AttackerListenerOptions extends HttpTimeoutOptions {
  /** The site's port, which the page attacks by default. */
  readonly victimPort: number;
  /** `https:` when the site is served over TLS (the page then opens `wss:`). */
  readonly victimScheme: 'http:' | 'https:';
  /** The demo server's Host check (against DNS rebinding), shared with the site. */
  isHostAllowed(host: string | undefined): boolean;
}

/**
 * The page may run its own script and style and open WebSockets anywhere
 * (`ws:`/`wss:`); nothing else: no inline script, no other fetches, no forms.
 * Framing is allowed, so a lab may embed it.
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src ws: wss:; base-uri 'none'; form-action 'none'";

interface PageFile {
  readonly type: string;
  readonly body: string;
}

/** The page's files, read when a listener is made (not at import: the reference page bundles flags.ts, which needs only host.ts). */
function readPageFiles(): { page: string; files: Readonly<Record<string, PageFile>> } {
  const read = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8');
  return {
    page: read('page.html'),
    files: {
      '/attacker.js': { type: 'text/javascript; charset=utf-8', body: read('page.js') },
      '/attacker.css': { type: 'text/css; charset=utf-8', body: read('page.css') },
    },
  };
}

function send(response: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    'x-content-type-options': 'nosniff',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(body);
}

function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  send(response, status, 'text/plain; charset=utf-8', `${text}\n`, headers);
}

/** Builds the attacker listener (not listening yet). */
export function createAttackerServer(options: AttackerListenerOptions): Server {
  // The victim's port and scheme are the server's own numbers, not input: safe to put in the page.
  const { page: template, files } = readPageFiles();
  const page = template.replace('__VICTIM_SCHEME__', options.victimScheme).replace('__VICTIM_PORT__', String(options.victimPort));
  const server = createServer({ connectionsCheckingInterval: CONNECTION_CHECK_INTERVAL_MS }, (request: IncomingMessage, response: ServerResponse) => {
    if (!options.isHostAllowed(request.headers.host)) {
      sendText(response, 421, `this server does not answer to the host ${JSON.stringify(request.headers.host ?? '')}; start it with --allowed-hosts to add a name`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, `${request.method ?? ''} is not supported; the attacker page answers GET and HEAD.`, { allow: 'GET, HEAD' });
      return;
    }
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = pathname === '/' ? { type: 'text/html; charset=utf-8', body: page } : files[pathname];
    if (file === undefined) {
      sendText(response, 404, `Not found: the attacker listener serves only the attacker page at /.`);
      return;
    }
    send(response, 200, file.type, file.body);
  });
  applyHttpTimeouts(server, options);
  server.on('upgrade', (_request: IncomingMessage, socket: Duplex) => {
    const body = 'The attacker listener has no WebSocket endpoints; they are on the site port.\n';
    socket.on('error', () => socket.destroy());
    socket.end(
      `HTTP/1.1 404 ${STATUS_CODES[404] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${String(Buffer.byteLength(body))}\r\n\r\n${body}`,
    );
  });
  server.on('clientError', (_error, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}
