import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade, type GradeReport } from '../../grader/grade.ts';
import { SUITES } from '../../grader/suites/index.ts';
import { startChatFixture, type ChatFault } from '../fixtures/graded-servers/chat.ts';
import { FIXTURE_HEARTBEAT, startHeartbeatFixture, type HeartbeatFault } from '../fixtures/graded-servers/heartbeat.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

const ANSWER_TIMEOUT_MS = 1_500;

function failures(report: GradeReport): { name: string; hint: string | null; detail: string | null }[] {
  return report.results.filter((result) => result.verdict === 'fail').map(({ name, hint, detail }) => ({ name, hint, detail }));
}

describe('grader: chat and heartbeat suites against the demo server', () => {
  let demo: RunningServer;
  beforeAll(async () => {
    demo = await startServer();
  });
  afterAll(async () => {
    await demo.close();
  });

  it('passes every chat check on /ws/chat/:room', async () => {
    const report = await grade({ url: `${demo.wsUrl}/ws/chat/grader`, suites: ['chat'], answerTimeoutMs: ANSWER_TIMEOUT_MS });
    expect(failures(report)).toEqual([]);
    expect(report.results.map((result) => result.name)).toEqual(SUITES.chat.checkNames);
  });

  it('passes every heartbeat check on /ws/heartbeat with a short interval and timeout', async () => {
    const report = await grade({ url: `${demo.wsUrl}/ws/heartbeat?interval=250&timeout=500`, suites: ['heartbeat'], answerTimeoutMs: ANSWER_TIMEOUT_MS });
    expect(failures(report)).toEqual([]);
    expect(report.results.map((result) => result.name)).toEqual(SUITES.heartbeat.checkNames);
  });

  it('passes the handshake suite on the chat and heartbeat endpoints too', async () => {
    for (const path of ['/ws/chat/grader', '/ws/heartbeat']) {
      const report = await grade({ url: `${demo.wsUrl}${path}`, suites: ['handshake'], answerTimeoutMs: ANSWER_TIMEOUT_MS });
      expect(failures(report), path).toEqual([]);
    }
  });
});

describe('grader: chat suite against a small chat server', () => {
  it('passes every check when the server has no fault', async () => {
    const server = await startChatFixture();
    try {
      expect(failures(await grade({ url: server.url, suites: ['chat'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  const cases: [ChatFault, string, RegExp][] = [
    ['no-name', 'welcomes a member with its name', /^the welcome has no "you" name: \{"type":"welcome","members"/],
    ['same-name', 'gives each member its own name', /^both members were named "student"$/],
    ['no-joined', 'tells the room when someone joins', /^member-1 got no "joined" notice for member-2 within 1500 ms/],
    ['not-to-sender', 'broadcasts a message to everyone, the sender included', /^member-1 got no copy of its own message \(the sender must get it too\) within 1500 ms/],
    ['no-history', 'sends recent history to a new member', /^the welcome's history \(0 events\) does not hold the message "grader says hello \w+" said before this member joined$/],
    ['no-left', 'tells the room when someone leaves', /^member-1 got no "left" notice for member-2 within 1500 ms/],
  ];

  it.each(cases)('fails the right check when the server has the fault %s', async (fault, name, detail) => {
    const server = await startChatFixture(fault);
    try {
      const report = await grade({ url: server.url, suites: ['chat'], answerTimeoutMs: ANSWER_TIMEOUT_MS });
      const failed = failures(report);
      // Without a name the later checks cannot tell members apart, so a missing name fails them too; every other fault fails one check.
      if (fault === 'no-name') expect(failed[0]?.name).toBe(name);
      else expect(failed.map((result) => result.name)).toEqual([name]);
      expect(failed[0]?.detail).toMatch(detail);
      expect(failed[0]?.hint).toBe(SUITES.chat.hintOf(name));
    } finally {
      await server.close();
    }
  });
});

describe('grader: heartbeat suite against a small heartbeat server', () => {
  it('passes every check when the server has no fault', async () => {
    const server = await startHeartbeatFixture();
    try {
      expect(failures(await grade({ url: server.url, suites: ['heartbeat'], answerTimeoutMs: ANSWER_TIMEOUT_MS }))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  const within = String(FIXTURE_HEARTBEAT.intervalMs + FIXTURE_HEARTBEAT.timeoutMs + 500);
  const cases: [HeartbeatFault, string, RegExp][] = [
    ['no-stated-timeout', 'states its heartbeat in the welcome', /^the welcome has no positive "intervalMs" and "timeoutMs": \{"type":"welcome"\}$/],
    ['wrong-pong', 'answers an application ping with the same id and time', /^sent \{"type":"ping","id":7,"sent":1234.5\}, got \{"type":"pong","id":0,"sent":1234.5\}$/],
    ['drops-everyone', 'keeps a client that answers its pings', /^a client answering every ping was dropped after \d+ ms: the server closed with 4000$/],
    ['never-drops', 'drops a silent client within its stated timeout', new RegExp(`^a client that answered nothing was still connected after ${within} ms \\(interval 250 \\+ timeout 500 ms, plus slack\\)$`)],
  ];

  it.each(cases)('fails the right check when the server has the fault %s', async (fault, name, detail) => {
    const server = await startHeartbeatFixture(fault);
    try {
      const report = await grade({ url: server.url, suites: ['heartbeat'], answerTimeoutMs: ANSWER_TIMEOUT_MS });
      const failed = failures(report);
      // Without a stated timeout the last two checks have nothing to wait for, so they fail as "not checked".
      if (fault === 'no-stated-timeout') expect(failed.map((result) => result.name)).toEqual([name, SUITES.heartbeat.checkNames[2], SUITES.heartbeat.checkNames[3]]);
      else expect(failed.map((result) => result.name)).toEqual([name]);
      expect(failed[0]?.detail).toMatch(detail);
      expect(failed[0]?.hint).toBe(SUITES.heartbeat.hintOf(name));
    } finally {
      await server.close();
    }
  });
});
