import * as v from 'valibot';
import { integerParameterProblem } from '../../shared/protocol/integer-parameter.ts';
import {
  REALTIME_PARAMETERS,
  realtimeServerMessageSchema,
  realtimeSettingsProblem,
  type RealtimeServerMessage,
  type RealtimeSettings,
} from '../../shared/protocol/realtime.ts';
import { SOCKET_OPEN, type SocketLike } from '../../shared/socket-like.ts';
import { ConnectionTracker, SnapshotStore, type LabConnection, type LabConnectionState } from '../../shared/snapshot-store.ts';

/**
 * `connecting`; `open`: samples flow; `closed`: was open, and the
 * reconnecting socket comes back unless the close code or the reader says
 * not to; `unreachable`: attempts fail without opening.
 */
export type DeadlineConnectionState = LabConnectionState;

/** Bounds of the deadline a reader may set, in milliseconds. */
export const DEADLINE_RANGE = { min: 1, max: 5_000 } as const;

export interface DeadlineOptions {
  /** The deadline each sample is judged against, from its production to its arrival. */
  readonly deadlineMs: number;
  /** How much recent history the chart and the percentiles cover. */
  readonly windowMs: number;
  /** Most points kept, whatever the rate. */
  readonly maxPoints: number;
  /** Clock probes sent when the stream opens; the one with the shortest round trip wins. */
  readonly initialProbes: number;
  /** One more probe after this many samples, to follow a drifting clock. */
  readonly samplesPerProbe: number;
}

export const DEADLINE_DEFAULTS: DeadlineOptions = {
  deadlineMs: 100,
  windowMs: 10_000,
  maxPoints: 2_000,
  initialProbes: 5,
  samplesPerProbe: 250,
};

/** Epoch milliseconds with sub-millisecond precision: `performance.timeOrigin + performance.now()` in a browser. */
export type EpochClock = () => number;

const browserClock: EpochClock = () => performance.timeOrigin + performance.now();

/**
 * The server clock minus this clock, from the best probe: a probe sent at
 * client time t1, stamped s by the server and back at t2 puts the server's
 * stamp at the middle of the round trip, give or take half of it.
 */
export interface ClockEstimate {
  readonly offsetMs: number;
  /** Half the round trip of the probe used: the estimate is within ± this. */
  readonly uncertaintyMs: number;
  readonly probes: number;
}

/** Hard: one miss is a failure of the whole system, and it stays failed. */
export interface HardVerdict {
  readonly state: 'ok' | 'failed';
  readonly judged: number;
  readonly firstMiss: { readonly seq: number; readonly delayMs: number; readonly lateByMs: number } | null;
}

/** Firm: a late result is worthless and discarded; the system degrades with the share discarded. */
export interface FirmVerdict {
  readonly judged: number;
  readonly discarded: number;
}

/** Soft: a late result is worth less the later it is; the score is the mean worth, 0 to 1. */
export interface SoftVerdict {
  readonly judged: number;
  readonly utilitySum: number;
}

export interface DeadlineRun {
  readonly hard: HardVerdict;
  readonly firm: FirmVerdict;
  readonly soft: SoftVerdict;
}

export interface DeadlineSnapshot extends LabConnection {
  readonly state: DeadlineConnectionState;
  /** The settings the server confirmed; `null` until it has. */
  readonly settings: RealtimeSettings | null;
  readonly deadlineMs: number;
  readonly clock: ClockEstimate | null;
  /** Verdicts since the last change of deadline or settings. */
  readonly run: DeadlineRun;
  readonly received: number;
  /** RFC 3550 §6.4.1 interarrival jitter: a running mean of how much consecutive delays differ. */
  readonly jitterMs: number;
  /** A problem with what the reader asked for (not sent), or an error the server reported. */
  readonly problem: string | null;
}

export interface WindowStats {
  readonly count: number;
  /** Samples per second arriving over the window. */
  readonly perSecond: number;
  readonly medianMs: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

/** The worth of a result `lateByMs` after its deadline: full on time, none once a whole deadline late. */
export function softUtility(lateByMs: number, deadlineMs: number): number {
  if (lateByMs <= 0) return 1;
  return Math.max(0, 1 - lateByMs / deadlineMs);
}

const EMPTY_RUN: DeadlineRun = {
  hard: { state: 'ok', judged: 0, firstMiss: null },
  firm: { judged: 0, discarded: 0 },
  soft: { judged: 0, utilitySum: 0 },
};

/** The verdicts after one more sample `delayMs` from production to arrival. */
export function judgeSample(run: DeadlineRun, seq: number, delayMs: number, deadlineMs: number): DeadlineRun {
  const lateByMs = delayMs - deadlineMs;
  const late = lateByMs > 0;
  return {
    hard: {
      state: late ? 'failed' : run.hard.state,
      judged: run.hard.judged + 1,
      firstMiss: run.hard.firstMiss ?? (late ? { seq, delayMs, lateByMs } : null),
    },
    firm: { judged: run.firm.judged + 1, discarded: run.firm.discarded + (late ? 1 : 0) },
    soft: { judged: run.soft.judged + 1, utilitySum: run.soft.utilitySum + softUtility(lateByMs, deadlineMs) },
  };
}

/** The `fraction` quantile of sorted values (nearest rank). */
function quantile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? null;
}

