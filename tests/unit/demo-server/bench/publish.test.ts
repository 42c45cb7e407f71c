import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { ClassroomBenchResult } from '../../../../bench/classroom.ts';
import { LAYOUTS, type ClusterFanoutReport } from '../../../../bench/cluster-fanout.ts';
import type { GraderBenchReport } from '../../../../bench/grader.ts';
import { missingParts, publish, README_END, README_START, readmeSummary, replaceReadmeSummary, type PublishedBenchmarks, type ServerRunFile, type SiteRunFile } from '../../../../bench/publish.ts';
import { summarizeScenario } from '../../../../bench/report.ts';
import benchmarks from '../../../../src/data/benchmarks.json';

const machine = { node: 'v24.21.0', cpu: 'Test CPU', cores: 2, memoryGiB: 24, loadAverageAtStart: 0.5, loadAverageAtEnd: 1.5 };

const echo = summarizeScenario(
  { id: 'echo-32b', metrics: [{ key: 'messagesPerSecond', label: 'echoes/s', unit: '', digits: 0 }], budgets: [{ metric: 'messagesPerSecond', kind: 'ratio-at-least', value: 0.9 }] },
  'Echo throughput, 32 B',
  [1, 2, 3, 4, 5].flatMap((round) => [
    { round, target: 'socketbook' as const, values: { messagesPerSecond: 95 + round }, profile: null },
    { round, target: 'ws' as const, values: { messagesPerSecond: 100 }, profile: null },
  ]),
  [],
);

const clusterFanout: ClusterFanoutReport = {
  id: 'cluster-fanout',
  title: 'Chat fan-out across processes',
  skipped: null,
  layouts: LAYOUTS,
  runs: [],
  metrics: [
    { key: 'saturatedDeliveriesPerSecond', label: 'saturated: deliveries/s', unit: '', digits: 0, medians: { 'one-instance': 1000, 'two-instances-redis': 600 }, ratio: 0.6 },
    { key: 'lost', label: 'lost', unit: '', digits: 0, medians: { 'one-instance': 0, 'two-instances-redis': 0 }, ratio: null },
    { key: 'delivered', label: 'deliveries counted', unit: '', digits: 0, medians: { 'one-instance': 500, 'two-instances-redis': 400 }, ratio: 0.8 },
  ],
  budgets: LAYOUTS.map((layout) => ({ metric: 'lost', layout: layout.id, rule: '= 0 in every round', actual: 0, met: true })),
  notes: [],
};

const classroom: ClassroomBenchResult = {
  options: { students: 60, seconds: 20, eventsPerSecond: 2 },
  eventsSent: 2400,
  eventsAcknowledged: 2400,
  serverCpuShare: 0.052,
  dashboardDelayMs: { count: 1200, p50: 138, p90: 237, p99: 335, max: 350 },
  snapshots: 82,
  connectedAtEnd: 60,
};

const server: ServerRunFile = {
  startedAt: '2026-12-06T05:00:00.000Z',
  commit: 'abc1234',
  quick: false,
  settings: { rounds: 5 },
  machine,
  scenarios: [echo],
  slowConsumers: null,
  clusterFanout,
  classroom,
};

const site: SiteRunFile = {
  startedAt: '2026-12-06T05:10:00.000Z',
  lighthousePreset: 'mobile',
  machine,
  pages: [
    {
      path: '/404.html',
      weight: { scriptRawBytes: 9000, scriptGzipBytes: 4000, transferBytes: 30000, requests: 10, offOriginRequests: [] },
      axe: { light: [], dark: [] },
      lighthouse: { scores: { performance: 98, accessibility: 100, 'best-practices': 100, seo: 100 }, performanceRuns: [97, 98, 99], shortfalls: [], metrics: {}, warnings: [] },
    },
  ],
};

const grader: GraderBenchReport = {
  kind: 'socketbook-grader-bench',
  version: 1,
  startedAt: '2026-12-06T05:20:00.000Z',
  finishedAt: '2026-12-06T05:22:00.000Z',
  commit: 'abc1234',
  quick: false,
  rounds: 3,
  machine,
  targets: [
    { id: 'demo-server', label: 'demo server' },
    { id: 'node-example', label: 'Node example solution' },
  ],
  suites: ['echo'],
  runs: [],
  rows: [
    { target: 'demo-server', suite: 'echo', checks: 10, wallMs: 1510, gradeMs: 900, failed: 0 },
    { target: 'node-example', suite: 'echo', checks: 10, wallMs: 810, gradeMs: 300, failed: 0 },
  ],
};

