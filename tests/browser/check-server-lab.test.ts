import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { CHAT_NAMES, ECHO_NAMES, openCheckServerLab, runChecks } from '../helpers/check-server-lab.ts';
import { startExample } from '../helpers/examples.ts';
import { startRawEchoServer, type RunningFixture } from '../fixtures/graded-servers/raw-echo.ts';
import { startChatFixture } from '../fixtures/graded-servers/chat.ts';
import { CHAT_EXPECTATIONS } from '../../src/shared/grading/chat.ts';
import { ECHO_CASES } from '../../src/shared/grading/echo.ts';

describe('"Check my server" on chapter 12', { timeout: 60_000 }, () => {
  const session = useSiteInBrowser();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  async function openLab(): Promise<{ page: Page; lab: Locator; errors: string[] }> {
    const { page, errors } = await newPage(session.browser);
    cleanups.push(() => page.context().close());
    return { page, lab: await openCheckServerLab(page, session.running.httpUrl), errors };
  }

  it('passes every echo check against the demo server\'s own /ws/echo, and refuses a URL that is not ws:// or wss://', async () => {
    const { lab, errors } = await openLab();
    await lab.getByLabel('Server URL').fill('http://127.0.0.1:9001');
    await lab.getByRole('button', { name: 'Run checks' }).click();
    expect(await lab.getByRole('alert').textContent()).toBe('the URL must start with ws:// or wss://, got http://');
    const rows = await runChecks(lab, `${session.running.wsUrl}/ws/echo`);
    expect(rows.map((row) => row.name)).toEqual(ECHO_NAMES);
    expect(rows.filter((row) => row.state !== 'pass')).toEqual([]);
    expect((await lab.getByRole('status').textContent())?.trim()).toBe(`All 7 checks passed against ${session.running.wsUrl}/ws/echo. Now run npm run grade for what a page cannot check.`);
    expect(errors).toEqual([]);
  });

  it('fails the right check, with its reason, against a server that echoes text as binary, and says 1006 for a closed port', async () => {
    const broken: RunningFixture = await startRawEchoServer('text-as-binary');
    cleanups.push(() => broken.close());
    const { lab } = await openLab();
    const rows = await runChecks(lab, broken.url);
    expect(rows.filter((row) => row.state === 'fail')).toEqual([
      {
        name: 'echoes a text message as text, byte for byte',
        state: 'fail',
        detail: 'Saw: sent a text of 23 bytes (68 c3 a9 6c 6c 6f 2c 20 …), got back a binary of 23 bytes (68 c3 a9 6c 6c 6f 2c 20 …): the echo must keep the opcode',
      },
    ]);
    expect(await lab.locator('.sb-check-list li[data-state="fail"] .sb-check-hint').textContent()).toBe(`Fix: ${ECHO_CASES[0]?.hint ?? ''}`);

    const closedPort = broken.url;
    await broken.close();
    cleanups.pop();
    const refused = await runChecks(lab, closedPort);
    expect(refused[0]?.detail).toMatch(/^Saw: the connection to ws:\/\/127\.0\.0\.1:\d+ closed with 1006 before it opened\. A page cannot tell why/);
  });

  it('fails the broadcast check against a chat server that leaves the sender out', async () => {
    const chat = await startChatFixture('not-to-sender');
    cleanups.push(() => chat.close());
    const { lab } = await openLab();
    const rows = await runChecks(lab, `${chat.url}/chat/lobby`, 'chat');
    expect(rows.filter((row) => row.state === 'fail').map((row) => row.name)).toEqual([CHAT_EXPECTATIONS.broadcast.name]);
    expect(rows.find((row) => row.state === 'fail')?.detail).toMatch(/^Saw: [a-z0-9-]+ got no copy of its own message \(the sender must get it too\): nothing came within 5000 ms$/);
  });

  it('passes against the Node example solution on 127.0.0.1, echo and chat', async () => {
    const { process: solution, url } = await startExample('examples/node-echo-chat/solution.js');
    cleanups.push(() => solution.kill());
    const { lab } = await openLab();
    expect((await runChecks(lab, url)).filter((row) => row.state !== 'pass')).toEqual([]);
    const chatRows = await runChecks(lab, `${url}/chat/lobby`, 'chat');
    expect(chatRows.map((row) => row.name)).toEqual(CHAT_NAMES);
    expect(chatRows.filter((row) => row.state !== 'pass')).toEqual([]);
  });
});