interface ArrivedSample {
  readonly seq: number;
  readonly producedAt: number;
  readonly arrivedAt: number;
}

/**
 * The Deadline lab's state, with no DOM: reads `/ws/realtime` samples,
 * maps the server's production times onto this clock with clock probes,
 * and judges each sample's delay against the deadline three ways. Keeps a
 * bounded window of (arrival, delay) points for the chart.
 */
export class DeadlineStore extends SnapshotStore<DeadlineSnapshot> {
  readonly #socket: SocketLike;
  readonly #now: EpochClock;
  readonly #options: DeadlineOptions;
  /** Arrival times (client epoch ms) and delays of the window, oldest first. */
  readonly #pointTimes: number[] = [];
  readonly #pointDelays: number[] = [];
  /** Samples that arrived before the first clock estimate; judged once it comes. */
  #unjudged: ArrivedSample[] = [];
  readonly #probes = new Map<number, number>();
  #probeResults: { offsetMs: number; roundTripMs: number }[] = [];
  #nextProbeId = 1;
  #previousDelayMs: number | null = null;
  /** First sample of the current run: the settings message says which (earlier ones were made under old settings). */
  #runFromSeq = 1;
  readonly #connection = new ConnectionTracker();

  constructor(socket: SocketLike, options: Partial<DeadlineOptions> = {}, now: EpochClock = browserClock) {
    const resolved = { ...DEADLINE_DEFAULTS, ...options };
    super({
      state: 'connecting',
      settings: null,
      deadlineMs: resolved.deadlineMs,
      clock: null,
      run: EMPTY_RUN,
      received: 0,
      jitterMs: 0,
      problem: null,
      lastClose: null,
      failedAttempts: 0,
    });
    this.#socket = socket;
    this.#now = now;
    this.#options = resolved;
    socket.addEventListener('open', () => {
      // A reconnection is a new stream: its samples are numbered from 1 again.
      this.#previousDelayMs = null;
      this.#runFromSeq = 1;
      this.update(this.#connection.opened());
      this.#probe();
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') this.#receive(event.data, this.#now());
    });
    socket.addEventListener('close', (event) => {
      this.update(this.#connection.closed(event, this.snapshot.failedAttempts));
    });
  }

  /**
   * The chart's window: arrival times in seconds since `originMs` and each
   * sample's delay in ms. The arrays are the store's own; read, do not keep.
   */
  points(originMs: number): { readonly times: number[]; readonly delays: readonly number[] } {
    return { times: this.#pointTimes.map((time) => (time - originMs) / 1000), delays: this.#pointDelays };
  }

  /** Rate and delay percentiles over the window. */
  windowStats(): WindowStats {
    const count = this.#pointDelays.length;
    const sorted = [...this.#pointDelays].sort((a, b) => a - b);
    const first = this.#pointTimes[0];
    const last = this.#pointTimes.at(-1);
    const spanMs = first === undefined || last === undefined ? 0 : last - first;
    return {
      count,
      perSecond: spanMs > 0 ? ((count - 1) * 1000) / spanMs : 0,
      medianMs: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      maxMs: sorted.at(-1) ?? null,
    };
  }

  /** Sets the deadline and starts a new run; refuses (with `problem`) a value out of range. */
  setDeadline(deadlineMs: number): boolean {
    if (!Number.isInteger(deadlineMs) || deadlineMs < DEADLINE_RANGE.min || deadlineMs > DEADLINE_RANGE.max) {
      this.update({
        problem: `The deadline must be a whole number of milliseconds from ${String(DEADLINE_RANGE.min)} to ${String(DEADLINE_RANGE.max)}, got ${String(deadlineMs)}.`,
      });
      return false;
    }
    this.update({ deadlineMs, run: EMPTY_RUN, problem: null });
    return true;
  }

  /**
   * Asks the server to change the impairment (or rate). Checks the values
   * with the same rules as the server first, so a mistake is explained here
   * and nothing is sent.
   */
  configure(changes: Partial<RealtimeSettings>): boolean {
    for (const [field, value] of Object.entries(changes)) {
      const parameter = REALTIME_PARAMETERS[field as keyof RealtimeSettings];
      const problem = integerParameterProblem(parameter, value);
      if (problem !== null) {
        this.update({ problem: `${parameter.description}: ${problem}.` });
        return false;
      }
    }
    const current = this.snapshot.settings;
    const merged = current === null ? null : { ...current, ...changes };
    const problem = merged === null ? null : realtimeSettingsProblem(merged);
    if (problem !== null) {
      this.update({ problem: `${problem}.` });
      return false;
    }
    if (this.#socket.readyState !== SOCKET_OPEN) {
      this.update({ problem: 'Not connected: start the stream first.' });
      return false;
    }
    this.#socket.send(JSON.stringify({ type: 'configure', ...changes }));
    this.update({ problem: null });
    return true;
  }

  /** Starts a new run with the same deadline. */
  resetRun(): void {
    this.update({ run: EMPTY_RUN });
  }

  #receive(raw: string, arrivedAt: number): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return;
    }
    const parsed = v.safeParse(realtimeServerMessageSchema, json);
    if (!parsed.success) return;
    const message: RealtimeServerMessage = parsed.output;
    switch (message.type) {
      case 'sample':
        this.#arrive({ seq: message.seq, producedAt: message.producedAt, arrivedAt });
        break;
      case 'clock':
        this.#probeAnswered(message.id, message.serverTime, arrivedAt);
        break;
      case 'settings': {
        const { ratePerSecond, delayMs, jitterMs, stallEveryMs, stallForMs, fromSeq } = message;
        // Samples made under the old settings may still be on their way: the new run starts at fromSeq.
        this.#runFromSeq = fromSeq;
        this.update({ settings: { ratePerSecond, delayMs, jitterMs, stallEveryMs, stallForMs }, run: EMPTY_RUN });
        break;
      }
      case 'error':
        this.update({ problem: `The server said: ${message.message}` });
        break;
    }
  }

  #arrive(sample: ArrivedSample): void {
    const received = this.snapshot.received + 1;
    if (received % this.#options.samplesPerProbe === 0) this.#probe();
    if (this.snapshot.clock === null) {
      this.#unjudged.push(sample);
      if (this.#unjudged.length > this.#options.maxPoints) this.#unjudged.shift();
      this.update({ received });
      return;
    }
    this.update({ received, ...this.#judge(sample, this.snapshot.clock.offsetMs, this.snapshot.run, this.snapshot.jitterMs) });
  }

  /** Judges one sample: its delay from production (mapped onto this clock) to arrival. */
  #judge(sample: ArrivedSample, offsetMs: number, run: DeadlineRun, jitterMs: number): { run: DeadlineRun; jitterMs: number } {
    const delayMs = sample.arrivedAt + offsetMs - sample.producedAt;
    this.#addPoint(sample.arrivedAt, delayMs);
    // RFC 3550 §6.4.1: J += (|D| - J) / 16, D being the change in transit time between consecutive packets.
    const nextJitter = this.#previousDelayMs === null ? jitterMs : jitterMs + (Math.abs(delayMs - this.#previousDelayMs) - jitterMs) / 16;
    this.#previousDelayMs = delayMs;
    if (sample.seq < this.#runFromSeq) return { run, jitterMs: nextJitter };
    return { run: judgeSample(run, sample.seq, delayMs, this.snapshot.deadlineMs), jitterMs: nextJitter };
  }

  #addPoint(arrivedAt: number, delayMs: number): void {
    this.#pointTimes.push(arrivedAt);
    this.#pointDelays.push(delayMs);
    const oldest = arrivedAt - this.#options.windowMs;
    let drop = 0;
    while (drop < this.#pointTimes.length && ((this.#pointTimes[drop] ?? 0) < oldest || this.#pointTimes.length - drop > this.#options.maxPoints)) drop += 1;
    if (drop > 0) {
      this.#pointTimes.splice(0, drop);
      this.#pointDelays.splice(0, drop);
    }
  }

  #probe(): void {
    if (this.#socket.readyState !== SOCKET_OPEN) return;
    const id = this.#nextProbeId++;
    const clientTime = this.#now();
    this.#probes.set(id, clientTime);
    this.#socket.send(JSON.stringify({ type: 'clock', id, clientTime }));
  }

  #probeAnswered(id: number, serverTime: number, arrivedAt: number): void {
    const sentAt = this.#probes.get(id);
    if (sentAt === undefined) return;
    this.#probes.delete(id);
    const roundTripMs = arrivedAt - sentAt;
    this.#probeResults = [...this.#probeResults, { offsetMs: serverTime - (sentAt + arrivedAt) / 2, roundTripMs }].slice(-8);
    const best = this.#probeResults.reduce((a, b) => (b.roundTripMs < a.roundTripMs ? b : a));
    const clock: ClockEstimate = { offsetMs: best.offsetMs, uncertaintyMs: best.roundTripMs / 2, probes: this.snapshot.clock === null ? 1 : this.snapshot.clock.probes + 1 };
    let { run, jitterMs } = this.snapshot;
    for (const sample of this.#unjudged) ({ run, jitterMs } = this.#judge(sample, clock.offsetMs, run, jitterMs));
    this.#unjudged = [];
    this.update({ clock, run, jitterMs });
    if (clock.probes < this.#options.initialProbes) this.#probe();
  }

}
