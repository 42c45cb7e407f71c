/**
 * `cluster-fanout`: one chat room's fan-out with its members split over two
 * demo-server instances that share the room through a real redis-server
 * (`--redis`), against all of them on one instance with its in-memory
 * broker, in the same run. What chapter 11's scaling out costs per
 * delivery, and a check that nothing is lost on the way through Redis.
 *
 * Every process listens on 127.0.0.1 and a free port and is stopped after
 * its run; Redis keeps nothing on disk. Without `redis-server` on PATH the
 * scenario is skipped with one line saying how to install it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { onPath, REDIS_MISSING, startRedis, type Running } from '../demo-server/cluster/processes.ts';
import { REDIS_BROKER_DEFAULTS } from '../demo-server/routes/chat/redis-broker.ts';
import { fanoutChatLimits, joinRoom, leaveRoom, measurePhase, type PhaseResult } from './fanout-room.ts';
import type { LoadWorker } from './load.ts';
import { formatNumber, markdownTable, median } from './report.ts';
import type { MetricSpec } from './scenarios.ts';
import type { BenchSettings } from './settings.ts';
import { cpuTimeMs, sleep } from './system.ts';
import { socketbookTarget, startTarget, type RunningTarget } from './targets.ts';

export const CLUSTER_FANOUT_ID = 'cluster-fanout';

/** How the room's members are laid out over processes. */
export interface Layout {
  readonly id: 'one-instance' | 'two-instances-redis';
  readonly label: string;
  readonly instances: number;
  readonly redis: boolean;
}

/** The reference first: one instance, as `npm start` runs it. */
export const LAYOUTS: readonly Layout[] = [
  { id: 'one-instance', label: 'one instance', instances: 1, redis: false },
  { id: 'two-instances-redis', label: 'two instances + Redis', instances: 2, redis: true },
];

const ROOM = 'bench';

export const CLUSTER_FANOUT_METRICS: readonly MetricSpec[] = [
  { key: 'members', label: 'members', unit: '', digits: 0 },
  { key: 'pacedDeliveriesPerSecond', label: 'paced: deliveries/s', unit: '', digits: 0 },
  { key: 'pacedP99Ms', label: 'paced: delivery p99', unit: 'ms', digits: 2 },
  { key: 'saturatedDeliveriesPerSecond', label: 'saturated: deliveries/s', unit: '', digits: 0 },
  { key: 'saturatedP99Ms', label: 'saturated: delivery p99', unit: 'ms', digits: 1 },
  { key: 'saturatedCpuMicrosPerDelivery', label: 'saturated: CPU per delivery, every server process', unit: 'µs', digits: 2 },
  { key: 'published', label: 'messages published', unit: '', digits: 0 },
  { key: 'delivered', label: 'deliveries counted', unit: '', digits: 0 },
  { key: 'lost', label: 'lost', unit: '', digits: 0 },
  { key: 'disordered', label: 'out of order or repeated', unit: '', digits: 0 },
  { key: 'publishesPerEvent', label: 'Redis: PUBLISH commands per event logged', unit: '', digits: 2 },
  { key: 'roomSubscribers', label: "Redis: subscribers to the room's channel", unit: '', digits: 0 },
];

/** Held by every layout: no delivery lost, none repeated or out of order. */
const ZERO_METRICS = ['lost', 'disordered'] as const;
/** Counts, not rates: a ratio of them says nothing. */
export const NO_RATIO = new Set(['members', 'published', 'delivered', ...ZERO_METRICS, 'publishesPerEvent', 'roomSubscribers']);

export interface ClusterFanoutRun {
  readonly round: number;
  readonly layout: Layout['id'];
  readonly values: Readonly<Record<string, number>>;
}

export interface ClusterFanoutReport {
  readonly id: typeof CLUSTER_FANOUT_ID;
  readonly title: string;
  /** Why it did not run (redis-server missing), or `null`. */
  readonly skipped: string | null;
  readonly layouts: readonly Layout[];
  readonly runs: readonly ClusterFanoutRun[];
  /** Medians per layout, and two instances ÷ one instance. */
  readonly metrics: readonly (MetricSpec & { readonly medians: Readonly<Record<string, number>>; readonly ratio: number | null })[];
  readonly budgets: readonly { readonly metric: string; readonly layout: Layout['id']; readonly rule: string; readonly actual: number; readonly met: boolean }[];
  readonly notes: readonly string[];
}

export function clusterFanoutTitle(settings: BenchSettings): string {
  const { members, messagesPerSecond } = settings.clusterFanout;
  return `Chat fan-out across processes, ${members.toLocaleString('en-US')} members, ${messagesPerSecond.toLocaleString('en-US')} msg/s and saturated: two instances through Redis vs one`;
}

/** The processes of one layout, started for one run and stopped after it. */
interface Deployment {
  readonly instances: readonly RunningTarget[];
  readonly redis: Running | null;
  cpuTimeMs(): Promise<number>;
  stop(): Promise<void>;
}

