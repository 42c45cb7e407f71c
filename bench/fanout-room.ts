/**
 * One chat room's fan-out as the load workers drive it: members join (on
 * whichever servers their URLs name), one publisher posts, and every
 * delivery to every member is counted and timed. Used by the A/B `fanout`
 * scenario (one demo server against bare `ws`) and by `cluster-fanout`
 * (two instances through Redis against one instance).
 */
import { LatencyHistogram } from './histogram.ts';
import { spread, type LoadWorker } from './load.ts';
import type { JoinResult, MembersReport, Pacing, PublishResult } from './load-protocol.ts';
import { monotonicMs, sleep } from './system.ts';

/**
 * The chat limits the demo server needs for a room of `members` (defaults:
 * 100 members, 5 msg/s, 64 places and 2 joins a second per address): every
 * bench client comes from 127.0.0.1.
 */
export function fanoutChatLimits(members: number): string {
  return `maxMembersPerRoom=${String(members + 1)},maxPlacesPerAddress=${String(members + 1)},joinsPerSecondPerAddress=1000000,messagesPerSecond=10000,burstMessages=10000`;
}

/**
 * Joins `members` members, member `index` at `memberUrl(index)`, spread over
 * the workers, then the publisher at `publisherUrl` on the first worker.
 * Resolves with how many members joined; failures go to `note`.
 */
export async function joinRoom(
  workers: readonly LoadWorker[],
  members: number,
  memberUrl: (index: number) => string,
  publisherUrl: string,
  awaitWelcome: boolean,
  note: (message: string) => void,
): Promise<number> {
  const joins = await spread(workers, members, (worker, share, first) => {
    const urls = Array.from({ length: share }, (_, offset) => memberUrl(first + offset));
    return worker.run<JoinResult>({ type: 'join-members', urls, awaitWelcome, concurrency: 25 });
  });
  let joined = 0;
  for (const join of joins) {
    joined += join.joined;
    for (const error of join.errors) note(error);
  }
  // Joins last: the chat and ws both deliver in join order, so its own copy comes after everyone's.
  await publisherOf(workers).run({ type: 'open-publisher', url: publisherUrl, awaitWelcome });
  // Let the chat's `joined` notices drain before measuring.
  await sleep(500);
  return joined;
}

function publisherOf(workers: readonly LoadWorker[]): LoadWorker {
  const first = workers[0];
  if (first === undefined) throw new Error('no load workers');
  return first;
}

export interface PhaseOptions {
  /** Names the phase; members count only the messages of the current one. */
  readonly name: string;
  readonly pacing: Pacing;
  readonly durationMs: number;
  /** Members that joined (what `joinRoom` resolved with). */
  readonly members: number;
  /** Give up waiting for deliveries after this long without progress; what is missing then counts as lost. */
  readonly stallTimeoutMs: number;
  /** CPU time used so far by the servers under test (all their processes), in ms. */
  readonly cpuTimeMs: () => Promise<number>;
  readonly note: (message: string) => void;
}

export interface PhaseResult {
  readonly published: number;
  /** `published × members`: what every member receiving every message adds up to. */
  readonly expected: number;
  /** Deliveries counted by the members, one per message per member. */
  readonly delivered: number;
  readonly lost: number;
  /** Deliveries that came out of order or twice. */
  readonly disordered: number;
  readonly deliveriesPerSecond: number;
  readonly p99Ms: number;
  readonly serverCpuPercent: number;
  readonly serverCpuMicrosPerDelivery: number;
}

/**
 * Publishes for `durationMs` with `pacing`, then waits until every member
 * has every message or deliveries stall. Delivery time is from the
 * publisher's send to the member's receipt, on the machine's monotonic clock.
 */
export async function measurePhase(workers: readonly LoadWorker[], options: PhaseOptions): Promise<PhaseResult> {
  const { name, note } = options;
  await Promise.all(workers.map((worker) => worker.run({ type: 'start-phase', phase: name })));
  const cpuBefore = await options.cpuTimeMs();
  const published = await publisherOf(workers).run<PublishResult>({ type: 'publish', phase: name, pacing: options.pacing, durationMs: options.durationMs });
  for (const error of published.errors) note(error);
  const expected = published.published * options.members;
  let delivered = 0;
  let lastProgressAt = monotonicMs();
  while (delivered < expected && monotonicMs() - lastProgressAt < options.stallTimeoutMs) {
    await sleep(50);
    const now = (await Promise.all(workers.map((worker) => worker.run<number>({ type: 'members-progress' })))).reduce((sum, count) => sum + count, 0);
    if (now > delivered) lastProgressAt = monotonicMs();
    delivered = now;
  }
  const cpuMs = (await options.cpuTimeMs()) - cpuBefore;
  const reports = await Promise.all(workers.map((worker) => worker.run<MembersReport>({ type: 'members-report' })));
  const histogram = new LatencyHistogram();
  let lastDeliveryAtMs = published.endedAtMs;
  let disordered = 0;
  const closed: string[] = [];
  for (const report of reports) {
    histogram.add(report.histogram);
    lastDeliveryAtMs = Math.max(lastDeliveryAtMs, report.lastDeliveryAtMs);
    disordered += report.disordered;
    closed.push(...report.closed);
  }
  const lost = expected - histogram.count;
  if (lost !== 0) note(`${name}: ${String(lost)} of ${String(expected)} deliveries missing after ${String(options.stallTimeoutMs)} ms without progress`);
  if (disordered > 0) note(`${name}: ${String(disordered)} deliveries out of order or repeated`);
  if (closed.length > 0) note(`${name}: ${String(closed.length)} members closed (codes ${[...new Set(closed)].join(', ')})`);
  const elapsedMs = lastDeliveryAtMs - published.startedAtMs;
  return {
    published: published.published,
    expected,
    delivered: histogram.count,
    lost,
    disordered,
    deliveriesPerSecond: (histogram.count * 1000) / elapsedMs,
    p99Ms: histogram.percentile(0.99),
    // From the first publish until deliveries stopped (plus up to one 50 ms poll).
    serverCpuPercent: (100 * cpuMs) / elapsedMs,
    serverCpuMicrosPerDelivery: (1000 * cpuMs) / histogram.count,
  };
}

/** Drops every member and the publisher (TCP resets: nothing to wait for). */
export async function leaveRoom(workers: readonly LoadWorker[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.run({ type: 'drop-all' })));
}
