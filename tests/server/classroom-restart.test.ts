import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTarget, type RunningTarget } from '../../bench/targets.ts';
import type { ClassSnapshot, StudentServerMessage } from '../../src/shared/protocol/classroom.ts';

/** `demo-server/main.ts --classroom --data-dir <dir>` in its own process, as a teacher starts it. */
function startClass(dataDir: string): Promise<RunningTarget> {
  return startTarget(
    { name: 'socketbook', script: 'demo-server/main.ts', args: ['--port', '0', '--classroom', '--data-dir', dataDir, '--site', 'no-such-folder', '--attacker-port', '0'] },
    { openFileLimit: null, profileDir: null },
  );
}

/** A student socket that joins and then sends each event, resolving once every one is acknowledged. */
async function student(server: RunningTarget, join: Record<string, unknown>, events: Record<string, unknown>[]): Promise<{ welcome: Extract<StudentServerMessage, { type: 'welcome' }>; socket: WebSocket }> {
  const socket = new WebSocket(`${server.wsOrigin}/ws/classroom`);
  const messages: StudentServerMessage[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as StudentServerMessage));
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'join', ...join }));
  await expect.poll(() => messages.some((message) => message.type === 'welcome')).toBe(true);
  for (const event of events) socket.send(JSON.stringify(event));
  const ids = events.map((event) => event.id);
  await expect.poll(() => ids.every((id) => messages.some((message) => message.type === 'ack' && message.id === id))).toBe(true);
  const welcome = messages.find((message) => message.type === 'welcome');
  if (welcome?.type !== 'welcome') throw new Error('no welcome');
  return { welcome, socket };
}

async function snapshot(server: RunningTarget, token: string): Promise<ClassSnapshot> {
  const response = await fetch(`${server.httpOrigin}/classroom/teacher/snapshot`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as ClassSnapshot;
}

/** What must survive a restart: everything but the time of the snapshot and who is connected now. */
function lasting(class_: ClassSnapshot): unknown {
  return { ...class_, at: 0, students: class_.students.map((row) => ({ ...row, connections: 0 })) };
}

describe('class mode across a restart of the real server process', () => {
  let dataDir: string;
  const servers: RunningTarget[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(joinPath(tmpdir(), 'socketbook-class-'));
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop(1_000)));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged event, the teacher token and the teacher\'s settings after SIGTERM, and the student rejoins by key', async () => {
    const first = await startClass(dataDir);
    servers.push(first);
    const token = (await readFile(joinPath(dataDir, 'teacher-token'), 'utf8')).trim();
    await expect.poll(() => first.stdout).toContain(`Teacher dashboard: http://127.0.0.1:${String(first.port)}/teacher/#token=${token}`);
    const { welcome } = await student(first, { name: 'ada', solved: [{ exercise: 'echo-three', solvedAt: 1_000 }] }, [
      { type: 'reading', id: 1, chapter: 'closing', section: 'close-codes' },
      { type: 'attempt', id: 2, exercise: 'safe-close', passed: false, failedCheck: 'closes cleanly', reason: 'expected the close code 1000, got 1006' },
      { type: 'attempt', id: 3, exercise: 'binary-bytes', passed: true },
    ]);
    const teacher = new WebSocket(`${first.wsOrigin}/ws/classroom/teacher?token=${token}`);
    await once(teacher, 'open');
    teacher.send(JSON.stringify({ type: 'announce', id: 1, text: 'Back in five' }));
    teacher.send(JSON.stringify({ type: 'solution', id: 2, exercise: 'safe-close', visible: false }));
    const acks: number[] = [];
    teacher.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: number };
      if (message.type === 'ack' && message.id !== undefined) acks.push(message.id);
    });
    await expect.poll(() => acks.sort()).toEqual([1, 2]);
    const before = await snapshot(first, token);
    expect(before.students[0]).toMatchObject({ name: 'ada', chapter: 'closing', solved: ['echo-three', 'binary-bytes'] });

    await first.stop(3_000);
    expect(first.stdout.some((line) => line.startsWith('SIGTERM: closing'))).toBe(true);
    expect(first.stderr.join('\n')).toBe('');
    // Closed cleanly: the last connection's close checkpoints the write-ahead log into the database and removes it.
    expect((await readdir(dataDir)).sort()).toEqual(['classroom.sqlite', 'teacher-token']);

    const second = await startClass(dataDir);
    servers.push(second);
    await expect.poll(() => second.stdout).toContain(`Teacher dashboard: http://127.0.0.1:${String(second.port)}/teacher/#token=${token}`);
    expect(lasting(await snapshot(second, token))).toEqual(lasting(before));
    const { welcome: again } = await student(second, { key: welcome.key }, []);
    expect(again).toMatchObject({ name: 'ada', announcement: { text: 'Back in five' }, hiddenSolutions: ['safe-close'] });
    expect(again.solved.map((entry) => entry.exercise)).toEqual(['echo-three', 'binary-bytes']);
  });

  it('keeps an acknowledged event even when the process is killed (SIGKILL) right after the ack', async () => {
    const first = await startClass(dataDir);
    servers.push(first);
    const token = (await readFile(joinPath(dataDir, 'teacher-token'), 'utf8')).trim();
    await student(first, { name: 'bob' }, [{ type: 'attempt', id: 1, exercise: 'accept-key', passed: true }]);
    const exited = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (first.hasExited()) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    process.kill(first.pid, 'SIGKILL');
    await exited;
    const second = await startClass(dataDir);
    servers.push(second);
    expect((await snapshot(second, token)).students[0]).toMatchObject({ name: 'bob', solved: ['accept-key'] });
  });

  it('stops at start with one line when the data folder cannot be made', async () => {
    const file = joinPath(dataDir, 'a-file');
    await writeFile(file, 'not a folder');
    await expect(startClass(joinPath(file, 'class'))).rejects.toThrow(/exited \(1\) before listening:\nclassroom: cannot create the data folder .*a-file\/class: ENOTDIR/);
  });

  it('refuses to start a second server on a data folder another one holds, saying why', async () => {
    const first = await startClass(dataDir);
    servers.push(first);
    await expect(startClass(dataDir)).rejects.toThrow(`classroom: ${joinPath(dataDir, 'classroom.sqlite')} is in use by another Socketbook server; stop it, or give this one another --data-dir`);
  });
});
