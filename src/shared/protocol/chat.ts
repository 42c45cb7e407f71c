import * as v from 'valibot';
import type { EndpointDoc } from './endpoint-doc.ts';
import type { BoundedInteger } from '../bounded-integer.ts';

/*
 * /ws/chat/:room: rooms, broadcast, server-assigned names, history and
 * resume. The rules below (room and name patterns) are shared by the server,
 * which enforces them, and the lab and CLI, which check before they connect.
 */

/**
 * The chat's limits, one table. The server enforces them (and sends the
 * client-facing ones in `welcome.limits`); the reference text below is built
 * from them. Worst-case memory for history: maxRooms × historyLength ×
 * maxTextChars ≈ 25 M characters.
 */
export interface ChatOptions {
  /** Longest message text, in characters (code points). Longer gets a TEXT_TOO_LONG error. */
  readonly maxTextChars: number;
  /** Sustained messages per second per client (every message type counts). */
  readonly messagesPerSecond: number;
  /** Messages a client may send at once before the rate applies. */
  readonly burstMessages: number;
  /** Messages dropped in a row for rate (after the RATE_WARNING) before closing with 1008. */
  readonly droppedMessagesBeforeClose: number;
  /** Invalid messages a client may send at once, refilled at invalidMessagesPerSecond; past it, close 1008. */
  readonly invalidMessagesBurst: number;
  readonly invalidMessagesPerSecond: number;
  /** Rooms on the server at once, empty ones included. */
  readonly maxRooms: number;
  readonly maxMembersPerRoom: number;
  /** Events (messages, joins, leaves, renames) each room keeps for history and resume. */
  readonly historyLength: number;
  /** Events a new member (not resuming) gets in the welcome. */
  readonly historyOnJoin: number;
  /** A typing indicator not refreshed for this long turns off. */
  readonly typingTimeoutMs: number;
  /** An empty room (and its history) is kept this long so its members can resume. */
  readonly emptyRoomRetentionMs: number;
  /**
   * Rooms one address may have created that still exist (empty ones kept for
   * resume included; its oldest empty one is forgotten first). A class
   * behind one NAT shares an address: raise it with --chat-rooms-per-address.
   */
  readonly maxRoomsPerAddress: number;
  /** Places (memberships, in every room) one address may hold at once; raise it with --chat-places-per-address. */
  readonly maxPlacesPerAddress: number;
  /** Joins a second from one address, after a burst of maxPlacesPerAddress (a whole class reconnecting at once). */
  readonly joinsPerSecondPerAddress: number;
  /**
   * "joined"/"left" notices one address may cause in one room at once; past
   * it, its members join quietly (no notice until they say, rename or type,
   * and no "left" if they never did), so join/leave churn cannot flood the
   * room or push its history out.
   */
  readonly presenceNoticeBurstPerAddress: number;
  /** How fast that allowance comes back, in notices a minute. */
  readonly presenceNoticesPerMinutePerAddress: number;
}

export const CHAT_DEFAULTS: ChatOptions = {
  maxTextChars: 1000,
  messagesPerSecond: 5,
  burstMessages: 10,
  droppedMessagesBeforeClose: 10,
  invalidMessagesBurst: 5,
  invalidMessagesPerSecond: 1,
  maxRooms: 50,
  maxMembersPerRoom: 100,
  historyLength: 500,
  historyOnJoin: 50,
  typingTimeoutMs: 5_000,
  emptyRoomRetentionMs: 10 * 60_000,
  maxRoomsPerAddress: 20,
  maxPlacesPerAddress: 64,
  joinsPerSecondPerAddress: 2,
  presenceNoticeBurstPerAddress: 20,
  presenceNoticesPerMinutePerAddress: 6,
};

/** Room names: what `/ws/chat/:room` accepts. */
export const ROOM_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const ROOM_NAME_RULE = '1 to 32 lowercase letters, digits, "-" or "_", starting with a letter or digit';

/** Names chosen with `nick` (or `?name=`): letters and digits in any script, `-` and `_`. */
export const NICKNAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_-]{1,23}$/u;
export const NICKNAME_RULE = '2 to 24 letters, digits, "-" or "_", starting with a letter or digit';

/** Client-chosen message ids (idempotency keys), and room epochs. */
const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const EPOCH_PATTERN = /^[a-z0-9]{1,32}$/;

