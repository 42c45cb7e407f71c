import { CheckFailure, defineSuite, expect, type CheckContext } from '../check.ts';
import { WaitTimeout, type RawWebSocketClient } from '../raw-client.ts';

/** The longest heartbeat the grader waits out: interval + timeout above this is not graded. */
export const MAX_HEARTBEAT_WAIT_MS = 30_000;

interface StatedHeartbeat {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

interface HeartbeatState {
  stated: StatedHeartbeat | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** How long a dead client may live: a ping is sent at most `interval` after the last answer and times out `timeout` later; plus slack for a busy machine. */
function dropWithinMs(stated: StatedHeartbeat): number {
  const bound = stated.intervalMs + stated.timeoutMs;
  return bound + Math.max(500, bound / 4);
}

function statedOrFail(state: HeartbeatState): StatedHeartbeat {
  if (state.stated === null) throw new CheckFailure('not checked: the welcome with the stated heartbeat failed first');
  if (state.stated.intervalMs + state.stated.timeoutMs > MAX_HEARTBEAT_WAIT_MS) {
    throw new CheckFailure(
      `interval ${String(state.stated.intervalMs)} ms + timeout ${String(state.stated.timeoutMs)} ms is longer than the ${String(MAX_HEARTBEAT_WAIT_MS / 1000)} s the grader waits: grade it with a shorter heartbeat (the demo server takes ?interval=&timeout=)`,
    );
  }
  return state.stated;
}

/** Reads the first message, which must be the welcome. */
async function readWelcome(client: RawWebSocketClient, context: CheckContext): Promise<Record<string, unknown>> {
  const first = await client.nextJsonMessage(context.answerTimeoutMs).catch((error: unknown) => {
    throw new CheckFailure(`expected a welcome message first: ${(error as Error).message}`);
  });
  expect(isObject(first) && first.type === 'welcome', `expected {"type":"welcome", …} as the first message, got ${JSON.stringify(first).slice(0, 120)}`);
  return first;
}

/**
 * The heartbeat of `/ws/heartbeat` (chapter 8): application pings
 * `{"type":"ping","id","sent"}` answered with a pong echoing both, and a
 * client that answers nothing (neither those nor protocol pings) dropped
 * within the interval and timeout the welcome states.
 */
export const heartbeatSuite = defineSuite<HeartbeatState>({
  name: 'heartbeat',
  summary: 'application pings and dropping silent clients (/ws/heartbeat)',
  createState: () => ({ stated: null }),
  checks: [
    {
      name: 'states its heartbeat in the welcome',
      hint: 'Send {"type":"welcome","intervalMs":<how often you ping>,"timeoutMs":<how long a ping may go unanswered>} first, so a client knows when it will be dropped.',
      async run(context, state) {
        const client = await context.connect();
        const welcome = await readWelcome(client, context);
        expect(isDuration(welcome.intervalMs) && isDuration(welcome.timeoutMs), `the welcome has no positive "intervalMs" and "timeoutMs": ${JSON.stringify(welcome).slice(0, 160)}`);
        state.stated = { intervalMs: welcome.intervalMs, timeoutMs: welcome.timeoutMs };
      },
    },
    {
      name: 'answers an application ping with the same id and time',
      hint: 'On {"type":"ping","id":N,"sent":T}, answer {"type":"pong","id":N,"sent":T} at once, with both values as received.',
      async run(context) {
        const client = await context.connect();
        await readWelcome(client, context);
        client.sendJson({ type: 'ping', id: 7, sent: 1234.5 });
        for (;;) {
          const message = await client.nextJsonMessage(context.answerTimeoutMs).catch((error: unknown) => {
            throw new CheckFailure(`sent {"type":"ping","id":7,"sent":1234.5}; no pong: ${error instanceof WaitTimeout ? error.message : (error as Error).message}`);
          });
          if (!isObject(message) || message.type !== 'pong') continue;
          expect(message.id === 7 && message.sent === 1234.5, `sent {"type":"ping","id":7,"sent":1234.5}, got ${JSON.stringify(message)}`);
          return;
        }
      },
    },
    {
      name: 'keeps a client that answers its pings',
      hint: 'A client that answers every ping (protocol pings with pongs, {"type":"ping"} with {"type":"pong"} echoing id and sent) must stay connected: reset its timer on each answer.',
      timeoutMs: (context, state) => (state.stated === null ? context.answerTimeoutMs : dropWithinMs(state.stated) + context.answerTimeoutMs),
      async run(context, state) {
        const stated = statedOrFail(state);
        const client = await context.connect();
        await readWelcome(client, context);
        const deadline = performance.now() + dropWithinMs(stated);
        for (;;) {
          const left = deadline - performance.now();
          if (left <= 0) return;
          let message: unknown;
          try {
            message = await client.nextJsonMessage(left);
          } catch (error) {
            if (error instanceof WaitTimeout) return;
            throw new CheckFailure(`a client answering every ping was dropped after ${String(Math.round(dropWithinMs(stated) - left))} ms: ${(error as Error).message}`);
          }
          if (isObject(message) && message.type === 'ping') client.sendJson({ type: 'pong', id: message.id, sent: message.sent });
        }
      },
    },
    {
      name: 'drops a silent client within its stated timeout',
      hint: 'Ping every interval (a protocol ping, an application ping, or both) and close a client whose answer has not come within the timeout; clear its timers when it closes.',
      timeoutMs: (context, state) => (state.stated === null ? context.answerTimeoutMs : dropWithinMs(state.stated) + context.answerTimeoutMs),
      async run(context, state) {
        const stated = statedOrFail(state);
        // autoPong off: this client answers nothing, as a frozen tab or a dead network would.
        const client = await context.connect([], { autoPong: false });
        const waitMs = dropWithinMs(stated);
        const end = await client.waitForEnd(waitMs);
        expect(
          end !== 'timeout',
          `a client that answered nothing was still connected after ${String(Math.round(waitMs))} ms (interval ${String(stated.intervalMs)} + timeout ${String(stated.timeoutMs)} ms, plus slack)`,
        );
      },
    },
  ],
});
