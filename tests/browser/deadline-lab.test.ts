import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { parseDuration } from '../helpers/durations.ts';
import { startServerProcess } from '../helpers/server-process.ts';

describe('DeadlineLab on chapter 4', () => {
  const session = useSiteInBrowser();

  async function openLab(): Promise<{ page: Page; lab: Locator; errors: string[]; requests: string[] }> {
    const { page, errors, requests } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/real-time/`);
    const lab = page.locator('deadline-lab');
    await lab.scrollIntoViewIfNeeded();
    await expect.poll(() => lab.getByRole('status').textContent(), { timeout: 10_000 }).toContain('Streaming from');
    return { page, lab, errors, requests };
  }

  const verdict = (lab: Locator, kind: string) => lab.locator(`[data-verdict="${kind}"] .sb-deadline-verdict-state`).textContent();

  it('streams samples, plots them, and finds no miss against a generous deadline, loading nothing from elsewhere', async () => {
    const { page, lab, errors, requests } = await openLab();
    await lab.getByLabel('Deadline (ms)').fill('5000');
    await lab.getByLabel('Deadline (ms)').press('Tab');
    await expect.poll(async () => Number((await lab.locator('[data-stat="received"]').textContent())?.replace(/,/g, '')), { timeout: 15_000 }).toBeGreaterThan(50);
    expect(await verdict(lab, 'hard')).toBe('Holding');
    expect(await verdict(lab, 'firm')).toBe('0 % discarded');
    expect(await verdict(lab, 'soft')).toBe('100 % of the value');
    expect(await lab.locator('[data-verdict="hard"] .sb-deadline-verdict-detail').textContent()).toMatch(/^No sample missed the 5000 ms deadline: [\d,]+ judged\.$/);
    // Same machine, same clock: the estimated offset is small.
    expect(await lab.locator('[data-stat="offset"]').textContent()).toMatch(/^[+−][\d.]+ ms ± [\d.]+ ms$/);
    expect(await lab.locator('.sb-deadline-chart canvas').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(session.running.httpUrl) && !url.startsWith(session.running.wsUrl))).toEqual([]);
    await page.close();
  });

  it('judges the same misses three ways: hard fails, firm discards, soft loses value', async () => {
    const { page, lab } = await openLab();
    await lab.getByLabel('Deadline (ms)').fill('100');
    await lab.getByLabel('Added delay (ms)').fill('300');
    await lab.getByRole('button', { name: 'Apply' }).click();
    // Every sample now waits at least 300 ms: 200 ms or more past a 100 ms deadline, so it is worth nothing.
    await expect.poll(() => verdict(lab, 'hard'), { timeout: 15_000 }).toBe('System failure');
    await expect.poll(() => lab.locator('[data-verdict="firm"] .sb-deadline-verdict-detail').textContent(), { timeout: 15_000 }).toMatch(/^([1-9][\d,]*) of \1 samples arrived late/);
    expect(await verdict(lab, 'firm')).toBe('100 % discarded');
    expect(await verdict(lab, 'soft')).toBe('0 % of the value');
    expect(await lab.locator('[data-verdict="hard"] .sb-deadline-verdict-detail').textContent()).toMatch(/^Sample #\d+ arrived \d+ ms after it was made, \d+ ms past the deadline\. One miss is enough\.$/);
    expect(await lab.locator('[data-verdict="hard"]').getAttribute('data-state')).toBe('failed');
    await expect.poll(async () => parseDuration((await lab.locator('[data-stat="median"]').textContent()) ?? ''), { timeout: 15_000 }).toBeGreaterThanOrEqual(299);
    // A new run with a deadline the impaired stream meets: every judge is content again.
    await lab.getByLabel('Deadline (ms)').fill('4000');
    await lab.getByLabel('Deadline (ms)').press('Tab');
    await expect.poll(() => verdict(lab, 'hard'), { timeout: 15_000 }).toBe('Holding');
    expect(await verdict(lab, 'firm')).toBe('0 % discarded');
    await page.close();
  });

  it('has no axe violations while judging misses, in light and dark themes', async () => {
    for (const theme of ['light', 'dark']) {
      const { page } = await newPage(session.browser);
      await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
      await page.goto(`${session.running.httpUrl}/real-time/`);
      const lab = page.locator('deadline-lab');
      await lab.scrollIntoViewIfNeeded();
      await lab.getByRole('button', { name: 'Distant server' }).click();
      await lab.getByLabel('Deadline (ms)').fill('85');
      await lab.getByLabel('Deadline (ms)').press('Tab');
      await expect.poll(() => verdict(lab, 'hard'), { timeout: 15_000 }).toBe('System failure');
      await lab.getByLabel('Stall for (ms)').fill('9000');
      await lab.getByLabel('Stall every (ms, 0 = never)').fill('1000');
      await lab.getByRole('button', { name: 'Apply' }).click();
      await expect.poll(() => lab.getByRole('alert').isVisible()).toBe(true);
      const violations = await axeViolations(page);
      expect(violations.map((violation) => `${theme}: ${violation.id} ${violation.help} at ${violation.targets.join(', ')}`)).toEqual([]);
      await page.close();
    }
  });

  it('explains a contradictory impairment instead of sending it', async () => {
    const { page, lab } = await openLab();
    await lab.getByLabel('Stall every (ms, 0 = never)').fill('1000');
    await lab.getByLabel('Stall for (ms)').fill('1000');
    await lab.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => lab.getByRole('alert').textContent()).toBe('stallForMs (1000) must be less than stallEveryMs (1000).');
    expect(await lab.getByRole('status').textContent()).toContain('stallEvery=0');
    await page.close();
  });

  it('names the settings of the current run after each preset, not those the connection opened with', async () => {
    const { page, lab } = await openLab();
    const status = lab.getByRole('status').locator('.sb-status-text');
    const opened = /^Streaming from (ws:\/\/\S+\?rate=\d+&delay=0&jitter=0&stallEvery=0&stallFor=0)$/.exec((await status.textContent()) ?? '')?.[1];
    expect(opened).toBeDefined();
    const presets: [string, string][] = [
      ['Jittery Wi-Fi', 'delay=10&jitter=100&stallEvery=0&stallFor=0'],
      ['Garbage-collection pauses', 'delay=5&jitter=5&stallEvery=3000&stallFor=250'],
      ['Congested mobile', 'delay=120&jitter=200&stallEvery=5000&stallFor=800'],
    ];
    for (const [preset, query] of presets) {
      await lab.getByRole('button', { name: preset }).click();
      await expect.poll(() => status.textContent(), { message: preset }).toMatch(
        new RegExp(`^Streaming from ws://\\S+/ws/realtime\\?rate=\\d+&${query} \\(set with a configure message on this connection, which opened with \\?rate=\\d+&delay=0&jitter=0&stallEvery=0&stallFor=0\\)$`),
      );
    }
    await page.close();
  });

  it('reconnects by itself after the server process restarts, asking for the settings in force', async () => {
    const first = await startServerProcess(['--quiet']);
    let second: Awaited<ReturnType<typeof startServerProcess>> | null = null;
    const { page, errors } = await newPage(session.browser);
    try {
      await page.goto(`${first.httpUrl}/real-time/`);
      const lab = page.locator('deadline-lab');
      await lab.scrollIntoViewIfNeeded();
      const status = lab.getByRole('status').locator('.sb-status-text');
      await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('Streaming from');
      await lab.getByRole('button', { name: 'Jittery Wi-Fi' }).click();
      await expect.poll(() => status.textContent()).toContain('delay=10&jitter=100');
      await first.stop();
      await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/^(Closed with code 1006 \(not clean\)\. Reconnecting…|Can't reach the demo server at .* Retrying…)$/);
      expect(await lab.getByRole('button', { name: 'Stop' }).isVisible()).toBe(true);
      second = await startServerProcess(['--quiet', '--port', String(first.port)]);
      // Back on the same port without a reload; the new connection asks for the settings the run had.
      await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/^Streaming from ws:\/\/\S+\?rate=\d+&delay=10&jitter=100&stallEvery=0&stallFor=0$/);
      const received = lab.locator('[data-stat="received"]');
      const before = Number((await received.textContent())?.replaceAll(',', ''));
      await expect.poll(async () => Number((await received.textContent())?.replaceAll(',', '')), { timeout: 10_000 }).toBeGreaterThan(before);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await first.stop();
      await second?.stop();
    }
  });

  it('applies a preset, and stops and starts the stream', async () => {
    const { page, lab } = await openLab();
    await lab.getByRole('button', { name: 'Garbage-collection pauses' }).click();
    expect(await lab.getByLabel('Stall every (ms, 0 = never)').inputValue()).toBe('3000');
    const stop = lab.getByRole('button', { name: 'Stop' });
    await stop.click();
    await expect.poll(() => lab.getByRole('status').textContent()).toContain('Stopped. Press Start to stream again.');
    await lab.getByRole('button', { name: 'Start' }).click();
    // A new stream starts with the settings in the form, as query parameters.
    await expect.poll(() => lab.getByRole('status').textContent()).toContain('stallEvery=3000&stallFor=250');
    await expect.poll(() => lab.getByRole('status').textContent()).toContain('Streaming from');
    await page.close();
  });
});
