import { platform } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeSlowConsumers, runSlowConsumers } from '../../bench/slow-consumers.ts';

/**
 * The small variant of `npm run bench:slow-consumers` (200 clients): 20
 * consumers that never read, against a demo server in its own process, so
 * its RSS is its own. Reads /proc, so Linux only.
 */
describe.runIf(platform() === 'linux')('slow consumers against a real server process', () => {
  it('keeps the server\'s RSS within clients × (send-buffer cap + overhead) + slack, cutting every client off with 1008', { timeout: 60_000 }, async () => {
    const result = await runSlowConsumers({ clients: 20 });
    const report = describeSlowConsumers(result);
    expect(result.closes, report).toEqual({ '1008 "send buffer full': 20 });
    expect(result.peakRssBytes - result.baselineRssBytes, report).toBeLessThanOrEqual(result.boundBytes);
    // Without the cap the same clients would have broken the bound many times over.
    expect(result.withoutCapBytes, report).toBeGreaterThan(2 * result.boundBytes);
  });
});
