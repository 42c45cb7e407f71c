import type { Socket } from 'node:net';
import { FrameDecoder, OPCODES, encodeFrameHeader, type DecodedFrame } from '../../../src/shared/frame-codec.ts';
import { socketError, type ErrorMessage } from '../../../src/shared/protocol/errors.ts';
import {
  FOREIGN_ORIGIN,
  frameReport,
  INSPECT_FRAGMENT_BYTES,
  INSPECT_FRAME_REPORT_BURST,
  INSPECT_FRAME_REPORTS_PER_SECOND,
  INSPECT_INVALID_BURST,
  INSPECT_INVALID_PER_SECOND,
  INSPECT_MAX_MESSAGE_BYTES,
  INSPECT_MESSAGE_BURST,
  INSPECT_MESSAGES_PER_SECOND,
  INSPECT_PAYLOAD_PREVIEW_BYTES,
  INSPECT_PROBES,
  INSPECT_SUBPROTOCOLS,
  inspectEndpoint,
  UNKNOWN_SUBPROTOCOL,
  type InspectProbe,
  type InspectServerMessage,
} from '../../../src/shared/protocol/inspect.ts';
import type { Connection } from '../../core/connection.ts';
import { tapClientFrames } from './frame-tap.ts';
import { probeHandshake } from './handshake-probe.ts';
import { choiceParam, integerParam } from '../../core/query.ts';
import { TokenBucket } from '../../../src/shared/token-bucket.ts';
import { burstWordedLimits, onLimitedMessages } from '../../core/json-messages.ts';
import { accept, type Handshake, type Route, type RouteContext, type RouteFactory } from '../../core/route.ts';

/** Payload of the ping sent on connect, whose automatic pong is the first frame a browser reports. */
const GREETING_PING = 'inspect';
const PROBE_TIMEOUT_MS = 3_000;

/** Every message is echoed; what breaks the negotiated subprotocol counts as invalid. */
const INSPECT_MESSAGE_LIMITS = burstWordedLimits({
  messagesPerSecond: INSPECT_MESSAGES_PER_SECOND,
  messageBurst: INSPECT_MESSAGE_BURST,
  invalidPerSecond: INSPECT_INVALID_PER_SECOND,
  invalidBurst: INSPECT_INVALID_BURST,
});

function send(connection: Connection, message: InspectServerMessage): void {
  connection.sendJson(message);
}

/** The request headers in the order and case they arrived (`rawHeaders` alternates names and values). */
function rawHeaderPairs(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) pairs.push([rawHeaders[index] ?? '', rawHeaders[index + 1] ?? '']);
  return pairs;
}

/** Why a message breaks the negotiated subprotocol, or `null` when it is fine. */
function contentProblem(protocol: string, data: Buffer, isBinary: boolean): ErrorMessage | null {
  if (protocol === 'json.v1') {
    if (isBinary) return socketError('BINARY_NOT_ACCEPTED', 'json.v1 carries JSON text; connect without a subprotocol to send binary');
    try {
      JSON.parse(data.toString());
    } catch (error) {
      return socketError('INVALID_JSON', error instanceof Error ? error.message : String(error));
    }
  }
  if (protocol === 'text.v1' && isBinary) {
    return socketError('BINARY_NOT_ACCEPTED', 'text.v1 carries text; connect without a subprotocol to send binary');
  }
  return null;
}

/** `data` in pieces of at most `size` bytes; an empty message is one empty piece. */
function pieces(data: Buffer, size: number): Buffer[] {
  const result: Buffer[] = [];
  for (let start = 0; start < data.length; start += size) result.push(data.subarray(start, start + size));
  return result.length === 0 ? [data] : result;
}

/**
 * The frames the echo goes out in, decoded by the same codec from the header
 * `ws` writes for them (unmasked, FIN on the last, continuation opcodes after
 * the first: RFC 6455 §5.4), so the report matches the wire.
 */
function replyFrames(parts: readonly Buffer[], isBinary: boolean): DecodedFrame[] {
  const decoder = new FrameDecoder({ sender: 'server', keepPayloadBytes: INSPECT_PAYLOAD_PREVIEW_BYTES });
  const frames: DecodedFrame[] = [];
  parts.forEach((part, index) => {
    const opcode = index > 0 ? OPCODES.continuation : isBinary ? OPCODES.binary : OPCODES.text;
    frames.push(...decoder.push(encodeFrameHeader({ fin: index === parts.length - 1, opcode }, part.length)), ...decoder.push(part));
  });
  return frames;
}

/** Where the client reached this server, so a probe goes to the same listener. */
function localEndpoint(socket: Socket): { host: string; port: number } {
  return { host: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 };
}

