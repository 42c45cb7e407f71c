/**
 * `npm run screenshots`: regenerates the README's pictures from the built
 * site, served by a real demo server and driven in Chromium.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { startTarget } from '../bench/targets.ts';
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

/**
 * The teacher dashboard (README, "In a classroom"): a class server in its own
 * process with a temporary data folder, four students reporting over
 * `/ws/classroom` as their pages would, and the dashboard opened with the token.
 */
async function dashboardShot(browser: Browser): Promise<void> {
  const dataDir = await mkdtemp(joinPath(tmpdir(), 'socketbook-screenshot-'));
  const server = await startTarget(
    { name: 'socketbook', script: 'demo-server/main.ts', args: ['--port', '0', '--classroom', '--data-dir', dataDir, '--site', resolve('dist'), '--attacker-port', '0'] },
    { openFileLimit: null, profileDir: null },
  );
  const sockets: WebSocket[] = [];
  try {
    const token = (await readFile(joinPath(dataDir, 'teacher-token'), 'utf8')).trim();
    const failure = { passed: false, failedCheck: 'stays away after 1000: the conversation was ended on purpose', reason: 'expected shouldReconnect(1000) to be false, got true' };
    const students: [string, string, object[]][] = [
      ['ada', 'closing', [failure, { passed: true }]],
      ['grace', 'closing', [failure, failure]],
      ['linus', 'heartbeats', [{ passed: true }]],
      ['margaret', 'closing', [failure]],
    ];
    for (const [name, chapter, attempts] of students) {
      const socket = new WebSocket(`${server.wsOrigin}/ws/classroom`);
      sockets.push(socket);
      await once(socket, 'open');
      const replies: { type: string; id?: number }[] = [];
      socket.on('message', (data: Buffer) => replies.push(JSON.parse(data.toString()) as { type: string; id?: number }));
      socket.send(JSON.stringify({ type: 'join', name, solved: [{ exercise: 'echo-three', solvedAt: Date.now() - 600_000 }] }));
      socket.send(JSON.stringify({ type: 'reading', id: 1, chapter, section: null }));
      attempts.forEach((attempt, index) => socket.send(JSON.stringify({ type: 'attempt', id: index + 2, exercise: 'should-reconnect', ...attempt })));
      while (!replies.some((reply) => reply.type === 'ack' && reply.id === attempts.length + 1)) await once(socket, 'message');
    }
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1.5 });
    await page.goto(`${server.httpOrigin}/teacher/#token=${token}`);
    await page.getByText('Live: 4 of 4 students connected').waitFor();
    await page.getByLabel('Announcement').fill('Five minutes left on chapter 7');
    await page.getByRole('button', { name: 'Send to every student' }).click();
    await page.getByText('Students see: "Five minutes left on chapter 7"').waitFor();
    // The top of the dashboard: the whole exercise list would make the picture several screens tall.
    const box = await page.locator('teacher-dashboard').boundingBox();
    if (box === null) throw new Error('the dashboard is not on screen');
    await page.screenshot({ path: resolve('docs/images', 'teacher-dashboard.png'), fullPage: true, clip: { ...box, height: Math.min(box.height, 1250) } });
    console.log('docs/images/teacher-dashboard.png');
    await page.close();
  } finally {
    for (const socket of sockets) socket.close();
    await server.stop(2_000);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** `npm run screenshots -- teacher-dashboard.png` remakes only that picture. */
const only = process.argv[2];

await ensureSiteBuilt(process.cwd());
const server = createDemoServer({ staticDir: resolve('dist') });
const address = await server.listen(0, '127.0.0.1');
const browser = await launchBrowser();
try {
  for (const shot of shots.filter((candidate) => only === undefined || candidate.file === only)) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1.5 });
    await page.goto(`http://127.0.0.1:${String(address.port)}${shot.path}`);
    await shot.prepare(page);
    await page.locator(shot.selector).first().screenshot({ path: resolve('docs/images', shot.file) });
    console.log(`docs/images/${shot.file}`);
    await page.close();
  }
  if (only === undefined || only === 'teacher-dashboard.png') await dashboardShot(browser);
} finally {
  await browser.close();
  await server.close();
}
