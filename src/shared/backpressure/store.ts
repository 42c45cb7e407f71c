/**
 * State of one backpressure lab run, with no DOM and no network of its own:
 * the server's side (from the stats channel, a `SocketLike`), the consumer's
 * side (progress reported by whichever consumer runs), time series for the
 * plots, and how the run ended.
 */
import type { ConsumerProgress } from './consumer.ts';
import { describeEnding, type RunEnding } from './ending.ts';
import type { PageClose, RunConfig } from './run-config.ts';
import {
  backpressureStatsMessage,
  serverFrameBytes,
  type BackpressureEnded,
  type BackpressureHello,
  type BackpressureStats,
} from '../protocol/backpressure.ts';
import { SnapshotStore } from '../snapshot-store.ts';
import type { SocketLike } from '../socket-like.ts';
import * as v from 'valibot';

export { CONSUMER_KINDS, DEFAULT_RUN_CONFIG, runConfigProblem, type ConsumerKind, type PageClose, type RunConfig } from './run-config.ts';

/** `starting`: connecting; `running`; `draining`: finishing without loss; `ended`: the data socket is closed. */
export type RunState = 'starting' | 'running' | 'draining' | 'ended';

/** Columns for the plots, oldest first, at most `MAX_SAMPLES` long. */
export interface RunSeries {
  /** Seconds since the run started. */
  readonly t: number[];
  readonly serverBufferedBytes: number[];
  /** Sent by the server, handed to TCP, not yet received by the page: the kernels and the browser's network stack. */
  readonly inTransitBytes: number[];
  readonly pageBacklogBytes: number[];
  readonly sent: number[];
  readonly received: number[];
  readonly processed: number[];
  /** Age of the last message processed, seconds. */
  readonly ageSeconds: (number | null)[];
  /** Age of the server's oldest unanswered ping, seconds. */
  readonly pingWaitSeconds: number[];
  readonly sentPerSecond: number[];
  readonly processedPerSecond: number[];
  readonly droppedPerSecond: number[];
}

/** 2 minutes at 10 samples a second. */
export const MAX_SAMPLES = 1_200;
/** Rates are averaged over this window. */
const RATE_WINDOW_MS = 1_000;

export interface RunSnapshot {
  readonly state: RunState;
  readonly config: RunConfig;
  readonly hello: BackpressureHello | null;
  readonly elapsedMs: number;
  readonly server: BackpressureStats | null;
  readonly serverEnded: BackpressureEnded | null;
  /** When (run time, seconds) the page learnt that the server ended the connection, for a marker on the plots. */
  readonly serverEndedAtSeconds: number | null;
  readonly consumer: ConsumerProgress;
  readonly pageClose: PageClose | null;
  readonly peakServerBufferedBytes: number;
  readonly peakPageBacklogBytes: number;
  /** Why the stats channel is not reporting, if it is not. */
  readonly statsProblem: string | null;
  readonly ending: RunEnding | null;
  /** Bumped on every change; the series arrays are updated in place. */
  readonly version: number;
  readonly series: RunSeries;
}

export const EMPTY_PROGRESS: ConsumerProgress = {
  received: 0,
  receivedBytes: 0,
  processed: 0,
  backlogMessages: 0,
  backlogBytes: 0,
  droppedReported: 0,
  lastAgeMs: null,
  maxAgeMs: 0,
  creditsGranted: 0,
  finished: null,
};

function emptySeries(): RunSeries {
  return {
    t: [],
    serverBufferedBytes: [],
    inTransitBytes: [],
    pageBacklogBytes: [],
    sent: [],
    received: [],
    processed: [],
    ageSeconds: [],
    pingWaitSeconds: [],
    sentPerSecond: [],
    processedPerSecond: [],
    droppedPerSecond: [],
  };
}

/**
 * One run of the lab. The element feeds it: `hello()` and `progress()` from
 * the consumer, `attachStats()` with the stats socket, `pageClosed()` when the
 * data socket closes, and `sample()` ten times a second for the plots.
 */
export class BackpressureRunStore extends SnapshotStore<RunSnapshot> {
  readonly #series: RunSeries;
  /** Cumulative drops, kept beside the series to compute their rate. */
  readonly #droppedTotals: number[] = [];

  constructor(config: RunConfig) {
    const series = emptySeries();
    super({
      state: 'starting',
      config,
      hello: null,
      elapsedMs: 0,
      server: null,
      serverEnded: null,
      serverEndedAtSeconds: null,
      consumer: EMPTY_PROGRESS,
      pageClose: null,
      peakServerBufferedBytes: 0,
      peakPageBacklogBytes: 0,
      statsProblem: null,
      ending: null,
      version: 0,
      series,
    });
    this.#series = series;
  }