async function runProbe(connection: Connection, handshake: Handshake, probe: InspectProbe): Promise<void> {
  const { request } = handshake;
  const exchange = await probeHandshake({
    ...localEndpoint(request.socket),
    hostHeader: request.headers.host ?? 'localhost',
    path: probe === 'wrong-path' ? '/ws/no-such-endpoint' : '/ws/inspect',
    origin: probe === 'foreign-origin' ? FOREIGN_ORIGIN : (request.headers.origin ?? null),
    protocols: probe === 'unknown-subprotocol' ? UNKNOWN_SUBPROTOCOL : null,
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  send(connection, { type: 'probe', probe, ...exchange, requestLines: [...exchange.requestLines], responseLines: [...exchange.responseLines] });
  connection.close(1000, 'probe done');
}

/**
 * `/ws/inspect`: shows a client its own handshake and frames (see
 * `src/shared/protocol/inspect.ts`). It accepts messages up to 1 MiB even when
 * the server-wide limit is the default 64 KiB, so the frame lab can show a
 * 64-bit length; never more than a client's send-buffer cap, since every
 * message is echoed.
 */
/** What an inspect handshake asked for: a probe to run, or how to fragment echoes. */
interface InspectRequest {
  readonly probe: InspectProbe | null;
  readonly fragmentBytes: number | null;
}

export const inspectRoute: RouteFactory<InspectRequest> = { doc: inspectEndpoint, create: createInspectRoute };

function createInspectRoute(context: RouteContext): Route<InspectRequest> {
  const { maxBufferedBytes } = context.options;
  const maxMessageBytes = Math.max(context.options.maxMessageBytes, Math.min(INSPECT_MAX_MESSAGE_BYTES, maxBufferedBytes));
  return {
    maxMessageBytes,
    check(handshake) {
      const fragment = integerParam(handshake.url, INSPECT_FRAGMENT_BYTES, null);
      if (!fragment.ok) return fragment;
      const probe = choiceParam(handshake.url, 'probe', INSPECT_PROBES, null);
      if (!probe.ok) return probe;
      return accept({ probe: probe.value, fragmentBytes: fragment.value });
    },
    selectProtocol(offered) {
      // RFC 6455 §4.2.2: pick one the client offered, or none; the client's order is its preference.
      for (const protocol of offered) {
        if ((INSPECT_SUBPROTOCOLS as readonly string[]).includes(protocol)) return protocol;
      }
      return false;
    },
    open(connection, handshake, { probe, fragmentBytes }) {
      if (probe !== null) {
        void runProbe(connection, handshake, probe);
        return;
      }
      const { request } = handshake;
      const socket = connection.socket;
      send(connection, {
        type: 'handshake',
        requestLine: `${request.method ?? 'GET'} ${request.url ?? '/'} HTTP/${request.httpVersion}`,
        requestHeaders: rawHeaderPairs(request.rawHeaders),
        responseLines: [...handshake.responseLines],
        protocol: socket.protocol,
        extensions: socket.extensions,
        previewBytes: INSPECT_PAYLOAD_PREVIEW_BYTES,
        maxMessageBytes,
      });
      let frameIndex = 0;
      let unreported = 0;
      const reports = new TokenBucket(INSPECT_FRAME_REPORTS_PER_SECOND, INSPECT_FRAME_REPORT_BURST);
      const untap = tapClientFrames(connection, { maxPayloadBytes: maxMessageBytes, keepPayloadBytes: INSPECT_PAYLOAD_PREVIEW_BYTES }, (frame) => {
        frameIndex += 1;
        if (!reports.take()) {
          unreported += 1;
          return;
        }
        send(connection, { type: 'frame', index: frameIndex, at: Date.now(), unreported, frame: frameReport(frame) });
        unreported = 0;
      });
      socket.on('close', untap);
      // RFC 6455 §5.5.2: the client must answer with a pong, which shows up as its first frame.
      socket.ping(GREETING_PING);

      onLimitedMessages(connection, INSPECT_MESSAGE_LIMITS, (data, isBinary, reject) => {
        const problem = contentProblem(socket.protocol, data, isBinary);
        if (problem !== null) reject(problem);
        else echo(connection, data, isBinary, fragmentBytes, maxBufferedBytes);
      });
    },
  };
}

function echo(connection: Connection, data: Buffer, isBinary: boolean, fragmentBytes: number | null, maxBufferedBytes: number): void {
  if (!connection.isOpen) return;
  const parts = pieces(data, fragmentBytes ?? Math.max(1, data.length));
  send(connection, { type: 'reply', kind: isBinary ? 'binary' : 'text', bytes: data.length, frames: replyFrames(parts, isBinary).map(frameReport) });
  const last = parts.pop() ?? data;
  if (parts.length > 0) {
    // Connection.send() sends whole messages; the leading fragments go to ws directly, after the same send-buffer check.
    if (connection.socket.bufferedAmount + data.length > maxBufferedBytes) {
      connection.fail('SEND_BUFFER_FULL', 'the fragmented echo does not fit');
      return;
    }
    for (const part of parts) {
      connection.socket.send(part, { binary: isBinary, fin: false });
      connection.bytesOut += part.length;
    }
  }
  connection.send(last, isBinary);
}
