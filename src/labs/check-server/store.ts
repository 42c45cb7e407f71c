import { SnapshotStore } from '../../shared/snapshot-store.ts';
import { closeInfoOf, type CloseInfo, type SocketLike } from '../../shared/socket-like.ts';
import { ECHO_CASES, describeMessage, echoMismatch, type EchoMessage } from '../../shared/grading/echo.ts';
import { CHAT_EXPECTATIONS, brief, isObject, welcomeProblem, type JsonObject } from '../../shared/grading/chat.ts';

/** What the server at the URL speaks: the echo protocol, or the Socketbook chat. */
export type CheckServerMode = 'echo' | 'chat';

export type CheckState = 'waiting' | 'running' | 'pass' | 'fail';

export interface PanelCheck {
  readonly name: string;
  readonly hint: string;
  readonly state: CheckState;
  /** What was seen when it failed (`null` otherwise). */
  readonly detail: string | null;
  /** How long it took, once it has a verdict. */
  readonly ms: number | null;
}

export interface CheckServerSnapshot {
  readonly state: 'idle' | 'running' | 'done';
  readonly url: string | null;
  readonly mode: CheckServerMode;
  readonly checks: readonly PanelCheck[];
}

export const CHECK_SERVER_DEFAULTS = {
  /** How long to wait for any one answer, as the terminal grader does. */
  answerTimeoutMs: 5_000,
} as const;

/** Opens a browser WebSocket (or a fake in unit tests) to `url`. */
export type OpenSocket = (url: string) => SocketLike;

const PAGE_REFUSAL =
  'A page cannot tell why: a refused handshake (any HTTP status), a wrong Sec-WebSocket-Accept and a server that is not listening all reach it as 1006. ' +
  'Run npm run grade -- <url> (or npm run client) in a terminal to see the HTTP answer.';

/** Thrown by a check to fail it with what it saw. */
class PanelFailure extends Error {}

const MAX_INBOX = 200;

/**
 * One connection as a check uses it: messages kept in order until read,
 * the close event kept once it comes. Bounded: a server that floods fills
 * at most MAX_INBOX messages, then the oldest go.
 */
class PanelConnection {
  readonly #socket: SocketLike;
  readonly #inbox: EchoMessage[] = [];
  #opened = false;
  #close: CloseInfo | null = null;
  #wake: (() => void) | null = null;

