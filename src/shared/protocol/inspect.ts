import * as v from 'valibot';
import { integerRange, type BoundedInteger } from '../bounded-integer.ts';
import { OPCODES, toHex, type DecodedFrame } from '../frame-codec.ts';
import type { EndpointDoc } from './endpoint-doc.ts';
import { errorMessageSchema } from './error-message.ts';

/**
 * `/ws/inspect`: shows a client what crossed the wire. On connect it sends
 * the handshake as the server saw it; then one report per frame the client
 * sends, with its bytes as they arrived (still masked); and it echoes each
 * message, announcing the frames of the echo first.
 */

/** Subprotocols the endpoint speaks: `json.v1` accepts JSON text only, `text.v1` any text; with none, text and binary are echoed. */
export const INSPECT_SUBPROTOCOLS = ['json.v1', 'text.v1'] as const;
export type InspectSubprotocol = (typeof INSPECT_SUBPROTOCOLS)[number];

/** Payload bytes shown per frame; the length and header are always complete. */
export const INSPECT_PAYLOAD_PREVIEW_BYTES = 64;
/**
 * Largest message `/ws/inspect` accepts, above the server-wide default of
 * 64 KiB, so a reader can send a frame with a 64-bit length and see it.
 */
export const INSPECT_MAX_MESSAGE_BYTES = 1024 * 1024;
/**
 * Failing handshakes the server can attempt against itself and show
 * (`?probe=`): a wrong path (404), a foreign Origin (403), and an offer of
 * only a subprotocol it does not speak (101 with none chosen, which
 * browsers then fail).
 */
export const INSPECT_PROBES = ['wrong-path', 'foreign-origin', 'unknown-subprotocol'] as const;
export type InspectProbe = (typeof INSPECT_PROBES)[number];
/** The Origin the `foreign-origin` probe claims. */
export const FOREIGN_ORIGIN = 'http://evil.example';
/** The subprotocol the `unknown-subprotocol` probe offers. */
export const UNKNOWN_SUBPROTOCOL = 'chat.v9';
/** Bounds of `?fragment=`: the most payload bytes per frame of the server's echo. */
export const INSPECT_FRAGMENT_BYTES = { name: 'fragment', min: 1, max: 65_536 } as const satisfies BoundedInteger;
/** Invalid messages (not JSON under json.v1, binary under a text protocol) tolerated in a burst, refilled per second. */
export const INSPECT_INVALID_BURST = 5;
export const INSPECT_INVALID_PER_SECOND = 1;
/** Messages accepted in a burst, refilled per second; more close with 1008. */
export const INSPECT_MESSAGE_BURST = 100;
export const INSPECT_MESSAGES_PER_SECOND = 50;
/** Frames reported in a burst, refilled per second; frames beyond are counted, not reported, so tiny fragments cannot make the server do unbounded work. */
export const INSPECT_FRAME_REPORT_BURST = 1_000;
export const INSPECT_FRAME_REPORTS_PER_SECOND = 200;

const OPCODE_NAMES = Object.keys(OPCODES) as (keyof typeof OPCODES)[];
const Hex = v.pipe(v.string(), v.regex(/^(?:[0-9a-f]{2}(?: [0-9a-f]{2})*)?$/));

/** One frame, as bytes in hex and as decoded fields. */
export const FrameReportSchema = v.object({
  fin: v.boolean(),
  rsv1: v.boolean(),
  rsv2: v.boolean(),
  rsv3: v.boolean(),
  opcode: v.number(),
  opcodeName: v.picklist(OPCODE_NAMES),
  /** For a continuation frame, the type of the message it continues. */
  messageOpcodeName: v.picklist(OPCODE_NAMES),
  masked: v.boolean(),
  /** Hex, or `null` when unmasked. */
  maskingKey: v.nullable(Hex),
  payloadLength: v.number(),
  lengthBits: v.picklist([7, 16, 64]),
  /** The header bytes (2–14) in hex, as on the wire. */
  header: Hex,
  /** The first payload bytes as on the wire (masked for client frames), in hex. */
  payloadAsSent: Hex,
  /** The same bytes unmasked. */
  payload: Hex,
  /** False when the payload was longer than the bytes shown. */
  payloadComplete: v.boolean(),
});
export type FrameReport = v.InferOutput<typeof FrameReportSchema>;

