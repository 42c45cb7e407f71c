/**
 * `npm run screenshots`: regenerates the README's pictures from the built
 * site, served by a real demo server and driven in Chromium.
 */
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { createDemoServer } from '../demo-server/http/server.ts';
import { ensureSiteBuilt } from '../demo-server/site-build.ts';
import { launchBrowser } from '../tests/helpers/browser.ts';

interface Shot {
  readonly file: string;
  readonly path: string;
  /** Element to capture. */
  readonly selector: string;
  /** Brings the element into the state worth showing. */
  prepare(page: Page): Promise<void>;
}

const shots: Shot[] = [
  {
    file: 'echo-cell.png',
    path: '/why-websockets/',
    selector: 'echo-cell',
    async prepare(page) {
      const cell = page.locator('echo-cell').first();
      await cell.scrollIntoViewIfNeeded();
      await cell.getByText('Open: connected').waitFor();
      for (const [text, binary] of [['Hello, WebSocket!', false], ['Hi', true]] as const) {
        await cell.getByLabel('Message').fill(text);
        await cell.getByLabel('Send as binary').setChecked(binary);
        await cell.getByRole('button', { name: 'Send' }).click();
      }
      await cell.locator('tr[data-direction="received"]').nth(1).waitFor();
    },
  },
  {
    file: 'handshake-lab.png',
    path: '/handshake/',
    selector: 'handshake-lab',
    async prepare(page) {
      const lab = page.locator('handshake-lab').first();
      await lab.scrollIntoViewIfNeeded();
      await lab.getByText('Open: the server answered 101').waitFor({ timeout: 15_000 });
    },
  },
  {
    file: 'backpressure-lab.png',
    path: '/backpressure/',
    selector: 'backpressure-lab',
    async prepare(page) {
      const lab = page.locator('backpressure-lab').first();
      await lab.scrollIntoViewIfNeeded();
      await lab.getByRole('button', { name: 'Start' }).click();
      // The naive run ends with the server giving up on the jammed client, then the page's close.
      await lab.locator('.bp-status').getByText(/Ended after/).waitFor({ timeout: 90_000 });
    },
  },
];

await ensureSiteBuilt(process.cwd());
const server = createDemoServer({ staticDir: resolve('dist') });
const address = await server.listen(0, '127.0.0.1');
const browser = await launchBrowser();
try {
  for (const shot of shots) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1.5 });
    await page.goto(`http://127.0.0.1:${String(address.port)}${shot.path}`);
    await shot.prepare(page);
    await page.locator(shot.selector).first().screenshot({ path: resolve('docs/images', shot.file) });
    console.log(`docs/images/${shot.file}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
