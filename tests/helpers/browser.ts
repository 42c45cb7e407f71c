import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { DemoServerOptions } from '../../demo-server/options.ts';
import { startServer, type RunningServer } from './demo-server.ts';

/** Debian's Chromium; playwright-core never downloads a browser of its own here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}

/**
 * A new page that fails the test on any uncaught page error and records
 * every request, so tests can check that none leaves the origin.
 */
export async function newPage(browser: Browser): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  return { page, errors, requests };
}

/** The built site the browser tests run against. */
export const SITE_DIR = resolve('dist');

export interface SiteSession {
  readonly browser: Browser;
  readonly running: RunningServer;
}

/**
 * For a `describe` block: one Chromium and one demo server serving the built
 * site, started before its tests and closed after. Read the fields inside tests.
 */
export function useSiteInBrowser(options: Partial<DemoServerOptions> = {}): SiteSession {
  const session = {} as { browser: Browser; running: RunningServer };
  beforeAll(async () => {
    session.browser = await launchBrowser();
    session.running = await startServer({ staticDir: SITE_DIR, ...options });
  });
  afterAll(async () => {
    await session.browser.close();
    await session.running.close();
  });
  return session;
}
