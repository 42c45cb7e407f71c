import { chromium } from 'playwright-core';
import { createDemoServer } from './demo-server/server.ts';
const server = createDemoServer({ staticDir: 'dist' });
const { port } = await server.listen(0, '127.0.0.1');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
for (const theme of ['light', 'dark']) {
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(`http://127.0.0.1:${port}/frames/`);
const lab = page.locator('duplex-timeline');
await lab.scrollIntoViewIfNeeded();
await page.waitForTimeout(1500);
for (let i = 0; i < 3; i++) { await lab.getByRole('button', { name: 'Send a ping' }).click(); await page.waitForTimeout(300); }
await page.waitForTimeout(1500);
console.log(await lab.locator('.sb-status-text').textContent());
console.log(await lab.locator('[data-part=summary]').textContent());
console.log(await lab.locator('[data-part=comparison]').textContent());
console.log(await lab.locator('[data-part=announce]').textContent());
await lab.screenshot({ path: `/tmp/timeline-${theme}.png` });
await page.close();
}
await browser.close();
await server.close();
