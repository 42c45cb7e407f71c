import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

interface Report {
  kind: string;
  quick: boolean;
  machine: { cores: number; node: string };
  scenarios: {
    id: string;
    title: string;
    runs: { round: number; target: string; values: Record<string, number> }[];
    metrics: { key: string; socketbook: { values: number[]; median: number }; ws: { values: number[]; median: number } | null; ratio: number | null }[];
    budgets: { metric: string; rule: string; actual: number; met: boolean }[];
  }[];
  slowConsumers: unknown;
}

/**
 * The harness end to end in --quick mode against real servers in their own
 * processes. It checks the report's shape only: numbers from a shared
 * machine say nothing a test may rely on.
 */
describe('npm run bench -- --quick', () => {
  let folder = '';
  let output = '';
  let report: Report;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'socketbook-bench-'));
    const result = await run(process.execPath, ['bench/main.ts', '--quick', '--only', 'echo-32b,idle,fanout', '--out', folder], { timeout: 60_000 });
    output = result.stdout;
    report = JSON.parse(await readFile(join(folder, 'server-latest.json'), 'utf8')) as Report;
  }, 70_000);
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('runs each chosen scenario against the demo server and bare ws, and reports medians, ratios and budgets', () => {
    expect(report).toMatchObject({ kind: 'socketbook-server-bench', quick: true, slowConsumers: null, classroom: null });
    expect(report.scenarios.map((scenario) => scenario.id)).toEqual(['echo-32b', 'idle', 'fanout']);
    for (const scenario of report.scenarios) {
      expect(scenario.runs.map((entry) => entry.target).sort()).toEqual(['socketbook', 'ws']);
      for (const metric of scenario.metrics) {
        expect(Number.isFinite(metric.socketbook.median), `${scenario.id} ${metric.key} socketbook`).toBe(true);
        expect(Number.isFinite(metric.ws?.median), `${scenario.id} ${metric.key} ws`).toBe(true);
      }
      for (const budget of scenario.budgets) expect(typeof budget.met).toBe('boolean');
    }
  });

  it('measures something real: echoes, held connections and fan-out deliveries, none of them lost', () => {
    const metric = (id: string, key: string) => report.scenarios.find((scenario) => scenario.id === id)?.metrics.find((entry) => entry.key === key);
    expect(metric('echo-32b', 'messagesPerSecond')?.socketbook.median).toBeGreaterThan(0);
    expect(metric('idle', 'connections')?.socketbook.median).toBe(500);
    expect(metric('fanout', 'members')?.socketbook.median).toBe(50);
    expect(metric('fanout', 'saturatedLost')?.socketbook.median).toBe(0);
    expect(metric('fanout', 'pacedLost')?.socketbook.median).toBe(0);
  });

  it('prints the table with the ratio column', () => {
    expect(output).toMatch(/\| Scenario +\| Metric +\| Socketbook +\| bare ws +\| Ratio +\| Budget +\|/);
    expect(output).toContain('echoes/s');
  });
});