const HandshakeMessage = v.object({
  type: v.literal('handshake'),
  /** `GET /ws/inspect HTTP/1.1` */
  requestLine: v.string(),
  /** Every request header in the order and case it arrived. */
  requestHeaders: v.array(v.tuple([v.string(), v.string()])),
  /** The server's `101 Switching Protocols` status line and headers. */
  responseLines: v.array(v.string()),
  /** The negotiated subprotocol, `''` for none. */
  protocol: v.string(),
  /** The negotiated extensions, `''` for none. */
  extensions: v.string(),
  /** Most payload bytes shown per frame. */
  previewBytes: v.number(),
  /** Largest message accepted. */
  maxMessageBytes: v.number(),
});

const FrameMessage = v.object({
  type: v.literal('frame'),
  /** 1 for the first frame the client sent on this connection. */
  index: v.number(),
  /** Server time the frame was complete, ms since the epoch. */
  at: v.number(),
  /** Frames received since the previous report but not reported (over the report rate). */
  unreported: v.number(),
  frame: FrameReportSchema,
});

const ReplyMessage = v.object({
  type: v.literal('reply'),
  /** The very next message is the echo, which the server sends as these frames. */
  kind: v.picklist(['text', 'binary']),
  bytes: v.number(),
  frames: v.array(FrameReportSchema),
});

const ProbeMessage = v.object({
  type: v.literal('probe'),
  probe: v.picklist(INSPECT_PROBES),
  /** The request the server sent to itself, line by line. */
  requestLines: v.array(v.string()),
  /** The status line and headers it got back. */
  responseLines: v.array(v.string()),
  body: v.string(),
  /** Set when the probe could not complete (timeout, connection refused). */
  problem: v.nullable(v.string()),
});

export const InspectServerMessageSchema = v.variant('type', [HandshakeMessage, FrameMessage, ReplyMessage, ProbeMessage, errorMessageSchema]);
export type InspectServerMessage = v.InferOutput<typeof InspectServerMessageSchema>;
export type InspectHandshakeMessage = v.InferOutput<typeof HandshakeMessage>;
export type InspectFrameMessage = v.InferOutput<typeof FrameMessage>;
export type InspectReplyMessage = v.InferOutput<typeof ReplyMessage>;
export type InspectProbeMessage = v.InferOutput<typeof ProbeMessage>;

/** A decoded frame as it goes in a report. */
export function frameReport(frame: DecodedFrame): FrameReport {
  return {
    fin: frame.fin,
    rsv1: frame.rsv1,
    rsv2: frame.rsv2,
    rsv3: frame.rsv3,
    opcode: frame.opcode,
    opcodeName: frame.opcodeName,
    messageOpcodeName: frame.messageOpcodeName,
    masked: frame.masked,
    maskingKey: frame.maskingKey === null ? null : toHex(frame.maskingKey),
    payloadLength: frame.payloadLength,
    lengthBits: frame.lengthBits,
    header: toHex(frame.headerBytes),
    payloadAsSent: toHex(frame.payloadAsSent),
    payload: toHex(frame.payload),
    payloadComplete: frame.payloadComplete,
  };
}

/** The report of the masked "Hello" frame of RFC 6455 §5.7, as the server sends it. */
export const RFC_EXAMPLE_FRAME_REPORT: FrameReport = {
  fin: true,
  rsv1: false,
  rsv2: false,
  rsv3: false,
  opcode: 1,
  opcodeName: 'text',
  messageOpcodeName: 'text',
  masked: true,
  maskingKey: '37 fa 21 3d',
  payloadLength: 5,
  lengthBits: 7,
  header: '81 85 37 fa 21 3d',
  payloadAsSent: '7f 9f 4d 51 58',
  payload: '48 65 6c 6c 6f',
  payloadComplete: true,
};

