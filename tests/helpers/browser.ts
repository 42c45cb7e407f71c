import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { DemoServerOptions } from '../../demo-server/options.ts';
import { startServer, type RunningServer } from './demo-server.ts';

/**
 * The Chromium every browser tool here drives: `CHROMIUM_PATH` when set (for
 * example Debian's `/usr/bin/chromium`), else the headless build that the npm
 * package `@sparticuz/chromium` carries, unpacked to the temporary folder on
 * first use. Nothing is downloaded: `npm install` alone brings a browser.
 */
export function chromiumPath(): Promise<string> {
  resolvedPath ??= resolveChromiumPath();
  return resolvedPath;
}

let resolvedPath: Promise<string> | undefined;

export async function resolveChromiumPath(): Promise<string> {
  const fromEnvironment = process.env.CHROMIUM_PATH;
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    try {
      await access(fromEnvironment, constants.X_OK);
    } catch {
      throw new Error(`CHROMIUM_PATH is ${fromEnvironment}, which is not an executable file. Unset it to use the Chromium that npm install brought.`);
    }
    return fromEnvironment;
  }
  const { default: packaged } = await import('@sparticuz/chromium');
  return packaged.executablePath();
}

/**
 * How every tool here starts Chromium: headless, and no background requests
 * (this machine has no internet). Deliberately not `@sparticuz/chromium`'s
 * own list, which is tuned for serverless platforms: `--single-process` and
 * `--no-zygote` let one crashed page take the whole browser down, and
 * `--disable-web-security` and `--allow-running-insecure-content` would switch
 * off the same-origin and mixed-content rules the chapters demonstrate.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The packaged headless build takes its default locale from LANG, and under
 * C.UTF-8 (as on a fresh Debian machine) that is "en-US@posix", which every
 * Intl formatter rejects ("Invalid language tag"). The tests read English.
 */
export const CHROMIUM_ENV = { ...process.env, LANG: 'en_US.UTF-8' };

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: CHROMIUM_FLAGS, env: CHROMIUM_ENV });
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
