import { afterEach, describe, expect, it } from 'vitest';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { CHAT_NAMES, ECHO_NAMES, openCheckServerLab, runChecks } from '../helpers/check-server-lab.ts';
import { NO_PYTHON_WEBSOCKETS, pythonWithWebsockets, startExample } from '../helpers/examples.ts';

/**
 * Chapter 12's "Check my server" panel against the Python example's solution
 * (`websockets`, the first seed's library), as a student would use it: the
 * server on 127.0.0.1, the panel in Chromium. CI runs this file after
 * installing python3-websockets (`.ci/run`); `npm test` skips it, and says
 * why, where no Python has the library.
 */
const python = pythonWithWebsockets();
if (python === null) console.warn(`skipping the "Check my server" panel against examples/python-echo-chat: ${NO_PYTHON_WEBSOCKETS}`);

describe.skipIf(python === null)('"Check my server" against examples/python-echo-chat/solution.py (needs Python 3 with websockets)', { timeout: 90_000 }, () => {
  const session = useSiteInBrowser();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  it('passes every echo check and every chat check, with no page error and no Python traceback', async () => {
    const { process: solution, url } = await startExample('examples/python-echo-chat/solution.py', python);
    cleanups.push(() => solution.kill());
    const { page, errors } = await newPage(session.browser);
    cleanups.push(() => page.context().close());
    const lab = await openCheckServerLab(page, session.running.httpUrl);

    const echoRows = await runChecks(lab, url);
    expect(echoRows.map((row) => row.name)).toEqual(ECHO_NAMES);
    expect(echoRows.filter((row) => row.state !== 'pass')).toEqual([]);
    expect((await lab.getByRole('status').textContent())?.trim()).toBe(`All ${String(ECHO_NAMES.length)} checks passed against ${url}. Now run npm run grade for what a page cannot check.`);

    const chatRows = await runChecks(lab, `${url}/chat/lobby`, 'chat');
    expect(chatRows.map((row) => row.name)).toEqual(CHAT_NAMES);
    expect(chatRows.filter((row) => row.state !== 'pass')).toEqual([]);

    expect(errors).toEqual([]);
    expect(solution.child.exitCode).toBeNull();
    expect(solution.stderr.filter((line) => line.includes('Traceback'))).toEqual([]);
  });
});
