/**
 * The server scenarios: what load each applies, what it measures, and the
 * budget it is held to (design.md, "Budgets"). Each runs once per round
 * against the demo server and once against its bare `ws` reference.
 */
import { LatencyHistogram } from './histogram.ts';
import { spread, type LoadWorker } from './load.ts';
import { fanoutChatLimits, joinRoom, leaveRoom, measurePhase } from './fanout-room.ts';
import type { OpenIdleResult, Pacing, RoundTripResult, ThroughputResult } from './load-protocol.ts';
import type { BenchSettings } from './settings.ts';
import { monotonicMs, sleep } from './system.ts';
import { referenceTarget, socketbookTarget, type RunningTarget, type TargetName, type TargetSpec } from './targets.ts';

export interface MetricSpec {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  /** Decimal places in the table. */
  readonly digits: number;
}

/** A budget: on the ratio Socketbook / bare ws, or on Socketbook's own value. */
export type Budget =
  | { readonly metric: string; readonly kind: 'ratio-at-least' | 'ratio-at-most'; readonly value: number }
  | { readonly metric: string; readonly kind: 'at-most'; readonly value: number };

/**
 * Throughput ≥ 0.9× bare ws, restated as CPU per message ≤ 1/0.9 of bare
 * ws's: the same budget when the server is the bottleneck, and the one that
 * still holds when it is not (here the load generator shares the two cores).
 */
const CPU_PER_MESSAGE_RATIO = Number((1 / 0.9).toFixed(2));

/** Tails (round trip and handshake p99) at most this many times bare ws's, each the median of `TAIL_ROUNDS` runs (issue 23). */
const TAIL_RATIO = 1.1;
const TAIL_ROUNDS = 5;

export interface ScenarioContext {
  readonly workers: readonly LoadWorker[];
  readonly settings: BenchSettings;
  /** Problems worth reporting (connection errors, losses); they go in the report's notes. */
  note(message: string): void;
}

export interface Scenario {
  readonly id: string;
  /** What it does, with the loads of `settings` (a --quick run applies less). */
  title(settings: BenchSettings): string;
  readonly metrics: readonly MetricSpec[];
  readonly budgets: readonly Budget[];
  /**
   * Rounds this scenario runs at least (not with --quick): a 99th percentile
   * moves with the machine's noise from one run to the next, so the tails are
   * the median of several runs, not one.
   */
  readonly minRounds?: number;
  /** Open files a server and the load generator each need (connections plus slack). */
  openFilesNeeded(settings: BenchSettings): number;
  target(name: TargetName, settings: BenchSettings): TargetSpec | null;
  run(target: RunningTarget, context: ScenarioContext): Promise<Record<string, number>>;
}

/** Leaves a moment for all workers to be ready before the load starts together. */
const START_DELAY_MS = 300;

/**
 * The server's CPU time between `fromMs` and `toMs` (monotonic): how much
 * of a core it used, the figure that says whether the server or the load
 * generator was the bottleneck, and the cost per message that other work
 * on the machine does not change much.
 */
export async function serverCpuBetween(target: RunningTarget, fromMs: number, toMs: number): Promise<number> {
  await sleep(fromMs - monotonicMs());
  const before = await target.cpuTimeMs();
  await sleep(toMs - monotonicMs());
  return (await target.cpuTimeMs()) - before;
}

function noteErrors(context: ScenarioContext, target: RunningTarget, errors: readonly string[]): void {
  for (const error of errors) context.note(`${target.name}: ${error}`);
}

/** `10000` → `10,000` */
function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** The echo scenarios' servers: Socketbook's `/ws/echo`, or the reference echo server at `/`. */
function echoTarget(name: TargetName, extraArgs: readonly string[] = []): TargetSpec {
  return name === 'socketbook' ? socketbookTarget(extraArgs) : referenceTarget('reference-echo.ts');
}

function echoUrl(target: RunningTarget): string {
  return `${target.wsOrigin}${target.name === 'socketbook' ? '/ws/echo' : '/'}`;
}

