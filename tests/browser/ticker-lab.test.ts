import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { useSiteInBrowser } from '../helpers/browser.ts';
import { offOrigin, openLab } from '../helpers/lab-page.ts';

describe('TickerLab on chapter 5', () => {
  const suite = useSiteInBrowser();

  const open = (theme?: 'light' | 'dark') => openLab(suite, '/messages/', 'ticker-lab', (lab) => expect.poll(() => lab.locator('.sb-status-text').textContent()).toContain('Open: connected to'), theme);

  const priceRow = (lab: Locator, symbol: string) => lab.locator(`.sb-tk-prices tr[data-symbol="${symbol}"]`);

  it('streams prices for the subscribed symbols and follows the toggles', async () => {
    const { page, lab, errors, requests } = await open();
    await expect.poll(() => priceRow(lab, 'AAPL').count()).toBe(1);
    await expect.poll(() => priceRow(lab, 'SPY').locator('td').nth(1).textContent()).toMatch(/^\d+\.\d\d$/);
    const tsla = lab.getByRole('button', { name: 'TSLA' });
    expect(await tsla.getAttribute('aria-pressed')).toBe('false');
    await tsla.click();
    expect(await tsla.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => priceRow(lab, 'TSLA').count()).toBe(1);
    await lab.getByRole('button', { name: 'AAPL' }).click();
    await expect.poll(() => priceRow(lab, 'AAPL').count()).toBe(0);
    await expect.poll(() => lab.locator('.sb-tk-reply').textContent()).toBe('Server: unsubscribed: AAPL; now SPY, TSLA');
    await lab.getByRole('button', { name: 'Ping' }).click();
    await expect.poll(() => lab.locator('.sb-tk-reply').textContent()).toMatch(/^Server: pong #1: round trip \d+ ms$/);
    expect(await lab.locator('.sb-tk-counts').textContent()).toMatch(/^Received by type: welcome 1, subscribed \d, price \d+/);
    expect(errors).toEqual([]);
    expect(offOrigin(suite, requests)).toEqual([]);
    await page.close();
  });

  it('has no axe violations with prices and a log shown, in light and dark themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { page, lab } = await open(theme);
      await expect.poll(() => priceRow(lab, 'AAPL').count()).toBe(1);
      await lab.getByRole('button', { name: 'Not JSON' }).click();
      await lab.getByRole('button', { name: 'Send', exact: true }).click();
      await expect.poll(() => lab.locator('.sb-tk-log td.sb-tk-type', { hasText: 'error' }).count()).toBe(1);
      expect(await axeViolations(page), theme).toEqual([]);
      await page.close();
    }
  });

  it('shows the server’s error for each kind of bad message, and the connection stays open', async () => {
    const { page, lab } = await open();
    const reply = lab.locator('.sb-tk-reply');
    const cases: [string, RegExp][] = [
      ['An unknown symbol', /^Server: error UNKNOWN_SYMBOL: unknown symbol: ACME; known symbols are AAPL, SPY/],
      ['Not JSON', /^Server: error INVALID_JSON: message is not valid JSON: /],
      ['An unknown type', /^Server: error UNKNOWN_TYPE: unknown message type: "buy"; expected one of subscribe, unsubscribe, ping$/],
      ['A field of the wrong type', /^Server: error INVALID_MESSAGE: message does not match the protocol: symbols: Invalid type: Expected Array but received "AAPL"$/],
    ];
    for (const [preset, expected] of cases) {
      await lab.getByRole('button', { name: preset }).click();
      await lab.getByRole('button', { name: 'Send', exact: true }).click();
      await expect.poll(() => reply.textContent()).toMatch(expected);
    }
    expect(await lab.locator('.sb-status-text').textContent()).toContain('Open');
    const types = await lab.locator('.sb-tk-log td.sb-tk-type').allTextContents();
    expect(types.filter((type) => type === 'error')).toHaveLength(4);
    await page.close();
  });

  it('is closed with 1008 after repeated garbage, says the server closed and does not come straight back; Reconnect subscribes again, as chapter 5 says', async () => {
    const { page, lab } = await open();
    const input = lab.getByLabel('Send any text');
    await input.fill('garbage');
    for (let index = 0; index < 6; index++) await input.press('Enter');
    const status = lab.locator('.sb-status-text');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe(
      'The server closed the connection with 1008 Policy Violation: "too many invalid messages: over 5 invalid messages in a burst". Not reconnecting by itself: this code means "do not come straight back". Press Reconnect to connect again; the lab then subscribes again to your symbols.',
    );
    const sentTypes = () => lab.locator('.sb-tk-log tr[data-direction="sent"] td.sb-tk-type').allTextContents();
    expect((await sentTypes()).filter((type) => type === '(not JSON)')).toHaveLength(6);
    // No second connection: partysocket stopped, as close-policy.ts says for 1008.
    await page.waitForTimeout(1_500);
    expect((await sentTypes()).filter((type) => type === 'subscribe')).toHaveLength(1);
    expect(await lab.locator('.sb-status').getAttribute('data-state')).toBe('closed');

    // The chapter's text, read from the page, promises what happens next.
    const advice = page.locator('li', { hasText: 'Send garbage six times quickly' });
    const text = ((await advice.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(text).toContain('The lab does not reconnect by itself');
    expect(text).toContain('Press Reconnect: because a new connection starts with no subscriptions, the lab subscribes again');
    const reconnect = lab.getByRole('button', { name: 'Reconnect' });
    await reconnect.click();
    await expect.poll(() => status.textContent()).toMatch(/^Open: reconnected to ws:\/\/127\.0\.0\.1:\d+\/ws\/ticker after close 1008 "too many invalid messages: over 5 invalid messages in a burst"; subscribed again$/);
    expect(await reconnect.isVisible()).toBe(false);
    await expect.poll(async () => (await sentTypes()).filter((type) => type === 'subscribe').length).toBe(2);
    await expect.poll(() => lab.locator('.sb-tk-reply').textContent()).toMatch(/^Server: subscribed: AAPL, SPY/);
    await page.close();
  });
});