/** Fields the server sets on every message; a client that sends them is trying to speak for someone else. */
export const SERVER_SET_FIELDS = ['from', 'sender', 'user', 'username', 'id', 'at'] as const;

/**
 * Characters as the text limit counts them: Unicode code points, so an emoji
 * outside the BMP is one character, not two UTF-16 units.
 */
export function characterCount(text: string): number {
  return text.length - (text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
}

/** Why `room` is not a valid room name, or `null` when it is. */
export function roomNameProblem(room: string): string | null {
  if (ROOM_NAME_PATTERN.test(room)) return null;
  return `room name ${JSON.stringify(room.slice(0, 40))} is not allowed: use ${ROOM_NAME_RULE}`;
}

/**
 * Characters that draw nothing: white space, format characters (U+200B zero
 * width space, U+2060 word joiner, U+FEFF, bidi controls), every other
 * default-ignorable code point (Unicode's DerivedCoreProperties: Hangul
 * fillers, variation selectors, …), controls, and the blank braille pattern.
 */
const INVISIBLE_CHARACTERS = /[\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** Whether `text` has at least one character that shows: text made only of invisible ones reads as empty. */
export function hasVisibleCharacter(text: string): boolean {
  return text.replace(INVISIBLE_CHARACTERS, '') !== '';
}

/** Why `name` is not a valid nickname, or `null` when it is. */
export function nicknameProblem(name: string): string | null {
  if (NICKNAME_PATTERN.test(name)) return null;
  return `${JSON.stringify(name.slice(0, 40))} is not allowed: use ${NICKNAME_RULE}`;
}

/**
 * The first server-set field a client message carries (`from`, `id`, …), or
 * `null`. Used to explain a rejected message better than "unknown key".
 */
export function spoofedField(message: unknown): string | null {
  // Own fields of a plain object only: `'at' in []` is true (Array.prototype.at).
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  return SERVER_SET_FIELDS.find((field) => Object.hasOwn(message, field)) ?? null;
}

// ---- Client → server -------------------------------------------------------

const SayMessage = v.strictObject({
  type: v.literal('say'),
  text: v.string(),
  /** Chosen by the client, unique per message; the server acknowledges it and drops a resent duplicate. */
  clientId: v.optional(v.pipe(v.string(), v.regex(CLIENT_ID_PATTERN, 'clientId must be 1 to 64 of A-Z a-z 0-9 _ -'))),
});
const TypingMessage = v.strictObject({ type: v.literal('typing'), typing: v.boolean() });
const NickMessage = v.strictObject({ type: v.literal('nick'), name: v.string() });
const RoomsRequest = v.strictObject({ type: v.literal('rooms') });
const PingMessage = v.strictObject({ type: v.literal('ping'), token: v.optional(v.pipe(v.string(), v.maxLength(64))) });

export const ChatClientMessage = v.variant('type', [SayMessage, TypingMessage, NickMessage, RoomsRequest, PingMessage]);
export type ChatClientMessage = v.InferOutput<typeof ChatClientMessage>;
export const CHAT_CLIENT_TYPES = ['say', 'typing', 'nick', 'rooms', 'ping'] as const;

// ---- Server → client -------------------------------------------------------

const eventFields = {
  /** Position in the room's log: 1, 2, 3, … with no gaps, per room and epoch. */
  id: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** Server time, ms since the epoch. */
  at: v.number(),
};

const ChatMessageEvent = v.object({
  type: v.literal('message'),
  ...eventFields,
  from: v.string(),
  text: v.string(),
  clientId: v.optional(v.string()),
});
const JoinedEvent = v.object({ type: v.literal('joined'), ...eventFields, name: v.string() });
const LeftEvent = v.object({ type: v.literal('left'), ...eventFields, name: v.string() });
const RenamedEvent = v.object({ type: v.literal('renamed'), ...eventFields, from: v.string(), to: v.string() });

/** What a room's log holds: every event with an id. Typing indicators are not logged. */
export const RoomEvent = v.variant('type', [ChatMessageEvent, JoinedEvent, LeftEvent, RenamedEvent]);
export type RoomEvent = v.InferOutput<typeof RoomEvent>;
export type ChatMessageEvent = v.InferOutput<typeof ChatMessageEvent>;

const TypingEvent = v.object({ type: v.literal('typing'), name: v.string(), typing: v.boolean() });
export type TypingEvent = v.InferOutput<typeof TypingEvent>;

/**
 * How a `?since=` resume went: `complete` (every missed event is in
 * `history`), `gap` (the oldest `lost` events were no longer kept), or
 * `reset` (the ids belong to an earlier run of the room, so they mean nothing
 * now; recent history is sent instead).
 */
const ResumeReport = v.object({
  since: v.number(),
  status: v.picklist(['complete', 'gap', 'reset']),
  delivered: v.number(),
  /** Events missed and no longer kept; `null` when unknown (after a reset). */
  lost: v.nullable(v.number()),
  message: v.string(),
});
export type ResumeReport = v.InferOutput<typeof ResumeReport>;

const ChatLimitsSchema = v.object({
  maxTextChars: v.number(),
  messagesPerSecond: v.number(),
  burstMessages: v.number(),
  historyLength: v.number(),
  typingTimeoutMs: v.number(),
});
export type ChatLimits = v.InferOutput<typeof ChatLimitsSchema>;

const WelcomeMessage = v.object({
  type: v.literal('welcome'),
  room: v.string(),
  /** Your name, assigned by the server. */
  you: v.string(),
  /** Set when `?name=` asked for a name that could not be given. */
  nameNote: v.nullable(v.string()),
  /** Changes when the room is created anew; ids from another epoch mean nothing here. */
  epoch: v.string(),
  members: v.array(v.string()),
  typing: v.array(v.string()),
  history: v.array(RoomEvent),
  /** Id of the newest event in the room's log (0 when empty). */
  lastId: v.number(),
  resume: v.nullable(ResumeReport),
  limits: ChatLimitsSchema,
});
export type WelcomeMessage = v.InferOutput<typeof WelcomeMessage>;

const AckMessage = v.object({
  type: v.literal('ack'),
  clientId: v.string(),
  id: v.number(),
  /** Members the message was delivered to, the sender included. */
  recipients: v.number(),
  /** True when this clientId was already in the log: the resend was dropped, not broadcast again. */
  duplicate: v.boolean(),
});
export type AckMessage = v.InferOutput<typeof AckMessage>;

const RoomsMessage = v.object({
  type: v.literal('rooms'),
  rooms: v.array(v.object({ name: v.string(), members: v.number(), lastId: v.number() })),
});
export type RoomsMessage = v.InferOutput<typeof RoomsMessage>;

const PongMessage = v.object({ type: v.literal('pong'), token: v.nullable(v.string()), serverTime: v.number() });
export type PongMessage = v.InferOutput<typeof PongMessage>;

const errorMessageSchema = v.object({
  type: v.literal('error'),
  error: v.string(),
  message: v.string(),
  closeCode: v.optional(v.number()),
});

export const ChatServerMessage = v.variant('type', [
  WelcomeMessage,
  ChatMessageEvent,
  JoinedEvent,
  LeftEvent,
  RenamedEvent,
  TypingEvent,
  AckMessage,
  RoomsMessage,
  PongMessage,
  errorMessageSchema,
]);
export type ChatServerMessage = v.InferOutput<typeof ChatServerMessage>;

/** Parses a server message, or returns `null` for anything that is not one (the store ignores it). */
export function parseChatServerMessage(raw: string): ChatServerMessage | null {
  try {
    const result = v.safeParse(ChatServerMessage, JSON.parse(raw));
    return result.success ? result.output : null;
  } catch {
    return null;
  }
}

/** `ws://host:port` + room + resume point → the URL to connect to. */
export function chatUrl(server: string, room: string, resume: { since?: number; epoch?: string | null; name?: string | null } = {}): string {
  const query = new URLSearchParams();
  if (resume.since !== undefined) query.set('since', String(resume.since));
  if (resume.epoch != null) query.set('epoch', resume.epoch);
  if (resume.name != null) query.set('name', resume.name);
  const search = query.size === 0 ? '' : `?${query.toString()}`;
  return `${server}/ws/chat/${encodeURIComponent(room)}${search}`;
}

const exampleAt = 1_767_000_000_000;

/**
 * `?restartAfterMs=`: this connection's server plays an instance being
 * restarted and closes it with 1012 (Service Restart) after that long, so
 * chapter 11 can practise failing over with one demo server.
 */
export const CHAT_RESTART_AFTER = { name: 'restartAfterMs', min: 100, max: 600_000, unit: 'ms' } as const satisfies BoundedInteger;

export const chatEndpoint: EndpointDoc = {
  path: '/ws/chat/:room',
  chapter: 'chat',
  summary: `A chat room: the server names each member, broadcasts every message to the room with an id, sender and time, keeps the last ${String(CHAT_DEFAULTS.historyLength)} events, and resumes a reconnecting client from the last id it saw.`,
  query: [
    { name: 'since', description: 'Id of the last event this client saw: the welcome carries every later event still kept, or says how many were lost.', allowed: '0 or more' },
    { name: 'epoch', description: 'The room epoch that `since` belongs to (from the welcome). A different epoch means the room restarted: recent history is sent instead.', allowed: '1–32 of a–z 0–9' },
    {
      name: 'name',
      description:
        'Name to ask for, e.g. the one held before a reconnect. It is normalised (NFKC: fullwidth letters become plain ones). When it is taken, or looks like a present member\'s name (Unicode confusables: a Cyrillic о for an o, a capital I for an l), the server assigns another and says so in `nameNote`. Reserved names (teacher, admin, moderator, server, system, socketbook, …, in any spelling) get HTTP 400.',
      allowed: NICKNAME_RULE,
    },
    {
      name: CHAT_RESTART_AFTER.name,
      description:
        'Play an instance being restarted (chapter 11): the server closes this connection with 1012 (Service Restart) after this many milliseconds, as a server draining for a deploy does. Reconnect with since and epoch, to another instance if you have one.',
      allowed: `${String(CHAT_RESTART_AFTER.min)}–${String(CHAT_RESTART_AFTER.max)}`,
    },
  ],
  messages: [
    { type: 'say', direction: 'client-to-server', description: 'Post a message to the room. `clientId` is optional; with it the server acknowledges, and drops a resent duplicate (a clientId is unique per sender: another member\'s is a new message).', example: { type: 'say', text: 'Hello, room!', clientId: 'k3j9x2' } },
    { type: 'typing', direction: 'client-to-server', description: 'Start or stop the typing indicator. It expires after typingTimeoutMs unless refreshed.', example: { type: 'typing', typing: true } },
    { type: 'nick', direction: 'client-to-server', description: `Rename yourself: ${NICKNAME_RULE}, not reserved (NAME_INVALID), and unlike every present member's name (NAME_TAKEN).`, example: { type: 'nick', name: 'ada' } },
    { type: 'rooms', direction: 'client-to-server', description: 'Ask for the rooms on this server and their member counts.', example: { type: 'rooms' } },
    { type: 'ping', direction: 'client-to-server', description: 'Application-level ping; answered with `pong` carrying the same token.', example: { type: 'ping', token: '7' } },
    {
      type: 'welcome',
      direction: 'server-to-client',
      description: 'First message after joining: your name, who is here, recent history (or, with ?since=, what you missed), and the limits.',
      example: {
        type: 'welcome',
        room: 'lobby',
        you: 'brave-otter',
        nameNote: null,
        epoch: 'm4k2x9',
        members: ['brave-otter', 'quiet-heron'],
        typing: [],
        history: [
          { type: 'joined', id: 41, at: exampleAt, name: 'quiet-heron' },
          { type: 'joined', id: 42, at: exampleAt + 5_000, name: 'brave-otter' },
        ],
        lastId: 42,
        resume: null,
        limits: { maxTextChars: 1000, messagesPerSecond: 5, burstMessages: 10, historyLength: 500, typingTimeoutMs: 5000 },
      },
    },
    { type: 'message', direction: 'server-to-client', description: 'A message posted to the room, broadcast to every member, the sender included.', example: { type: 'message', id: 43, at: exampleAt + 9_000, from: 'quiet-heron', text: 'Hi!', clientId: 'k3j9x2' } },
    { type: 'joined', direction: 'server-to-client', description: 'Someone joined the room (or, for a member who joined quietly, is about to speak, rename or type).', example: { type: 'joined', id: 44, at: exampleAt + 12_000, name: 'calm-lynx' } },
    { type: 'left', direction: 'server-to-client', description: 'Someone announced with `joined` left (closed, or was cut off).', example: { type: 'left', id: 45, at: exampleAt + 15_000, name: 'calm-lynx' } },
    { type: 'renamed', direction: 'server-to-client', description: 'Someone changed name with `nick`.', example: { type: 'renamed', id: 46, at: exampleAt + 16_000, from: 'quiet-heron', to: 'ada' } },
    { type: 'typing', direction: 'server-to-client', description: 'Another member started or stopped typing. Not logged and has no id.', example: { type: 'typing', name: 'ada', typing: true } },
    { type: 'ack', direction: 'server-to-client', description: 'Sent to the sender of a `say` that carried a clientId: its id and how many members received it.', example: { type: 'ack', clientId: 'k3j9x2', id: 43, recipients: 2, duplicate: false } },
    { type: 'rooms', direction: 'server-to-client', description: 'Answer to `rooms`.', example: { type: 'rooms', rooms: [{ name: 'lobby', members: 2, lastId: 46 }] } },
    { type: 'pong', direction: 'server-to-client', description: 'Answer to `ping`.', example: { type: 'pong', token: '7', serverTime: exampleAt } },
    { type: 'error', direction: 'server-to-client', description: 'A message was refused; the connection stays up unless `closeCode` is set.', example: { type: 'error', error: 'TEXT_TOO_LONG', message: 'message text is too long: 1200 characters, the limit is 1000' } },
  ],
  limits: [
    'Room names, since, epoch and name are checked at the handshake: anything invalid is refused with HTTP 400.',
    `Message text: 1 to ${String(CHAT_DEFAULTS.maxTextChars)} characters, at least one visible (white space, zero-width and other invisible characters alone count as empty); longer or empty text gets an error message and the connection stays up. A frame over --max-message-bytes (64 KiB) closes with 1009.`,
    `Rate: ${String(CHAT_DEFAULTS.messagesPerSecond)} messages a second with bursts of ${String(CHAT_DEFAULTS.burstMessages)}. A message over the rate is dropped with a RATE_WARNING error; ${String(CHAT_DEFAULTS.droppedMessagesBeforeClose)} more dropped in a row close the connection with 1008.`,
    `Invalid messages (bad JSON, not a JSON object, unknown type, server-set fields such as "from"): an error each; more than ${String(CHAT_DEFAULTS.invalidMessagesBurst)} in quick succession close with 1008.`,
    `At most ${String(CHAT_DEFAULTS.maxRooms)} rooms and ${String(CHAT_DEFAULTS.maxMembersPerRoom)} members per room; past either the connection closes with 1013 (try again later). Empty rooms are kept ${String(CHAT_DEFAULTS.emptyRoomRetentionMs / 60_000)} minutes so members can resume.`,
    `Per address (a class behind one NAT shares one): ${String(CHAT_DEFAULTS.maxRoomsPerAddress)} rooms created (its oldest empty one is forgotten first; --chat-rooms-per-address), ${String(CHAT_DEFAULTS.maxPlacesPerAddress)} places held in all rooms (--chat-places-per-address), and ${String(CHAT_DEFAULTS.joinsPerSecondPerAddress)} joins a second after a burst of as many as its places; past any of them the connection closes with 1013 (TOO_MANY_ROOMS_FROM_ADDRESS, TOO_MANY_PLACES_FROM_ADDRESS, JOINING_TOO_FAST).`,
    `Joined/left notices: ${String(CHAT_DEFAULTS.presenceNoticeBurstPerAddress)} per address and room at once, then ${String(CHAT_DEFAULTS.presenceNoticesPerMinutePerAddress)} a minute; past that, members from that address join quietly (left out of the member lists, "joined" logged when they first speak, rename or type, no "left" if they never did), so join/leave churn cannot flood a room or push its history out.`,
    `Each room keeps its last ${String(CHAT_DEFAULTS.historyLength)} events (messages, joins, leaves, renames); a new member gets the last ${String(CHAT_DEFAULTS.historyOnJoin)}.`,
  ],
  closeCodes: [
    { code: 1001, when: 'the server is shutting down' },
    { code: 1008, when: 'the client flooded the room (rate limit), sent too many invalid messages, or stopped reading' },
    { code: 1009, when: 'a frame was over --max-message-bytes' },
    { code: 1012, when: 'the time asked for with ?restartAfterMs= has passed (SERVICE_RESTART): reconnect with since and epoch' },
    { code: 1013, when: 'the room is full, the server has too many rooms, or your address has created too many rooms, holds too many places or joins too fast; with --redis, also when Redis is unreachable (BROKER_UNAVAILABLE): reconnect with since and epoch to resume' },
  ],
  clientSchema: ChatClientMessage,
  serverSchema: ChatServerMessage,
};
