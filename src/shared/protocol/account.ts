import * as v from 'valibot';
import type { EndpointDoc } from './endpoint-doc.ts';
import { errorMessageSchema } from './error-message.ts';
import { SOCKET_ERRORS } from './errors.ts';
import { integerQueryDoc, type IntegerParameter } from './integer-parameter.ts';

/**
 * The fake demo account of chapter 10 ("Security"): `/account/*` over HTTP
 * (log in, tickets, what the server saw) and three WebSocket endpoints, one
 * deliberately unsafe (cookie only, Origin ignored), one with an Origin
 * allowlist, and one authenticated by one-time tickets with credentials that
 * expire. Nothing here is real: the account's data is made up.
 */

/** The three cookies login sets, all with the same session id; they differ only in `SameSite`. */
export const ACCOUNT_COOKIES = {
  lax: 'sb_session',
  strict: 'sb_strict',
  none: 'sb_none',
} as const;
export const ACCOUNT_COOKIE_NAMES: readonly string[] = Object.values(ACCOUNT_COOKIES);

/** What the demo account shows: all of it fake. */
export const accountSchema = v.object({
  name: v.string(),
  balance: v.string(),
  secretNote: v.string(),
  email: v.string(),
});
export type Account = v.InferOutput<typeof accountSchema>;

/** The fake data of the account called `name`. */
export function demoAccount(name: string): Account {
  return {
    name,
    balance: '1,337 demo coins',
    secretNote: 'This is fake demo data: the note an attacker wants to read.',
    email: `${name}@example.invalid`,
  };
}

/** Tickets are 24 random bytes in base64url: 32 characters. Anything else is malformed. */
export const TICKET_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** How long a ticket-authenticated connection's credentials last (`?sessionMs=`). */
export const ACCOUNT_SESSION_MS: IntegerParameter & { readonly query: string } = {
  query: 'sessionMs',
  field: 'sessionMs',
  min: 2_000,
  max: 600_000,
  defaultValue: 20_000,
  unit: 'milliseconds',
  description: 'How long the connection\'s credentials last; then the server closes with 4401 and the client fetches a new ticket',
};

/** Time a ticket connection without `?ticket=` has to send its `auth` message. */
export const ACCOUNT_AUTH_TIMEOUT_MS = 5_000;

/** Channels of the ticket endpoint: members read both, but post only to `general`. */
export const ACCOUNT_CHANNELS = ['general', 'announcements'] as const;
export type AccountChannel = (typeof ACCOUNT_CHANNELS)[number];
export const ACCOUNT_READ_ONLY_CHANNELS: readonly AccountChannel[] = ['announcements'];
export const ACCOUNT_MAX_POST_CHARS = 500;

export const ACCOUNT_CLOSE_CODES = {
  malformed: SOCKET_ERRORS.TICKET_MALFORMED.closeCode,
  unauthorized: SOCKET_ERRORS.CREDENTIALS_EXPIRED.closeCode,
  forbidden: SOCKET_ERRORS.TICKET_FORGED.closeCode,
  authTimeout: SOCKET_ERRORS.AUTH_TIMEOUT.closeCode,
  reused: SOCKET_ERRORS.TICKET_REUSED.closeCode,
  expired: SOCKET_ERRORS.TICKET_EXPIRED.closeCode,
} as const;

// ---- HTTP --------------------------------------------------------------------

export const ACCOUNT_HTTP_PATHS = {
  login: '/account/login',
  logout: '/account/logout',
  me: '/account/me',
  ticket: '/account/ticket',
  seen: '/account/seen',
  /** `{ attackerPort, ticketTtlMs }`: where the attacker page listens (`null` when off) and how long a ticket lasts. Not secret. */
  config: '/account/config',
} as const;

/** Largest request body `/account/*` reads. */
export const ACCOUNT_MAX_BODY_BYTES = 4 * 1024;