export const inspectEndpoint: EndpointDoc = {
  path: '/ws/inspect',
  chapter: 'frames',
  summary:
    'Shows the client its own handshake and frames: the request and 101 response as the server saw them, then every frame the client sends as raw bytes (still masked) and decoded fields. Each message is echoed, announced by a report of the frames the echo is sent in.',
  subprotocols: INSPECT_SUBPROTOCOLS,
  query: [
    {
      name: 'fragment',
      description: 'Send each echo in frames of at most this many payload bytes, to show fragmentation.',
      default: 'off (one frame per echo)',
      allowed: integerRange(INSPECT_FRAGMENT_BYTES),
    },
    {
      name: 'probe',
      description:
        'Instead of inspecting this connection, the server attempts a failing handshake against itself (a wrong path; the foreign Origin http://evil.example; or offering only the unknown subprotocol chat.v9), sends the raw exchange, and closes with 1000.',
      allowed: INSPECT_PROBES.join(' | '),
    },
  ],
  messages: [
    { type: 'text', direction: 'client-to-server', description: 'Any text (must be JSON under json.v1). Reported frame by frame, then echoed.', example: 'Hello' },
    { type: 'binary', direction: 'client-to-server', description: 'Any bytes (refused under json.v1 and text.v1). Reported, then echoed.', example: '48 65 6c 6c 6f (bytes)' },
    {
      type: 'handshake',
      direction: 'server-to-client',
      description: 'First message: the request line and headers in the order received, the 101 response lines, and what was negotiated.',
      example: {
        type: 'handshake',
        requestLine: 'GET /ws/inspect HTTP/1.1',
        requestHeaders: [
          ['Host', 'localhost:8080'],
          ['Upgrade', 'websocket'],
          ['Connection', 'Upgrade'],
          ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
          ['Sec-WebSocket-Version', '13'],
        ],
        responseLines: ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
        protocol: '',
        extensions: '',
        previewBytes: INSPECT_PAYLOAD_PREVIEW_BYTES,
        maxMessageBytes: INSPECT_MAX_MESSAGE_BYTES,
      },
    },
    {
      type: 'frame',
      direction: 'server-to-client',
      description: 'One per frame the client sent (data and control), with the header and the first 64 payload bytes as received and unmasked.',
      example: { type: 'frame', index: 1, at: 1_700_000_000_000, unreported: 0, frame: RFC_EXAMPLE_FRAME_REPORT },
    },
    {
      type: 'reply',
      direction: 'server-to-client',
      description: 'Announces the echo: the next message is the echo itself, sent in these (unmasked) frames.',
      example: {
        type: 'reply',
        kind: 'text',
        bytes: 5,
        frames: [{ ...RFC_EXAMPLE_FRAME_REPORT, masked: false, maskingKey: null, header: '81 05', payloadAsSent: '48 65 6c 6c 6f' }],
      },
    },
    {
      type: 'probe',
      direction: 'server-to-client',
      description: 'With ?probe=: the failing handshake the server attempted against itself.',
      example: {
        type: 'probe',
        probe: 'wrong-path',
        requestLines: ['GET /ws/no-such-endpoint HTTP/1.1', 'Host: localhost:8080', 'Upgrade: websocket'],
        responseLines: ['HTTP/1.1 404 Not Found', 'Connection: close'],
        body: 'no WebSocket endpoint at /ws/no-such-endpoint',
        problem: null,
      },
    },
    {
      type: 'error',
      direction: 'server-to-client',
      description: 'Text that is not JSON under json.v1 (INVALID_JSON), or binary under json.v1 or text.v1 (BINARY_NOT_ACCEPTED). The connection stays open.',
      example: { type: 'error', error: 'INVALID_JSON', message: "message is not valid JSON: Unexpected token 'h', \"hello\" is not valid JSON" },
    },
  ],
  limits: [
    `Messages up to ${String(INSPECT_MAX_MESSAGE_BYTES / 1024 / 1024)} MiB (or --max-message-bytes when larger); bigger close with 1009.`,
    `Only the first ${String(INSPECT_PAYLOAD_PREVIEW_BYTES)} payload bytes of each frame are reported; lengths and headers are always complete.`,
    `At most ${String(INSPECT_FRAME_REPORT_BURST)} frames are reported in a burst (refilled at ${String(INSPECT_FRAME_REPORTS_PER_SECOND)} per second); the rest are counted in the next report's unreported field.`,
    `More than ${String(INSPECT_INVALID_BURST)} invalid messages in a burst (refilled at ${String(INSPECT_INVALID_PER_SECOND)} per second) close with 1008.`,
    `More than ${String(INSPECT_MESSAGE_BURST)} messages in a burst (refilled at ${String(INSPECT_MESSAGES_PER_SECOND)} per second) close with 1008.`,
  ],
  closeCodes: [
    { code: 1000, when: 'a ?probe= connection has sent its result' },
    { code: 1001, when: 'the server is shutting down' },
    { code: 1008, when: 'too many invalid messages, too many messages, or the client stopped reading' },
    { code: 1009, when: 'a message was over the size limit' },
  ],
  clientSchema: null,
  serverSchema: InspectServerMessageSchema,
};