function echoScenario(payloadBytes: number, id: string, size: string): Scenario {
  return {
    id,
    title: (settings) => `Echo throughput, ${size}, ${count(settings.echo.clients)} clients × ${count(settings.echo.inFlight)} in flight`,
    metrics: [
      { key: 'messagesPerSecond', label: 'echoes/s', unit: '', digits: 0 },
      { key: 'megabytesPerSecond', label: 'payload MB/s each way', unit: '', digits: 1 },
      { key: 'serverCpuPercent', label: 'server CPU', unit: '% of a core', digits: 0 },
      { key: 'serverCpuMicrosPerMessage', label: 'server CPU per echo', unit: 'µs', digits: 2 },
    ],
    budgets: [
      { metric: 'messagesPerSecond', kind: 'ratio-at-least', value: 0.9 },
      { metric: 'serverCpuMicrosPerMessage', kind: 'ratio-at-most', value: CPU_PER_MESSAGE_RATIO },
    ],
    openFilesNeeded: (settings) => settings.echo.clients + 64,
    target: (name) => echoTarget(name),
    async run(target, context) {
      const { workers, settings } = context;
      const startAtMs = monotonicMs() + START_DELAY_MS;
      const measureFrom = startAtMs + settings.echo.warmupMs;
      const cpu = serverCpuBetween(target, measureFrom, measureFrom + settings.echo.durationMs);
      const results = await spread(workers, settings.echo.clients, (worker, clients) =>
        worker.run<ThroughputResult>({
          type: 'echo-throughput',
          url: echoUrl(target),
          clients,
          inFlight: settings.echo.inFlight,
          payloadBytes,
          startAtMs,
          warmupMs: settings.echo.warmupMs,
          durationMs: settings.echo.durationMs,
        }),
      );
      let messagesPerSecond = 0;
      for (const result of results) {
        messagesPerSecond += (result.messages * 1000) / result.elapsedMs;
        noteErrors(context, target, result.errors);
      }
      const cpuMs = await cpu;
      const messages = (messagesPerSecond * settings.echo.durationMs) / 1000;
      return {
        messagesPerSecond,
        megabytesPerSecond: (messagesPerSecond * payloadBytes) / 1e6,
        serverCpuPercent: (100 * cpuMs) / settings.echo.durationMs,
        serverCpuMicrosPerMessage: (1000 * cpuMs) / messages,
      };
    },
  };
}

const roundTripScenario: Scenario = {
  id: 'round-trip',
  title: (settings) => `Round trip, ${count(settings.roundTrip.messagesPerSecond)} msg/s from ${count(settings.roundTrip.clients)} clients`,
  metrics: [
    { key: 'p50Ms', label: 'round trip p50', unit: 'ms', digits: 3 },
    { key: 'p99Ms', label: 'round trip p99', unit: 'ms', digits: 3 },
    { key: 'maxMs', label: 'round trip max', unit: 'ms', digits: 2 },
    { key: 'messagesPerSecond', label: 'messages sent/s', unit: '', digits: 0 },
  ],
  budgets: [
    { metric: 'p99Ms', kind: 'at-most', value: 1 },
    { metric: 'p99Ms', kind: 'ratio-at-most', value: TAIL_RATIO },
  ],
  minRounds: TAIL_ROUNDS,
  openFilesNeeded: (settings) => settings.roundTrip.clients + 64,
  target: (name) => echoTarget(name),
  async run(target, context) {
    const { workers, settings } = context;
    const startAtMs = monotonicMs() + START_DELAY_MS;
    const results = await spread(workers, settings.roundTrip.clients, (worker, clients) =>
      worker.run<RoundTripResult>({
        type: 'round-trips',
        url: echoUrl(target),
        clients,
        messagesPerSecond: (settings.roundTrip.messagesPerSecond * clients) / settings.roundTrip.clients,
        payloadBytes: settings.roundTrip.payloadBytes,
        startAtMs,
        warmupMs: settings.roundTrip.warmupMs,
        durationMs: settings.roundTrip.durationMs,
      }),
    );
    const histogram = new LatencyHistogram();
    let sent = 0;
    for (const result of results) {
      histogram.add(result.histogram);
      sent += result.sent;
      noteErrors(context, target, result.errors);
    }
    if (histogram.count < sent) context.note(`${target.name}: ${String(sent - histogram.count)} of ${String(sent)} round trips unanswered`);
    return {
      p50Ms: histogram.percentile(0.5),
      p99Ms: histogram.percentile(0.99),
      maxMs: histogram.maxMs,
      messagesPerSecond: (sent * 1000) / settings.roundTrip.durationMs,
    };
  },
};

