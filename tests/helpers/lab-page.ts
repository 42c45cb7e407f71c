import type { Locator, Page } from 'playwright-core';
import { newPage, type SiteSession } from './browser.ts';

export interface OpenedLab {
  readonly page: Page;
  /** The lab's custom element. */
  readonly lab: Locator;
  /** Uncaught page errors. */
  readonly errors: string[];
  /** Every URL the page requested. */
  readonly requests: string[];
}

/**
 * Opens `path`, scrolls the lab `<tag>` into view (labs connect when
 * visible) and waits for `ready`. `theme` sets Starlight's theme first.
 */
export async function openLab(suite: SiteSession, path: string, tag: string, ready: (lab: Locator) => Promise<unknown>, theme?: 'light' | 'dark'): Promise<OpenedLab> {
  const { page, errors, requests } = await newPage(suite.browser);
  if (theme !== undefined) await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
  await page.goto(`${suite.running.httpUrl}${path}`);
  const lab = page.locator(tag);
  await lab.scrollIntoViewIfNeeded();
  await ready(lab);
  return { page, lab, errors, requests };
}

/** Requests that went anywhere but the demo server. */
export function offOrigin(suite: SiteSession, requests: readonly string[]): string[] {
  return requests.filter((url) => !url.startsWith(suite.running.httpUrl) && !url.startsWith(suite.running.wsUrl));
}
