import { resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser, newPage } from './browser.ts';
import { startServer, type RunningServer } from './demo-server.ts';

/** Chromium and a demo server serving the built site, shared by the tests of one file. */
export interface SiteAndBrowser {
  readonly browser: Browser;
  readonly running: RunningServer;
}

/** Starts Chromium and the demo server (serving dist/) before the file's tests and closes both after. */
export function useSiteAndBrowser(): SiteAndBrowser {
  const suite: { browser?: Browser; running?: RunningServer } = {};
  beforeAll(async () => {
    suite.browser = await launchBrowser();
    suite.running = await startServer({ staticDir: resolve('dist') });
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.running?.close();
  });
  return {
    get browser() {
      if (suite.browser === undefined) throw new Error('useSiteAndBrowser() is only ready inside tests');
      return suite.browser;
    },
    get running() {
      if (suite.running === undefined) throw new Error('useSiteAndBrowser() is only ready inside tests');
      return suite.running;
    },
  };
}

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
export async function openLab(suite: SiteAndBrowser, path: string, tag: string, ready: (lab: Locator) => Promise<unknown>, theme?: 'light' | 'dark'): Promise<OpenedLab> {
  const { page, errors, requests } = await newPage(suite.browser);
  if (theme !== undefined) await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
  await page.goto(`${suite.running.httpUrl}${path}`);
  const lab = page.locator(tag);
  await lab.scrollIntoViewIfNeeded();
  await ready(lab);
  return { page, lab, errors, requests };
}

/** Requests that went anywhere but the demo server. */
export function offOrigin(suite: SiteAndBrowser, requests: readonly string[]): string[] {
  return requests.filter((url) => !url.startsWith(suite.running.httpUrl) && !url.startsWith(suite.running.wsUrl));
}