export const loginRequestSchema = v.strictObject({ name: v.pipe(v.string(), v.maxLength(200)) });

/** One account handshake as the server saw it: cookie names only, never their values. */
export const seenHandshakeSchema = v.object({
  at: v.number(),
  path: v.string(),
  origin: v.nullable(v.string()),
  cookies: v.array(v.string()),
  verdict: v.string(),
});
export type SeenHandshake = v.InferOutput<typeof seenHandshakeSchema>;

// ---- WebSocket ---------------------------------------------------------------

/** `/ws/account/unsafe` and `/ws/account/safe` send one of these, then (anonymous) close with 4401. */
export const accountGreetingSchema = v.variant('type', [
  v.object({ type: v.literal('account'), account: accountSchema, origin: v.nullable(v.string()), cookies: v.array(v.string()) }),
  v.object({ type: v.literal('anonymous'), origin: v.nullable(v.string()), cookies: v.array(v.string()) }),
]);
export type AccountGreeting = v.InferOutput<typeof accountGreetingSchema>;

const channelSchema = v.picklist(ACCOUNT_CHANNELS);

export const ticketClientMessageSchema = v.variant('type', [
  /** The first message, when the URL carried no ticket. The ticket's format is checked by the server (4400), not here. */
  v.strictObject({ type: v.literal('auth'), ticket: v.pipe(v.string(), v.maxLength(200)) }),
  v.strictObject({ type: v.literal('read'), channel: channelSchema }),
  v.strictObject({ type: v.literal('post'), channel: channelSchema, text: v.pipe(v.string(), v.minLength(1), v.maxLength(ACCOUNT_MAX_POST_CHARS)) }),
]);
export type TicketClientMessage = v.InferOutput<typeof ticketClientMessageSchema>;
export const TICKET_CLIENT_TYPES = ['auth', 'read', 'post'] as const;

export const channelMessageSchema = v.object({ from: v.string(), text: v.string(), at: v.number() });
export type ChannelMessage = v.InferOutput<typeof channelMessageSchema>;

export const ticketServerMessageSchema = v.variant('type', [
  v.object({ type: v.literal('welcome'), account: accountSchema, sessionExpiresInMs: v.number() }),
  v.object({ type: v.literal('messages'), channel: channelSchema, messages: v.array(channelMessageSchema) }),
  v.object({ type: v.literal('posted'), channel: channelSchema, message: channelMessageSchema }),
  errorMessageSchema,
]);
export type TicketServerMessage = v.InferOutput<typeof ticketServerMessageSchema>;

const EXAMPLE_ACCOUNT = demoAccount('ada');

/** The doc of a cookie endpoint (`/ws/account/unsafe` or `/safe`): they differ only in the Origin check. */
function greetingEndpoint(unsafe: boolean): EndpointDoc {
  const sendsOne = 'sends one message; messages from the client are answered with an error';
  return {
    path: unsafe ? '/ws/account/unsafe' : '/ws/account/safe',
    chapter: 'security',
    summary: unsafe
      ? 'DELIBERATELY UNSAFE, for the cross-site WebSocket hijacking demo: trusts the sb_session cookie and ignores Origin, so any page the browser sends the cookie from reads the (fake) demo account.'
      : 'The same account behind an Origin allowlist: a handshake whose Origin is not one of the site\'s own (or --allowed-origins) gets HTTP 403 before the upgrade. Clients that send no Origin (not browsers) are let through.',
    query: [],
    messages: [
      {
        type: 'account',
        direction: 'server-to-client',
        description: `On open, when the sb_session cookie names a session: the account, the Origin${unsafe ? ' the server ignored' : ''}, and the names of the cookies that arrived.`,
        example: { type: 'account', account: EXAMPLE_ACCOUNT, origin: 'http://localhost:4322', cookies: ['sb_session', 'sb_strict', 'sb_none'] },
      },
      {
        type: 'anonymous',
        direction: 'server-to-client',
        description: 'On open without a valid session cookie; the server then closes with 4401.',
        example: { type: 'anonymous', origin: 'http://127.0.0.1:4322', cookies: [] },
      },
    ],
    limits: unsafe ? [sendsOne] : ['foreign Origin: HTTP 403 at the handshake', sendsOne],
    closeCodes: [{ code: 4401, when: 'no valid session cookie arrived' }],
    clientSchema: null,
    serverSchema: accountGreetingSchema,
  };
}

