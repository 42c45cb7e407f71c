import { readIntegerQuery } from '../../../src/shared/protocol/integer-parameter.ts';
import {
  REALTIME_CLIENT_TYPES,
  REALTIME_PARAMETERS,
  realtimeClientMessageSchema,
  realtimeEndpoint,
  realtimeSettingsProblem,
  type RealtimeSettings,
} from '../../../src/shared/protocol/realtime.ts';
import type { Connection } from '../../core/connection.ts';
import { releaseTime } from './impairment.ts';
import { JSON_MESSAGE_DEFAULTS, onJsonMessages } from '../../core/json-messages.ts';
import { accept, refuse, type Checked, type Route, type RouteFactory } from '../../core/route.ts';

/** A server that fell this far behind its schedule (a debugger pause, a suspended laptop) starts a new one instead of bursting. */
const MAX_CATCH_UP_MS = 1_000;

/** Epoch milliseconds with sub-millisecond precision, on the same clock as `performance.now()`. */
function epochMs(monotonicMs: number): number {
  return Math.round((performance.timeOrigin + monotonicMs) * 1000) / 1000;
}

/** Reads every setting from the query string; the first problem is the refusal message. */
export function readRealtimeQuery(url: URL): Checked<RealtimeSettings> {
  const settings: Record<string, number> = {};
  for (const parameter of Object.values(REALTIME_PARAMETERS)) {
    const read = readIntegerQuery(parameter, url.searchParams);
    if (!read.ok) return refuse(read.message);
    settings[parameter.field] = read.value;
  }
  const typed = settings as unknown as RealtimeSettings;
  const problem = realtimeSettingsProblem(typed, 'query');
  if (problem !== null) return refuse(`query parameter ${problem}`);
  return accept(typed);
}

/** `current` with the settings a `configure` message carries. */
function withChanges(current: RealtimeSettings, changes: Partial<Record<keyof RealtimeSettings, number | undefined>>): RealtimeSettings {
  const next: { -readonly [K in keyof RealtimeSettings]: number } = { ...current };
  for (const key of Object.keys(REALTIME_PARAMETERS) as (keyof RealtimeSettings)[]) {
    next[key] = changes[key] ?? current[key];
  }
  return next;
}

interface QueuedSample {
  readonly seq: number;
  /** On the `performance.now()` clock. */
  readonly producedAt: number;
  readonly releaseAt: number;
}

/**
 * One connection's stream: produces samples on a fixed schedule, holds each
 * until the impairment releases it, and sends them in order. Two timers,
 * both cleared by `stop()`: the next production and the next release.
 */
class SampleStream {
  readonly #connection: Connection;
  #settings: RealtimeSettings;
  #seq = 0;
  /** Start of the current schedule; sample n of it is due at origin + n × period. */
  #scheduleOrigin = 0;
  #scheduled = 0;
  #stallOrigin = 0;
  #lastReleaseAt = 0;
  readonly #queue: QueuedSample[] = [];
  #produceTimer: ReturnType<typeof setTimeout> | null = null;
  #releaseTimer: ReturnType<typeof setTimeout> | null = null;

  /** The number the next sample made will carry. */
  get nextSeq(): number {
    return this.#seq + 1;
  }

  constructor(connection: Connection, settings: RealtimeSettings) {
    this.#connection = connection;
    this.#settings = settings;
  }

  get settings(): RealtimeSettings {
    return this.#settings;
  }

  start(): void {
    const now = performance.now();
    this.#restartSchedule(now);
    this.#stallOrigin = now;
    this.#produce();
  }

