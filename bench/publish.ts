/**
 * `npm run bench:publish`: copies the latest results into
 * src/data/benchmarks.json, which the Performance page renders, and the
 * README's summary table between its `bench:start` and `bench:end` markers:
 *
 * - bench-results/server-latest.json (`npm run bench`): the A/B scenarios
 *   against bare `ws`, the slow consumers, `cluster-fanout` (two instances
 *   through Redis against one) and `classroom` (60 students, one dashboard);
 * - bench-results/grader-latest.json (`npm run bench:grader`): the grader's
 *   run time per suite;
 * - bench-results/site-latest.json (`npm run bench:site`): every page's budgets.
 *
 * Only the medians, ratios, budgets and the circumstances of each run are
 * kept. A run with `--only` measured part of the table: publishing it needs
 * `--merge`, which keeps what the last publication had for the parts the
 * run left out, each part with the date and commit it was measured at.
 *
 *   npm run bench:publish
 *   npm run bench:publish -- --merge     after npm run bench -- --only classroom
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ClassroomBenchResult } from './classroom.ts';
import { NO_RATIO, type ClusterFanoutReport } from './cluster-fanout.ts';
import type { GraderBenchReport } from './grader.ts';
import { formatNumber, markdownTable, type ScenarioReport } from './report.ts';
import type { PageReport } from './site.ts';
import { SITE_BUDGETS } from './site-budgets.ts';
import type { SlowConsumersOutcome } from './slow-consumers-scenario.ts';
import type { MachineDescription } from './system.ts';

/** When, where and on what commit one run was measured. */
export interface RunStamp {
  readonly measuredAt: string;
  readonly commit: string;
  readonly machine: MachineDescription & { readonly loadAverageAtEnd: number };
}

export interface PublishedMetric {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly digits: number;
  readonly socketbook: number;
  readonly ws: number | null;
  readonly ratio: number | null;
  /** Rounds the medians were taken over. */
  readonly rounds: number;
}

export interface PublishedClusterFanout extends RunStamp {
  readonly title: string;
  readonly rounds: number;
  /** Why it did not run (no redis-server), or `null`. */
  readonly skipped: string | null;
  readonly layouts: readonly { readonly id: string; readonly label: string }[];
  /** Medians per layout id; `ratio` is two instances ÷ one, `null` for counts. */
  readonly metrics: readonly { readonly key: string; readonly label: string; readonly unit: string; readonly digits: number; readonly medians: Readonly<Record<string, number>>; readonly ratio: number | null }[];
  readonly budgets: readonly { readonly metric: string; readonly layout: string; readonly rule: string; readonly met: boolean }[];
}

