import { afterEach, describe, expect, it } from 'vitest';
import { grade, type GradeReport } from '../../grader/grade.ts';
import type { WatchedProcess } from '../helpers/child-process.ts';
import { NO_PYTHON_WEBSOCKETS, pythonWithWebsockets, startExample as startExampleServer } from '../helpers/examples.ts';

const ANSWER_TIMEOUT_MS = 1_500;

/** Starts an example server and stops it after the test. */
async function startExample(script: string, python: string | null = null): Promise<{ process: WatchedProcess; url: string }> {
  const started = await startExampleServer(script, python);
  running.push(started.process);
  return started;
}

function failedNames(report: GradeReport): string[] {
  return report.results.filter((result) => result.verdict === 'fail').map((result) => result.name);
}

const running: WatchedProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((process) => process.kill()));
});

// Each test grades several suites, the heartbeat ones waiting out a 1 s + 1 s heartbeat twice.
describe('examples/node-echo-chat', { timeout: 60_000 }, () => {
  it('solution.js passes every suite (handshake, echo, chat, heartbeat), and survives the protocol errors they send', async () => {
    const { process, url } = await startExample('examples/node-echo-chat/solution.js');
    expect(failedNames(await grade({ url, suites: ['handshake', 'echo'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual([]);
    expect(failedNames(await grade({ url: `${url}/chat/lobby`, suites: ['handshake', 'chat'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual([]);
    expect(failedNames(await grade({ url: `${url}/heartbeat`, suites: ['heartbeat'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual([]);
    expect(process.child.exitCode).toBeNull();
  });

  it('starter.js fails exactly the checks its TODOs are about', async () => {
    const { url } = await startExample('examples/node-echo-chat/starter.js');
    expect(failedNames(await grade({ url, suites: ['handshake', 'echo'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual(['echoes a text message as text, byte for byte']);
    expect(failedNames(await grade({ url: `${url}/chat/lobby`, suites: ['chat'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual([
      'broadcasts a message to everyone, the sender included',
      'sends recent history to a new member',
      'tells the room when someone leaves',
    ]);
    expect(failedNames(await grade({ url: `${url}/heartbeat`, suites: ['heartbeat'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual(['drops a silent client within its stated timeout']);
  });
});

const python = pythonWithWebsockets();
if (python === null) console.warn(`skipping examples/python-echo-chat: ${NO_PYTHON_WEBSOCKETS}`);

// Skipped, and said so, where no Python has websockets: install python3-websockets (Debian) or `pip install websockets`.
describe.skipIf(python === null)('examples/python-echo-chat (needs Python 3 with websockets)', { timeout: 60_000 }, () => {
  it('solution.py passes every suite (handshake, echo, chat, heartbeat)', async () => {
    const { process, url } = await startExample('examples/python-echo-chat/solution.py', python);
    expect(failedNames(await grade({ url, suites: ['handshake', 'echo'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual([]);
    expect(failedNames(await grade({ url: `${url}/chat/lobby`, suites: ['chat'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual([]);
    expect(failedNames(await grade({ url: `${url}/heartbeat`, suites: ['heartbeat'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual([]);
    expect(process.child.exitCode).toBeNull();
    expect(process.stderr.filter((line) => line.includes('Traceback'))).toEqual([]);
  });

  it('starter.py fails exactly the checks its TODOs are about', async () => {
    const { url } = await startExample('examples/python-echo-chat/starter.py', python);
    expect(failedNames(await grade({ url, suites: ['handshake', 'echo'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual([
      'refuses an unsupported Sec-WebSocket-Version and says which it supports',
      'echoes empty text and binary messages',
    ]);
    expect(failedNames(await grade({ url: `${url}/chat/lobby`, suites: ['chat'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual([
      'broadcasts a message to everyone, the sender included',
      'sends recent history to a new member',
      'tells the room when someone leaves',
    ]);
    expect(failedNames(await grade({ url: `${url}/heartbeat`, suites: ['heartbeat'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual(['drops a silent client within its stated timeout']);
  });
});