  /** Applies new settings; a new rate starts a new schedule, new stall settings a new stall cycle. */
  configure(settings: RealtimeSettings): void {
    const previous = this.#settings;
    this.#settings = settings;
    const now = performance.now();
    if (settings.ratePerSecond !== previous.ratePerSecond) {
      this.#restartSchedule(now);
      if (this.#produceTimer !== null) clearTimeout(this.#produceTimer);
      this.#produce();
    }
    if (settings.stallEveryMs !== previous.stallEveryMs || settings.stallForMs !== previous.stallForMs) this.#stallOrigin = now;
  }

  stop(): void {
    if (this.#produceTimer !== null) clearTimeout(this.#produceTimer);
    if (this.#releaseTimer !== null) clearTimeout(this.#releaseTimer);
    this.#produceTimer = null;
    this.#releaseTimer = null;
    this.#queue.length = 0;
  }

  #restartSchedule(now: number): void {
    this.#scheduleOrigin = now;
    this.#scheduled = 0;
  }

  #periodMs(): number {
    return 1000 / this.#settings.ratePerSecond;
  }

  /** Produces every sample that is due, then sleeps until the next one is. */
  #produce(): void {
    const now = performance.now();
    if (now - (this.#scheduleOrigin + this.#scheduled * this.#periodMs()) > MAX_CATCH_UP_MS) this.#restartSchedule(now);
    while (this.#scheduleOrigin + this.#scheduled * this.#periodMs() <= now) {
      const producedAt = this.#scheduleOrigin + this.#scheduled * this.#periodMs();
      this.#scheduled += 1;
      this.#seq += 1;
      const releaseAt = releaseTime(producedAt, this.#lastReleaseAt, this.#settings, this.#stallOrigin);
      this.#lastReleaseAt = releaseAt;
      this.#queue.push({ seq: this.#seq, producedAt, releaseAt });
    }
    this.#armRelease();
    const nextAt = this.#scheduleOrigin + this.#scheduled * this.#periodMs();
    this.#produceTimer = setTimeout(() => {
      this.#produce();
    }, Math.max(0, nextAt - performance.now()));
  }

  #armRelease(): void {
    const head = this.#queue[0];
    if (head === undefined || this.#releaseTimer !== null) return;
    // Node's timers count whole milliseconds and may fire a fraction early; #release() re-arms then.
    this.#releaseTimer = setTimeout(() => {
      this.#releaseTimer = null;
      this.#release();
    }, Math.max(0, Math.ceil(head.releaseAt - performance.now())));
  }

  /** Sends every sample whose release time has come, oldest first; never one early. */
  #release(): void {
    const now = performance.now();
    while (this.#queue[0] !== undefined && this.#queue[0].releaseAt <= now) {
      const sample = this.#queue.shift();
      if (sample === undefined) break;
      const sent = this.#connection.sendJson({ type: 'sample', seq: sample.seq, producedAt: epochMs(sample.producedAt), sentAt: epochMs(performance.now()) });
      if (!sent) {
        this.stop();
        return;
      }
    }
    this.#armRelease();
  }
}

/**
 * `/ws/realtime`: streams timestamped samples at `rate` per second through
 * the impairment chosen by query parameters or `configure` messages, and
 * answers clock probes at once so the client can map the server's clock
 * onto its own.
 */
export const realtimeRoute: RouteFactory<RealtimeSettings> = { doc: realtimeEndpoint, create: createRealtimeRoute };

function createRealtimeRoute(): Route<RealtimeSettings> {
  return {
    check(handshake) {
      return readRealtimeQuery(handshake.url);
    },
    open(connection, _handshake, initialSettings) {
      const stream = new SampleStream(connection, initialSettings);
      connection.socket.on('close', () => {
        stream.stop();
      });
      onJsonMessages(connection, { schema: realtimeClientMessageSchema, knownTypes: REALTIME_CLIENT_TYPES }, JSON_MESSAGE_DEFAULTS, (message) => {
        switch (message.type) {
          case 'clock':
            connection.sendJson({ type: 'clock', id: message.id, clientTime: message.clientTime, serverTime: epochMs(performance.now()) });
            break;
          case 'configure': {
            const settings = withChanges(stream.settings, message);
            const problem = realtimeSettingsProblem(settings);
            if (problem !== null) {
              connection.fail('INVALID_MESSAGE', problem);
              break;
            }
            stream.configure(settings);
            connection.sendJson({ type: 'settings', ...settings, fromSeq: stream.nextSeq });
            break;
          }
        }
      });
      connection.sendJson({ type: 'settings', ...initialSettings, fromSeq: stream.nextSeq });
      stream.start();
    },
  };
}