describe('bench:publish', () => {
  it('carries the A/B scenarios with the rounds of their medians, cluster-fanout, the classroom, the grader and every page', () => {
    const published = publish(server, site, grader);
    expect(published.server.scenarios[0]?.metrics[0]).toMatchObject({ key: 'messagesPerSecond', socketbook: 98, ws: 100, ratio: 0.98, rounds: 5 });
    expect(published.server.scenarios[0]?.budgets).toEqual([{ metric: 'messagesPerSecond', rule: '≥ 0.9× bare ws', met: true }]);
    expect(published.clusterFanout).toMatchObject({ measuredAt: server.startedAt, commit: 'abc1234', rounds: 5, skipped: null, layouts: [{ id: 'one-instance' }, { id: 'two-instances-redis' }] });
    // A ratio of two counts says nothing: published without one.
    expect(published.clusterFanout?.metrics.map((metric) => [metric.key, metric.ratio])).toEqual([
      ['saturatedDeliveriesPerSecond', 0.6],
      ['lost', null],
      ['delivered', null],
    ]);
    expect(published.clusterFanout?.budgets).toHaveLength(2);
    expect(published.classroom).toMatchObject({ measuredAt: server.startedAt, students: 60, eventsSent: 2400, eventsAcknowledged: 2400, dashboardDelayMs: { p50: 138, p99: 335 } });
    expect(published.classroom?.serverCpuPercent).toBeCloseTo(5.2, 5);
    expect(published.grader).toMatchObject({ measuredAt: grader.startedAt, rounds: 3, rows: [{ target: 'demo-server', suite: 'echo', wallMs: 1510 }, { target: 'node-example' }] });
    expect(published.site.pages).toEqual([{ path: '/404.html', scriptRawBytes: 9000, scriptGzipBytes: 4000, transferBytes: 30000, requests: 10, offOriginRequests: 0, axeViolations: 0, scores: { performance: 98, accessibility: 100, 'best-practices': 100, seo: 100 } }]);
  });

  it('refuses --quick runs, whose numbers mean nothing', () => {
    expect(() => publish({ ...server, quick: true }, site, grader)).toThrow(/--quick run: publish a full run \(npm run bench\)/);
    expect(() => publish(server, site, { ...grader, quick: true })).toThrow(/--quick run: publish a full run \(npm run bench:grader\)/);
  });

  it('names the parts a run with --only left out, and --merge keeps the published ones for them', () => {
    const partial: ServerRunFile = { ...server, startedAt: '2026-12-07T00:00:00.000Z', scenarios: [], clusterFanout: null };
    expect(missingParts(partial, null)).toEqual(['the A/B scenarios', 'slow-consumers', 'cluster-fanout', 'the grader (npm run bench:grader)']);
    expect(missingParts(server, grader)).toEqual(['slow-consumers']);
    const previous = publish(server, site, grader);
    const merged = publish(partial, site, null, previous);
    expect(merged.server).toEqual(previous.server);
    expect(merged.clusterFanout).toEqual(previous.clusterFanout);
    expect(merged.grader).toEqual(previous.grader);
    // The part this run measured is new, with its own date.
    expect(merged.classroom?.measuredAt).toBe('2026-12-07T00:00:00.000Z');
    const alone = publish(partial, site, null);
    expect([alone.server.scenarios, alone.clusterFanout, alone.grader]).toEqual([[], null, null]);
  });

  it("writes the README's summary between its markers, with the same-run ratios and a row for each new part", () => {
    const summary = readmeSummary(publish(server, site, grader));
    expect(summary).toContain('| Echo throughput, 32 B');
    expect(summary).toContain('0.98× (98 vs 100)');
    expect(summary).toContain('two instances + Redis vs one instance');
    expect(summary).toContain('0.60× (600 vs 1,000)');
    expect(summary).toContain('2400 of 2400');
    expect(summary).toContain('npm run grade against the demo server');
    expect(summary).toContain('lowest 98: /404.html');
    const readme = `# Title\n\n${README_START}\nold table\n${README_END}\n\nAfter.\n`;
    expect(replaceReadmeSummary(readme, summary)).toBe(`# Title\n\n${README_START}\n${summary}\n${README_END}\n\nAfter.\n`);
    expect(() => replaceReadmeSummary('# no markers\n', summary)).toThrow(/README.md has no <!-- bench:start/);
  });

  it("the README's summary is the one the published benchmarks give (it never drifts from the Performance page)", async () => {
    const readme = await readFile(new URL('../../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(README_START);
    expect(replaceReadmeSummary(readme, readmeSummary(benchmarks as PublishedBenchmarks))).toBe(readme);
  });
});
