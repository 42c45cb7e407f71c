import { describe, expect, it } from 'vitest';
import { describeClassroomBench, runClassroomBench } from '../../bench/classroom.ts';

/**
 * `npm run bench:classroom` end to end with a small class against a real
 * server process. It checks what the run counts, not how fast: timings on a
 * shared machine say nothing a test may rely on.
 */
describe('npm run bench:classroom', () => {
  it('has every event acknowledged and measures the dashboard delay of each reading event', async () => {
    const result = await runClassroomBench({ students: 5, seconds: 1 });
    expect(result.eventsSent).toBeGreaterThan(0);
    expect(result.eventsAcknowledged).toBe(result.eventsSent);
    expect(result.dashboardDelayMs.count).toBeGreaterThan(0);
    expect(Number.isFinite(result.dashboardDelayMs.max)).toBe(true);
    expect(result.connectedAtEnd).toBe(5);
    expect(describeClassroomBench(result)).toMatch(/^5 students × 2 events\/s for 1 s/);
  }, 30_000);
});
