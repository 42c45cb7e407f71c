import { browserCloseProblem } from '../../shared/close-policy.ts';
import { closeScenario, type CloseScenario } from './scenarios.ts';
import type { CloseReport } from '../../shared/protocol/close.ts';
import { SnapshotStore } from '../../shared/snapshot-store.ts';
import type { SocketLike } from '../../shared/socket-like.ts';

/**
 * `idle` before `start()`; `connecting` to `/ws/close/observe`; `ready`
 * once it sent an id; `unavailable` when it closed or could not open (runs
 * still work, without the server's side).
 */
export type ObserverState = 'idle' | 'connecting' | 'ready' | 'unavailable';

/**
 * `running` until the page's close event and the server's report are both
 * in; `done`; `refused` when the request never reached `close()` or the
 * server (invalid input, or the server's error message).
 */
export type CloseRunState = 'running' | 'done' | 'refused';

export interface PageClose {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

export interface CloseRun {
  readonly scenarioId: string;
  /** The `run` label sent to the server. */
  readonly run: string;
  readonly state: CloseRunState;
  /** The page's CloseEvent; `null` while running and when the page never gets one (navigating away). */
  readonly page: PageClose | null;
  /** Whether an `error` event fired before the close. */
  readonly errorEvent: boolean;
  /** From the request (message sent, `close()` called, navigation) to the page's close event. */
  readonly elapsedMs: number | null;
  /** What the server saw; `null` until it arrives, and without an observer. */
  readonly server: CloseReport | null;
  /** Why the run was refused, by the page's check or by the server. */
  readonly refusal: string | null;
}

export interface CloseLabLimits {
  readonly maxMessageBytes: number;
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
}

export interface CloseLabSnapshot {
  readonly observer: ObserverState;
  readonly limits: CloseLabLimits | null;
  /** The latest run of each scenario, by scenario id. */
  readonly runs: Readonly<Record<string, CloseRun>>;
}

/** What a run may need from the page besides a socket. */
export interface CloseRunInput {
  /** For `server-custom` and `client-close`: the code typed, as text (empty means none). */
  readonly code?: string;
  readonly reason?: string;
  /** For `navigate-away`: opens the socket in the frame that will navigate. */
  readonly openInFrame?: (url: string) => SocketLike;
  /** For `navigate-away`: navigates the frame away. */
  readonly navigateFrame?: () => void;
}

export interface CloseLabOptions {
  /** `ws://host:port` of the demo server. */
  readonly server: string;
  /** Opens a WebSocket; the browser's constructor in the page, a fake in tests. */
  readonly openSocket: (url: string) => SocketLike;
  /** Monotonic milliseconds. */
  readonly now?: () => number;
}

/** Pings sent at once by the rate-limit scenario: twice the server's burst. */
export const RATE_LIMIT_PINGS = 40;
/** The message limit assumed when the observer has not said (the server's default). */
const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

interface ObserverMessage {
  readonly type: string;
  readonly observerId?: string;
  readonly maxMessageBytes?: number;
  readonly messagesPerSecond?: number;
  readonly messageBurst?: number;
  readonly run?: string;
  readonly report?: CloseReport;
}

/** Reads a whole-number code typed by the reader; `undefined` for an empty box. */
function parseTypedCode(text: string): number | undefined | string {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (!/^-?\d{1,6}$/.test(trimmed)) return `the close code must be a whole number, got ${JSON.stringify(trimmed.slice(0, 20))}`;
  return Number(trimmed);
}

/**
 * State of the close lab, with no DOM: one run per scenario, each with the
 * CloseEvent the page got and the report of what the server saw, which
 * arrives on a second socket (`/ws/close/observe`) that outlives the closed
 * one.
 */
export class CloseLabStore extends SnapshotStore<CloseLabSnapshot> {
  readonly #options: Required<CloseLabOptions>;
  #observerId: string | null = null;
  /** Scenario id by run label, to file reports. */
  readonly #runsByLabel = new Map<string, string>();
  /** Reports that came before the page's close event. */
  readonly #earlyReports = new Map<string, CloseReport>();
  #nextRun = 1;

  constructor(options: CloseLabOptions) {
    super({ observer: 'idle', limits: null, runs: {} });
    this.#options = { now: () => performance.now(), ...options };
  }