  constructor(socket: SocketLike) {
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      this.#opened = true;
      this.#notify();
    });
    socket.addEventListener('message', (event) => {
      const data = event.data;
      if (typeof data === 'string') this.#inbox.push({ type: 'text', payload: new TextEncoder().encode(data) });
      else if (data instanceof ArrayBuffer) this.#inbox.push({ type: 'binary', payload: new Uint8Array(data) });
      if (this.#inbox.length > MAX_INBOX) this.#inbox.shift();
      this.#notify();
    });
    socket.addEventListener('close', (event) => {
      this.#close = closeInfoOf(event);
      this.#notify();
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Resolves once `ready()` returns a value, or with `null` after `timeoutMs`. */
  async #until<T>(ready: () => T | null, timeoutMs: number): Promise<T | null> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const value = ready();
      if (value !== null) return value;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  get closeInfo(): CloseInfo | null {
    return this.#close;
  }

  /** Waits for the open event; fails with what the page saw instead. */
  async opened(url: string, timeoutMs: number): Promise<void> {
    const outcome = await this.#until(() => (this.#opened ? 'open' : this.#close === null ? null : 'closed'), timeoutMs);
    if (outcome === 'open') return;
    if (outcome === null) throw new PanelFailure(`no open event within ${String(timeoutMs)} ms from ${url}`);
    throw new PanelFailure(`the connection to ${url} closed with ${String(this.#close?.code)} before it opened. ${PAGE_REFUSAL}`);
  }

  /** The next message; fails when the connection closes or nothing comes in time. */
  async next(timeoutMs: number, instead: string): Promise<EchoMessage> {
    const message = await this.#until(() => this.#inbox.shift() ?? (this.#close === null ? null : 'closed'), timeoutMs);
    if (message === null) throw new PanelFailure(`${instead}: nothing came within ${String(timeoutMs)} ms`);
    if (message === 'closed') throw new PanelFailure(`${instead}: the server closed the connection with ${closeText(this.#close)}`);
    return message;
  }

  /** The next JSON object; other messages are skipped (bounded by the inbox). */
  async nextJson(timeoutMs: number, instead: string): Promise<JsonObject> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const message = await this.next(Math.max(0, deadline - performance.now()), instead);
      if (message.type !== 'text') continue;
      try {
        const parsed: unknown = JSON.parse(new TextDecoder().decode(message.payload));
        if (isObject(parsed)) return parsed;
      } catch {
        // Not JSON: a chat server sends only JSON, so skip it and keep waiting.
      }
    }
  }

  async waitFor(matches: (message: JsonObject) => boolean, timeoutMs: number, instead: string): Promise<JsonObject> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const message = await this.nextJson(Math.max(0, deadline - performance.now()), instead);
      if (matches(message)) return message;
    }
  }

  send(message: EchoMessage): void {
    if (message.type === 'text') this.#socket.send(new TextDecoder().decode(message.payload));
    else this.#socket.send(message.payload.slice().buffer);
  }

  sendJson(value: unknown): void {
    this.#socket.send(JSON.stringify(value));
  }

  /** Closes from the page with `code` and waits for the close event. */
  async closeAndWait(code: number, reason: string, timeoutMs: number): Promise<CloseInfo | null> {
    if (this.#close === null) this.#socket.close(code, reason);
    return this.#until(() => this.#close, timeoutMs);
  }

  dispose(): void {
    if (this.#close === null) this.#socket.close(1000, 'check done');
  }
}

function closeText(close: CloseInfo | null): string {
  if (close === null) return 'nothing';
  const reason = close.reason === '' ? '' : ` "${close.reason}"`;
  if (close.code === 1006) return `1006${reason} (no close frame reached the page: the server dropped the connection, or the browser failed it over a frame it could not accept)`;
  if (close.code === 1009) return `1009${reason} (Message Too Big: the server's size limit is below this message)`;
  return `${String(close.code)}${reason}`;
}

interface PanelCheckDefinition {
  readonly name: string;
  readonly hint: string;
  run(context: RunContext): Promise<void>;
}

interface RunContext {
  readonly url: string;
  readonly answerTimeoutMs: number;
  /** Opens a connection the runner closes after the check, or after the run when `keep` is `'run'`. */
  connect(keep?: 'check' | 'run'): Promise<PanelConnection>;
  /** Members the chat checks share, in joining order. */
  readonly members: { connection: PanelConnection; name: string }[];
}

const HANDSHAKE_CHECK: PanelCheckDefinition = {
  name: 'accepts the handshake (the page gets an open event)',
  hint: 'Answer the upgrade with 101 Switching Protocols and a correct Sec-WebSocket-Accept. If this fails, run the terminal grader\'s handshake suite: it sees the HTTP status the page cannot.',
  async run(context) {
    await context.connect();
  },
};

const CLOSE_CHECK: PanelCheckDefinition = {
  name: 'answers the page\'s close: the page sees a clean 1000',
  hint: 'RFC 6455 §5.5.1: when a close frame arrives, send one back (usually with the same code), then close the TCP connection. The page then sees wasClean true and the code you sent.',
  async run(context) {
    const connection = await context.connect();
    const close = await connection.closeAndWait(1000, 'check done', context.answerTimeoutMs);
    if (close === null) throw new PanelFailure(`the page closed with 1000; no close event within ${String(context.answerTimeoutMs)} ms`);
    if (close.code !== 1000 || !close.wasClean) {
      throw new PanelFailure(`the page closed with 1000 and saw ${closeText(close)}${close.wasClean ? '' : ', wasClean false'}; expected the server's close frame with 1000`);
    }
  },
};

const ECHO_CHECKS: readonly PanelCheckDefinition[] = ECHO_CASES.map((echoCase) => ({
  name: echoCase.name,
  hint: echoCase.hint,
  async run(context) {
    const connection = await context.connect();
    for (const message of echoCase.messages()) {
      connection.send(message);
      const answer = await connection.next(context.answerTimeoutMs, `sent a ${describeMessage(message.type, message.payload)}; instead of its echo`);
      const mismatch = echoMismatch(message, answer, echoCase.sameType);
      if (mismatch !== null) throw new PanelFailure(mismatch);
    }
  },
}));

/** Joins the room and reads the welcome; the member stays for the next checks. */
async function join(context: RunContext): Promise<{ connection: PanelConnection; name: string }> {
  const connection = await context.connect('run');
  const first = await connection.nextJson(context.answerTimeoutMs, 'expected a welcome message first');
  const problem = welcomeProblem(first);
  if (problem !== null) throw new PanelFailure(problem);
  const member = { connection, name: String(first.you) };
  context.members.push(member);
  return member;
}

function member(context: RunContext, index: number, what: string): { connection: PanelConnection; name: string } {
  const found = context.members[index];
  if (found === undefined) throw new PanelFailure(`not checked: ${what} failed first`);
  return found;
}

const CHAT_CHECKS: readonly PanelCheckDefinition[] = [
  {
    ...CHAT_EXPECTATIONS.welcome,
    async run(context) {
      await join(context);
    },
  },
  {
    ...CHAT_EXPECTATIONS.names,
    async run(context) {
      const first = member(context, 0, 'the welcome');
      const second = await join(context);
      if (second.name === first.name) throw new PanelFailure(`both members were named "${first.name}"`);
    },
  },
  {
    ...CHAT_EXPECTATIONS.joined,
    async run(context) {
      const first = member(context, 0, 'the welcome');
      const second = member(context, 1, 'the second member');
      await first.connection.waitFor((message) => message.type === 'joined' && message.name === second.name, context.answerTimeoutMs, `${first.name} got no "joined" notice for ${second.name}`);
    },
  },
  {
    ...CHAT_EXPECTATIONS.broadcast,
    async run(context) {
      const first = member(context, 0, 'the welcome');
      const second = member(context, 1, 'the second member');
      const text = `panel says hello ${crypto.randomUUID().slice(0, 8)}`;
      first.connection.sendJson({ type: 'say', text });
      const isIt = (message: JsonObject) => message.type === 'message' && message.text === text;
      const toOther = await second.connection.waitFor(isIt, context.answerTimeoutMs, `${second.name} got no "message" with the text ${first.name} said`);
      if (toOther.from !== first.name) throw new PanelFailure(`the message reached ${second.name} with "from": ${brief(toOther.from)}; expected "${first.name}"`);
      await first.connection.waitFor(isIt, context.answerTimeoutMs, `${first.name} got no copy of its own message (the sender must get it too)`);
    },
  },
];

/** The checks of a mode, in the order they run. */
export function checksFor(mode: CheckServerMode): readonly PanelCheckDefinition[] {
  return mode === 'echo' ? [HANDSHAKE_CHECK, ...ECHO_CHECKS, CLOSE_CHECK] : [HANDSHAKE_CHECK, ...CHAT_CHECKS, CLOSE_CHECK];
}

function waiting(mode: CheckServerMode): PanelCheck[] {
  return checksFor(mode).map((check) => ({ name: check.name, hint: check.hint, state: 'waiting', detail: null, ms: null }));
}

/**
 * The "Check my server" panel's state, with no DOM: runs the checks a
 * browser can make against a student's server, one at a time, each on its
 * own connection (the chat's members stay for the run), at most 3 open at
 * once and about 131 KB sent in all.
 */
export class CheckServerStore extends SnapshotStore<CheckServerSnapshot> {
  readonly #open: OpenSocket;
  readonly #answerTimeoutMs: number;

  constructor(open: OpenSocket, options: { answerTimeoutMs?: number } = {}) {
    super({ state: 'idle', url: null, mode: 'echo', checks: waiting('echo') });
    this.#open = open;
    this.#answerTimeoutMs = options.answerTimeoutMs ?? CHECK_SERVER_DEFAULTS.answerTimeoutMs;
  }

  /** Shows the checks `mode` will run, before a run. */
  choose(mode: CheckServerMode): void {
    if (this.snapshot.state === 'running') return;
    this.update({ mode, state: 'idle', checks: waiting(mode) });
  }

  /** Runs every check of `mode` against `url` (already validated); ignored while a run is going. */
  async run(url: string, mode: CheckServerMode): Promise<void> {
    if (this.snapshot.state === 'running') return;
    const checks = waiting(mode);
    this.update({ state: 'running', url, mode, checks });
    const keptForRun: PanelConnection[] = [];
    const members: RunContext['members'] = [];
    try {
      for (const [index, check] of checksFor(mode).entries()) {
        const opened: PanelConnection[] = [];
        const started = performance.now();
        this.#set(checks, index, { state: 'running' });
        const checkContext: RunContext = {
          url,
          answerTimeoutMs: this.#answerTimeoutMs,
          members,
          connect: async (keep = 'check') => {
            const connection = new PanelConnection(this.#open(url));
            (keep === 'run' ? keptForRun : opened).push(connection);
            await connection.opened(url, this.#answerTimeoutMs);
            return connection;
          },
        };
        let detail: string | null = null;
        try {
          await check.run(checkContext);
        } catch (error) {
          detail = error instanceof Error ? error.message : String(error);
        } finally {
          for (const connection of opened) connection.dispose();
        }
        this.#set(checks, index, { state: detail === null ? 'pass' : 'fail', detail, ms: Math.round(performance.now() - started) });
      }
    } finally {
      for (const connection of keptForRun) connection.dispose();
      this.update({ state: 'done' });
    }
  }

  #set(checks: PanelCheck[], index: number, change: Partial<PanelCheck>): void {
    const current = checks[index];
    if (current === undefined) return;
    checks[index] = { ...current, ...change };
    this.update({ checks: [...checks] });
  }
}
