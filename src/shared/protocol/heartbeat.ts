import * as v from 'valibot';
import type { EndpointDoc } from './endpoint-doc.ts';
import { errorMessageSchema } from './error-message.ts';
import { SOCKET_ERRORS } from './errors.ts';
import { integerParameterSchema, integerQueryDoc, type IntegerParameter } from './integer-parameter.ts';

/**
 * `/ws/heartbeat`: application ping/pong in both directions, protocol pings
 * from the server, a few topics to subscribe to, and a control that freezes
 * the server's side for a while. Chapter 8 drops dead peers and reconnects
 * with it.
 */

/** Close code for a peer that did not answer a ping in time (private-use range, RFC 6455 §7.4.2). */
export const HEARTBEAT_TIMEOUT_CLOSE_CODE = SOCKET_ERRORS.HEARTBEAT_TIMEOUT.closeCode;

export const HEARTBEAT_PARAMETERS = {
  intervalMs: {
    query: 'interval',
    field: 'intervalMs',
    min: 250,
    max: 60_000,
    defaultValue: 1_000,
    unit: 'milliseconds',
    description: 'How often the server sends an application ping and a protocol ping',
  },
  timeoutMs: {
    query: 'timeout',
    field: 'timeoutMs',
    min: 250,
    max: 60_000,
    defaultValue: 3_000,
    unit: 'milliseconds',
    description: 'How long a ping may go unanswered before the server closes with 4000',
  },
  freezeSeconds: {
    field: 'seconds',
    min: 1,
    max: 60,
    defaultValue: 10,
    unit: 'seconds',
    description: 'How long a freeze lasts',
  },
} as const satisfies Record<string, IntegerParameter>;

/** `?client=` names one client across its reconnections, so a freeze also refuses its new handshakes. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The topics a client may subscribe to; the server updates each once a second. */
export const HEARTBEAT_TOPICS = [
  { name: 'temperature', unit: '°C' },
  { name: 'humidity', unit: '%' },
  { name: 'wind', unit: 'km/h' },
] as const;
export type HeartbeatTopicName = (typeof HEARTBEAT_TOPICS)[number]['name'];
export const HEARTBEAT_TOPIC_NAMES = HEARTBEAT_TOPICS.map((topic) => topic.name);

/** Ping ids are whole numbers so either side can count them. */
const pingId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const topicName = v.pipe(v.string(), v.maxLength(64));

export const heartbeatClientMessageSchema = v.variant('type', [
  /** The client's application ping; `sent` is the client's clock, echoed back in the pong. */
  v.strictObject({ type: v.literal('ping'), id: pingId, sent: v.number() }),
  /** The answer to the server's ping, with its `id` and `sent` echoed. */
  v.strictObject({ type: v.literal('pong'), id: pingId, sent: v.number() }),
  v.strictObject({ type: v.literal('subscribe'), topic: topicName }),
  v.strictObject({ type: v.literal('unsubscribe'), topic: topicName }),
  /** Freezes the server's side of this connection (and this `?client=`'s new handshakes) for `seconds`. */
  v.strictObject({ type: v.literal('freeze'), seconds: integerParameterSchema(HEARTBEAT_PARAMETERS.freezeSeconds) }),
]);
export type HeartbeatClientMessage = v.InferOutput<typeof heartbeatClientMessageSchema>;
export const HEARTBEAT_CLIENT_TYPES = ['ping', 'pong', 'subscribe', 'unsubscribe', 'freeze'] as const;

const topicState = { topic: v.picklist(HEARTBEAT_TOPIC_NAMES), seq: v.number(), value: v.number(), at: v.number() };

export const heartbeatServerMessageSchema = v.variant('type', [
  v.object({
    type: v.literal('welcome'),
    intervalMs: v.number(),
    timeoutMs: v.number(),
    closeCode: v.number(),
    topics: v.array(v.object({ name: v.string(), unit: v.string() })),
  }),
  /** The server's application ping; `sent` is the server's clock. */
  v.object({ type: v.literal('ping'), id: pingId, sent: v.number() }),
  v.object({ type: v.literal('pong'), id: pingId, sent: v.number() }),
  /** A round trip the server measured: of its application ping, or of its protocol ping (RFC 6455 §5.5.2). */
  v.object({
    type: v.literal('rtt'),
    kind: v.picklist(['application', 'protocol']),
    rttMs: v.number(),
    unknownPongs: v.number(),
  }),
  /** The topic's current state, right after subscribing. */
  v.object({ type: v.literal('subscribed'), ...topicState }),
  v.object({ type: v.literal('unsubscribed'), topic: v.picklist(HEARTBEAT_TOPIC_NAMES) }),
  v.object({ type: v.literal('update'), ...topicState }),
  /** Sent just before the freeze starts; nothing else comes until `thawed`. */
  v.object({ type: v.literal('frozen'), seconds: v.number() }),
  v.object({ type: v.literal('thawed'), frozenMs: v.number() }),
  errorMessageSchema,
]);
export type HeartbeatServerMessage = v.InferOutput<typeof heartbeatServerMessageSchema>;

