import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { grade, type GradeReport } from '../../grader/grade.ts';
import { startNodeProcess, startProcess, type WatchedProcess } from '../helpers/child-process.ts';

const ANSWER_TIMEOUT_MS = 1_500;

/**
 * A Python 3 that has `websockets` (Debian: python3-websockets), or `null`:
 * the first of `python3` on the PATH and the system's own.
 */
function pythonWithWebsockets(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import websockets'], { stdio: 'ignore' }).status === 0) return python;
  }
  return null;
}

/** Starts an example server on a free port and resolves with its ws:// address, read from its first line. */
async function startExample(script: string, python: string | null = null): Promise<{ process: WatchedProcess; url: string }> {
  const process = python === null ? startNodeProcess(script, ['0']) : startProcess(python, [script, '0']);
  running.push(process);
  const line = await vi.waitFor(
    () => {
      const found = process.stdout.find((text) => text.startsWith('listening on '));
      if (found === undefined) throw new Error(`${script} did not say it listens: ${[...process.stdout, ...process.stderr].join('\n')}`);
      return found;
    },
    { timeout: 10_000, interval: 50 },
  );
  const url = /ws:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0];
  if (url === undefined) throw new Error(`no address in ${JSON.stringify(line)}`);
  return { process, url };
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
