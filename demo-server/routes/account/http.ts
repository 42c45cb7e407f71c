import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import type { RouteContext } from '../../core/route.ts';
import { clientAddress } from '../../core/address-buckets.ts';
import { isOwnOrigin } from '../../http/origin.ts';
import { sendError, sendJson } from '../../http/json-response.ts';
import { nameProblem, normalizeName } from '../chat/names.ts';
import {
  ACCOUNT_COOKIES,
  ACCOUNT_HTTP_PATHS,
  ACCOUNT_MAX_BODY_BYTES,
  demoAccount,
  loginRequestSchema,
} from '../../../src/shared/protocol/account.ts';
import { readCookies } from './cookies.ts';
import type { AccountStore } from './store.ts';

/** Time a client has to send its whole request body. */
const BODY_TIMEOUT_MS = 5_000;

type Body = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly status: number; readonly error: string };

/** Reads a request body of at most `ACCOUNT_MAX_BODY_BYTES` within `BODY_TIMEOUT_MS`. */
function readBody(request: IncomingMessage): Promise<Body> {
  const tooBig: Body = { ok: false, status: 413, error: `request body over ${String(ACCOUNT_MAX_BODY_BYTES)} bytes` };
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > ACCOUNT_MAX_BODY_BYTES) return Promise.resolve(tooBig);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const finish = (body: Body): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      // Whatever else the client sends is read and dropped; the answer says Connection: close.
      if (!body.ok) request.resume();
      resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.byteLength;
      if (bytes > ACCOUNT_MAX_BODY_BYTES) finish(tooBig);
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    };
    const onError = (): void => {
      finish({ ok: false, status: 400, error: 'the request body could not be read' });
    };
    const timer = setTimeout(() => {
      finish({ ok: false, status: 408, error: `the request body did not arrive within ${String(BODY_TIMEOUT_MS / 1000)} s` });
    }, BODY_TIMEOUT_MS);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

/** `Set-Cookie` values for the session `id`, or clearing the cookies when `id` is `null`. */
function sessionCookies(id: string | null): string[] {
  const value = id ?? '';
  const clear = id === null ? '; Max-Age=0' : '';
  return [
    `${ACCOUNT_COOKIES.lax}=${value}; Path=/; HttpOnly; SameSite=Lax${clear}`,
    `${ACCOUNT_COOKIES.strict}=${value}; Path=/; HttpOnly; SameSite=Strict${clear}`,
    // Chromium accepts Secure cookies from http://localhost and http://127.0.0.1 (trustworthy origins).
    `${ACCOUNT_COOKIES.none}=${value}; Path=/; HttpOnly; SameSite=None; Secure${clear}`,
  ];
}

const METHODS: Readonly<Record<string, 'GET' | 'POST'>> = {
  [ACCOUNT_HTTP_PATHS.login]: 'POST',
  [ACCOUNT_HTTP_PATHS.logout]: 'POST',
  [ACCOUNT_HTTP_PATHS.ticket]: 'POST',
  [ACCOUNT_HTTP_PATHS.me]: 'GET',
  [ACCOUNT_HTTP_PATHS.seen]: 'GET',
  [ACCOUNT_HTTP_PATHS.config]: 'GET',
};

/**
 * `/account/*`: log in and out of the fake demo account, fetch one-time
 * tickets, and read which cookies the server received on account
 * handshakes. JSON in and out; only the site's own origins (a POST from a
 * browser always carries Origin). Returns `false` for other paths.
 */
export function handleAccountHttp(store: AccountStore, context: RouteContext, request: IncomingMessage, response: ServerResponse, url: URL): boolean {
  const method = METHODS[url.pathname];
  if (method === undefined) return false;
  if (request.method !== method && !(method === 'GET' && request.method === 'HEAD')) {
    sendError(response, 405, `${url.pathname} answers ${method} only`, { allow: method === 'GET' ? 'GET, HEAD' : 'POST' });
    return true;
  }
  if (!isOwnOrigin(request, context.options.allowedOrigins)) {
    sendError(response, 403, `origin ${request.headers.origin ?? ''} is not one of this site's origins`);
    return true;
  }
  if (url.pathname === ACCOUNT_HTTP_PATHS.config) {
    sendJson(response, 200, { attackerPort: context.attackerPort(), ticketTtlMs: context.options.ticketTtlMs });
    return true;
  }
  const address = clientAddress(request);
  const sessionId = readCookies(request.headers.cookie).get(ACCOUNT_COOKIES.lax);
  const session = store.session(sessionId);
  switch (url.pathname) {
    case ACCOUNT_HTTP_PATHS.login:
      login(store, context, request, response, address).catch((error: unknown) => {
        context.log('error', `${url.pathname}: ${error instanceof Error ? error.message : String(error)}`);
        if (!response.headersSent) sendError(response, 500, 'internal server error');
        else response.destroy();
      });
      return true;
    case ACCOUNT_HTTP_PATHS.logout:
      store.logout(sessionId);
      sendJson(response, 200, { loggedOut: true }, { 'set-cookie': sessionCookies(null) });
      return true;
    default:
      break;
  }
  if (session === null) {
    sendError(response, 401, 'not logged in: POST /account/login first');
    return true;
  }
  if (url.pathname === ACCOUNT_HTTP_PATHS.me) {
    sendJson(response, 200, { account: demoAccount(session.name) });
  } else if (url.pathname === ACCOUNT_HTTP_PATHS.ticket) {
    const ticketTtlMs = context.options.ticketTtlMs;
    sendJson(response, 200, { ticket: store.issueTicket(session, ticketTtlMs), expiresInMs: ticketTtlMs });
    context.log('account', `ticket=<redacted> issued to ${session.name}  ${address}`);
  } else {
    sendJson(response, 200, { handshakes: store.seenBy(session, address) });
  }
  return true;
}

async function login(store: AccountStore, context: RouteContext, request: IncomingMessage, response: ServerResponse, address: string): Promise<void> {
  const body = await readBody(request);
  if (!body.ok) {
    sendError(response, body.status, body.error, { connection: 'close' });
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(body.text);
  } catch (error) {
    sendError(response, 400, `the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const parsed = v.safeParse(loginRequestSchema, json);
  if (!parsed.success) {
    sendError(response, 400, 'expected {"name": "…"} and nothing else');
    return;
  }
  const name = normalizeName(parsed.output.name);
  const problem = nameProblem(name);
  if (problem !== null) {
    sendError(response, 400, problem);
    return;
  }
  const id = store.login(name, address);
  context.log('account', `login ${name}  ${address}`);
  sendJson(response, 200, { account: demoAccount(name) }, { 'set-cookie': sessionCookies(id) });
}