export const heartbeatEndpoint: EndpointDoc = {
  path: '/ws/heartbeat',
  chapter: 'heartbeats',
  summary:
    'Application ping/pong both ways plus protocol pings from the server, which reports the round trips it measured; a client that stops answering is closed with 4000. Topics to subscribe to, and a freeze control that stalls the server\'s side.',
  query: [
    integerQueryDoc(HEARTBEAT_PARAMETERS.intervalMs),
    integerQueryDoc(HEARTBEAT_PARAMETERS.timeoutMs),
    {
      name: 'client',
      description: 'Names this client across reconnections: while it is frozen, new handshakes with the same name get HTTP 503.',
      allowed: '1–64 of A–Z a–z 0–9 _ -',
    },
  ],
  messages: [
    { type: 'ping', direction: 'client-to-server', description: 'Application ping; answered at once with a pong.', example: { type: 'ping', id: 1, sent: 5021.4 } },
    {
      type: 'pong',
      direction: 'client-to-server',
      description: 'Answer to the server\'s ping, `id` and `sent` echoed. Pongs with unknown ids are ignored and counted.',
      example: { type: 'pong', id: 7, sent: 1_767_225_600_000.5 },
    },
    { type: 'subscribe', direction: 'client-to-server', description: 'Subscribe to a topic: temperature, humidity or wind.', example: { type: 'subscribe', topic: 'wind' } },
    { type: 'unsubscribe', direction: 'client-to-server', description: 'Stop updates of a topic.', example: { type: 'unsubscribe', topic: 'wind' } },
    {
      type: 'freeze',
      direction: 'client-to-server',
      description: 'The server\'s side of this connection stops reading, answering and sending for 1–60 s, like a stopped process.',
      example: { type: 'freeze', seconds: 10 },
    },
    {
      type: 'welcome',
      direction: 'server-to-client',
      description: 'First message: the heartbeat settings, the timeout close code and the topics.',
      example: {
        type: 'welcome',
        intervalMs: 1000,
        timeoutMs: 3000,
        closeCode: 4000,
        topics: HEARTBEAT_TOPICS.map((topic) => ({ ...topic })),
      },
    },
    { type: 'ping', direction: 'server-to-client', description: 'The server\'s application ping, every interval; answer with a pong.', example: { type: 'ping', id: 7, sent: 1_767_225_600_000.5 } },
    { type: 'pong', direction: 'server-to-client', description: 'Answer to the client\'s ping.', example: { type: 'pong', id: 1, sent: 5021.4 } },
    {
      type: 'rtt',
      direction: 'server-to-client',
      description: 'A round trip the server measured, of an application or a protocol ping, and how many unknown pongs it has ignored.',
      example: { type: 'rtt', kind: 'protocol', rttMs: 0.41, unknownPongs: 0 },
    },
    {
      type: 'subscribed',
      direction: 'server-to-client',
      description: 'The topic\'s current state; `seq` counts its updates since the server started.',
      example: { type: 'subscribed', topic: 'wind', seq: 120, value: 14.2, at: 1_767_225_600_000 },
    },
    { type: 'unsubscribed', direction: 'server-to-client', description: 'No more updates of the topic.', example: { type: 'unsubscribed', topic: 'wind' } },
    { type: 'update', direction: 'server-to-client', description: 'A new value of a subscribed topic, once a second.', example: { type: 'update', topic: 'wind', seq: 121, value: 14.6, at: 1_767_225_601_000 } },
    { type: 'frozen', direction: 'server-to-client', description: 'The freeze starts now.', example: { type: 'frozen', seconds: 10 } },
    { type: 'thawed', direction: 'server-to-client', description: 'The freeze is over (if the connection survived it).', example: { type: 'thawed', frozenMs: 10_002 } },
    {
      type: 'error',
      direction: 'server-to-client',
      description: 'An invalid message or an unknown topic; the connection stays up.',
      example: { type: 'error', error: 'UNKNOWN_TOPIC', message: 'unknown topic: "rain"; expected one of temperature, humidity, wind' },
    },
  ],
  limits: [
    'interval and timeout outside 250–60000 ms, or a malformed client name, are refused with HTTP 400.',
    'A ping (application or protocol) unanswered for `timeout` ms closes the connection with 4000 "heartbeat timeout: …", at most interval + timeout after the last answer.',
    'At most 20 messages a second (burst 40); more close the connection with 1008. Repeated invalid messages close it with 1008.',
  ],
  closeCodes: [
    { code: 4000, when: 'the client did not answer an application or protocol ping within the timeout' },
    { code: 1001, when: 'the server is shutting down' },
    { code: 1008, when: 'too many messages, too many invalid messages, or the client stopped reading' },
    { code: 1009, when: 'a message was over the size limit' },
  ],
  clientSchema: heartbeatClientMessageSchema,
  serverSchema: heartbeatServerMessageSchema,
};
