import { OPCODES, toHex } from '../../src/shared/frame-codec.ts';
import { CheckFailure, defineSuite, expect, type CheckContext } from '../check.ts';
import { type RawWebSocketClient, type ReceivedMessage } from '../raw-client.ts';
import { ECHO_CASES, LARGEST_ECHO_CASE, describeMessage, echoMismatch, type EchoMessage, type EchoMessageType } from '../../src/shared/grading/echo.ts';

/**
 * Waits for the echo of one message and fails the check unless it has the
 * same bytes and, when `sameType`, the same type. Only the first two checks
 * are about the type, so a server that sends text back as binary fails
 * those and no other.
 */
async function expectEcho(client: RawWebSocketClient, context: CheckContext, type: EchoMessageType, payload: Uint8Array, sameType: boolean): Promise<void> {
  let answer: ReceivedMessage;
  try {
    answer = await client.nextMessage(context.answerTimeoutMs);
  } catch (error) {
    throw new CheckFailure(`sent a ${describeMessage(type, payload)}; instead of its echo: ${(error as Error).message}`);
  }
  const mismatch = echoMismatch({ type, payload }, answer, sameType);
  expect(mismatch === null, mismatch ?? '');
}

/** Sends whole messages one at a time and expects each back. */
async function roundTrip(context: CheckContext, messages: readonly EchoMessage[], sameType = false): Promise<void> {
  const client = await context.connect();
  for (const { type, payload } of messages) {
    client.sendFrame({ opcode: OPCODES[type], payload });
    await expectEcho(client, context, type, payload, sameType);
  }
}

/** Waits for the server to close and fails unless its close frame carries `code`. */
async function expectCloseCode(client: RawWebSocketClient, context: CheckContext, code: number, after: string): Promise<void> {
  const end = await client.waitForEnd(context.answerTimeoutMs);
  expect(end !== 'timeout', `${after}, the server neither closed nor answered within ${String(context.answerTimeoutMs)} ms; expected a close frame with ${String(code)}`);
  expect(end !== null, `${after}, the server dropped the TCP connection without a close frame; expected a close frame with ${String(code)}`);
  expect(end.code === code, `${after}, the server closed with ${String(end.code)}${end.reason === '' ? '' : ` "${end.reason}"`}; expected ${String(code)}`);
}

const encoder = new TextEncoder();

/**
 * An echo server, message by message and frame by frame: what `ws` or
 * `websockets` do for a server, and what a hand-written one must
 * (RFC 6455 §5 and §7). Each check uses its own connection, so one failure
 * does not spoil the next.
 */
export const echoSuite = defineSuite({
  name: 'echo',
  summary: 'an echo server, frame by frame (RFC 6455 §5, §7)',
  createState: () => ({}),
  checks: [
    // The whole-message cases, shared with the browser's "Check my server" panel.
    ...ECHO_CASES.map((echoCase) => ({
      name: echoCase.name,
      hint: echoCase.hint,
      ...(echoCase === LARGEST_ECHO_CASE ? { timeoutMs: (context: CheckContext) => context.answerTimeoutMs * 3 } : {}),
      run: (context: CheckContext) => roundTrip(context, echoCase.messages(), echoCase.sameType),
    })),
    {
      name: 'reassembles a fragmented message and echoes it whole',
      hint: 'RFC 6455 §5.4: a message may come as a first frame with FIN clear, continuation frames (opcode 0x0), and a last one with FIN set, with pings allowed between them. Echo the whole message, once; a character may be split across fragments.',
      async run(context) {
        const client = await context.connect();
        const text = 'frag-✓-ment';
        const bytes = encoder.encode(text);
        // The split at byte 7 cuts the 3-byte "✓" in two: only the whole message must be valid UTF-8 (RFC 6455 §5.6).
        client.sendFrame({ opcode: OPCODES.text, fin: false, payload: bytes.subarray(0, 7) });
        client.sendFrame({ opcode: OPCODES.ping, payload: encoder.encode('between') });
        client.sendFrame({ opcode: OPCODES.continuation, fin: false, payload: bytes.subarray(7, 9) });
        client.sendFrame({ opcode: OPCODES.continuation, fin: true, payload: bytes.subarray(9) });
        await expectEcho(client, context, 'text', bytes, false);
      },
    },
    {
      name: 'answers a ping with a pong carrying the same payload',
      hint: 'RFC 6455 §5.5.2–5.5.3: answer each ping frame (opcode 0x9) with a pong (0xA) whose payload is exactly the ping\'s.',
      async run(context) {
        const client = await context.connect();
        const payload = encoder.encode('grader-ping-7');
        client.sendFrame({ opcode: OPCODES.ping, payload });
        for (;;) {
          const frame = await client.nextFrame(context.answerTimeoutMs).catch((error: unknown) => {
            throw new CheckFailure(`sent a ping "grader-ping-7"; no pong came: ${(error as Error).message}`);
          });
          if (frame.opcodeName !== 'pong') continue;
          const got = new TextDecoder().decode(frame.payload);
          expect(toHex(frame.payload) === toHex(payload), `sent a ping "grader-ping-7", the pong carried ${frame.payload.length === 0 ? 'no payload' : `"${got}"`}`);
          return;
        }
      },
    },
    {
      name: 'echoes the closing handshake',
      hint: 'RFC 6455 §5.5.1 and §7.1.2: when the client sends a close frame, answer with a close frame (usually the same status code), then close the TCP connection.',
      async run(context) {
        const client = await context.connect();
        const reason = encoder.encode('grader done');
        client.sendFrame({ opcode: OPCODES.close, payload: Uint8Array.from([0x03, 0xe8, ...reason]) });
        const end = await client.waitForEnd(context.answerTimeoutMs);
        expect(end !== 'timeout', `sent a close frame with 1000; no close frame came back within ${String(context.answerTimeoutMs)} ms`);
        expect(end !== null, 'sent a close frame with 1000; the server dropped the TCP connection without answering with a close frame');
        expect(end.code === 1000, `sent a close frame with 1000; the server answered with ${String(end.code)}`);
      },
    },
    {
      name: 'closes with 1007 on invalid UTF-8 in a text message',
      hint: 'RFC 6455 §8.1: a text message must be valid UTF-8; when it is not, fail the connection with 1007 (Invalid frame payload data). Echoing the bytes back is not enough.',
      async run(context) {
        const client = await context.connect();
        client.sendFrame({ opcode: OPCODES.text, payload: Uint8Array.from([0x68, 0x69, 0xc3, 0x28, 0xff]) });
        await expectCloseCode(client, context, 1007, 'after a text message with invalid UTF-8 (c3 28 ff)');
      },
    },
    {
      name: 'closes with 1002 on an unmasked client frame',
      hint: 'RFC 6455 §5.1: a server must close the connection when a client frame is not masked; close with 1002 (Protocol error).',
      async run(context) {
        const client = await context.connect();
        client.sendFrame({ opcode: OPCODES.text, payload: encoder.encode('not masked'), maskingKey: null });
        await expectCloseCode(client, context, 1002, 'after an unmasked text frame');
      },
    },
  ],
});
