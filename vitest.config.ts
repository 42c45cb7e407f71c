import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { systemProject } from './vitest.system.config.ts';

/**
 * How many test files run at once. Most files spend their time waiting on
 * sockets, timers and child processes, not computing, so even two cores run
 * several: unit and server files three at a time on this 2-core machine,
 * browser files (each with its own Chromium and demo server) two (three were
 * slower here, and flaky: the backpressure and ticker labs time out). Set
 * SOCKETBOOK_TEST_WORKERS=1 to run every file alone (to tell a slow test
 * from a crowded machine).
 */
const workersFromEnv = Number(process.env.SOCKETBOOK_TEST_WORKERS ?? '');
const explicit = Number.isInteger(workersFromEnv) && workersFromEnv > 0 ? workersFromEnv : null;
const cores = availableParallelism();
const nodeWorkers = explicit ?? Math.max(2, cores + 1);
const browserWorkers = explicit ?? Math.max(1, Math.min(cores, 4));

export default defineConfig({
  test: {
    maxWorkers: Math.max(nodeWorkers, browserWorkers),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          maxWorkers: nodeWorkers,
          // Projects with different worker counts run one group after the other: node files, then browsers, then system.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'server',
          include: ['tests/server/**/*.test.ts', 'tests/client/**/*.test.ts'],
          maxWorkers: nodeWorkers,
          sequence: { groupOrder: 0 },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: ['tests/browser/global-setup.ts'],
          maxWorkers: browserWorkers,
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      // Real redis-server and nginx: skipped, with a printed reason, where they are not installed.
      systemProject,
    ],
  },
});
