import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ECHO_CASES } from '../../src/shared/grading/echo.ts';
import { CHAT_EXPECTATIONS } from '../../src/shared/grading/chat.ts';

/** The names of the checks chapter 12's "Check my server" panel runs, as its rows show them. */
export const HANDSHAKE = 'accepts the handshake (the page gets an open event)';
export const CLOSE = "answers the page's close: the page sees a clean 1000";
export const ECHO_NAMES = [HANDSHAKE, ...ECHO_CASES.map((echoCase) => echoCase.name), CLOSE];
export const CHAT_NAMES = [HANDSHAKE, CHAT_EXPECTATIONS.welcome.name, CHAT_EXPECTATIONS.names.name, CHAT_EXPECTATIONS.joined.name, CHAT_EXPECTATIONS.broadcast.name, CLOSE];

export interface CheckRow {
  readonly name: string;
  readonly state: string;
  readonly detail: string | null;
}

/** Opens chapter 12 on `siteUrl` and scrolls to the panel. */
export async function openCheckServerLab(page: Page, siteUrl: string): Promise<Locator> {
  await page.goto(`${siteUrl}/testing/`);
  const lab = page.locator('check-server-lab');
  await lab.scrollIntoViewIfNeeded();
  return lab;
}

/** Runs the panel's checks against `url`, as a reader would, and returns each check's row: name, mark and what it saw. */
export async function runChecks(lab: Locator, url: string, mode: 'echo' | 'chat' = 'echo'): Promise<CheckRow[]> {
  await lab.getByLabel('Server URL').fill(url);
  await lab.getByRole('radio', { name: mode === 'echo' ? /^echo \(/ : /^chat \(/ }).check();
  await lab.getByRole('button', { name: 'Run checks' }).click();
  const status = lab.getByRole('status');
  await expect.poll(() => status.textContent(), { timeout: 45_000 }).toMatch(/checks (passed|failed) against/);
  return lab.locator('.sb-check-list li').evaluateAll((rows) =>
    rows.map((row) => ({
      name: (row.querySelector('.sb-check-name')?.textContent ?? '').replace(/ \([^)]*\)$/, ''),
      state: (row as HTMLElement).dataset.state ?? '',
      detail: row.querySelector('.sb-check-detail')?.textContent ?? null,
    })),
  );
}
