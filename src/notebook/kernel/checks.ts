import type { CheckResult } from './protocol.ts';

/**
 * The functions an exercise's hidden checks are written with. Check code
 * runs after the reader's code, in the same scope, so it can read the
 * reader's variables directly; these helpers turn what it finds into results
 * with specific reasons ("expected the close code 1000, got 1006").
 */

/** A failed expectation, carrying the reason shown to the reader. */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

export interface CheckRecorder {
  readonly results: CheckResult[];
}

/** What a check can see of a socket the reader's code opened. */
export interface SocketSummary {
  readonly url: string;
  readonly protocol: string;
  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  readonly readyState: number;
  readonly opened: boolean;
  /** Messages sent, as strings or `Uint8Array`s. */
  readonly sent: readonly unknown[];
  /** Messages received, as strings, `ArrayBuffer`s or `Blob`s. */
  readonly received: readonly unknown[];
  readonly close: { readonly code: number; readonly reason: string; readonly wasClean: boolean } | null;
}

export interface CheckContext {
  /** Sockets the reader's code opened. */
  sockets(): readonly SocketSummary[];
  /** Console lines the reader's code printed, as text. */
  logs(): readonly string[];
  readonly scope: Record<string, unknown>;
  readonly server: string;
}

/** `JSON.stringify`, typed as it behaves: `undefined` for symbols. */
const stringify: (value: unknown) => string | undefined = JSON.stringify;

/** `"text"`, `1000`, `[1,2]`: how values appear in failure messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  try {
    return stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function sameValue(actual: unknown, expected: unknown): boolean {
  if (Object.is(actual, expected)) return true;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) return false;
  try {
    return JSON.stringify(actual) === JSON.stringify(expected);
  } catch {
    return false;
  }
}

export function createCheckApi(recorder: CheckRecorder, context: CheckContext) {
  const fail = (message: string): never => {
    throw new CheckFailure(message);
  };
  return {
    /** Runs one named check; a thrown failure becomes its reason. Checks run in order. */
    async check(name: string, body: () => unknown): Promise<boolean> {
      try {
        await body();
        recorder.results.push({ name, passed: true, message: null });
        return true;
      } catch (error) {
        const message =
          error instanceof CheckFailure ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        recorder.results.push({ name, passed: false, message });
        return false;
      }
    },
    /** Fails with "expected <what> <expected>, got <actual>" unless the two are equal (deeply, for plain data). */
    expectEqual(actual: unknown, expected: unknown, what: string): void {
      if (!sameValue(actual, expected)) fail(`expected ${what} ${describeValue(expected)}, got ${describeValue(actual)}`);
    },
    /** Fails with `message` unless `condition` is truthy. */
    expectTrue(condition: unknown, message: string): void {
      if (!condition) fail(message);
    },
    fail,
    /**
     * Polls `probe` every 20 ms until it returns something truthy, and returns
     * it; fails with "timed out after N s waiting for <what>". Default 3 s.
     */
    async waitFor<T>(probe: () => T, what: string, timeoutMs = 3_000): Promise<NonNullable<T>> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value !== undefined && value !== null && value !== false) return value;
        if (Date.now() >= deadline) return fail(`timed out after ${String(timeoutMs / 1000)} s waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    /**
     * Polls `probe` every 20 ms for up to `ms`; returns its first truthy
     * value, or `null` (unlike `waitFor`, not finding it is not a failure).
     */
    async within<T>(ms: number, probe: () => T): Promise<NonNullable<T> | null> {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const value = probe();
        if (value !== undefined && value !== null && value !== false && value !== 0 && value !== '') return value;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const last = probe();
      return last === undefined || last === null || last === false || last === 0 || last === '' ? null : last;
    },
    /** How `promise` settled within `timeoutMs` (default 5 s): `{ value }`, `{ error }` or `{ timedOut: true }`. */
    settle<T>(promise: Promise<T> | T, timeoutMs = 5_000): Promise<{ value: T } | { error: unknown } | { timedOut: true }> {
      return Promise.race([
        Promise.resolve(promise).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        ),
        new Promise<{ timedOut: true }>((resolve) => setTimeout(() => resolve({ timedOut: true }), timeoutMs)),
      ]);
    },
    sockets: () => context.sockets(),
    /** The last socket the reader's code opened; fails when it opened none. */
    lastSocket(): SocketSummary {
      const all = context.sockets();
      return all.at(-1) ?? fail('expected your code to open a WebSocket, but it opened none');
    },
    logs: () => context.logs(),
    /** The value of a variable the reader's code declared; fails when there is none. */
    variable(name: string): unknown {
      if (!(name in context.scope)) fail(`expected your code to declare a variable named ${name}`);
      return context.scope[name];
    },
    SERVER: context.server,
  };
}