const idleScenario: Scenario = {
  id: 'idle',
  title: (settings) => `${count(settings.idle.connections)} idle connections`,
  metrics: [
    { key: 'connections', label: 'connections held', unit: '', digits: 0 },
    { key: 'handshakesPerSecond', label: 'handshakes/s', unit: '', digits: 0 },
    { key: 'handshakeP50Ms', label: 'handshake p50', unit: 'ms', digits: 2 },
    { key: 'handshakeP99Ms', label: 'handshake p99', unit: 'ms', digits: 2 },
    { key: 'rssPerConnectionKiB', label: 'server RSS per connection', unit: 'KiB', digits: 2 },
    { key: 'rssMarginalKiB', label: 'server RSS per connection, second half', unit: 'KiB', digits: 2 },
  ],
  budgets: [
    { metric: 'rssPerConnectionKiB', kind: 'at-most', value: 8 },
    { metric: 'handshakeP99Ms', kind: 'ratio-at-most', value: TAIL_RATIO },
  ],
  minRounds: TAIL_ROUNDS,
  openFilesNeeded: (settings) => settings.idle.connections + 256,
  target: (name) => echoTarget(name, ['--max-connections', '1000000']),
  async run(target, context) {
    const { workers, settings } = context;
    const url = echoUrl(target);
    const open = (connections: number) =>
      spread(workers, connections, (worker, share) => worker.run<OpenIdleResult>({ type: 'open-idle', url, connections: share, concurrency: settings.idle.concurrency }));
    const dropAll = () => Promise.all(workers.map((worker) => worker.run({ type: 'drop-all' })));
    await open(settings.idle.warmupConnections);
    await dropAll();
    await sleep(500);
    const baselineBytes = await target.residentBytes();
    // Two halves: the growth over the second half is what one more connection costs, without the
    // one-off growth (V8's young generation, allocator arenas) that the first handshakes cause.
    const firstHalf = Math.floor(settings.idle.connections / 2);
    const halves = [await open(firstHalf)];
    await sleep(settings.idle.settleMs);
    const halfBytes = await target.residentBytes();
    halves.push(await open(settings.idle.connections - firstHalf));
    await sleep(settings.idle.settleMs);
    const heldBytes = await target.residentBytes();
    await dropAll();
    const histogram = new LatencyHistogram();
    let failed = 0;
    for (const result of halves.flat()) {
      histogram.add(result.histogram);
      failed += result.failed;
      noteErrors(context, target, result.errors);
    }
    if (failed > 0) context.note(`${target.name}: ${String(failed)} of ${String(settings.idle.connections)} handshakes failed`);
    // Handshakes/s over the time spent opening, without the settling pause between the halves.
    const openingMs = halves.reduce((sum, half) => sum + Math.max(...half.map((result) => result.endedAtMs)) - Math.min(...half.map((result) => result.startedAtMs)), 0);
    const secondHalfOpened = (halves[1] ?? []).reduce((sum, result) => sum + result.opened, 0);
    return {
      connections: histogram.count,
      handshakesPerSecond: (histogram.count * 1000) / openingMs,
      handshakeP50Ms: histogram.percentile(0.5),
      handshakeP99Ms: histogram.percentile(0.99),
      rssPerConnectionKiB: (heldBytes - baselineBytes) / histogram.count / 1024,
      rssMarginalKiB: (heldBytes - halfBytes) / secondHalfOpened / 1024,
    };
  },
};

