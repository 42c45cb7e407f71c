/**
 * How much load each scenario applies and for how long: one table for a
 * full run (`npm run bench`, a few minutes on 2 cores) and one for a smoke
 * run (`--quick`, seconds, numbers not meaningful).
 */

export interface BenchSettings {
  /** A/B rounds; each runs every scenario once against each server, alternating which goes first. */
  readonly rounds: number;
  /** Load-generator worker threads. */
  readonly workers: number;
  readonly echo: { readonly clients: number; readonly inFlight: number; readonly warmupMs: number; readonly durationMs: number };
  readonly roundTrip: {
    readonly clients: number;
    readonly messagesPerSecond: number;
    readonly payloadBytes: number;
    readonly warmupMs: number;
    readonly durationMs: number;
  };
  readonly idle: {
    readonly connections: number;
    /** Handshakes in flight per worker. */
    readonly concurrency: number;
    /** Connections opened and dropped before the baseline, so the baseline includes warmed-up code and heap. */
    readonly warmupConnections: number;
    /** Wait after the last handshake before reading RSS. */
    readonly settleMs: number;
  };
  readonly fanout: {
    readonly members: number;
    readonly messagesPerSecond: number;
    readonly pacedDurationMs: number;
    /** The publisher's window at saturation: messages sent that it has not yet received back itself. */
    readonly saturationInFlight: number;
    readonly saturationDurationMs: number;
    /** Give up waiting for deliveries after this long without progress; what is missing then counts as lost. */
    readonly stallTimeoutMs: number;
  };
  /** The same room split over two instances through Redis, against one instance (bench/cluster-fanout.ts). */
  readonly clusterFanout: BenchSettings['fanout'];
  readonly slowConsumers: { readonly clients: number };
}

export const FULL_SETTINGS: BenchSettings = {
  rounds: 3,
  workers: 2,
  echo: { clients: 50, inFlight: 32, warmupMs: 1_000, durationMs: 4_000 },
  roundTrip: { clients: 100, messagesPerSecond: 1_000, payloadBytes: 32, warmupMs: 1_000, durationMs: 8_000 },
  idle: { connections: 10_000, concurrency: 50, warmupConnections: 1_000, settleMs: 2_000 },
  fanout: { members: 1_000, messagesPerSecond: 100, pacedDurationMs: 4_000, saturationInFlight: 32, saturationDurationMs: 4_000, stallTimeoutMs: 3_000 },
  // 400 × 25 = 10,000 deliveries/s paced: under half what one instance delivers saturated on 2 busy cores, so the paced p99 is latency, not a queue.
  clusterFanout: { members: 400, messagesPerSecond: 25, pacedDurationMs: 4_000, saturationInFlight: 16, saturationDurationMs: 4_000, stallTimeoutMs: 3_000 },
  slowConsumers: { clients: 200 },
};

/** `--quick`: every scenario end to end in seconds, to check the harness, not the server. */
export const QUICK_SETTINGS: BenchSettings = {
  rounds: 1,
  workers: 2,
  echo: { clients: 10, inFlight: 8, warmupMs: 200, durationMs: 500 },
  roundTrip: { clients: 10, messagesPerSecond: 200, payloadBytes: 32, warmupMs: 200, durationMs: 600 },
  idle: { connections: 500, concurrency: 25, warmupConnections: 50, settleMs: 200 },
  fanout: { members: 50, messagesPerSecond: 100, pacedDurationMs: 400, saturationInFlight: 4, saturationDurationMs: 400, stallTimeoutMs: 2_000 },
  clusterFanout: { members: 20, messagesPerSecond: 100, pacedDurationMs: 400, saturationInFlight: 4, saturationDurationMs: 400, stallTimeoutMs: 2_000 },
  slowConsumers: { clients: 10 },
};
