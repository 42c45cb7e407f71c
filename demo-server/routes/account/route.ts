import type { IncomingMessage } from 'node:http';
import {
  ACCOUNT_AUTH_TIMEOUT_MS,
  ACCOUNT_COOKIE_NAMES,
  ACCOUNT_COOKIES,
  ACCOUNT_MAX_POST_CHARS,
  ACCOUNT_READ_ONLY_CHANNELS,
  ACCOUNT_SESSION_MS,
  accountSafeEndpoint,
  accountTicketEndpoint,
  accountUnsafeEndpoint,
  demoAccount,
  TICKET_CLIENT_TYPES,
  ticketClientMessageSchema,
  type AccountChannel,
  type AccountGreeting,
  type ChannelMessage,
  type SeenHandshake,
} from '../../../src/shared/protocol/account.ts';
import { socketError, type ErrorMessage } from '../../../src/shared/protocol/errors.ts';
import { readIntegerQuery } from '../../../src/shared/protocol/integer-parameter.ts';
import { JSON_MESSAGE_DEFAULTS, onJsonMessages, refuseEveryMessage } from '../../core/json-messages.ts';
import { accept, refuse, type Checked, type Handshake, type Route, type RouteContext, type RouteFactory } from '../../core/route.ts';
import { clientAddress } from '../../core/address-buckets.ts';
import { isOwnOrigin } from '../../http/origin.ts';
import { readCookies } from './cookies.ts';
import { handleAccountHttp } from './http.ts';
import { accountStoreOf, type AccountStore, type Session, type TicketVerdict } from './store.ts';

/**
 * Chapter 10's account endpoints. `/ws/account/unsafe` is DELIBERATELY
 * UNSAFE: it trusts the session cookie and ignores Origin, so a page on
 * another origin whose requests carry the cookie reads the account (cross-site
 * WebSocket hijacking). `/ws/account/safe` checks Origin first.
 * `/ws/account/ticket` takes no cookie at all: a one-time ticket. All three
 * share one `AccountStore` per server, and the ticket route also answers
 * `/account/*` over HTTP. The account is fake demo data, whoever reads it.
 */

interface Arrival {
  /** The session `sb_session` names: the only cookie that authenticates. */
  readonly session: Session | null;
  /**
   * The session any account cookie names, for `/account/seen` only: a
   * cross-site handshake that carried just `sb_none` (SameSite=None) is
   * listed for the reader whose cookie it was, so the lab can show it.
   */
  readonly seenBy: Session | null;
  readonly origin: string | null;
  /** Names of the account cookies that arrived (never their values). */
  readonly cookies: string[];
  readonly address: string;
}

function arrivalOf(store: AccountStore, request: IncomingMessage): Arrival {
  const sent = readCookies(request.headers.cookie);
  return {
    session: store.session(sent.get(ACCOUNT_COOKIES.lax)),
    seenBy: store.session(sent.get(ACCOUNT_COOKIES.lax) ?? sent.get(ACCOUNT_COOKIES.strict) ?? sent.get(ACCOUNT_COOKIES.none)),
    origin: request.headers.origin ?? null,
    cookies: ACCOUNT_COOKIE_NAMES.filter((name) => sent.has(name)),
    address: clientAddress(request),
  };
}

function record(store: AccountStore, handshake: Handshake, arrival: Arrival, verdict: string): void {
  const seen: SeenHandshake = { at: Date.now(), path: handshake.url.pathname, origin: arrival.origin, cookies: arrival.cookies, verdict };
  store.saw(seen, arrival.seenBy, arrival.address, arrival.cookies.length > 0);
}

function greetingRoute(context: RouteContext, checkOrigin: boolean): Route<Arrival> {
  const store = accountStoreOf(context);
  return {
    check(handshake) {
      const arrival = arrivalOf(store, handshake.request);
      if (checkOrigin && !isOwnOrigin(handshake.request, context.options.allowedOrigins)) {
        record(store, handshake, arrival, 'refused: HTTP 403, foreign Origin');
        return refuse(`origin ${arrival.origin ?? ''} is not one of this site's origins: this endpoint checks Origin against an allowlist`, 403);
      }
      record(store, handshake, arrival, arrival.session === null ? 'anonymous: closed with 4401' : 'account sent');
      return accept(arrival);
    },
    open(connection, _handshake, arrival) {
      refuseEveryMessage(connection, socketError('ACCOUNT_SEND_ONLY'), JSON_MESSAGE_DEFAULTS);
      const greeting: AccountGreeting =
        arrival.session === null
          ? { type: 'anonymous', origin: arrival.origin, cookies: arrival.cookies }
          : { type: 'account', account: demoAccount(arrival.session.name), origin: arrival.origin, cookies: arrival.cookies };
      connection.sendJson(greeting);
      if (arrival.session === null) connection.fail('NOT_AUTHENTICATED');
    },
    dispose() {
      store.dispose();
    },
  };
}

/** `/ws/account/unsafe`: DELIBERATELY UNSAFE (cookie trusted, Origin ignored), for the hijacking demo. */
export const accountUnsafeRoute: RouteFactory<Arrival> = { doc: accountUnsafeEndpoint, create: (context) => greetingRoute(context, false) };

/** `/ws/account/safe`: the same, behind an Origin allowlist (HTTP 403 before the upgrade). */
export const accountSafeRoute: RouteFactory<Arrival> = { doc: accountSafeEndpoint, create: (context) => greetingRoute(context, true) };

interface TicketQuery {
  readonly sessionMs: number;
  /** Who the URL's ticket authenticated, or `null` when the first message must. */
  readonly name: string | null;
}

/** Each refusal of a ticket: HTTP status at the handshake, and the error (4000 + that status) for a first message. */
const TICKET_REFUSALS = {
  malformed: { status: 400, error: 'TICKET_MALFORMED', detail: 'expected 32 characters of A–Z a–z 0–9 _ -', label: 'malformed ticket' },
  forged: { status: 403, error: 'TICKET_FORGED', detail: 'POST /account/ticket gives one', label: 'unknown ticket' },
  reused: { status: 409, error: 'TICKET_REUSED', detail: 'a ticket is valid once: fetch a new one', label: 'ticket already used' },
  expired: { status: 410, error: 'TICKET_EXPIRED', detail: 'fetch a new one and use it at once', label: 'ticket expired' },
} as const;

type TicketProblem = Exclude<TicketVerdict, { ok: true }>['problem'];

function ticketRefusalText(problem: TicketProblem): string {
  const refusal = TICKET_REFUSALS[problem];
  return socketError(refusal.error, refusal.detail).message;
}

const CHANNEL_HISTORY = 50;

function createTicketRoute(context: RouteContext): Route<TicketQuery> {
  const store = accountStoreOf(context);
  const channels: Record<AccountChannel, ChannelMessage[]> = {
    general: [],
    announcements: [{ from: 'socketbook', text: 'Members can read announcements; only staff can post them.', at: Date.now() }],
  };
  return {
    handleHttp(request, response, url) {
      return handleAccountHttp(store, context, request, response, url);
    },
    check(handshake): Checked<TicketQuery> {
      const sessionMs = readIntegerQuery(ACCOUNT_SESSION_MS, handshake.url.searchParams);
      if (!sessionMs.ok) return refuse(sessionMs.message);
      const ticket = handshake.url.searchParams.get('ticket');
      if (ticket === null) return accept({ sessionMs: sessionMs.value, name: null });
      const verdict = store.redeemTicket(ticket);
      if (!verdict.ok) {
        context.log('account', `ticket=<redacted> refused: ${verdict.problem}`);
        const refusal = TICKET_REFUSALS[verdict.problem];
        // A page sees a refused handshake only as 1006 (WHATWG hides the status): /account/seen tells the session why.
        record(store, handshake, arrivalOf(store, handshake.request), `refused: HTTP ${String(refusal.status)}, ${refusal.label}`);
        return refuse(ticketRefusalText(verdict.problem), refusal.status);
      }
      return accept({ sessionMs: sessionMs.value, name: verdict.name });
    },
    open(connection, _handshake, query) {
      let name: string | null = null;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const start = (who: string): void => {
        name = who;
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(() => {
          connection.fail('CREDENTIALS_EXPIRED');
        }, query.sessionMs);
        connection.sendJson({ type: 'welcome', account: demoAccount(who), sessionExpiresInMs: query.sessionMs });
      };
      if (query.name === null) {
        timer = setTimeout(() => {
          connection.fail('AUTH_TIMEOUT', `no auth message within ${String(ACCOUNT_AUTH_TIMEOUT_MS / 1000)} s`);
        }, ACCOUNT_AUTH_TIMEOUT_MS);
      } else {
        start(query.name);
      }
      connection.socket.on('close', () => {
        if (timer !== null) clearTimeout(timer);
      });
      // Before authentication, anything but a valid auth message ends the connection (4400).
      const sendError = (error: ErrorMessage): void => {
        if (name === null) connection.fail('AUTH_EXPECTED', error.message);
        else connection.sendJson(error);
      };
      onJsonMessages(
        connection,
        { schema: ticketClientMessageSchema, knownTypes: TICKET_CLIENT_TYPES },
        JSON_MESSAGE_DEFAULTS,
        (message, reject) => {
          if (message.type === 'auth') {
            if (name !== null) {
              reject(socketError('ALREADY_AUTHENTICATED'));
              return;
            }
            const verdict = store.redeemTicket(message.ticket);
            if (!verdict.ok) {
              context.log('account', `ticket=<redacted> refused: ${verdict.problem}`);
              const refusal = TICKET_REFUSALS[verdict.problem];
              connection.fail(refusal.error, refusal.detail);
              return;
            }
            start(verdict.name);
            return;
          }
          if (name === null) {
            connection.fail('AUTH_EXPECTED', `got ${message.type}`);
            return;
          }
          if (message.type === 'read') {
            connection.sendJson({ type: 'messages', channel: message.channel, messages: channels[message.channel] });
            return;
          }
          if (ACCOUNT_READ_ONLY_CHANNELS.includes(message.channel)) {
            reject(socketError('FORBIDDEN', `members may read ${message.channel} but not post to it`));
            return;
          }
          const posted: ChannelMessage = { from: name, text: message.text.slice(0, ACCOUNT_MAX_POST_CHARS), at: Date.now() };
          const history = channels[message.channel];
          history.push(posted);
          if (history.length > CHANNEL_HISTORY) history.splice(0, history.length - CHANNEL_HISTORY);
          connection.sendJson({ type: 'posted', channel: message.channel, message: posted });
        },
        { sendError },
      );
    },
    dispose() {
      store.dispose();
    },
  };
}

/** `/ws/account/ticket` (and `/account/*` over HTTP): one-time tickets, expiring credentials, per-message authorization. */
export const accountTicketRoute: RouteFactory<TicketQuery> = { doc: accountTicketEndpoint, create: createTicketRoute };