export interface PublishedClassroom extends RunStamp {
  readonly students: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly eventsSent: number;
  readonly eventsAcknowledged: number;
  /** Server CPU over the reporting phase, % of one core. */
  readonly serverCpuPercent: number;
  readonly dashboardDelayMs: { readonly count: number; readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly snapshots: number;
  readonly connectedAtEnd: number;
}

export interface PublishedGrader extends RunStamp {
  readonly rounds: number;
  readonly targets: readonly { readonly id: string; readonly label: string }[];
  readonly rows: readonly { readonly target: string; readonly suite: string; readonly checks: number; readonly failed: number; readonly wallMs: number; readonly gradeMs: number }[];
}

export interface PublishedBenchmarks {
  readonly server: RunStamp & {
    readonly rounds: number;
    readonly scenarios: readonly {
      readonly id: string;
      readonly title: string;
      readonly metrics: readonly PublishedMetric[];
      readonly budgets: readonly { readonly metric: string; readonly rule: string; readonly met: boolean }[];
    }[];
    readonly slowConsumers: SlowConsumersOutcome | null;
  };
  /** `npm run bench -- --only cluster-fanout`; `null` until measured. */
  readonly clusterFanout: PublishedClusterFanout | null;
  /** `npm run bench -- --only classroom`; `null` until measured. */
  readonly classroom: PublishedClassroom | null;
  /** `npm run bench:grader`; `null` until measured. */
  readonly grader: PublishedGrader | null;
  readonly site: {
    readonly measuredAt: string;
    readonly lighthousePreset: string | null;
    readonly machine: MachineDescription & { readonly loadAverageAtEnd: number };
    readonly pages: readonly {
      readonly path: string;
      readonly scriptRawBytes: number;
      readonly scriptGzipBytes: number;
      readonly transferBytes: number;
      readonly requests: number;
      readonly offOriginRequests: number;
      readonly axeViolations: number;
      readonly scores: Readonly<Record<string, number>> | null;
    }[];
  };
}

/** What `npm run bench` writes (bench/main.ts), as far as publishing reads it. */
export interface ServerRunFile {
  readonly startedAt: string;
  readonly commit: string;
  readonly quick: boolean;
  readonly settings: { readonly rounds: number };
  readonly machine: RunStamp['machine'];
  readonly scenarios: readonly ScenarioReport[];
  readonly slowConsumers: SlowConsumersOutcome | null;
  readonly clusterFanout?: ClusterFanoutReport | null;
  readonly classroom?: ClassroomBenchResult | null;
}

export interface SiteRunFile {
  readonly startedAt: string;
  readonly lighthousePreset: string | null;
  readonly machine: PublishedBenchmarks['site']['machine'];
  readonly pages: readonly PageReport[];
}

/** Parts of the published table a server run left out (it ran with `--only`), by name. */
export function missingParts(server: ServerRunFile, grader: GraderBenchReport | null): string[] {
  const missing: string[] = [];
  if (server.scenarios.length === 0) missing.push('the A/B scenarios');
  if (server.slowConsumers === null) missing.push('slow-consumers');
  if ((server.clusterFanout ?? null) === null) missing.push('cluster-fanout');
  if ((server.classroom ?? null) === null) missing.push('classroom');
  if (grader === null) missing.push('the grader (npm run bench:grader)');
  return missing;
}

/**
 * The published table from the runs' files. `previous` (the current
 * publication, for `--merge`) fills the parts the runs left out; without it
 * they are `null` or empty.
 */
export function publish(server: ServerRunFile, site: SiteRunFile, grader: GraderBenchReport | null, previous: PublishedBenchmarks | null = null): PublishedBenchmarks {
  if (server.quick) throw new Error('bench-results/server-latest.json comes from a --quick run: publish a full run (npm run bench)');
  if (grader?.quick === true) throw new Error('bench-results/grader-latest.json comes from a --quick run: publish a full run (npm run bench:grader)');
  const stamp: RunStamp = { measuredAt: server.startedAt, commit: server.commit, machine: server.machine };
  const rounds = server.settings.rounds;
  const abServer: PublishedBenchmarks['server'] = {
    ...stamp,
    rounds,
    scenarios: server.scenarios.map((scenario) => ({
      id: scenario.id,
      title: scenario.title,
      metrics: scenario.metrics.map((metric) => ({
        key: metric.key,
        label: metric.label,
        unit: metric.unit,
        digits: metric.digits,
        socketbook: metric.socketbook.median,
        ws: metric.ws?.median ?? null,
        ratio: metric.ratio,
        rounds: metric.socketbook.values.length,
      })),
      budgets: scenario.budgets.map((budget) => ({ metric: budget.metric, rule: budget.rule, met: budget.met })),
    })),
    slowConsumers: server.slowConsumers,
  };
  const fanout = server.clusterFanout ?? null;
  const clusterFanout: PublishedClusterFanout | null =
    fanout === null
      ? null
      : {
          ...stamp,
          title: fanout.title,
          rounds,
          skipped: fanout.skipped,
          layouts: fanout.layouts.map((layout) => ({ id: layout.id, label: layout.label })),
          metrics: fanout.metrics.map((metric) => ({
            key: metric.key,
            label: metric.label,
            unit: metric.unit,
            digits: metric.digits,
            medians: metric.medians,
            ratio: NO_RATIO.has(metric.key) ? null : metric.ratio,
          })),
          budgets: fanout.budgets.map((budget) => ({ metric: budget.metric, layout: budget.layout, rule: budget.rule, met: budget.met })),
        };
  const room = server.classroom ?? null;
  const classroom: PublishedClassroom | null =
    room === null
      ? null
      : {
          ...stamp,
          students: room.options.students,
          seconds: room.options.seconds,
          eventsPerSecond: room.options.eventsPerSecond,
          eventsSent: room.eventsSent,
          eventsAcknowledged: room.eventsAcknowledged,
          serverCpuPercent: room.serverCpuShare * 100,
          dashboardDelayMs: { ...room.dashboardDelayMs },
          snapshots: room.snapshots,
          connectedAtEnd: room.connectedAtEnd,
        };
  const graded: PublishedGrader | null =
    grader === null
      ? null
      : {
          measuredAt: grader.startedAt,
          commit: grader.commit,
          machine: grader.machine,
          rounds: grader.rounds,
          targets: grader.targets,
          rows: grader.rows.map((row) => ({ target: row.target, suite: row.suite, checks: row.checks, failed: row.failed, wallMs: row.wallMs, gradeMs: row.gradeMs })),
        };
  const keep = previous !== null;
  return {
    server:
      keep && server.scenarios.length === 0
        ? { ...previous.server, slowConsumers: server.slowConsumers ?? previous.server.slowConsumers }
        : keep && server.slowConsumers === null
          ? { ...abServer, slowConsumers: previous.server.slowConsumers }
          : abServer,
    clusterFanout: clusterFanout ?? (keep ? previous.clusterFanout : null),
    classroom: classroom ?? (keep ? previous.classroom : null),
    grader: graded ?? (keep ? previous.grader : null),
    site: {
      measuredAt: site.startedAt,
      lighthousePreset: site.lighthousePreset,
      machine: site.machine,
      pages: site.pages.map((page) => ({
        path: page.path,
        scriptRawBytes: page.weight.scriptRawBytes,
        scriptGzipBytes: page.weight.scriptGzipBytes,
        transferBytes: page.weight.transferBytes,
        requests: page.weight.requests,
        offOriginRequests: page.weight.offOriginRequests.length,
        axeViolations: page.axe.light.length + page.axe.dark.length,
        scores: page.lighthouse?.scores ?? null,
      })),
    },
  };
}

export const README_START = '<!-- bench:start (written by npm run bench:publish; edit bench/publish.ts, not this table) -->';
export const README_END = '<!-- bench:end -->';

const day = (iso: string) => iso.slice(0, 10);
const ratio = (value: number | null) => (value === null || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`);
const verdict = (met: boolean) => (met ? 'met' : '**missed**');

/**
 * The README's summary: one row per budget with the same-run ratio, then the
 * classroom, the grader and the pages, each with when it was measured. The
 * Performance page has every metric.
 */
export function readmeSummary(data: PublishedBenchmarks): string {
  const rows: string[][] = [];
  for (const scenario of data.server.scenarios) {
    for (const [index, budget] of scenario.budgets.entries()) {
      const metric = scenario.metrics.find((entry) => entry.key === budget.metric);
      if (metric === undefined) continue;
      const measured = metric.ratio === null ? `${formatNumber(metric.socketbook, metric.digits)}${metric.unit === '' ? '' : ` ${metric.unit}`}` : `${ratio(metric.ratio)} (${formatNumber(metric.socketbook, metric.digits)} vs ${formatNumber(metric.ws ?? NaN, metric.digits)})`;
      rows.push([index === 0 ? scenario.title : '', metric.label, budget.rule, measured, verdict(budget.met)]);
    }
  }
  const slow = data.server.slowConsumers;
  if (slow !== null) rows.push([`${String(slow.clients)} slow consumers`, 'server RSS, peak', `≤ ${formatNumber(slow.boundMiB, 0)} MiB`, `${formatNumber(slow.peakRssMiB, 0)} MiB`, verdict(slow.held)]);
  const fanout = data.clusterFanout;
  if (fanout !== null && fanout.skipped === null) {
    const [one, two] = fanout.layouts;
    for (const key of ['saturatedDeliveriesPerSecond', 'saturatedCpuMicrosPerDelivery']) {
      const metric = fanout.metrics.find((entry) => entry.key === key);
      if (metric === undefined || one === undefined || two === undefined) continue;
      rows.push([`${two.label} vs ${one.label}`, metric.label, '(measured)', `${ratio(metric.ratio)} (${formatNumber(metric.medians[two.id] ?? NaN, metric.digits)} vs ${formatNumber(metric.medians[one.id] ?? NaN, metric.digits)})`, '']);
    }
    rows.push([`${two?.label ?? 'two instances'} and ${one?.label ?? 'one'}`, 'lost, repeated or out of order', '= 0 in every round', fanout.budgets.every((budget) => budget.met) ? '0' : 'some', verdict(fanout.budgets.every((budget) => budget.met))]);
  }
  const room = data.classroom;
  if (room !== null) {
    rows.push([`Class mode, ${String(room.students)} students`, 'events acknowledged', 'every one', `${String(room.eventsAcknowledged)} of ${String(room.eventsSent)}`, verdict(room.eventsAcknowledged === room.eventsSent)]);
    rows.push(['', 'server CPU; dashboard delay p50 / p99', '(measured)', `${formatNumber(room.serverCpuPercent, 1)} % of a core; ${formatNumber(room.dashboardDelayMs.p50, 0)} / ${formatNumber(room.dashboardDelayMs.p99, 0)} ms`, '']);
  }
  const grader = data.grader;
  if (grader !== null) {
    for (const target of grader.targets) {
      const mine = grader.rows.filter((row) => row.target === target.id);
      const failed = mine.reduce((sum, row) => sum + row.failed, 0);
      rows.push([`npm run grade against the ${target.label}`, mine.map((row) => row.suite).join(', '), 'every check passes', mine.map((row) => `${formatNumber(row.wallMs / 1000, 1)} s`).join(', '), verdict(failed === 0)]);
    }
  }
  const pages = data.site.pages;
  const heaviest = Math.max(...pages.map((page) => page.scriptGzipBytes));
  rows.push([`${String(pages.length)} pages`, 'JavaScript before interaction, gzip (the heaviest page)', '≤ 20 KB', `${formatNumber(heaviest / 1024, 1)} KB`, verdict(heaviest <= SITE_BUDGETS.scriptGzipBytes)]);
  const scored = pages.filter((page) => page.scores !== null);
  const unscored = pages.filter((page) => page.scores === null).map((page) => page.path);
  if (scored.length > 0 && unscored.length > 0 && data.site.lighthousePreset !== null) {
    rows.push(['', 'pages Lighthouse could not load (no score)', 'none', unscored.join(', '), verdict(false)]);
  }
  if (scored.length > 0) {
    const lowest = Math.min(...scored.flatMap((page) => Object.values(page.scores ?? {})));
    const under = scored.filter((page) => Object.values(page.scores ?? {}).some((score) => score < SITE_BUDGETS.lighthouseScore)).map((page) => page.path);
    rows.push(['', `Lighthouse, 4 categories (${data.site.lighthousePreset ?? ''})`, '100 each', under.length === 0 ? '100 everywhere' : `lowest ${String(lowest)}: ${under.join(', ')}`, verdict(under.length === 0)]);
  }
  const axe = pages.reduce((sum, page) => sum + page.axeViolations, 0);
  rows.push(['', 'axe violations, light and dark; requests off the origin', '0', `${String(axe)}; ${String(pages.reduce((sum, page) => sum + page.offOriginRequests, 0))}`, verdict(axe === 0 && pages.every((page) => page.offOriginRequests === 0))]);
  const when = [
    `server run ${day(data.server.measuredAt)} (commit ${data.server.commit}, load average ${String(data.server.machine.loadAverageAtStart)} → ${String(data.server.machine.loadAverageAtEnd)} on ${String(data.server.machine.cores)} cores, medians of ${String(data.server.rounds)} rounds)`,
    ...(fanout !== null && fanout.measuredAt !== data.server.measuredAt ? [`cluster-fanout ${day(fanout.measuredAt)}`] : []),
    ...(room !== null && room.measuredAt !== data.server.measuredAt ? [`classroom ${day(room.measuredAt)}`] : []),
    ...(grader === null ? [] : [`grader ${day(grader.measuredAt)} (medians of ${String(grader.rounds)} rounds)`]),
    `pages ${day(data.site.measuredAt)} (load average ${String(data.site.machine.loadAverageAtStart)} → ${String(data.site.machine.loadAverageAtEnd)})`,
  ];
  return [markdownTable(['Scenario', 'Metric', 'Budget', 'Measured (ratio: Socketbook ÷ bare ws, same run)', 'Verdict'], rows), '', `Measured: ${when.join('; ')}.`].join('\n');
}

/** `text` with what lies between the README markers replaced by `summary`; throws when a marker is missing. */
export function replaceReadmeSummary(text: string, summary: string): string {
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start === -1 || end === -1 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} markers`);
  return `${text.slice(0, start + README_START.length)}\n${summary}\n${text.slice(end)}`;
}

