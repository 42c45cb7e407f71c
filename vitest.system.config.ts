import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Tests against real redis-server, nginx and demo-server processes, each
 * started by the test on free ports in a temporary folder. `npm test` runs
 * them when the servers are installed and skips them, saying so, when not;
 * `npm run test:system` (this config) runs only them and fails when a
 * server is missing, as CI wants after installing them.
 */
export const systemProject = {
  test: {
    name: 'system',
    include: ['tests/system/**/*.test.ts'],
    globalSetup: ['tests/system/global-setup.ts'],
    provide: { requireSystemServers: false },
    // Each file starts several processes: one file at a time on a small machine.
    fileParallelism: false,
    sequence: { groupOrder: 2 },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
} satisfies TestProjectInlineConfiguration;

export default defineConfig({
  test: {
    projects: [{ test: { ...systemProject.test, provide: { requireSystemServers: true } } }],
  },
});