  hello(hello: BackpressureHello): void {
    this.update({ hello, state: this.snapshot.state === 'starting' ? 'running' : this.snapshot.state });
  }

  progress(consumer: ConsumerProgress): void {
    this.update({ consumer, peakPageBacklogBytes: Math.max(this.snapshot.peakPageBacklogBytes, consumer.backlogBytes) });
  }

  /** The reader asked to stop: credit and conflate drain first. */
  draining(): void {
    if (this.snapshot.state === 'running' || this.snapshot.state === 'starting') this.update({ state: 'draining' });
  }

  /** Follows the server's stats channel for this run. */
  attachStats(socket: SocketLike): void {
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let parsed;
      try {
        parsed = v.safeParse(backpressureStatsMessage, JSON.parse(event.data));
      } catch {
        return;
      }
      if (!parsed.success) return;
      const message = parsed.output;
      if (message.type === 'stats') {
        this.update({
          server: message,
          statsProblem: null,
          peakServerBufferedBytes: Math.max(this.snapshot.peakServerBufferedBytes, message.bufferedBytes),
        });
      } else if (message.type === 'ended') {
        this.update({ serverEnded: message, serverEndedAtSeconds: this.snapshot.elapsedMs / 1000 });
      }
    });
    socket.addEventListener('close', (event) => {
      if (this.snapshot.serverEnded !== null) return;
      this.update({
        statsProblem:
          event.code === 1006 && this.snapshot.server === null
            ? 'The stats channel could not connect, so the server\'s side is not shown.'
            : `The stats channel closed (${String(event.code)}${event.reason === '' ? '' : ` "${event.reason}"`}) before the server's final account arrived.`,
      });
    });
  }

  pageClosed(close: PageClose): void {
    if (this.snapshot.pageClose !== null) return;
    this.update({ pageClose: close, state: 'ended', elapsedMs: Math.max(this.snapshot.elapsedMs, close.elapsedMs) });
  }

  /** Appends one point to every series: the latest server stats with the latest consumer counts. */
  sample(elapsedMs: number): void {
    const { server, consumer, config } = this.snapshot;
    const series = this.#series;
    const sent = server?.sent ?? 0;
    const serverBuffered = server?.bufferedBytes ?? 0;
    const inTransit = Math.max(0, (sent - consumer.received) * serverFrameBytes(config.settings.messageBytes) - serverBuffered);
    series.t.push(elapsedMs / 1000);
    series.serverBufferedBytes.push(serverBuffered);
    series.inTransitBytes.push(inTransit);
    series.pageBacklogBytes.push(consumer.backlogBytes);
    series.sent.push(sent);
    series.received.push(consumer.received);
    series.processed.push(consumer.processed);
    series.ageSeconds.push(consumer.lastAgeMs === null ? null : consumer.lastAgeMs / 1000);
    series.pingWaitSeconds.push((server?.oldestPingAgeMs ?? 0) / 1000);
    const dropped = server?.dropped ?? consumer.droppedReported;
    const start = rateWindowStart(series.t, elapsedMs / 1000);
    const span = (series.t.at(-1) ?? 0) - (series.t[start] ?? 0);
    const perSecond = (column: number[], latest: number) => (span <= 0 ? 0 : (latest - (column[start] ?? latest)) / span);
    series.sentPerSecond.push(perSecond(series.sent, sent));
    series.processedPerSecond.push(perSecond(series.processed, consumer.processed));
    this.#droppedTotals.push(dropped);
    series.droppedPerSecond.push(perSecond(this.#droppedTotals, dropped));
    if (series.t.length > MAX_SAMPLES) {
      for (const column of Object.values(series) as unknown[][]) column.shift();
      this.#droppedTotals.shift();
    }
    this.update({ elapsedMs });
  }

  /** Every change bumps `version` and re-describes the ending once either side has seen the connection end. */
  protected override update(change: Partial<RunSnapshot>): void {
    const next = { ...this.snapshot, ...change, version: this.snapshot.version + 1 };
    const ending = next.pageClose === null && next.serverEnded === null ? null : describeEnding(next);
    super.update({ ...change, version: next.version, ending });
  }
}

/** Index of the first sample inside the rate window ending at `nowSeconds`. */
function rateWindowStart(t: readonly number[], nowSeconds: number): number {
  let index = t.length - 1;
  while (index > 0 && (t[index - 1] ?? 0) >= nowSeconds - RATE_WINDOW_MS / 1000) index -= 1;
  return index;
}
