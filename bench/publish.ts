/**
 * `npm run bench:publish`: copies the latest results (bench-results/server-latest.json
 * and site-latest.json, from `npm run bench` and `npm run bench:site`) into
 * src/data/benchmarks.json, which the Performance page renders. Only the
 * medians, ratios, budgets and the circumstances of the run are kept.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ScenarioReport } from './report.ts';
import type { PageReport } from './site.ts';
import type { SlowConsumersOutcome } from './slow-consumers-scenario.ts';
import type { MachineDescription } from './system.ts';

export interface PublishedBenchmarks {
  readonly server: {
    readonly measuredAt: string;
    readonly commit: string;
    readonly rounds: number;
    readonly machine: MachineDescription & { readonly loadAverageAtEnd: number };
    readonly scenarios: readonly {
      readonly id: string;
      readonly title: string;
      readonly metrics: readonly { readonly key: string; readonly label: string; readonly unit: string; readonly digits: number; readonly socketbook: number; readonly ws: number | null; readonly ratio: number | null }[];
      readonly budgets: readonly { readonly metric: string; readonly rule: string; readonly met: boolean }[];
    }[];
    readonly slowConsumers: SlowConsumersOutcome | null;
  };
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

const ROOT = new URL('..', import.meta.url);

if (import.meta.main) {
  const server = JSON.parse(await readFile(new URL('bench-results/server-latest.json', ROOT), 'utf8')) as {
    startedAt: string;
    commit: string;
    quick: boolean;
    settings: { rounds: number };
    machine: PublishedBenchmarks['server']['machine'];
    scenarios: ScenarioReport[];
    slowConsumers: SlowConsumersOutcome | null;
  };
  const site = JSON.parse(await readFile(new URL('bench-results/site-latest.json', ROOT), 'utf8')) as {
    startedAt: string;
    lighthousePreset: string | null;
    machine: PublishedBenchmarks['site']['machine'];
    pages: PageReport[];
  };
  if (server.quick) throw new Error('bench-results/server-latest.json comes from a --quick run: publish a full run (npm run bench)');
  const published: PublishedBenchmarks = {
    server: {
      measuredAt: server.startedAt,
      commit: server.commit,
      rounds: server.settings.rounds,
      machine: server.machine,
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
        })),
        budgets: scenario.budgets.map((budget) => ({ metric: budget.metric, rule: budget.rule, met: budget.met })),
      })),
      slowConsumers: server.slowConsumers,
    },
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
  const target = new URL('src/data/benchmarks.json', ROOT);
  await writeFile(target, `${JSON.stringify(published, null, 2)}\n`);
  console.log(`Wrote ${fileURLToPath(target)}: server run of ${server.startedAt}, site run of ${site.startedAt}.`);
}
