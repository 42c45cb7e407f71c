import { RawWebSocketClient, type RawClientOptions } from './raw-client.ts';

/**
 * What one graded connection may take from the server: the largest echo is
 * 65,536 bytes, so a server that sends more is misbehaving, not being graded.
 */
export const GRADER_CONNECTION_LIMITS = {
  maxPayloadBytes: 256 * 1024,
  maxReceivedBytes: 1024 * 1024,
  autoPong: true,
} as const;

/** A check's verdict: `pass`, or `fail` with what went wrong. */
export type Verdict = 'pass' | 'fail';

export interface CheckResult {
  readonly suite: SuiteName;
  readonly name: string;
  readonly verdict: Verdict;
  /** Wall-clock time the check took, in milliseconds. */
  readonly ms: number;
  /** What was seen when it failed (`null` when it passed). */
  readonly detail: string | null;
  /** What to fix when it failed (`null` when it passed). */
  readonly hint: string | null;
}

/** Thrown by a check to fail it with what it saw. */
export class CheckFailure extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'CheckFailure';
  }
}

/** Fails the running check with `detail` unless `condition` holds. */
export function expect(condition: boolean, detail: string): asserts condition {
  if (!condition) throw new CheckFailure(detail);
}

export const SUITE_NAMES = ['handshake', 'echo', 'chat', 'heartbeat'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

/** What a check may use: the student's URL and connections the runner closes afterwards. */
export interface CheckContext {
  readonly url: string;
  /** How long to wait for any one answer. */
  readonly answerTimeoutMs: number;
  /**
   * Opens a raw connection to `url`, answering pings; the runner closes it
   * after the check, or after the suite when `keep` is `'suite'` (for
   * checks that build on the one before, as the chat's do).
   */
  connect(headers?: readonly [string, string][], options?: Partial<RawClientOptions>, keep?: 'check' | 'suite'): Promise<RawWebSocketClient>;
  /** Sends a handshake and returns the answer whatever its status; the runner closes the socket after the check. */
  handshake(headers?: readonly [string, string][]): ReturnType<typeof RawWebSocketClient.handshake>;
}

export interface Check<State> {
  readonly name: string;
  /** What to look at in the server when this check fails. */
  readonly hint: string;
  /** Longest the check may take; a slower one fails (default: the runner's answer timeout × 2). */
  readonly timeoutMs?: (context: CheckContext, state: State) => number;
  /** Passes by returning; fails by throwing (a `CheckFailure` says what was seen). */
  run(context: CheckContext, state: State): Promise<void>;
}

/** A suite: checks run in order, sharing `State` made fresh for each run. */
export interface Suite<State = unknown> {
  readonly name: SuiteName;
  readonly summary: string;
  createState(): State;
  readonly checks: readonly Check<State>[];
}

/** A suite whose state type is hidden, so suites of different states sit in one list. */
export interface AnySuite {
  readonly name: SuiteName;
  readonly summary: string;
  readonly checkNames: readonly string[];
  /** The hint a failed check shows, by the check's name. */
  hintOf(name: string): string | undefined;
  run(context: RunContext, report: (result: CheckResult) => void): Promise<void>;
}

/** What the runner gives every suite. */
export interface RunContext {
  readonly url: string;
  readonly answerTimeoutMs: number;
  /** Past this instant (`performance.now()`) no check starts and the running one is cut short. */
  readonly deadline: number;
  /** Most connections open at once, over the whole run. */
  readonly maxConnections: number;
  /** For `wss://`: a certificate (PEM) to trust, such as the server's self-signed one. */
  readonly ca: string | null;
  /** Set once a connection got an HTTP answer, so a later refused connection reads as a crash. */
  answeredOnce: boolean;
}

/** Bundles a suite with its state type. */
export function defineSuite<State>(suite: Suite<State>): AnySuite {
  return {
    name: suite.name,
    summary: suite.summary,
    checkNames: suite.checks.map((check) => check.name),
    hintOf: (name) => suite.checks.find((check) => check.name === name)?.hint,
    run: (context, report) => runSuite(suite, context, report),
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A place for one connection, taken before it opens so the limit counts it.
 * A connection that opens after its check was cut short and its slot closed
 * is closed at once, so no connection outlives its check.
 */
class Slot {
  #close: (() => void) | null = null;
  #closed = false;

  hold(close: () => void): void {
    if (this.#closed) close();
    else this.#close = close;
  }

  close(): void {
    this.#closed = true;
    this.#close?.();
  }
}

async function runSuite<State>(suite: Suite<State>, run: RunContext, report: (result: CheckResult) => void): Promise<void> {
  const state = suite.createState();
  const keptForSuite: Slot[] = [];
  try {
    for (const check of suite.checks) {
      const started = performance.now();
      const opened: Slot[] = [];
      const reserve = (list: Slot[]): Slot => {
        if (opened.length + keptForSuite.length >= run.maxConnections) {
          throw new Error(`the grader opens at most ${String(run.maxConnections)} connections at once`);
        }
        const slot = new Slot();
        list.push(slot);
        return slot;
      };
      const context: CheckContext = {
        url: run.url,
        answerTimeoutMs: run.answerTimeoutMs,
        async connect(headers = [], options = {}, keep = 'check') {
          const slot = reserve(keep === 'suite' ? keptForSuite : opened);
          const client = await RawWebSocketClient.connect(run.url, headers, { ...GRADER_CONNECTION_LIMITS, timeoutMs: run.answerTimeoutMs, ca: run.ca, ...options });
          run.answeredOnce = true;
          slot.hold(() => client.closeGracefully());
          return client;
        },
        async handshake(headers = []) {
          const slot = reserve(opened);
          const response = await RawWebSocketClient.handshake(run.url, headers, { timeoutMs: run.answerTimeoutMs, ca: run.ca });
          run.answeredOnce = true;
          slot.hold(() => response.socket.destroy());
          return response;
        },
      };
      const limitMs = Math.min(check.timeoutMs?.(context, state) ?? run.answerTimeoutMs * 2, Math.max(0, run.deadline - started));
      let detail: string | null = null;
      // Under a millisecond left is no time to connect: say so rather than "no verdict within 0 ms".
      if (limitMs < 1) {
        detail = 'not run: the grader\'s overall time limit was reached';
      } else {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CheckFailure(`no verdict within ${String(Math.round(limitMs))} ms`)), limitMs);
        });
        try {
          await Promise.race([check.run(context, state), timeout]);
        } catch (error) {
          detail = describeError(error);
          if (run.answeredOnce && /^cannot connect to .*ECONNREFUSED/.test(detail)) {
            detail += ' (it accepted connections earlier in this run: did an earlier check crash the server? With `ws`, a socket without an "error" listener throws on a protocol error, such as invalid UTF-8)';
          }
        } finally {
          clearTimeout(timer);
          for (const connection of opened) connection.close();
        }
      }
      report({
        suite: suite.name,
        name: check.name,
        verdict: detail === null ? 'pass' : 'fail',
        ms: Math.round(performance.now() - started),
        detail,
        hint: detail === null ? null : check.hint,
      });
    }
  } finally {
    for (const connection of keptForSuite) connection.close();
  }
}