async function deploy(layout: Layout, members: number): Promise<Deployment> {
  const dir = layout.redis ? await mkdtemp(join(tmpdir(), 'socketbook-bench-redis-')) : null;
  const instances: RunningTarget[] = [];
  let redis: Running | null = null;
  const stop = async () => {
    for (const instance of instances) await instance.stop();
    await redis?.stop();
    if (dir !== null) await rm(dir, { recursive: true, force: true });
  };
  try {
    if (dir !== null) redis = await startRedis(dir);
    const redisArgs = redis === null ? [] : ['--redis', `redis://127.0.0.1:${String(redis.port)}`];
    for (let index = 0; index < layout.instances; index++) {
      instances.push(await startTarget(socketbookTarget(['--chat-limits', fanoutChatLimits(members), ...redisArgs]), { openFileLimit: null, profileDir: null }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const pids = [...instances.map((instance) => instance.pid), ...(redis?.child.pid === undefined ? [] : [redis.child.pid])];
  return {
    instances,
    redis,
    // Redis's CPU counts: it does the cross-process part of every delivery.
    cpuTimeMs: async () => (await Promise.all(pids.map((pid) => cpuTimeMs(pid)))).reduce((sum, each) => sum + each, 0),
    stop,
  };
}

/**
 * What Redis itself counts for the room: PUBLISH commands run so far (the
 * chat's Lua script publishes each event it logs, and INFO commandstats
 * counts a script's commands too), the room's last event id (one per event
 * logged: messages, and the `joined` of a member that joined quietly) and
 * the subscribers of the room's channel.
 */
async function redisCounts(redis: Running): Promise<{ publishes: number; lastId: number; subscribers: number }> {
  const client = new Redis(redis.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  const room = `${REDIS_BROKER_DEFAULTS.keyPrefix}room:${ROOM}`;
  try {
    await client.connect();
    const stats = await client.info('commandstats');
    const lastId = Number((await client.hget(`${room}:meta`, 'seq')) ?? 0);
    const [, subscribers] = (await client.pubsub('NUMSUB', `${room}:events`)) as [string, number];
    return { publishes: Number(/^cmdstat_publish:calls=(\d+)/m.exec(stats)?.[1] ?? 0), lastId, subscribers };
  } finally {
    client.disconnect();
  }
}

/** Open `/ws/chat/…` connections on `instance`, from its `GET /metrics`. */
async function chatConnections(instance: RunningTarget): Promise<number> {
  const text = await (await fetch(`${instance.httpOrigin}/metrics`)).text();
  const line = text.split('\n').find((each) => each.startsWith('socketbook_connections{') && each.includes('/ws/chat/'));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function runLayout(layout: Layout, workers: readonly LoadWorker[], settings: BenchSettings, note: (message: string) => void): Promise<Record<string, number>> {
  const fanout = settings.clusterFanout;
  const deployment = await deploy(layout, fanout.members);
  try {
    const { instances } = deployment;
    const at = (index: number, name: string) => `${instances[index % instances.length]?.wsOrigin ?? ''}/ws/chat/${ROOM}?name=${name}`;
    // Members alternate between instances; the publisher is on the first.
    const members = await joinRoom(workers, fanout.members, (index) => at(index, `member-${String(index)}`), at(0, 'publisher'), true, note);
    // Where the members are, as each instance counts them: the layout is measured, not assumed.
    const placed = await Promise.all(instances.map((instance) => chatConnections(instance)));
    const phase = (name: string, pacing: Parameters<typeof measurePhase>[1]['pacing'], durationMs: number) =>
      measurePhase(workers, { name, pacing, durationMs, members, stallTimeoutMs: fanout.stallTimeoutMs, cpuTimeMs: () => deployment.cpuTimeMs(), note });
    // Redis's own count, around the phases only (joins publish their `joined` notices before).
    const redisBefore = deployment.redis === null ? null : await redisCounts(deployment.redis);
    const paced: PhaseResult = await phase('paced', { kind: 'rate', messagesPerSecond: fanout.messagesPerSecond }, fanout.pacedDurationMs);
    const saturated: PhaseResult = await phase('saturated', { kind: 'window', inFlight: fanout.saturationInFlight }, fanout.saturationDurationMs);
    const redisAfter = deployment.redis === null ? null : await redisCounts(deployment.redis);
    const published = paced.published + saturated.published;
    for (const instance of instances) if (instance.hasExited()) note(`an instance exited during the run: ${instance.stderr.slice(-5).join(' | ')}`);
    return {
      members,
      pacedDeliveriesPerSecond: paced.deliveriesPerSecond,
      pacedP99Ms: paced.p99Ms,
      saturatedDeliveriesPerSecond: saturated.deliveriesPerSecond,
      saturatedP99Ms: saturated.p99Ms,
      saturatedCpuMicrosPerDelivery: saturated.serverCpuMicrosPerDelivery,
      published,
      expected: paced.expected + saturated.expected,
      delivered: paced.delivered + saturated.delivered,
      lost: paced.lost + saturated.lost,
      disordered: paced.disordered + saturated.disordered,
      // One PUBLISH per event, however many instances and members: each instance fans out what it receives.
      ...(redisBefore === null || redisAfter === null
        ? {}
        : { publishesPerEvent: (redisAfter.publishes - redisBefore.publishes) / (redisAfter.lastId - redisBefore.lastId), roomSubscribers: redisAfter.subscribers }),
      ...Object.fromEntries(placed.map((connections, index) => [`instance${String(index + 1)}ChatConnections`, connections])),
    };
  } finally {
    await leaveRoom(workers);
    await deployment.stop();
  }
}

/** One line for a skipped run, as the terminal shows it. */
export function clusterFanoutSkipLine(): string {
  return `${CLUSTER_FANOUT_ID} skipped: ${REDIS_MISSING}`;
}

/**
 * Runs both layouts `settings.rounds` times, alternating which goes first,
 * and summarizes them. Never throws for a missing redis-server: the report
 * says it was skipped.
 */
export async function runClusterFanout(workers: readonly LoadWorker[], settings: BenchSettings, progress: (line: string) => void = () => undefined): Promise<ClusterFanoutReport> {
  const title = clusterFanoutTitle(settings);
  if (!onPath('redis-server')) return summarize(title, REDIS_MISSING, []);
  const runs: ClusterFanoutRun[] = [];
  const notes: string[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? LAYOUTS : [...LAYOUTS].reverse();
    for (const layout of order) {
      const started = performance.now();
      const values = await runLayout(layout, workers, settings, (message) => notes.push(`round ${String(round + 1)}, ${layout.label}: ${message}`));
      runs.push({ round: round + 1, layout: layout.id, values });
      progress(`  ${CLUSTER_FANOUT_ID} round ${String(round + 1)} ${layout.label.padEnd(22)} ${((performance.now() - started) / 1000).toFixed(1)} s`);
      // Let the previous processes' sockets and CPU settle.
      await sleep(300);
    }
  }
  return summarize(title, null, runs, notes);
}

function summarize(title: string, skipped: string | null, runs: readonly ClusterFanoutRun[], notes: readonly string[] = []): ClusterFanoutReport {
  const [reference, cluster] = LAYOUTS;
  const metrics = CLUSTER_FANOUT_METRICS.map((metric) => {
    const medians: Record<string, number> = {};
    for (const layout of LAYOUTS) medians[layout.id] = median(runs.filter((run) => run.layout === layout.id).map((run) => run.values[metric.key] ?? NaN));
    const one = medians[reference?.id ?? ''] ?? NaN;
    const two = medians[cluster?.id ?? ''] ?? NaN;
    return { ...metric, medians, ratio: Number.isFinite(one) && Number.isFinite(two) && one !== 0 ? two / one : null };
  });
  const valuesOf = (layout: Layout, metric: string) => runs.filter((run) => run.layout === layout.id).map((run) => run.values[metric] ?? NaN);
  const budgets = skipped !== null ? [] : LAYOUTS.flatMap((layout) => [
    // The worst run, not the median: one lost delivery in any round is a loss.
    ...ZERO_METRICS.map((metric) => {
      const actual = Math.max(...valuesOf(layout, metric));
      return { metric, layout: layout.id, rule: '= 0 in every round', actual, met: actual === 0 };
    }),
    // Through Redis: each event published once, and one subscription per instance, whatever the room's size.
    ...(layout.redis ? ([['publishesPerEvent', 1, ''], ['roomSubscribers', layout.instances, ' (one per instance)']] as const) : []).map(([metric, expected, why]) => {
      const values = valuesOf(layout, metric);
      // A round that missed, else the expected value.
      const actual = values.find((value) => value !== expected) ?? expected;
      return { metric, layout: layout.id, rule: `= ${String(expected)}${why} in every round`, actual, met: actual === expected };
    }),
  ]);
  return { id: CLUSTER_FANOUT_ID, title, skipped, layouts: LAYOUTS, runs, metrics, budgets, notes };
}

/** The table: one row per metric, a column per layout, the ratio, and the zero-loss check. */
export function clusterFanoutTable(report: ClusterFanoutReport): string {
  const rows = report.metrics.map((metric, index) => {
    const verdicts = report.budgets.filter((budget) => budget.metric === metric.key);
    return [
      index === 0 ? report.title : '',
      `${metric.label}${metric.unit === '' ? '' : ` (${metric.unit})`}`,
      ...LAYOUTS.map((layout) => formatNumber(metric.medians[layout.id] ?? NaN, metric.digits)),
      metric.ratio === null || NO_RATIO.has(metric.key) ? '' : `${metric.ratio.toFixed(2)}×`,
      verdicts.length === 0 ? '' : `${verdicts[0]?.rule ?? ''}: ${verdicts.every((verdict) => verdict.met) ? 'met' : 'MISSED'}`,
    ];
  });
  return markdownTable(['Scenario', 'Metric', ...LAYOUTS.map((layout) => layout.label), 'Ratio', 'Budget'], rows);
}
