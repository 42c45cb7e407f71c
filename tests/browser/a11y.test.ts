import { readdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { launchBrowser, newPage } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

const SITE = resolve('dist');

/** Every page of the built site, as URL paths. */
async function sitePages(folder = SITE): Promise<string[]> {
  const pages: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('_') && entry.name !== 'pagefind') pages.push(...(await sitePages(path)));
    else if (entry.name === 'index.html') pages.push(`/${relative(SITE, folder).split(sep).join('/')}/`.replace('//', '/'));
  }
  return pages.sort();
}

describe('accessibility (axe-core) of every page', () => {
  let browser: Browser;
  let running: RunningServer;
  beforeAll(async () => {
    browser = await launchBrowser();
    running = await startServer({ staticDir: SITE });
  });
  afterAll(async () => {
    await browser.close();
    await running.close();
  });

  it('finds the pages', async () => {
    expect(await sitePages()).toContain('/why-websockets/');
  });

  it('has no axe violations on any page, in light and dark themes', async () => {
    const failures: string[] = [];
    for (const path of await sitePages()) {
      for (const theme of ['light', 'dark']) {
        const { page } = await newPage(browser);
        await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
        await page.goto(`${running.httpUrl}${path}`);
        // Let lazy cells connect and render their live state before checking it.
        await page.waitForLoadState('networkidle');
        for (const violation of await axeViolations(page)) {
          failures.push(`${path} (${theme}): ${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help} at ${violation.targets.slice(0, 3).join(', ')}`);
        }
        await page.close();
      }
    }
    expect(failures).toEqual([]);
  });
});
