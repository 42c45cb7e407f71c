/**
 * What one backpressure run is asked to do, and the one check of it: the
 * lab's form, the store and the terminal client all read `runConfigProblem`.
 */
import {
  BACKPRESSURE_BOUNDS,
  MAX_BACKPRESSURE_BYTES_PER_SECOND,
  MAX_CREDIT_BALANCE,
  type BackpressureSettings,
  type IntegerBound,
} from '../protocol/backpressure.ts';
import { formatBytes } from '../format.ts';
import { isAllowedInteger } from '../bounded-integer.ts';

/**
 * `blocking`: a Web Worker that busy-waits per message (the thread cannot
 * read its socket meanwhile); `queued`: the page takes every message at once
 * and works through a queue with timers; `stream`: WebSocketStream, which
 * reads the next message only when the consumer asks for it.
 */
export type ConsumerKind = 'blocking' | 'queued' | 'stream';
export const CONSUMER_KINDS: readonly ConsumerKind[] = ['blocking', 'queued', 'stream'];

export interface RunConfig {
  readonly settings: BackpressureSettings;
  readonly consumer: ConsumerKind;
  /** Time the consumer spends on each message. */
  readonly workPerMessageMs: number;
  /** credit/conflate: messages allowed in flight. */
  readonly creditWindow: number;
  /** queued: the page gives up (close 4008) when its backlog passes this. */
  readonly pageBudgetBytes: number;
}

export const DEFAULT_RUN_CONFIG: Omit<RunConfig, 'settings'> = {
  consumer: 'blocking',
  workPerMessageMs: 50,
  creditWindow: 16,
  pageBudgetBytes: 16 * 1024 * 1024,
};

/** How the data socket closed, from the page's side. */
export interface PageClose {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  /** `page` when this page closed it (the reader stopped, or the backlog budget), `remote` otherwise. */
  readonly initiatedBy: 'page' | 'remote';
  readonly elapsedMs: number;
}

/** Bounds of the consumer's own numbers (the server never sees them). */
export const RUN_BOUNDS = {
  workPerMessageMs: { name: 'workPerMessageMs', min: 1, max: 1_000, default: DEFAULT_RUN_CONFIG.workPerMessageMs },
  /** Messages in flight: the server refuses a balance over MAX_CREDIT_BALANCE, so a window never asks for more. */
  creditWindow: { name: 'creditWindow', min: 1, max: MAX_CREDIT_BALANCE, default: DEFAULT_RUN_CONFIG.creditWindow },
  pageBudgetMiB: { name: 'pageBudgetMiB', min: 1, max: 256, default: DEFAULT_RUN_CONFIG.pageBudgetBytes / 1024 / 1024 },
} as const satisfies Record<string, IntegerBound>;

function inRange(value: number, bound: IntegerBound): boolean {
  return isAllowedInteger({ ...bound, zeroMeansOff: false }, value);
}

function range(bound: IntegerBound): string {
  return `${String(bound.min)} to ${String(bound.max)}`;
}

/** Checks every number of a run against its bounds; returns the first problem in words, or `null`. */
export function runConfigProblem(config: RunConfig): string | null {
  const { settings } = config;
  const bounds = BACKPRESSURE_BOUNDS;
  if (!inRange(settings.messagesPerSecond, bounds.messagesPerSecond)) {
    return `The send rate must be a whole number from ${range(bounds.messagesPerSecond)} messages/s.`;
  }
  if (!inRange(settings.messageBytes, bounds.messageBytes)) {
    return `The message size must be a whole number from ${range(bounds.messageBytes)} bytes.`;
  }
  if (settings.messagesPerSecond * settings.messageBytes > MAX_BACKPRESSURE_BYTES_PER_SECOND) {
    return `Rate × size is ${formatBytes(settings.messagesPerSecond * settings.messageBytes)}/s; the server allows at most ${formatBytes(MAX_BACKPRESSURE_BYTES_PER_SECOND)}/s per connection.`;
  }
  if (settings.pingIntervalMs !== 0 && !inRange(settings.pingIntervalMs, bounds.pingIntervalMs)) {
    return `The ping interval must be 0 (off) or a whole number from ${range(bounds.pingIntervalMs)} ms.`;
  }
  if (!inRange(settings.pongTimeoutMs, bounds.pongTimeoutMs)) {
    return `The pong timeout must be a whole number from ${range(bounds.pongTimeoutMs)} ms.`;
  }
  if (!inRange(config.workPerMessageMs, RUN_BOUNDS.workPerMessageMs)) {
    return `Work per message must be a whole number of milliseconds from ${range(RUN_BOUNDS.workPerMessageMs)}, got ${String(config.workPerMessageMs)}.`;
  }
  if (!inRange(config.creditWindow, RUN_BOUNDS.creditWindow)) {
    return `The credit window must be a whole number from ${range(RUN_BOUNDS.creditWindow)}, got ${String(config.creditWindow)}.`;
  }
  const budgetMiB = config.pageBudgetBytes / 1024 / 1024;
  if (!(budgetMiB >= RUN_BOUNDS.pageBudgetMiB.min && budgetMiB <= RUN_BOUNDS.pageBudgetMiB.max)) {
    return `The page backlog budget must be from ${String(RUN_BOUNDS.pageBudgetMiB.min)} to ${String(RUN_BOUNDS.pageBudgetMiB.max)} MiB.`;
  }
  return null;
}