const ROOT = new URL('..', import.meta.url);

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(new URL(path, ROOT), 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { merge: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } }, strict: true });
  if (values.help) {
    console.log('Usage: npm run bench:publish -- [--merge]\n  --merge  keep the published values of the parts the latest runs left out (after npm run bench -- --only …)');
    process.exit(0);
  }
  const server = await readJson<ServerRunFile>('bench-results/server-latest.json');
  const site = await readJson<SiteRunFile>('bench-results/site-latest.json');
  const grader = await readJson<GraderBenchReport>('bench-results/grader-latest.json');
  if (server === null || site === null) {
    console.error('bench:publish needs bench-results/server-latest.json (npm run bench) and bench-results/site-latest.json (npm run bench:site).');
    process.exit(1);
  }
  const missing = missingParts(server, grader);
  if (missing.length > 0 && !values.merge) {
    console.error(`The latest runs left out ${missing.join(', ')}. Run them (npm run bench, npm run bench:grader), or publish with --merge to keep what is published for those parts.`);
    process.exit(1);
  }
  const target = new URL('src/data/benchmarks.json', ROOT);
  const previous = values.merge ? ((await readJson<PublishedBenchmarks>('src/data/benchmarks.json')) ?? null) : null;
  let published: PublishedBenchmarks;
  try {
    published = publish(server, site, grader, previous);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  await writeFile(target, `${JSON.stringify(published, null, 2)}\n`);
  const readme = new URL('README.md', ROOT);
  await writeFile(readme, replaceReadmeSummary(await readFile(readme, 'utf8'), readmeSummary(published)));
  console.log(`Wrote ${fileURLToPath(target)} and the summary in README.md: server run of ${server.startedAt}, site run of ${site.startedAt}${grader === null ? '' : `, grader run of ${grader.startedAt}`}${missing.length > 0 ? `; kept the published values of ${missing.join(', ')}` : ''}.`);
}
