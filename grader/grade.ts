import { SUITE_NAMES, type CheckResult, type SuiteName } from './check.ts';
import { SUITES } from './suites/index.ts';
import { urlProblem } from '../src/shared/grading/url.ts';

export { urlProblem };

export interface GradeOptions {
  /** The student's server: a `ws://` or `wss://` URL, the only address the grader connects to. */
  readonly url: string;
  readonly suites: readonly SuiteName[];
  /** How long to wait for any one answer. */
  readonly answerTimeoutMs: number;
  /** The whole run stops after this long; checks not started by then fail as "not run". */
  readonly overallTimeoutMs: number;
  /** Connections open at once, at most (the chat suite needs 3). */
  readonly maxConnections: number;
  /** For `wss://`: a certificate (PEM) to trust besides the system's, such as the server's self-signed one. */
  readonly ca: string | null;
  /** Called with each result as it comes, for a live report. */
  readonly onResult?: (result: CheckResult) => void;
}

export const GRADE_DEFAULTS = {
  suites: ['handshake', 'echo'] as readonly SuiteName[],
  answerTimeoutMs: 5_000,
  overallTimeoutMs: 120_000,
  maxConnections: 4,
  ca: null,
} as const;

export interface GradeReport {
  readonly url: string;
  readonly suites: readonly SuiteName[];
  readonly results: readonly CheckResult[];
  readonly passed: number;
  readonly failed: number;
  /** Wall-clock time of the whole run, in milliseconds. */
  readonly ms: number;
}

/** Runs the suites against the server, one check at a time, and returns every verdict. */
export async function grade(options: Partial<GradeOptions> & Pick<GradeOptions, 'url'>): Promise<GradeReport> {
  const settings = { ...GRADE_DEFAULTS, ...options };
  const problem = urlProblem(settings.url);
  if (problem !== null) throw new TypeError(problem);
  for (const name of settings.suites) {
    if (!(SUITE_NAMES as readonly string[]).includes(name)) throw new TypeError(`unknown suite "${name}"; expected some of ${SUITE_NAMES.join(', ')}`);
  }
  if (settings.maxConnections < 3) throw new TypeError(`maxConnections must be at least 3 (the chat suite's members), got ${String(settings.maxConnections)}`);
  const started = performance.now();
  const deadline = started + settings.overallTimeoutMs;
  const results: CheckResult[] = [];
  const run = { url: settings.url, answerTimeoutMs: settings.answerTimeoutMs, deadline, maxConnections: settings.maxConnections, ca: settings.ca, answeredOnce: false };
  for (const name of settings.suites) {
    await SUITES[name].run(
      run,
      (result) => {
        results.push(result);
        settings.onResult?.(result);
      },
    );
  }
  const passed = results.filter((result) => result.verdict === 'pass').length;
  return { url: settings.url, suites: settings.suites, results, passed, failed: results.length - passed, ms: Math.round(performance.now() - started) };
}
