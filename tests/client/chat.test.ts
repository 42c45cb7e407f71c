import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatConnection } from '../../client/chat-connection.ts';
import { chatUrl } from '../../src/shared/protocol/chat.ts';
import { runClient } from '../helpers/cli.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

describe('npm run client -- chat', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer();
  });
  afterAll(async () => {
    await running.close();
  });

  it('talks to the room, reports a broadcast\'s recipients, pings, renames, and leaves with 1000', async () => {
    const watcher = await ChatConnection.open(chatUrl(running.wsUrl, 'cli-test'));
    const watcherName = (await watcher.next('welcome')).you;
    const input = ['hello from the terminal', '/broadcast to everyone', '/ping', '/nick terminal', '/nick terminal', '/who', '/rooms', '/nope', '/exit'].join('\n');
    const result = await runClient(['chat', 'cli-test', '--server', running.wsUrl], `${input}\n`);
    expect(result.code).toBe(0);
    const joinedAs = /^-- Joined room cli-test as ([a-z]+-[a-z]+)\.$/m.exec(result.stdout)?.[1] ?? '';
    expect(joinedAs).not.toBe('');
    expect(result.stdout).toMatch(new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\] ${joinedAs}: hello from the terminal$`, 'm'));
    expect(result.stdout).toMatch(/^broadcast #4 delivered to 2 members \(you included\)$/m);
    expect(result.stdout).toMatch(/^pong: [\d.]+ m?s round trip$/m);
    expect(result.stdout).toMatch(new RegExp(`^\\[[\\d:]+\\] \\* ${joinedAs} is now terminal$`, 'm'));
    expect(result.stdout).toContain('!! name not allowed: you are already terminal');
    expect(result.stdout).toContain(`members: ${watcherName}, terminal`);
    expect(result.stdout).toContain('rooms: cli-test (2)');
    expect(result.stdout).not.toContain('Disconnected');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('closed: 1000 "bye"');
    expect(result.stderr).toBe('unknown command /nope; /help lists them\n');

    // What another member saw: the sender's server-assigned name on every message.
    await watcher.next('left');
    const seen = watcher.received.flatMap((message) => (message.type === 'message' ? [`${message.from}: ${message.text}`] : []));
    expect(seen).toEqual([`${joinedAs}: hello from the terminal`, `${joinedAs}: to everyone`]);
    expect(watcher.received.find((message) => message.type === 'renamed')).toMatchObject({ from: joinedAs, to: 'terminal' });
    watcher.socket.terminate();
  });

  it('prints the help, which explains what broadcast means here', async () => {
    const result = await runClient(['chat', '--server', running.wsUrl], '/help\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('-- Joined room lobby as');
    expect(result.stdout).toContain('/broadcast <text>   the same, and report how many members the server delivered it to.');
    expect(result.stdout).toContain('In a room every message is broadcast');
  });

  it('refuses an invalid room name before connecting', async () => {
    const result = await runClient(['chat', 'Not A Room', '--server', running.wsUrl]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('room name "Not A Room" is not allowed: use 1 to 32 lowercase letters, digits, "-" or "_", starting with a letter or digit\n');
  });

  it('says so plainly when the server cannot be reached, and gives up', async () => {
    const result = await runClient(['chat', '--server', 'ws://127.0.0.1:9'], '', 30_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach ws://127.0.0.1:9/ws/chat/lobby (attempt 1); is the demo server running? (npm start)');
    expect(result.stderr).toContain('giving up after 3 attempts');
  });
});

describe('npm run client -- demo', () => {
  it('shows every message type, bad input and a resume, then exits 0', async () => {
    const running = await startServer();
    try {
      const result = await runClient(['demo', '--server', running.wsUrl]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      for (const type of ['welcome', 'joined', 'typing', 'message', 'ack', 'renamed', 'rooms', 'pong', 'left']) {
        expect(result.stdout).toMatch(new RegExp(`^ {2}[AB] ← \\{"type":"${type}"`, 'm'));
      }
      for (const error of ['INVALID_JSON', 'UNKNOWN_TYPE', 'SPOOFED_FIELD']) expect(result.stdout).toContain(`"error":"${error}"`);
      expect(result.stdout).toContain("B's resume report: resumed after #4: 4 events you missed");
      expect(result.stdout).toMatch(/^ {4}#6 \{"type":"message","id":6,.*"text":"B, are you there\?"\}$/m);
      expect(running.server.connections.size).toBe(0);
    } finally {
      await running.close();
    }
  });
});

describe('npm run client -- stress', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer();
  });
  afterAll(async () => {
    await running.close();
  });

  it('runs N clients × M messages and reports rates, latency percentiles and zero loss', async () => {
    const result = await runClient(['stress', '--clients', '8', '--messages', '12', '--server', running.wsUrl], '', 30_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^stress: 8 clients × 12 messages in room stress-[a-z0-9]+ on ws:\/\/127\.0\.0\.1:\d+$/m);
    expect(result.stdout).toMatch(/^sent 96 messages in \S+ m?s \([\d,]+ messages\/s\); each is broadcast to 8 members$/m);
    expect(result.stdout).toMatch(/^delivered 768 of 768 in \S+ m?s \([\d,]+ deliveries\/s\)$/m);
    expect(result.stdout).toMatch(/^latency, send to receive, over 768 deliveries: p50 \S+ m?s {2}p90 \S+ m?s {2}p99 \S+ m?s {2}max \S+ m?s$/m);
    expect(result.stdout).toContain('order: ids strictly increasing at every client');
    expect(result.stdout).toContain('zero loss: yes');
    expect(result.stdout).not.toContain('errors from the server');
  });

  it('rejects flags out of range', async () => {
    const tooMany = await runClient(['stress', '--clients', '101', '--server', running.wsUrl]);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toBe('--clients must be a whole number from 1 to 100, got "101"\n');
    const unknown = await runClient(['stress', '--fast', '--server', running.wsUrl]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--fast'");
  });
});
