/**
 * Every error the demo server reports to a client, made in one place. Each
 * has a stable name (what code matches on), a close code when the error ends
 * the connection (`null` when the connection stays up), and a default text.
 */
export const SOCKET_ERRORS = {
  INVALID_JSON: { closeCode: null, text: 'message is not valid JSON' },
  INVALID_MESSAGE: { closeCode: null, text: 'message does not match the protocol' },
  UNKNOWN_TYPE: { closeCode: null, text: 'unknown message type' },
  BINARY_NOT_ACCEPTED: { closeCode: null, text: 'this endpoint accepts text messages only' },
  TOO_MANY_ERRORS: { closeCode: 1008, text: 'too many invalid messages' },
  RATE_LIMITED: { closeCode: 1008, text: 'too many messages' },
  MESSAGE_TOO_BIG: { closeCode: 1009, text: 'message too big' },
  SEND_BUFFER_FULL: { closeCode: 1008, text: 'send buffer full: client is not reading' },
  PING_FLOOD: { closeCode: 1008, text: 'too many pings' },
  PEER_UNRESPONSIVE: { closeCode: null, text: 'no pong to the last ping' },
  SERVER_SHUTDOWN: { closeCode: 1001, text: 'server shutting down' },
  INTERNAL: { closeCode: 1011, text: 'internal server error' },
  // /ws/chat/:room
  EMPTY_TEXT: { closeCode: null, text: 'message text is empty' },
  TEXT_TOO_LONG: { closeCode: null, text: 'message text is too long' },
  SPOOFED_FIELD: { closeCode: null, text: 'field is set by the server, not the client' },
  NAME_INVALID: { closeCode: null, text: 'name not allowed' },
  NAME_TAKEN: { closeCode: null, text: 'name already taken in this room' },
  RATE_WARNING: { closeCode: null, text: 'slow down: message dropped, over the rate limit' },
  ROOM_FULL: { closeCode: 1013, text: 'room is full, try again later' },
  TOO_MANY_ROOMS: { closeCode: 1013, text: 'too many rooms on this server, try again later' },
  TOO_MANY_ROOMS_FROM_ADDRESS: { closeCode: 1013, text: 'your address has created too many rooms, try again later' },
  TOO_MANY_PLACES_FROM_ADDRESS: { closeCode: 1013, text: 'your address holds too many places in chat rooms, try again later' },
  JOINING_TOO_FAST: { closeCode: 1013, text: 'too many joins from your address, try again later' },
  BROKER_UNAVAILABLE: { closeCode: 1013, text: 'the chat store (Redis) is unreachable, try again later' },
  SERVICE_RESTART: { closeCode: 1012, text: 'service restart: reconnect and resume, on another instance if you have one' },
  // /ws/close
  INVALID_CLOSE_REQUEST: { closeCode: null, text: 'invalid close request' },
  CLOSE_ALREADY_REQUESTED: { closeCode: null, text: 'this connection already has a close request' },
  // /ws/heartbeat
  HEARTBEAT_TIMEOUT: { closeCode: 4000, text: 'heartbeat timeout' },
  UNKNOWN_TOPIC: { closeCode: null, text: 'unknown topic' },
  // /ws/ticker
  UNKNOWN_SYMBOL: { closeCode: null, text: 'unknown symbol' },
  // /ws/backpressure and /ws/backpressure/stats
  CREDIT_LIMIT: { closeCode: null, text: 'credit balance over the limit' },
  CREDIT_IN_NAIVE_MODE: { closeCode: null, text: 'credit applies only in credit and conflate modes' },
  STATS_READ_ONLY: { closeCode: null, text: 'the stats channel only sends; it accepts no messages' },
  // /ws/account/* (chapter 10): 4000 + the HTTP status the same refusal gets at the handshake
  TICKET_MALFORMED: { closeCode: 4400, text: 'malformed ticket' },
  NOT_AUTHENTICATED: { closeCode: 4401, text: 'no valid session cookie: log in first' },
  CREDENTIALS_EXPIRED: { closeCode: 4401, text: 'credentials expired: fetch a new ticket' },
  TICKET_FORGED: { closeCode: 4403, text: 'unknown ticket: forged, or not issued by this server' },
  AUTH_TIMEOUT: { closeCode: 4408, text: 'authentication timeout' },
  TICKET_REUSED: { closeCode: 4409, text: 'ticket already used' },
  TICKET_EXPIRED: { closeCode: 4410, text: 'ticket expired' },
  FORBIDDEN: { closeCode: null, text: 'forbidden' },
  AUTH_EXPECTED: { closeCode: 4400, text: 'the first message must be {"type":"auth","ticket":"…"}' },
  ACCOUNT_SEND_ONLY: { closeCode: null, text: 'this endpoint only sends; it accepts no messages' },
  ALREADY_AUTHENTICATED: { closeCode: null, text: 'this connection is already authenticated' },
  // /ws/classroom and /ws/classroom/teacher (class mode)
  JOIN_EXPECTED: { closeCode: 4400, text: 'the first message must be {"type":"join",…}' },
  STUDENT_KEY_MALFORMED: { closeCode: 4400, text: 'malformed student key' },
  TRANSFER_CODE_MALFORMED: { closeCode: 4400, text: 'malformed transfer code' },
  STUDENT_KEY_UNKNOWN: { closeCode: 4403, text: 'unknown student key: forged, or from another class; join again without it' },
  TRANSFER_CODE_UNKNOWN: { closeCode: 4403, text: 'unknown transfer code: mistyped, used, or expired' },
  JOIN_TIMEOUT: { closeCode: 4408, text: 'no join message in time' },
  CLASS_FULL: { closeCode: 1013, text: 'the class is full' },
  TOO_MANY_TABS: { closeCode: 1013, text: 'this student has too many connections open' },
  ALREADY_JOINED: { closeCode: null, text: 'this connection has already joined' },
  UNKNOWN_EXERCISE: { closeCode: null, text: 'no such exercise' },
  UNKNOWN_CHAPTER: { closeCode: null, text: 'no such chapter' },
  INVALID_SECTION: { closeCode: null, text: 'a section is a heading id: lowercase letters, digits and "-"' },
  NAME_CLAIMED: { closeCode: null, text: 'another student of this class has this name, or one that looks like it' },
  UNKNOWN_STUDENT: { closeCode: null, text: 'no such student' },
  NOT_STORED: { closeCode: null, text: 'the server could not store this event; send it again later' },
} as const satisfies Record<string, { closeCode: number | null; text: string }>;

export type SocketErrorName = keyof typeof SOCKET_ERRORS;

/** What the server sends as a message: `{ "type": "error", … }`. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly error: SocketErrorName;
  readonly message: string;
  /** Set when the server is about to close the connection with this code. */
  readonly closeCode?: number;
}

/** Builds the error message for `name`, with `detail` appended to the default text. */
export function socketError(name: SocketErrorName, detail?: string): ErrorMessage {
  const { closeCode, text } = SOCKET_ERRORS[name];
  const message = detail === undefined ? text : `${text}: ${detail}`;
  return closeCode === null ? { type: 'error', error: name, message } : { type: 'error', error: name, message, closeCode };
}
