import { describe, expect, it } from 'vitest';
import type { PublishedBenchmarks } from '../../bench/publish.ts';
import published from '../../src/data/benchmarks.json';
import { newPage, SITE_DIR, useSiteInBrowser } from '../helpers/browser.ts';
import { sitePages } from '../helpers/site-pages.ts';

const benchmarks = published as PublishedBenchmarks;

describe('the Performance page', () => {
  const session = useSiteInBrowser();

  it('is linked from the sidebar with the reference, and shows the published server and site tables', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/reference/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Performance', exact: true }).click();
    await page.waitForURL('**/performance/');
    const server = page.getByRole('table', { name: /same machine, same run/ });
    for (const scenario of benchmarks.server.scenarios) {
      await expect.poll(() => server.getByRole('rowheader', { name: scenario.title, exact: true }).count()).toBe(1);
    }
    expect(await server.getByRole('columnheader').allTextContents()).toEqual(['Metric', 'Socketbook', 'bare ws', 'Ratio', 'Budget']);
    const weights = page.getByRole('table', { name: /What each page loads/ });
    const scores = page.getByRole('table', { name: /Lighthouse/ });
    for (const site of benchmarks.site.pages) {
      expect(await weights.getByRole('rowheader', { name: site.path, exact: true }).count(), site.path).toBe(1);
      expect(await scores.getByRole('rowheader', { name: site.path, exact: true }).count(), site.path).toBe(1);
    }
    expect(await page.locator('[data-measured="server"]').textContent()).toContain(`${String(benchmarks.server.machine.cores)} cores`);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('publishes every page of the built site in the page tables, the new ones and the not-found page included', async () => {
    const built = await sitePages(SITE_DIR);
    expect(built).toEqual(expect.arrayContaining(['/security/', '/scaling/', '/testing/', '/teacher/', '/reference/', '/404.html']));
    expect(benchmarks.site.pages.map((page) => page.path).sort()).toEqual(built);
  });

  it('shows two instances through Redis against one, the classroom and the grader, row by row', async () => {
    const { clusterFanout, classroom, grader } = benchmarks;
    if (clusterFanout === null || classroom === null || grader === null) throw new Error('src/data/benchmarks.json lacks cluster-fanout, classroom or grader: run them and npm run bench:publish');
    const { page, errors } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/performance/`);

    const fanout = page.getByRole('table', { name: /two instances through Redis vs one/ });
    expect(await fanout.getByRole('columnheader').allTextContents()).toEqual(['Metric', ...clusterFanout.layouts.map((layout) => layout.label), 'Ratio', 'Budget']);
    expect(await fanout.getByRole('rowheader').count()).toBe(clusterFanout.metrics.length);
    const lost = fanout.getByRole('row', { name: /^lost/ });
    expect(await lost.getByRole('cell').last().textContent()).toBe(`= 0 in every round: ${clusterFanout.budgets.every((budget) => budget.met) ? 'met' : 'missed'}`);

    const room = page.getByRole('table', { name: new RegExp(`Class mode: ${String(classroom.students)} students reporting progress`) });
    const acknowledged = room.getByRole('row', { name: /events acknowledged/ });
    expect(await acknowledged.getByRole('cell').allTextContents()).toEqual([
      `${classroom.eventsAcknowledged.toLocaleString('en-US')} of ${classroom.eventsSent.toLocaleString('en-US')}`,
      `every one: ${classroom.eventsAcknowledged === classroom.eventsSent ? 'met' : 'missed'}`,
    ]);
    for (const key of ['p50', 'p90', 'p99', 'max']) expect(await room.getByRole('rowheader', { name: `dashboard update delay, ${key} (ms)` }).count(), key).toBe(1);
    expect(await room.getByRole('row', { name: /server CPU/ }).getByRole('cell').first().textContent()).toBe(classroom.serverCpuPercent.toFixed(1));

    const graded = page.getByRole('table', { name: /npm run grade, suite by suite/ });
    expect(await graded.getByRole('columnheader').allTextContents()).toEqual(['Suite', ...grader.targets.map((target) => target.label)]);
    const suites = [...new Set(grader.rows.map((row) => row.suite))];
    expect((await graded.getByRole('rowheader').allTextContents()).map((text) => text.trim())).toEqual(suites);
    for (const row of grader.rows) expect(row.failed, `${row.target} ${row.suite}`).toBe(0);
    expect((await graded.getByRole('cell').first().textContent())?.trim()).toMatch(/^\d+\.\d\d s \(checks \d+\.\d\d s\), \d+ passed$/);
    expect(await page.locator('[data-measured="grader"]').textContent()).toContain(`Commit ${grader.commit}.`);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
