import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClient } from '../helpers/cli.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

/** Fast settings: 3.2 MB/s against a client that manages 320 KB/s, and a 1.5 s pong timeout. */
const FAST = ['--rate', '200', '--size', '16384', '--work-ms', '50', '--ping-interval-ms', '200'];

function lostLine(stdout: string): { lost: number; sent: number; processed: number } {
  const match = /^lost: ([\d,]+) = ([\d,]+) sent − ([\d,]+) processed$/m.exec(stdout);
  if (match === null) throw new Error(`no "lost:" line in:\n${stdout}`);
  const [lost, sent, processed] = match.slice(1).map((text) => Number(text.replaceAll(',', ''))) as [number, number, number];
  return { lost, sent, processed };
}

describe('npm run client -- slow', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer();
  });
  afterAll(async () => {
    await running.close();
  });

  it('reproduces the seed: the server drops the slow client (1006), and it prints what was lost and received but never processed', async () => {
    const result = await runClient(['slow', running.wsUrl, ...FAST, '--pong-timeout-ms', '1500'], '', 30_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^connected to ws:\/\/127\.0\.0\.1:\d+\/ws\/backpressure\?messagesPerSecond=200&messageBytes=16384&pingIntervalMs=200&pongTimeoutMs=1500$/m);
    expect(result.stdout).toMatch(/^ +\d+(\.\d+)? m?s +processed +\d+, age /m);
    expect(result.stdout).toMatch(/^closed: 1006 \(Abnormal Closure\), no close frame received$/m);
    expect(result.stdout).toMatch(/^The server gave up after [\d.]+ s: no pong for 1\.\d s \(\d+ pings unanswered\), so it dropped the TCP connection\./m);
    const { lost, sent, processed } = lostLine(result.stdout);
    expect(lost).toBe(sent - processed);
    expect(lost).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/^received but never processed: [1-9][\d,]* \(TCP delivered them; this client never processed them\)$/m);
    await expect.poll(() => running.log.find((line) => line.includes(' close ') && line.includes('no pong'))).toMatch(/1006 \(terminated by server\)/);
  });

  it('with --keepalive-ms, gives up first with 1011 as the seed\'s Python client did', async () => {
    const result = await runClient(['slow', running.wsUrl, ...FAST, '--pong-timeout-ms', '60000', '--keepalive-ms', '1000'], '', 30_000);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('sent 1011 (internal error) keepalive ping timeout; no close frame received');
    expect(result.stdout).toMatch(/^closed: 1011 \(Internal Error\) "keepalive ping timeout", sent by this client$/m);
    expect(result.stdout).toMatch(/^This client gave up after [\d.]+ s: its own keepalive ping got no pong in time/m);
    expect(lostLine(result.stdout).lost).toBeGreaterThan(0);
  });

  it('in credit mode loses nothing: it finishes, drains and closes with 1000', async () => {
    const result = await runClient(['slow', running.wsUrl, '--mode', 'credit', '--rate', '200', '--size', '16384', '--work-ms', '20', '--seconds', '2'], '', 30_000);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 s are up: asking the server to finish, then processing what it already sent');
    expect(result.stdout).toMatch(/^closed: 1000 \(Normal Closure\) "finished", sent by this client$/m);
    const { lost, sent } = lostLine(result.stdout);
    expect(lost).toBe(0);
    expect(sent).toBeGreaterThan(10);
    expect(result.stdout).toContain('received but never processed: 0');
  });

  it('refuses flags out of range, naming the flag', async () => {
    const result = await runClient(['slow', '--rate', '5000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--rate must be a whole number from 1 to 1000, got "5000"');
    expect(result.stderr).toContain('Usage: npm run client -- slow [url]');
    const mode = await runClient(['slow', '--mode', 'fast']);
    expect(mode.stderr).toContain('--mode must be one of naive, credit, conflate, got "fast"');
  });

  it('says plainly when the server cannot be reached', async () => {
    const result = await runClient(['slow', 'ws://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('could not open ws://127.0.0.1:9/ws/backpressure (1006); is the demo server running? Start it with "npm start".');
  });
});
