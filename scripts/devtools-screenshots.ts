/**
 * `npm run screenshots:devtools`: remakes chapter 12's pictures of Chromium's
 * DevTools (`src/assets/devtools/`), taken from the real DevTools inspecting
 * the real chat lab of chapter 5, served by a real demo server.
 *
 * Headless Chromium draws no DevTools, so this starts a headful Chromium (the
 * system's, not the headless build `npm install` brings) on a virtual X
 * display (Xvfb), with DevTools opened for its tab. DevTools' own window is a
 * page target too: the script drives it through its own modules (show the
 * Network panel before the page connects, undock it) and clicks it like a
 * reader (the Socket filter, the connection, the Messages and Headers tabs),
 * then captures that window. Not part of `npm test`: a maintainer runs it
 * after a change to what the chapter describes, on Debian with
 * `apt-get install xvfb chromium`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { createDemoServer } from '../demo-server/http/server.ts';
import { ensureSiteBuilt } from '../demo-server/site-build.ts';

const OUT_DIR = resolve('src/assets/devtools');
/** The size of DevTools' own window once undocked: wide enough for the grid's columns. */
const DEVTOOLS_WINDOW = { width: 1200, height: 640 };
/** The demo server's message limit here (the default is 64 KiB). */
const MAX_MESSAGE_BYTES = 256;

/** A headful Chromium: `CHROMIUM_PATH`, else the system's. */
async function headfulChromium(): Promise<string> {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((path): path is string => path !== undefined && path !== '');
  for (const path of candidates) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // Try the next one.
    }
  }
  throw new Error(`no headful Chromium found (tried ${candidates.join(', ')}). The headless build npm install brings draws no DevTools: install one (Debian: apt-get install chromium xvfb) or set CHROMIUM_PATH.`);
}

/** Starts Xvfb on a free display number and resolves with the process and its DISPLAY. */
async function startXvfb(): Promise<{ child: ChildProcess; display: string }> {
  const child = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1600x1000x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const failed = once(child, 'error').then(([error]) => {
    throw new Error(`Xvfb did not start (${(error as Error).message}): install it (Debian: apt-get install xvfb)`);
  });
  const displayNumber = new Promise<string>((resolveDisplay) => {
    child.stdout.once('data', (data: Buffer) => resolveDisplay(data.toString().trim()));
  });
  return { child, display: `:${await Promise.race([displayNumber, failed])}` };
}

/** Starts the headful Chromium with DevTools open for its tab and connects to it over CDP. */
async function startChromium(display: string, profileDir: string): Promise<{ child: ChildProcess; browser: Browser }> {
  const args = [
    '--no-first-run',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--auto-open-devtools-for-tabs',
    '--remote-debugging-port=0',
    `--user-data-dir=${profileDir}`,
    '--window-position=0,0',
    '--window-size=1200,900',
    'about:blank',
  ];
  // Chromium refuses to run as root with its sandbox on (as in a container).
  if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  const child = spawn(await headfulChromium(), args, { env: { ...process.env, DISPLAY: display, LANG: 'en_US.UTF-8' }, stdio: 'ignore' });
  // Chromium writes the port it chose to this file once it listens.
  const portFile = joinPath(profileDir, 'DevToolsActivePort');
  for (let attempt = 0; attempt < 150; attempt += 1) {
    const port = await readFile(portFile, 'utf8').then((text) => text.split('\n')[0], () => undefined);
    if (port !== undefined && port !== '' && (await hasDevToolsTarget(port))) {
      // DevTools' window is a target of type "other", which Playwright leaves out
      // unless told to attach to those too; it then shows up as a page.
      process.env.PW_CHROMIUM_ATTACH_TO_OTHER = '1';
      return { child, browser: await chromium.connectOverCDP(`http://127.0.0.1:${port}`) };
    }
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill();
  throw new Error('Chromium did not open its remote debugging port, with DevTools open for its tab, within 15 s');
}

async function hasDevToolsTarget(port: string): Promise<boolean> {
  try {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { url: string }[];
    return targets.some((target) => target.url.startsWith('devtools://'));
  } catch {
    return false;
  }
}

/** The DevTools window's page and the inspected tab's page. */
async function pagesOf(browser: Browser): Promise<{ devtools: Page; page: Page }> {
  const context = browser.contexts()[0];
  if (context === undefined) throw new Error('Chromium has no browser context');
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const devtools = context.pages().find((candidate) => candidate.url().startsWith('devtools://'));
    const page = context.pages().find((candidate) => !candidate.url().startsWith('devtools://'));
    if (devtools !== undefined && page !== undefined) return { devtools, page };
    await sleep(100);
  }
  throw new Error(`DevTools did not open for the tab (--auto-open-devtools-for-tabs): the pages are ${context.pages().map((candidate) => candidate.url()).join(', ')}`);
}

