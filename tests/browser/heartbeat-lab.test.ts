import type { Locator, Page } from 'playwright-core';
import { describe, it, type ExpectStatic } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { parseDuration } from '../helpers/durations.ts';

/**
 * How long a poll waits for the lab to show what happened. The tests run concurrently on a shared
 * machine, where a page can take more than vitest's default second to connect.
 */
const WAIT = { timeout: 10_000 };

describe('HeartbeatLab on chapter 8', () => {
  const session = useSiteInBrowser();
  // Each test has its own page and its own client id (a freeze of the server refuses only that client),
  // and most of their time is heartbeat timers and backoff delays: they wait at the same time.

  /** Opens the lab with a short heartbeat (500 ms interval, 1 s timeout) and waits for topic values. */
  async function openLab(expect: ExpectStatic): Promise<{ page: Page; lab: Locator; errors: string[]; requests: string[] }> {
    const { page, errors, requests } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/heartbeats/`);
    const lab = page.locator('heartbeat-lab');
    await lab.scrollIntoViewIfNeeded();
    const status = lab.getByRole('status');
    await expect.poll(() => status.textContent(), WAIT).toContain('Open: heartbeat every 1.0 s, timeout 3.0 s.');
    await lab.getByLabel('Interval (ms)').fill('500');
    await lab.getByLabel('Timeout (ms)').fill('1000');
    await lab.getByRole('button', { name: 'Reconnect with these' }).click();
    await expect.poll(() => status.textContent(), WAIT).toContain('Open: heartbeat every 500 ms, timeout 1.0 s.');
    await expect.poll(() => lab.locator('[data-topic="temperature"] .sb-heartbeat-topic-value').textContent(), WAIT).toMatch(/^[\d.]+ °C$/);
    return { page, lab, errors, requests };
  }

  const events = (lab: Locator) => lab.locator('.sb-heartbeat-events').innerText();

  it.concurrent('shows the three round trips and the subscribed topics, loading nothing from elsewhere', async ({ expect }) => {
    const { page, lab, errors, requests } = await openLab(expect);
    for (const key of ['client', 'serverApplication', 'serverProtocol']) {
      await expect.poll(() => lab.locator(`[data-rtt="${key}"]`).textContent(), { timeout: 10_000 }).toMatch(/^[\d.]+ (ms|s)$/);
    }
    expect(await lab.locator('[data-topic="wind"] .sb-heartbeat-topic-value').textContent()).toMatch(/^[\d.]+ km\/h$/);
    expect(await lab.locator('[data-topic="humidity"] .sb-heartbeat-topic-value').textContent()).toBe('–');
    await lab.getByRole('checkbox', { name: /humidity/ }).check();
    await expect.poll(() => lab.locator('[data-topic="humidity"] .sb-heartbeat-topic-value').textContent(), WAIT).toMatch(/^[\d.]+ %$/);
    expect(await lab.locator('.sb-heartbeat-chart canvas').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(session.running.httpUrl) && !url.startsWith(session.running.wsUrl))).toEqual([]);
    await page.close();
  });

  it.concurrent('Freeze this client: the server drops it with 4000 within interval + timeout; it reconnects and restores its subscriptions', async ({ expect }) => {
    const { page, lab } = await openLab(expect);
    const freeze = lab.getByRole('button', { name: 'Freeze this client' });
    await freeze.click();
    await expect.poll(() => lab.getByRole('button', { name: 'Unfreeze this client' }).getAttribute('aria-pressed'), WAIT).toBe('true');
    await expect.poll(() => events(lab), { timeout: 15_000 }).toMatch(/Closed by the server with 4000 "heartbeat timeout: no pong to ping \d+ within 1000 ms"/);
    const text = await events(lab);
    const elapsed = /That was ([\d.]+) s after you froze this client \(limit: interval \+ timeout = 1\.5 s\)/.exec(text);
    expect(elapsed).not.toBeNull();
    // Measured from the click, so it includes a little browser and timer latency on top of the server's bound.
    expect(Number(elapsed?.[1])).toBeLessThanOrEqual(1.5 + 0.5);
    expect(Number(await lab.locator('[data-stat="ignored"]').textContent())).toBeGreaterThan(0);
    await expect.poll(() => events(lab), { timeout: 15_000 }).toMatch(/Restored temperature at update #\d+/);
    expect(await events(lab)).toMatch(/Restored wind at update #\d+/);
    await expect.poll(() => lab.getByRole('status').textContent(), WAIT).toContain('Open: heartbeat every 500 ms');
    expect(await lab.getByRole('button', { name: 'Freeze this client' }).getAttribute('aria-pressed')).toBe('false');
    expect(session.running.log.some((line) => /close .*\/ws\/heartbeat .* 4000 "heartbeat timeout: no pong to ping \d+ within 1000 ms" by server/.test(line))).toBe(true);
    await page.close();
  });

  it.concurrent('has no axe violations once it has run, in light and dark themes', async ({ expect }) => {
    const { page: themed } = await newPage(session.browser);
    await themed.addInitScript(() => localStorage.setItem('starlight-theme', 'light'));
    await themed.goto(`${session.running.httpUrl}/heartbeats/`);
    const lab = themed.locator('heartbeat-lab');
    await lab.scrollIntoViewIfNeeded();
    await expect.poll(() => lab.getByRole('status').textContent(), WAIT).toContain('Open: heartbeat every');
    // Events of every colour, and the frozen toggle pressed.
    await lab.getByRole('button', { name: 'Freeze this client' }).click();
    await expect.poll(() => events(lab), { timeout: 15_000 }).toContain('Restored temperature');
    await lab.getByRole('button', { name: 'Freeze this client' }).click();
    await expect.poll(() => lab.getByRole('button', { name: 'Unfreeze this client' }).count(), WAIT).toBe(1);
    // The same states in both themes: the second switched as a reader does (Starlight's theme select), not reloaded.
    for (const theme of ['light', 'dark']) {
      if (theme === 'dark') await themed.getByRole('combobox', { name: 'Select theme' }).selectOption('dark');
      expect(await themed.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      const violations = await axeViolations(themed);
      expect(violations.map((violation) => `${theme}: ${violation.id} ${violation.help} at ${violation.targets.join(', ')}`)).toEqual([]);
    }
    await themed.context().close();
  });

  it.concurrent('Freeze the server: the client\'s own timeout fires, it reconnects with growing delays, then restores its subscriptions', async ({ expect }) => {
    const { page, lab } = await openLab(expect);
    await lab.getByLabel('Freeze for (s)').fill('6');
    await lab.getByRole('button', { name: 'Freeze the server' }).click();
    await expect.poll(() => events(lab), { timeout: 10_000 }).toMatch(/No pong for [\d.]+ s: the server is not answering\. Closing with 4000 and reconnecting\./);
    expect(await events(lab)).toContain('Closed by this client with 4000 "heartbeat timeout: no pong within 1000 ms".');
    const attempts = lab.locator('.sb-heartbeat-attempts li');
    await expect.poll(() => lab.locator('.sb-heartbeat-attempts li[data-outcome="opened"]').count(), { timeout: 40_000 }).toBe(1);
    const rows = await attempts.allTextContents();
    const outcomes = await attempts.evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.outcome));
    expect(outcomes.at(-1)).toBe('opened');
    expect(outcomes.slice(0, -1).every((outcome) => outcome === 'failed')).toBe(true);
    expect(outcomes.length).toBeGreaterThanOrEqual(4);
    // Backoff: 0, then 500 ms ± 30 %, doubling each time. Attempt 4 waits at least 1.4 s, attempt 2 at most 0.65 s.
    const delays = rows.map(parseDuration);
    expect(delays[1]).toBeGreaterThanOrEqual(350);
    expect(Math.max(...delays)).toBeGreaterThan((delays[1] ?? 0) * 2);
    await expect.poll(() => events(lab), { timeout: 15_000 }).toMatch(/Restored temperature at update #\d+: \d+ updates? happened while away/);
    expect(session.running.log.some((line) => / refuse \/ws\/heartbeat .* 503 the server is frozen for client lab-/.test(line))).toBe(true);
    await page.close();
  });
});
