import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish, type ServerRunFile } from '../../bench/publish.ts';

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
  classroom: { eventsSent: number; eventsAcknowledged: number } | null;
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
    const result = await run(process.execPath, ['bench/main.ts', '--quick', '--only', 'echo-32b,idle,fanout,classroom', '--out', folder], { timeout: 80_000 });
    output = result.stdout;
    report = JSON.parse(await readFile(join(folder, 'server-latest.json'), 'utf8')) as Report;
  }, 90_000);
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('runs each chosen scenario against the demo server and bare ws, and reports medians, ratios and budgets', () => {
    expect(report).toMatchObject({ kind: 'socketbook-server-bench', quick: true, slowConsumers: null });
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

  it('runs the classroom: 60 students, every event acknowledged', () => {
    expect(report.classroom?.eventsSent).toBeGreaterThan(0);
    expect(report.classroom?.eventsAcknowledged).toBe(report.classroom?.eventsSent);
  });

  it('writes what bench:publish reads: the scenarios with their rounds and the classroom reach the published table', async () => {
    const file = JSON.parse(await readFile(join(folder, 'server-latest.json'), 'utf8')) as ServerRunFile;
    // publish() refuses a --quick run; here only the fields it reads are under test.
    const published = publish({ ...file, quick: false }, { startedAt: file.startedAt, lighthousePreset: null, machine: file.machine, pages: [] }, null);
    expect(published.server.scenarios.map((scenario) => scenario.id)).toEqual(['echo-32b', 'idle', 'fanout']);
    for (const scenario of published.server.scenarios) {
      for (const metric of scenario.metrics) {
        expect(metric.rounds, `${scenario.id} ${metric.key}`).toBe(1);
        expect(Number.isFinite(metric.socketbook), `${scenario.id} ${metric.key}`).toBe(true);
      }
    }
    expect(published.classroom).toMatchObject({ students: 60, eventsSent: report.classroom?.eventsSent, eventsAcknowledged: report.classroom?.eventsSent });
    expect(Number.isFinite(published.classroom?.dashboardDelayMs.p99)).toBe(true);
  });

  it('prints the table with the ratio column', () => {
    expect(output).toMatch(/\| Scenario +\| Metric +\| Socketbook +\| bare ws +\| Ratio +\| Budget +\|/);
    expect(output).toContain('echoes/s');
  });
});