/** The room the fan-out joins. */
const FANOUT_ROOM = 'bench';

const fanoutScenario: Scenario = {
  id: 'fanout',
  title: (settings) => `Chat fan-out, ${count(settings.fanout.members)} members in one room, ${count(settings.fanout.messagesPerSecond)} msg/s and saturated`,
  metrics: [
    { key: 'members', label: 'members', unit: '', digits: 0 },
    { key: 'pacedDeliveriesPerSecond', label: 'paced: deliveries/s', unit: '', digits: 0 },
    { key: 'pacedP99Ms', label: 'paced: delivery p99', unit: 'ms', digits: 2 },
    { key: 'pacedLost', label: 'paced: lost', unit: '', digits: 0 },
    { key: 'saturatedDeliveriesPerSecond', label: 'saturated: deliveries/s', unit: '', digits: 0 },
    { key: 'saturatedP99Ms', label: 'saturated: delivery p99', unit: 'ms', digits: 1 },
    { key: 'saturatedLost', label: 'saturated: lost', unit: '', digits: 0 },
    { key: 'saturatedServerCpuPercent', label: 'saturated: server CPU', unit: '% of a core', digits: 0 },
    { key: 'saturatedServerCpuMicrosPerDelivery', label: 'saturated: server CPU per delivery', unit: 'µs', digits: 2 },
  ],
  budgets: [
    { metric: 'saturatedDeliveriesPerSecond', kind: 'ratio-at-least', value: 0.9 },
    { metric: 'saturatedServerCpuMicrosPerDelivery', kind: 'ratio-at-most', value: CPU_PER_MESSAGE_RATIO },
    { metric: 'pacedLost', kind: 'at-most', value: 0 },
    { metric: 'saturatedLost', kind: 'at-most', value: 0 },
  ],
  openFilesNeeded: (settings) => settings.fanout.members + 64,
  target: (name, settings) => (name === 'socketbook' ? socketbookTarget(['--chat-limits', fanoutChatLimits(settings.fanout.members)]) : referenceTarget('reference-broadcast.ts')),
  async run(target, context) {
    const { workers, settings } = context;
    const chat = target.name === 'socketbook';
    const urlFor = (name: string) => (chat ? `${target.wsOrigin}/ws/chat/${FANOUT_ROOM}?name=${name}` : `${target.wsOrigin}/`);
    const note = (message: string) => context.note(`${target.name}: ${message}`);
    const members = await joinRoom(workers, settings.fanout.members, (index) => urlFor(`member-${String(index)}`), urlFor('publisher'), chat, note);
    const phase = (name: string, pacing: Pacing, durationMs: number) =>
      measurePhase(workers, { name, pacing, durationMs, members, stallTimeoutMs: settings.fanout.stallTimeoutMs, cpuTimeMs: () => target.cpuTimeMs(), note });
    const paced = await phase('paced', { kind: 'rate', messagesPerSecond: settings.fanout.messagesPerSecond }, settings.fanout.pacedDurationMs);
    const saturated = await phase('saturated', { kind: 'window', inFlight: settings.fanout.saturationInFlight }, settings.fanout.saturationDurationMs);
    await leaveRoom(workers);
    return {
      members,
      pacedDeliveriesPerSecond: paced.deliveriesPerSecond,
      pacedP99Ms: paced.p99Ms,
      pacedLost: paced.lost,
      saturatedDeliveriesPerSecond: saturated.deliveriesPerSecond,
      saturatedP99Ms: saturated.p99Ms,
      saturatedLost: saturated.lost,
      saturatedServerCpuPercent: saturated.serverCpuPercent,
      saturatedServerCpuMicrosPerDelivery: saturated.serverCpuMicrosPerDelivery,
    };
  },
};

export const SCENARIOS: readonly Scenario[] = [
  echoScenario(32, 'echo-32b', '32 B'),
  echoScenario(16 * 1024, 'echo-16k', '16 KiB'),
  roundTripScenario,
  idleScenario,
  fanoutScenario,
];
