import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRawEchoServer, type RunningFixture } from '../fixtures/graded-servers/raw-echo.ts';
import { runGrader } from '../helpers/cli.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

describe('npm run grade (grader/main.ts)', () => {
  let demo: RunningServer;
  let broken: RunningFixture;
  beforeAll(async () => {
    demo = await startServer();
    broken = await startRawEchoServer('wrong-pong');
  });
  afterAll(async () => {
    await demo.close();
    await broken.close();
  });

  it('prints ✓ for each check with its time and exits 0 when all pass', async () => {
    const result = await runGrader([`${demo.wsUrl}/ws/echo`, '--suite', 'echo']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`Grading ${demo.wsUrl}/ws/echo: echo`);
    expect(result.stdout).toMatch(/^ {2}✓ echoes a text message as text, byte for byte \(\d+ ms\)$/m);
    expect(result.stdout).toMatch(/^all checks passed \(10\/10 passed, [\d.]+ m?s\)$/m);
    expect(result.code).toBe(0);
  });

  it('prints ✗ with what it saw and the hint, and exits 1, when a check fails', async () => {
    const result = await runGrader([broken.url, '--suite=echo']);
    expect(result.stdout).toMatch(/^ {2}✗ answers a ping with a pong carrying the same payload \(\d+ ms\)$/m);
    expect(result.stdout).toContain('      got:  sent a ping "grader-ping-7", the pong carried no payload');
    expect(result.stdout).toContain('      hint: RFC 6455 §5.5.2–5.5.3: answer each ping frame');
    expect(result.stdout).toMatch(/^1 of 10 checks failed \(9\/10 passed/m);
    expect(result.code).toBe(1);
  });

  it('prints one JSON report with --json', async () => {
    const result = await runGrader([broken.url, '--suite', 'handshake,echo', '--json']);
    const report = JSON.parse(result.stdout) as { ok: boolean; passed: number; failed: number; results: { suite: string; name: string; verdict: string; ms: number; hint: string | null }[] };
    expect(report.ok).toBe(false);
    expect(report.failed).toBe(1);
    expect(report.passed).toBe(12);
    expect(report.results.find((check) => check.verdict === 'fail')).toMatchObject({ suite: 'echo', name: 'answers a ping with a pong carrying the same payload' });
    expect(report.results.every((check) => typeof check.ms === 'number')).toBe(true);
    expect(result.code).toBe(1);
  });

  it('refuses a URL that is not ws:// or wss://, and an unknown suite, with exit code 2', async () => {
    const http = await runGrader(['http://127.0.0.1:1/']);
    expect(http.stderr).toContain('the URL must start with ws:// or wss://, got http://');
    expect(http.code).toBe(2);
    const suite = await runGrader([`${demo.wsUrl}/ws/echo`, '--suite', 'echo,pingpong']);
    expect(suite.stderr).toContain('unknown suite "pingpong"; expected some of handshake, echo, chat, heartbeat');
    expect(suite.code).toBe(2);
    const none = await runGrader([]);
    expect(none.stderr).toContain('give the URL of your server');
    expect(none.code).toBe(2);
  });

  it('fails every check, with the reason, when nothing listens at the URL', async () => {
    const result = await runGrader(['ws://127.0.0.1:1/', '--suite', 'handshake', '--json']);
    const report = JSON.parse(result.stdout) as { failed: number; results: { detail: string }[] };
    expect(report.failed).toBe(3);
    expect(report.results[0]?.detail).toMatch(/^cannot connect to 127\.0\.0\.1:1: connect ECONNREFUSED/);
    expect(result.code).toBe(1);
  });
});
