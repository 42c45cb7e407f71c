import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade, type GradeReport } from '../../grader/grade.ts';
import { SUITES } from '../../grader/suites/index.ts';
import { startRawEchoServer, type EchoFault } from '../fixtures/graded-servers/raw-echo.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

/** Short answer timeout: a broken server that never answers fails in 1.5 s, not 5. */
const ANSWER_TIMEOUT_MS = 1_500;

function failures(report: GradeReport): { name: string; hint: string | null; detail: string | null }[] {
  return report.results.filter((result) => result.verdict === 'fail').map(({ name, hint, detail }) => ({ name, hint, detail }));
}

function hintOf(suite: 'handshake' | 'echo', name: string): string {
  const hint = SUITES[suite].checkNames.includes(name) ? SUITES[suite].hintOf(name) : undefined;
  if (hint === undefined) throw new Error(`no check "${name}" in ${suite}`);
  return hint;
}

describe('grader: handshake and echo suites against the demo server', () => {
  let demo: RunningServer;
  beforeAll(async () => {
    demo = await startServer();
  });
  afterAll(async () => {
    await demo.close();
  });

  it('passes every check on /ws/echo', async () => {
    const report = await grade({ url: `${demo.wsUrl}/ws/echo`, suites: ['handshake', 'echo'], answerTimeoutMs: ANSWER_TIMEOUT_MS });
    expect(failures(report)).toEqual([]);
    expect(report.results.map((result) => result.name)).toEqual([...SUITES.handshake.checkNames, ...SUITES.echo.checkNames]);
  });
});

describe('grader: handshake and echo suites against a hand-written server', () => {
  it('passes every check when the server has no fault (so each fault below is the only reason for its ✗)', async () => {
    const server = await startRawEchoServer();
    try {
      const report = await grade({ url: server.url, suites: ['handshake', 'echo'], answerTimeoutMs: ANSWER_TIMEOUT_MS });
      expect(failures(report)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  const cases: [EchoFault, 'handshake' | 'echo', string, RegExp][] = [
    ['wrong-accept', 'handshake', 'answers 101 with a correct Sec-WebSocket-Accept', /^Sec-WebSocket-Accept is ".+"; for the key .+ it must be .+$/],
    ['no-version-header', 'handshake', 'refuses an unsupported Sec-WebSocket-Version and says which it supports', /^the 426 refusal has no Sec-WebSocket-Version header/],
    ['unoffered-subprotocol', 'handshake', 'selects a subprotocol only from the offered list', /the server chose "chat", which is not one of them/],
    ['text-as-binary', 'echo', 'echoes a text message as text, byte for byte', /got back a binary of 23 bytes .*: the echo must keep the opcode$/],
    ['binary-as-text', 'echo', 'echoes a binary message as binary, byte for byte', /got back a text of 256 bytes/],
    ['drops-empty', 'echo', 'echoes empty text and binary messages', /^sent a text of 0 bytes; instead of its echo: no message within 1500 ms$/],
    ['length-126-off-by-one', 'echo', 'echoes 125- and 126-byte messages (7-bit and 16-bit lengths)', /^sent a text of 126 bytes .*; instead of its echo: /],
    ['length-65536-off-by-one', 'echo', 'echoes 65,535- and 65,536-byte messages (16-bit and 64-bit lengths)', /^sent a text of 65,536 bytes .*; instead of its echo: the server sent a malformed frame: payload length not in the shortest encoding/],
    ['first-fragment-only', 'echo', 'reassembles a fragmented message and echoes it whole', /^sent a text of 13 bytes .*; instead of its echo: the server closed with 1007$/],
    ['wrong-pong', 'echo', 'answers a ping with a pong carrying the same payload', /^sent a ping "grader-ping-7", the pong carried no payload$/],
    ['no-close-echo', 'echo', 'echoes the closing handshake', /dropped the TCP connection without answering with a close frame/],
    ['no-1007', 'echo', 'closes with 1007 on invalid UTF-8 in a text message', /^after a text message with invalid UTF-8 \(c3 28 ff\), the server neither closed nor answered within 1500 ms/],
    ['no-1002', 'echo', 'closes with 1002 on an unmasked client frame', /^after an unmasked text frame, the server neither closed nor answered/],
  ];

  it.each(cases)('fails only one check when the server has the fault %s', async (fault, suite, name, detail) => {
    const server = await startRawEchoServer(fault);
    try {
      const report = await grade({ url: server.url, suites: [suite], answerTimeoutMs: ANSWER_TIMEOUT_MS });
      const failed = failures(report);
      expect(failed.map((result) => result.name)).toEqual([name]);
      expect(failed[0]?.detail).toMatch(detail);
      expect(failed[0]?.hint).toBe(hintOf(suite, name));
      expect(report.failed).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('says a server that stops answering mid-run may have crashed on an earlier check', async () => {
    const server = await startRawEchoServer();
    // The server goes away after the first check, as a process that crashed would.
    const closing: Promise<void>[] = [];
    const report = await grade({
      url: server.url,
      suites: ['echo'],
      answerTimeoutMs: ANSWER_TIMEOUT_MS,
      onResult: () => {
        if (closing.length === 0) closing.push(server.close());
      },
    });
    await Promise.all(closing);
    expect(report.results[0]?.verdict).toBe('pass');
    expect(report.results[1]?.detail).toMatch(/ECONNREFUSED .*\(it accepted connections earlier in this run: did an earlier check crash the server\? With `ws`, a socket without an "error" listener throws/);
  });
});

describe('grader: bounded in time', () => {
  it('gives up on a server that accepts TCP connections and never answers, and stops at the overall limit', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const url = `ws://127.0.0.1:${String((silent.address() as AddressInfo).port)}`;
      const report = await grade({ url, suites: ['handshake', 'echo'], answerTimeoutMs: 300, overallTimeoutMs: 1_000 });
      const seen = JSON.stringify({ results: report.results.map(({ ms, detail }) => ({ ms, detail })), connections: sockets.size });
      expect(report.results[0]?.detail, seen).toBe('no HTTP response within 300 ms');
      expect(report.results.at(-1)?.detail, seen).toBe("not run: the grader's overall time limit was reached");
      expect(report.failed, seen).toBe(report.results.length);
      // One check at a time, each opening at most two connections here (the subprotocol check's),
      // none once the time is up. (How many are open at once is not measured: the server sees
      // a closed connection's end a little after the grader has moved on.)
      const ran = report.results.filter((result) => result.detail?.startsWith('not run') !== true).length;
      expect(sockets.size, seen).toBeGreaterThan(1);
      expect(sockets.size, seen).toBeLessThanOrEqual(2 * ran);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