/**
 * Undocks DevTools, gives its window a fixed size and shows the Network
 * panel, through the DevTools front end's own modules (it is a page of
 * ES modules under devtools://devtools/bundled/).
 */
async function prepareDevTools(browser: Browser, devtools: Page): Promise<void> {
  // The front end has started once its panel tabs are drawn.
  await devtools.getByRole('tab', { name: 'Elements' }).waitFor({ timeout: 30_000 });
  await devtools.evaluate(async () => {
    const legacy = 'devtools://devtools/bundled/ui/legacy/legacy.js';
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- the front end's module has no types here
    const UI = await import(/* @vite-ignore */ legacy);
    /* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- as above */
    UI.DockController.DockController.instance().setDockSide('undocked');
    await UI.ViewManager.ViewManager.instance().showView('network');
    /* eslint-enable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
  });
  // Undocked, DevTools gets a window of its own (its target becomes a "page"): give it a fixed size.
  const session = await browser.newBrowserCDPSession();
  try {
    for (let attempt = 0; ; attempt += 1) {
      const { targetInfos } = await session.send('Target.getTargets');
      const windows = await Promise.all(
        targetInfos
          .filter((info) => info.type === 'page')
          .map(async (info) => ({ info, windowId: await session.send('Browser.getWindowForTarget', { targetId: info.targetId }).then((found) => found.windowId, () => null) })),
      );
      const inspected = windows.find(({ info }) => !info.url.startsWith('devtools://'));
      const own = windows.find(({ info, windowId }) => info.url.startsWith('devtools://') && windowId !== null && windowId !== inspected?.windowId);
      if (own?.windowId != null) {
        await session.send('Browser.setWindowBounds', { windowId: own.windowId, bounds: { left: 0, top: 0, ...DEVTOOLS_WINDOW, windowState: 'normal' } });
        break;
      }
      if (attempt === 100) throw new Error(`DevTools did not open a window of its own when undocked: ${JSON.stringify(windows.map(({ info, windowId }) => [info.type, info.url.slice(0, 30), windowId]))}`);
      await sleep(100);
    }
  } finally {
    await session.detach();
  }
  await devtools.waitForFunction(({ width, height }) => {
    const view = globalThis as unknown as { innerWidth: number; innerHeight: number };
    return view.innerWidth <= width && view.innerHeight <= height;
  }, DEVTOOLS_WINDOW);
}

/** Chapter 5's chat lab: join, say something, get its echo to the room, then disconnect (a close with 1000). */
async function useChatLab(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/chat/`);
  const lab = page.locator('chat-lab').first();
  await lab.scrollIntoViewIfNeeded();
  await lab.getByRole('button', { name: /^Join room/ }).click();
  const pane = lab.locator('[data-participant="first"]');
  await pane.locator('.sb-status-text').getByText(/^Joined as /).waitFor();
  await page.getByLabel('Your message').fill('Hello from DevTools');
  await page.getByLabel('Your message').press('Enter');
  await pane.locator('[data-list="timeline"] li[data-kind="message"] .sb-chat-text').getByText('Hello from DevTools').waitFor();
  await pane.getByRole('button', { name: 'Disconnect' }).click();
  await pane.getByRole('button', { name: 'Reconnect' }).waitFor();
}

/** Chapter 1's echo cell: a text, a binary message, then one over the server's limit, which it closes with 1009. */
async function useEchoCell(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/why-websockets/`);
  const cell = page.locator('echo-cell').first();
  await cell.scrollIntoViewIfNeeded();
  await cell.getByText('Open: connected').waitFor();
  for (const [text, binary] of [['Hello, WebSocket!', false], ['Hi', true], ['x'.repeat(MAX_MESSAGE_BYTES + 1), false]] as const) {
    await cell.getByLabel('Message').fill(text);
    await cell.getByLabel('Send as binary').setChecked(binary);
    await cell.getByRole('button', { name: 'Send' }).click();
    if (text.length <= MAX_MESSAGE_BYTES) await cell.locator('tr[data-direction="received"]').nth(binary ? 1 : 0).waitFor();
  }
  await cell.getByText(/closed the connection with 1009/).waitFor();
}

/** In the Network panel: the Socket filter on, and the row of the connection named `name` (the last part of its path). */
async function socketRow(devtools: Page, name: string): Promise<Locator> {
  const filter = devtools.getByText('Socket', { exact: true });
  if ((await filter.getAttribute('aria-checked')) !== 'true') await filter.click();
  const row = devtools.getByText(name).first();
  await row.waitFor();
  return row;
}

async function capture(devtools: Page, file: string, height: number = DEVTOOLS_WINDOW.height): Promise<void> {
  await devtools.screenshot({ path: joinPath(OUT_DIR, file), clip: { x: 0, y: 0, width: DEVTOOLS_WINDOW.width, height } });
  console.log(`src/assets/devtools/${file}`);
}

await ensureSiteBuilt(process.cwd());
// A small message limit, so that the echo cell's message over it is a short row.
const server = createDemoServer({ staticDir: resolve('dist'), maxMessageBytes: MAX_MESSAGE_BYTES });
const address = await server.listen(0, '127.0.0.1');
const origin = `http://127.0.0.1:${String(address.port)}`;
const profileDir = await mkdtemp(joinPath(tmpdir(), 'socketbook-devtools-'));
const xvfb = await startXvfb();
let chrome: ChildProcess | null = null;
try {
  const started = await startChromium(xvfb.display, profileDir);
  chrome = started.child;
  const { devtools, page } = await pagesOf(started.browser);
  await prepareDevTools(started.browser, devtools);
  await mkdir(OUT_DIR, { recursive: true });

  await useChatLab(page, origin);
  const chatRow = await socketRow(devtools, 'lobby');
  await capture(devtools, 'connection-row.png', 240);
  await chatRow.click();
  await devtools.getByRole('tab', { name: 'Messages' }).click();
  await devtools.getByText(/"type":"say"/).first().click();
  await capture(devtools, 'chat-messages.png');
  await devtools.getByRole('tab', { name: 'Headers' }).click();
  await devtools.getByText('101 Switching Protocols').waitFor();
  await capture(devtools, 'chat-headers.png');

  await devtools.getByRole('button', { name: 'Clear network log' }).click();
  await useEchoCell(page, origin);
  await (await socketRow(devtools, 'echo')).click();
  await devtools.getByRole('tab', { name: 'Messages' }).click();
  await devtools.getByText('Binary message', { exact: true }).last().click();
  await capture(devtools, 'echo-messages.png');
  await started.browser.close();
} finally {
  if (chrome !== null && chrome.exitCode === null) {
    const exited = once(chrome, 'exit');
    chrome.kill();
    await exited;
  }
  xvfb.child.kill();
  await server.close();
  // Chromium's helper processes may still be writing to the profile for a moment.
  await rm(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}
