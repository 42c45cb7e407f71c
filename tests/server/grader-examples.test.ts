import { describe, it, onTestFinished } from 'vitest';
import { grade, type GradeOptions, type GradeReport } from '../../grader/grade.ts';
import type { WatchedProcess } from '../helpers/child-process.ts';
import { NO_PYTHON_WEBSOCKETS, pythonWithWebsockets, startExample as startExampleServer } from '../helpers/examples.ts';

const ANSWER_TIMEOUT_MS = 1_500;

/** Starts an example server and stops it when the test ends (tests here run at once: each stops its own). */
async function startExample(script: string, python: string | null = null): Promise<{ process: WatchedProcess; url: string }> {
  const started = await startExampleServer(script, python);
  onTestFinished(() => started.process.kill());
  return started;
}

function failedNames(report: GradeReport): string[] {
  return report.results.filter((result) => result.verdict === 'fail').map((result) => result.name);
}

/**
 * Grades an example's three endpoints (the echo at the root, a chat room, the
 * heartbeat), each with the suites given, one after the other, and returns
 * the failed checks' names per endpoint. One after the other: graded at once,
 * starter.js let its silent heartbeat client go as if it had a heartbeat.
 */
async function gradeExample(url: string, rootSuites: GradeOptions['suites'], chatSuites: GradeOptions['suites']): Promise<{ root: string[]; chat: string[]; heartbeat: string[] }> {
  const root = await grade({ url, suites: rootSuites, answerTimeoutMs: ANSWER_TIMEOUT_MS });
  const chat = await grade({ url: `${url}/chat/lobby`, suites: chatSuites, answerTimeoutMs: ANSWER_TIMEOUT_MS });
  const heartbeat = await grade({ url: `${url}/heartbeat`, suites: ['heartbeat'], answerTimeoutMs: ANSWER_TIMEOUT_MS });
  return { root: failedNames(root), chat: failedNames(chat), heartbeat: failedNames(heartbeat) };
}

// The tests run at once, each against its own example server: most of their time is the heartbeat
// suite waiting out a 1 s + 1 s heartbeat twice, not work.
describe.concurrent('examples/node-echo-chat', { timeout: 60_000 }, () => {
  it('solution.js passes every suite (handshake, echo, chat, heartbeat), and survives the protocol errors they send', async ({ expect }) => {
    const { process, url } = await startExample('examples/node-echo-chat/solution.js');
    expect(await gradeExample(url, ['handshake', 'echo'], ['handshake', 'chat'])).toEqual({ root: [], chat: [], heartbeat: [] });
    expect(process.child.exitCode).toBeNull();
  });

  it('starter.js fails exactly the checks its TODOs are about', async ({ expect }) => {
    const { url } = await startExample('examples/node-echo-chat/starter.js');
    expect(await gradeExample(url, ['handshake', 'echo'], ['chat'])).toEqual({
      root: ['echoes a text message as text, byte for byte'],
      chat: ['broadcasts a message to everyone, the sender included', 'sends recent history to a new member', 'tells the room when someone leaves'],
      heartbeat: ['drops a silent client within its stated timeout'],
    });
  });
});

const python = pythonWithWebsockets();
if (python === null) console.warn(`skipping examples/python-echo-chat: ${NO_PYTHON_WEBSOCKETS}`);

// Skipped, and said so, where no Python has websockets: install python3-websockets (Debian) or `pip install websockets`.
describe.skipIf(python === null)('examples/python-echo-chat (needs Python 3 with websockets)', { timeout: 60_000, concurrent: true }, () => {
  it('solution.py passes every suite (handshake, echo, chat, heartbeat)', async ({ expect }) => {
    const { process, url } = await startExample('examples/python-echo-chat/solution.py', python);
    expect(await gradeExample(url, ['handshake', 'echo'], ['chat'])).toEqual({ root: [], chat: [], heartbeat: [] });
    expect(process.child.exitCode).toBeNull();
    expect(process.stderr.filter((line) => line.includes('Traceback'))).toEqual([]);
  });

  it('starter.py fails exactly the checks its TODOs are about', async ({ expect }) => {
    const { url } = await startExample('examples/python-echo-chat/starter.py', python);
    expect(await gradeExample(url, ['handshake', 'echo'], ['chat'])).toEqual({
      root: ['refuses an unsupported Sec-WebSocket-Version and says which it supports', 'echoes empty text and binary messages'],
      chat: ['broadcasts a message to everyone, the sender included', 'sends recent history to a new member', 'tells the room when someone leaves'],
      heartbeat: ['drops a silent client within its stated timeout'],
    });
  });
});
