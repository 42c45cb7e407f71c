/**
 * What the benchmark's main thread asks of a load-generator worker thread,
 * and what the worker answers. Times are on the machine-wide monotonic
 * clock (`monotonicMs()`), so threads can agree on when to start.
 */
import type { HistogramData } from './histogram.ts';

/** How the chat publisher paces its messages. */
export type Pacing =
  | { readonly kind: 'rate'; readonly messagesPerSecond: number }
  /** As fast as the server fans out: at most `inFlight` messages the publisher has not yet received back itself. */
  | { readonly kind: 'window'; readonly inFlight: number };

export type LoadCommand =
  /** `clients` echo clients that each keep `inFlight` messages outstanding; counts echoes in the measured window. */
  | {
      readonly type: 'echo-throughput';
      readonly url: string;
      readonly clients: number;
      readonly inFlight: number;
      readonly payloadBytes: number;
      readonly startAtMs: number;
      readonly warmupMs: number;
      readonly durationMs: number;
    }
  /** `clients` clients sending `messagesPerSecond` in total, evenly spread, timing each round trip. */
  | {
      readonly type: 'round-trips';
      readonly url: string;
      readonly clients: number;
      readonly messagesPerSecond: number;
      readonly payloadBytes: number;
      readonly startAtMs: number;
      readonly warmupMs: number;
      readonly durationMs: number;
    }
  /** Opens `connections` and keeps them open, at most `concurrency` handshakes at a time, timing each. */
  | { readonly type: 'open-idle'; readonly url: string; readonly connections: number; readonly concurrency: number }
  /** Joins a chat room (or a broadcast server) once per URL and counts what each member receives. */
  | { readonly type: 'join-members'; readonly urls: readonly string[]; readonly awaitWelcome: boolean; readonly concurrency: number }
  /** Opens the one publisher of the fan-out scenario. */
  | { readonly type: 'open-publisher'; readonly url: string; readonly awaitWelcome: boolean }
  /** Zeroes the members' counts and starts counting messages of `phase`. */
  | { readonly type: 'start-phase'; readonly phase: string }
  | { readonly type: 'publish'; readonly phase: string; readonly pacing: Pacing; readonly durationMs: number }
  /** How many messages of the current phase members received so far. */
  | { readonly type: 'members-progress' }
  | { readonly type: 'members-report' }
  /** Drops every connection this worker holds (TCP reset: quick, and no close handshakes to wait for). */
  | { readonly type: 'drop-all' };

export interface ThroughputResult {
  readonly messages: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  readonly errors: readonly string[];
}

export interface RoundTripResult {
  readonly sent: number;
  readonly histogram: HistogramData;
  readonly elapsedMs: number;
  readonly errors: readonly string[];
}

export interface OpenIdleResult {
  readonly opened: number;
  readonly failed: number;
  readonly histogram: HistogramData;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly errors: readonly string[];
}

export interface JoinResult {
  readonly joined: number;
  readonly failed: number;
  readonly errors: readonly string[];
}

export interface PublishResult {
  readonly published: number;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly errors: readonly string[];
}

export interface MembersReport {
  readonly members: number;
  readonly delivered: number;
  /** Messages that arrived out of order or twice (never expected: a chat keeps order per member). */
  readonly disordered: number;
  readonly lastDeliveryAtMs: number;
  readonly histogram: HistogramData;
  /** Members whose connection closed during the run, with the close code. */
  readonly closed: readonly string[];
}

export type LoadReply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };
