import { CheckFailure, defineSuite, expect, type CheckContext } from '../check.ts';
import { WaitTimeout, type RawWebSocketClient } from '../raw-client.ts';
import { CHAT_EXPECTATIONS, brief, isObject, welcomeProblem, type JsonObject } from '../../src/shared/grading/chat.ts';

/**
 * One member of the room, as the grader sees it: the messages that came,
 * kept until a check looks for them, so the order in which notices and
 * messages interleave does not matter.
 */
class Member {
  readonly client: RawWebSocketClient;
  readonly welcome: JsonObject;
  readonly name: string;
  readonly #inbox: JsonObject[] = [];

  constructor(client: RawWebSocketClient, welcome: JsonObject) {
    this.client = client;
    this.welcome = welcome;
    this.name = typeof welcome.you === 'string' ? welcome.you : '';
  }

  /** Resolves with the first message (already here or arriving within `timeoutMs`) that `matches`; fails the check otherwise. */
  async waitFor(matches: (message: JsonObject) => boolean, what: string, timeoutMs: number): Promise<JsonObject> {
    const kept = this.#inbox.findIndex(matches);
    if (kept !== -1) return this.#inbox.splice(kept, 1)[0] ?? {};
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let message: unknown;
      try {
        message = await this.client.nextJsonMessage(Math.max(0, deadline - performance.now()));
      } catch (error) {
        const seen = this.#inbox.length === 0 ? 'nothing else' : this.#inbox.slice(-3).map(brief).join(', ');
        if (error instanceof WaitTimeout) throw new CheckFailure(`${this.name} got no ${what} within ${String(timeoutMs)} ms (got ${seen})`);
        throw new CheckFailure(`${this.name} got no ${what}: ${(error as Error).message}`);
      }
      if (!isObject(message)) continue;
      if (matches(message)) return message;
      this.#inbox.push(message);
      // Bounded: a server that sends a flood of other messages cannot fill memory.
      if (this.#inbox.length > 200) this.#inbox.shift();
    }
  }
}

/** Connects one member and reads its welcome; fails the check when the first message is not one. */
async function join(context: CheckContext): Promise<Member> {
  const client = await context.connect([], {}, 'suite');
  let first: unknown;
  try {
    first = await client.nextJsonMessage(context.answerTimeoutMs);
  } catch (error) {
    throw new CheckFailure(`expected a welcome message first: ${(error as Error).message}`);
  }
  expect(isObject(first) && first.type === 'welcome', `expected {"type":"welcome", …} as the first message, got ${brief(first)}`);
  return new Member(client, first);
}

interface ChatState {
  first: Member | null;
  second: Member | null;
  /** The text `first` said, unique to this run. */
  said: string | null;
}

function needs<T>(value: T | null, what: string): T {
  if (value === null) throw new CheckFailure(`not checked: ${what} failed first`);
  return value;
}

/**
 * The Socketbook chat protocol (the reference page's `/ws/chat/:room`),
 * with three members at most. Checks build on each other: a failed one
 * says so in those that needed it.
 */
export const chatSuite = defineSuite<ChatState>({
  name: 'chat',
  summary: 'the Socketbook chat protocol (/ws/chat/:room)',
  createState: () => ({ first: null, second: null, said: null }),
  checks: [
    {
      ...CHAT_EXPECTATIONS.welcome,
      async run(context, state) {
        const member = await join(context);
        const problem = welcomeProblem(member.welcome);
        expect(problem === null, problem ?? '');
        state.first = member;
      },
    },
    {
      ...CHAT_EXPECTATIONS.names,
      async run(context, state) {
        const first = needs(state.first, 'the welcome');
        const second = await join(context);
        state.second = second;
        expect(second.name !== '', `the second welcome has no "you" name: ${brief(second.welcome)}`);
        expect(second.name !== first.name, `both members were named "${first.name}"`);
      },
    },
    {
      ...CHAT_EXPECTATIONS.joined,
      async run(context, state) {
        const first = needs(state.first, 'the welcome');
        const second = needs(state.second, 'the second member');
        await first.waitFor((message) => message.type === 'joined' && message.name === second.name, `"joined" notice for ${second.name}`, context.answerTimeoutMs);
      },
    },
    {
      ...CHAT_EXPECTATIONS.broadcast,
      async run(context, state) {
        const first = needs(state.first, 'the welcome');
        const second = needs(state.second, 'the second member');
        const text = `grader says hello ${crypto.randomUUID().slice(0, 8)}`;
        state.said = text;
        first.client.sendJson({ type: 'say', text });
        const isIt = (message: JsonObject) => message.type === 'message' && message.text === text;
        const toOther = await second.waitFor(isIt, `"message" with the text ${first.name} said`, context.answerTimeoutMs);
        expect(toOther.from === first.name, `the message reached ${second.name} with "from": ${JSON.stringify(toOther.from)}; expected "${first.name}"`);
        const toSender = await first.waitFor(isIt, 'copy of its own message (the sender must get it too)', context.answerTimeoutMs);
        expect(toSender.from === first.name, `the sender's copy has "from": ${JSON.stringify(toSender.from)}; expected "${first.name}"`);
      },
    },
    {
      ...CHAT_EXPECTATIONS.history,
      async run(context, state) {
        const said = needs(state.said, 'the broadcast');
        const third = await join(context);
        const history = Array.isArray(third.welcome.history) ? (third.welcome.history as unknown[]) : [];
        expect(
          history.some((event) => isObject(event) && event.type === 'message' && event.text === said),
          `the welcome's history (${String(history.length)} events) does not hold the message "${said}" said before this member joined`,
        );
      },
    },
    {
      ...CHAT_EXPECTATIONS.left,
      async run(context, state) {
        const first = needs(state.first, 'the welcome');
        const second = needs(state.second, 'the second member');
        second.client.sendFrame({ opcode: 0x8, payload: Uint8Array.from([0x03, 0xe8]) });
        await first.waitFor((message) => message.type === 'left' && message.name === second.name, `"left" notice for ${second.name}`, context.answerTimeoutMs);
      },
    },
  ],
});
