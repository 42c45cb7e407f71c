import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterFanoutReport } from '../../bench/cluster-fanout.ts';
import { QUICK_SETTINGS } from '../../bench/settings.ts';
import { lacks } from './servers.ts';

const run = promisify(execFile);

interface Report {
  clusterFanout: ClusterFanoutReport | null;
  scenarios: unknown[];
}

async function bench(out: string, env: NodeJS.ProcessEnv = process.env): Promise<{ stdout: string; report: Report }> {
  const { stdout } = await run(process.execPath, ['bench/main.ts', '--quick', '--only', 'cluster-fanout', '--out', out], { timeout: 90_000, env });
  return { stdout, report: JSON.parse(await readFile(join(out, 'server-latest.json'), 'utf8')) as Report };
}

/**
 * `npm run bench -- --only cluster-fanout` end to end in --quick mode:
 * real redis-server and demo-server processes, members split over two
 * instances. It checks the counting, not the speed: every message the
 * publisher sent is counted once at every member, on both instances.
 */
describe.skipIf(lacks('redis-server'))('npm run bench: the cluster-fanout scenario through a real Redis', () => {
  const members = QUICK_SETTINGS.clusterFanout.members;
  let folder = '';
  let stdout = '';
  let report: ClusterFanoutReport;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'socketbook-bench-cluster-'));
    const result = await bench(folder);
    stdout = result.stdout;
    if (result.report.clusterFanout === null) throw new Error(`no clusterFanout in the report:\n${stdout}`);
    report = result.report.clusterFanout;
  }, 100_000);
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('runs one instance and two instances through Redis in the same run, with the members where the layout puts them', () => {
    expect(report.skipped).toBeNull();
    expect(report.runs.map((each) => each.layout)).toEqual(['one-instance', 'two-instances-redis']);
    const [one, two] = report.runs;
    // As each instance's /metrics counts them: the members and the publisher, alternating between instances.
    expect(one?.values).toMatchObject({ members, instance1ChatConnections: members + 1 });
    expect(one?.values).not.toHaveProperty('instance2ChatConnections');
    expect(two?.values).toMatchObject({ members, instance1ChatConnections: Math.ceil(members / 2) + 1, instance2ChatConnections: Math.floor(members / 2) });
  });

  it('counts every delivery: each published message once at every member, none lost, none repeated', () => {
    for (const { layout, values } of report.runs) {
      // The publisher is on the first instance: the second one's members get its messages only through Redis.
      expect(values.published, layout).toBeGreaterThan(0);
      expect(values.expected, layout).toBe((values.published ?? NaN) * members);
      expect(values.delivered, layout).toBe(values.expected);
      expect(values.lost, layout).toBe(0);
      expect(values.disordered, layout).toBe(0);
      for (const key of ['pacedDeliveriesPerSecond', 'saturatedDeliveriesPerSecond', 'pacedP99Ms', 'saturatedP99Ms', 'saturatedCpuMicrosPerDelivery']) {
        expect(values[key], `${layout} ${key}`).toBeGreaterThan(0);
        expect(Number.isFinite(values[key]), `${layout} ${key}`).toBe(true);
      }
    }
    expect(report.budgets.map((budget) => [budget.layout, budget.metric, budget.met])).toEqual([
      ['one-instance', 'lost', true],
      ['one-instance', 'disordered', true],
      ['two-instances-redis', 'lost', true],
      ['two-instances-redis', 'disordered', true],
      ['two-instances-redis', 'publishesPerEvent', true],
      ['two-instances-redis', 'roomSubscribers', true],
    ]);
    expect(report.notes).toEqual([]);
  });

  it("counts Redis's own PUBLISH commands: one per event however many members, and one subscription per instance", () => {
    const [one, two] = report.runs;
    expect(one?.values).not.toHaveProperty('publishesPerEvent');
    expect(two?.values).toMatchObject({ publishesPerEvent: 1, roomSubscribers: 2 });
  });

  it('prints a column per layout, the ratio and the zero-loss check', () => {
    expect(stdout).toMatch(/\| Scenario +\| Metric +\| one instance +\| two instances \+ Redis +\| Ratio +\| Budget +\|/);
    expect(stdout).toMatch(/\| lost +\| 0 +\| 0 +\| +\| = 0 in every round: met +\|/);
    expect(stdout).toMatch(/\| Redis: PUBLISH commands per event logged +\| – +\| 1\.00 +\| +\| = 1 in every round: met +\|/);
    expect(stdout).toContain('Budgets: all met.');
  });
});

describe('npm run bench: the cluster-fanout scenario without redis-server', () => {
  it('is skipped with one line saying how to install it, and the run still succeeds', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'socketbook-bench-no-redis-'));
    try {
      // A PATH with a shell and git (the report names the commit), and no redis-server.
      const bin = join(folder, 'bin');
      await mkdir(bin);
      for (const command of ['sh', 'git']) await symlink((await run('sh', ['-c', `command -v ${command}`])).stdout.trim(), join(bin, command));
      const { stdout, report } = await bench(join(folder, 'out'), { ...process.env, PATH: bin });
      expect(stdout.split('\n').filter((line) => line.includes('cluster-fanout'))).toEqual(['cluster-fanout skipped: redis-server not found: apt-get install redis-server']);
      expect(report.clusterFanout).toMatchObject({ skipped: 'redis-server not found: apt-get install redis-server', runs: [], budgets: [] });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