export const accountUnsafeEndpoint: EndpointDoc = greetingEndpoint(true);
export const accountSafeEndpoint: EndpointDoc = greetingEndpoint(false);

export const accountTicketEndpoint: EndpointDoc = {
  path: '/ws/account/ticket',
  chapter: 'security',
  summary:
    'Authentication by one-time ticket (POST /account/ticket): in the URL (?ticket=) or as the first message. The credentials last sessionMs, then the server closes with 4401. Members read both channels but may post only to general.',
  query: [
    {
      name: 'ticket',
      description: 'A one-time ticket. Refused at the handshake: malformed 400, unknown 403, already used 409, expired 410. Without it, send an auth message first.',
      allowed: '32 characters A–Z a–z 0–9 _ -',
    },
    integerQueryDoc(ACCOUNT_SESSION_MS),
  ],
  messages: [
    { type: 'auth', direction: 'client-to-server', description: `First message when the URL has no ticket, within ${String(ACCOUNT_AUTH_TIMEOUT_MS / 1000)} s.`, example: { type: 'auth', ticket: 'Q2hhcHRlcjEwLWRlbW8tdGlja2V0LTAx' } },
    { type: 'read', direction: 'client-to-server', description: 'Read a channel: general or announcements.', example: { type: 'read', channel: 'announcements' } },
    {
      type: 'post',
      direction: 'client-to-server',
      description: 'Post to a channel. To announcements (read-only for members) the answer is a FORBIDDEN error and the connection stays open.',
      example: { type: 'post', channel: 'general', text: 'hello' },
    },
    { type: 'welcome', direction: 'server-to-client', description: 'After authentication: the account and how long the credentials last.', example: { type: 'welcome', account: EXAMPLE_ACCOUNT, sessionExpiresInMs: 20_000 } },
    { type: 'messages', direction: 'server-to-client', description: 'A channel\'s latest messages.', example: { type: 'messages', channel: 'general', messages: [{ from: 'ada', text: 'hello', at: 1_767_225_600_000 }] } },
    { type: 'posted', direction: 'server-to-client', description: 'A post was stored.', example: { type: 'posted', channel: 'general', message: { from: 'ada', text: 'hello', at: 1_767_225_600_000 } } },
    {
      type: 'error',
      direction: 'server-to-client',
      description: 'FORBIDDEN for a post to a read-only channel; the usual errors for invalid messages.',
      example: { type: 'error', error: 'FORBIDDEN', message: 'forbidden: members may read announcements but not post to it' },
    },
  ],
  limits: [
    `auth message within ${String(ACCOUNT_AUTH_TIMEOUT_MS / 1000)} s, else 4408`,
    `posts up to ${String(ACCOUNT_MAX_POST_CHARS)} characters`,
    '20 messages a second',
  ],
  closeCodes: [
    { code: 4400, when: 'the first message is not an auth message, or its ticket is malformed' },
    { code: 4401, when: 'the credentials expired (after sessionMs): fetch a new ticket' },
    { code: 4403, when: 'the ticket is unknown: forged, or not from this server' },
    { code: 4408, when: `no auth message within ${String(ACCOUNT_AUTH_TIMEOUT_MS / 1000)} s` },
    { code: 4409, when: 'the ticket was already used' },
    { code: 4410, when: 'the ticket expired before it was used' },
  ],
  clientSchema: ticketClientMessageSchema,
  serverSchema: ticketServerMessageSchema,
};