  /** Opens the observer socket. */
  start(): void {
    if (this.snapshot.observer !== 'idle') return;
    this.update({ observer: 'connecting' });
    const observer = this.#options.openSocket(`${this.#options.server}/ws/close/observe`);
    observer.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      this.#observe(JSON.parse(event.data) as ObserverMessage);
    });
    observer.addEventListener('close', () => {
      this.#observerId = null;
      this.update({ observer: 'unavailable' });
      // Reports still awaited will not come: finish those runs with the page's side only.
      for (const current of Object.values(this.snapshot.runs)) {
        if (current.state === 'running' && (current.page !== null || scenarioKind(current.scenarioId) === 'navigate-away')) {
          this.#patchRun(current.scenarioId, current.run, { state: 'done' });
        }
      }
    });
  }

  /** Runs `scenarioId`; a new run replaces that scenario's previous one. */
  run(scenarioId: string, input: CloseRunInput = {}): void {
    const scenario = closeScenario(scenarioId);
    const run = `${scenario.id}-${String(this.#nextRun++)}`;
    const refusal = this.#checkInput(scenario, input);
    if (refusal !== null) {
      this.#setRun(scenario.id, { scenarioId: scenario.id, run, state: 'refused', page: null, errorEvent: false, elapsedMs: null, server: null, refusal });
      return;
    }
    this.#runsByLabel.set(run, scenario.id);
    this.#setRun(scenario.id, { scenarioId: scenario.id, run, state: 'running', page: null, errorEvent: false, elapsedMs: null, server: null, refusal: null });
    const query = this.#observerId === null ? '' : `?observer=${encodeURIComponent(this.#observerId)}&run=${encodeURIComponent(run)}`;
    const url = `${this.#options.server}/ws/close${query}`;
    const socket = scenario.kind === 'navigate-away' && input.openInFrame !== undefined ? input.openInFrame(url) : this.#options.openSocket(url);
    let requestedAt: number | null = null;
    socket.addEventListener('open', () => {
      requestedAt = this.#options.now();
      this.#request(scenario, socket, input);
    });
    socket.addEventListener('error', () => {
      this.#patchRun(scenario.id, run, { errorEvent: true });
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      const message = JSON.parse(event.data) as { type?: string; message?: string };
      if (message.type === 'error' && scenario.kind === 'server-custom') {
        this.#patchRun(scenario.id, run, { state: 'refused', refusal: `The server refused: ${message.message ?? ''}` });
        socket.close(1000, 'request refused');
      }
    });
    socket.addEventListener('close', (event) => {
      const current = this.snapshot.runs[scenario.id];
      if (current?.run !== run || current.state === 'refused') return;
      const page = { code: event.code, reason: event.reason, wasClean: event.wasClean };
      const elapsedMs = requestedAt === null ? null : this.#options.now() - requestedAt;
      const early = this.#earlyReports.get(run) ?? null;
      this.#earlyReports.delete(run);
      const server = early ?? current.server;
      const waitForReport = server === null && this.#observerId !== null;
      this.#patchRun(scenario.id, run, { page, elapsedMs, server, state: waitForReport ? 'running' : 'done' });
    });
  }

  /** Checks what the reader typed before anything is sent. */
  #checkInput(scenario: CloseScenario, input: CloseRunInput): string | null {
    if (scenario.kind === 'navigate-away') {
      if (input.openInFrame === undefined || input.navigateFrame === undefined) return 'Not run: this scenario needs a frame to navigate.';
      // The page never sees this close: only the server's report shows it.
      if (this.#observerId === null) return "Not run: only the server can see this close, and the lab's report connection is not open.";
    }
    if (scenario.kind !== 'client-close' && scenario.kind !== 'server-custom') return null;
    const code = parseTypedCode(input.code ?? '');
    if (typeof code === 'string') return `Not sent: ${code}.`;
    if (scenario.kind === 'server-custom') return code === undefined ? 'Not sent: type a close code for the server to use.' : null;
    const problem = browserCloseProblem(code, input.reason ?? '');
    return problem === null ? null : `Not sent: ${problem}.`;
  }

  /** Makes the request once the scenario's socket is open. */
  #request(scenario: CloseScenario, socket: SocketLike, input: CloseRunInput): void {
    switch (scenario.kind) {
      case 'server-request':
        socket.send(JSON.stringify({ type: 'close-request', ...scenario.request }));
        break;
      case 'server-custom': {
        const code = Number((input.code ?? '').trim());
        socket.send(JSON.stringify({ type: 'close-request', action: 'close', code, reason: input.reason ?? '' }));
        break;
      }
      case 'rate-limit':
        for (let index = 0; index < RATE_LIMIT_PINGS; index++) socket.send('{"type":"ping"}');
        break;
      case 'oversize': {
        const limit = this.snapshot.limits?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
        socket.send('x'.repeat(limit + 1));
        break;
      }
      case 'client-close': {
        const code = parseTypedCode(input.code ?? '');
        if (typeof code === 'number') socket.close(code, input.reason ?? '');
        else socket.close();
        break;
      }
      case 'navigate-away':
        input.navigateFrame?.();
        break;
    }
  }

  #observe(message: ObserverMessage): void {
    if (message.type === 'observer' && typeof message.observerId === 'string') {
      this.#observerId = message.observerId;
      this.update({
        observer: 'ready',
        limits: {
          maxMessageBytes: message.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
          messagesPerSecond: message.messagesPerSecond ?? 0,
          messageBurst: message.messageBurst ?? 0,
        },
      });
      return;
    }
    if (message.type !== 'report' || message.run === undefined || message.report === undefined) return;
    const scenarioId = this.#runsByLabel.get(message.run);
    this.#runsByLabel.delete(message.run);
    const current = scenarioId === undefined ? undefined : this.snapshot.runs[scenarioId];
    if (scenarioId === undefined || current?.run !== message.run) return;
    // The page's close event usually comes first; a navigated frame's never comes.
    const pageDone = current.page !== null || scenarioKind(scenarioId) === 'navigate-away';
    if (!pageDone) {
      this.#earlyReports.set(message.run, message.report);
      return;
    }
    this.#patchRun(scenarioId, message.run, { server: message.report, state: current.state === 'refused' ? 'refused' : 'done' });
  }

  #setRun(scenarioId: string, run: CloseRun): void {
    this.update({ runs: { ...this.snapshot.runs, [scenarioId]: run } });
  }

  /** Changes a run, unless a newer run of the scenario replaced it. */
  #patchRun(scenarioId: string, run: string, change: Partial<CloseRun>): void {
    const current = this.snapshot.runs[scenarioId];
    if (current?.run !== run) return;
    this.#setRun(scenarioId, { ...current, ...change });
  }

}

function scenarioKind(id: string): CloseScenario['kind'] {
  return closeScenario(id).kind;
}
