import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ClassSnapshot, StudentServerMessage, TeacherServerMessage } from '../../src/shared/protocol/classroom.ts';
import { STUDENT_KEY_PATTERN } from '../../src/shared/protocol/classroom.ts';
import { refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';

const TOKEN = 'teacherTokenForTheTests_0123456';
const TOKEN_32 = `${TOKEN}7`;

/** A `ws` client that records every JSON message and its close from the start. */
interface Client<T> {
  readonly socket: WebSocket;
  readonly messages: T[];
  readonly closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** Resolves with the first message (already received or to come) that `match` accepts. */
  next<M extends T>(match: (message: T) => message is M): Promise<M>;
  next(match: (message: T) => boolean): Promise<T>;
}

async function connect<T>(url: string): Promise<Client<T>> {
  const socket = new WebSocket(url);
  const messages: T[] = [];
  const waiters: { match: (message: T) => boolean; resolve: (message: T) => void }[] = [];
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as T;
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.match(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  const closed = once(socket, 'close').then(([code, reason]) => ({ code: Number(code), reason: String(reason) }));
  await once(socket, 'open');
  return {
    socket,
    messages,
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: (match: (message: T) => boolean) =>
      new Promise<T>((resolve) => {
        const found = messages.find(match);
        if (found !== undefined) resolve(found);
        else waiters.push({ match, resolve });
      }),
  };
}

type Student = Client<StudentServerMessage>;
type Welcome = Extract<StudentServerMessage, { type: 'welcome' }>;
type Ack = Extract<StudentServerMessage, { type: 'ack' }>;

const isWelcome = (message: StudentServerMessage): message is Welcome => message.type === 'welcome';
const ackOf = (id: number) => (message: StudentServerMessage): message is Ack => message.type === 'ack' && message.id === id;
const errorOf = (id: number) => (message: StudentServerMessage) => message.type === 'error' && message.id === id;

describe('class mode (/ws/classroom, /ws/classroom/teacher, /classroom/*)', () => {
  let dataDir: string;
  let running: RunningServer;

  beforeEach(async () => {
    dataDir = await mkdtemp(joinPath(tmpdir(), 'socketbook-class-'));
    running = await startServer({ classroom: { dataDir, teacherToken: TOKEN_32, summaryIntervalMs: 200 } });
  });

  afterEach(async () => {
    await running.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function join(message: Record<string, unknown> = {}): Promise<{ client: Student; welcome: Welcome }> {
    const client = await connect<StudentServerMessage>(`${running.wsUrl}/ws/classroom`);
    client.send({ type: 'join', ...message });
    return { client, welcome: await client.next(isWelcome) };
  }

  async function snapshot(token = TOKEN_32): Promise<ClassSnapshot> {
    const response = await fetch(`${running.httpUrl}/classroom/teacher/snapshot`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as ClassSnapshot;
  }

  async function teacher(): Promise<Client<TeacherServerMessage>> {
    return connect<TeacherServerMessage>(`${running.wsUrl}/ws/classroom/teacher?token=${TOKEN_32}`);
  }

  it('welcomes a new student with a key, keeps the name, and merges the browser\'s solved exercises (ignoring impossible ids)', async () => {
    const { welcome } = await join({ name: 'ada', solved: [{ exercise: 'echo-three', solvedAt: 1_000 }, { exercise: 'no-such-exercise', solvedAt: 2_000 }] });
    expect(welcome.key).toMatch(STUDENT_KEY_PATTERN);
    expect(welcome).toMatchObject({ name: 'ada', merged: 1, ignored: ['no-such-exercise'], announcement: null, bring: null, hiddenSolutions: [] });
    expect(welcome.solved).toEqual([{ exercise: 'echo-three', chapter: 'why-websockets', solvedAt: 1_000 }]);
    const students = (await snapshot()).students;
    expect(students).toHaveLength(1);
    expect(students[0]).toMatchObject({ name: 'ada', connections: 1, solved: ['echo-three'], solvedByChapter: { 'why-websockets': 1 } });
  });

  it('acknowledges each event once stored, and the dashboard counts attempts, solves and the most common failure', async () => {
    const students = await Promise.all(['ada', 'bob', 'cy'].map((name) => join({ name })));
    const [ada, bob, cy] = students.map((each) => each.client) as [Student, Student, Student];
    ada.send({ type: 'reading', id: 1, chapter: 'closing', section: 'close-codes' });
    expect(await ada.next(ackOf(1))).toEqual({ type: 'ack', id: 1 });
    for (const [client, id] of [[ada, 2], [bob, 2], [cy, 2]] as const) {
      client.send({ type: 'attempt', id, exercise: 'safe-close', passed: false, failedCheck: 'closes cleanly', reason: 'expected the close code 1000, got 1006' });
      await client.next(ackOf(id));
    }
    bob.send({ type: 'attempt', id: 3, exercise: 'safe-close', passed: false, failedCheck: 'sends a reason', reason: 'expected a reason' });
    await bob.next(ackOf(3));
    ada.send({ type: 'attempt', id: 3, exercise: 'safe-close', passed: true });
    expect(await ada.next(ackOf(3))).toEqual({ type: 'ack', id: 3, solved: true });
    ada.send({ type: 'attempt', id: 4, exercise: 'safe-close', passed: true });
    expect(await ada.next(ackOf(4))).toEqual({ type: 'ack', id: 4 });

    const class_ = await snapshot();
    const safeClose = class_.exercises.find((row) => row.exercise === 'safe-close');
    expect(safeClose).toEqual({
      exercise: 'safe-close',
      chapter: 'closing',
      attempts: 6,
      failures: 4,
      attempted: 3,
      solved: 1,
      stuck: 2,
      topFailure: { check: 'closes cleanly', reason: 'expected the close code 1000, got 1006', students: 3 },
    });
    const adaRow = class_.students.find((row) => row.name === 'ada');
    expect(adaRow).toMatchObject({ chapter: 'closing', section: 'close-codes', solved: ['safe-close'], solvedByChapter: { closing: 1 }, connections: 1 });
    expect(class_.students.find((row) => row.name === 'bob')).toMatchObject({ chapter: null, solved: [] });
  });

  it('cuts a long failure reason to its bound before storing it', async () => {
    const { client } = await join({ name: 'ada' });
    client.send({ type: 'attempt', id: 1, exercise: 'safe-close', passed: false, failedCheck: 'c'.repeat(500), reason: 'r'.repeat(3_000) });
    await client.next(ackOf(1));
    const failure = (await snapshot()).exercises.find((row) => row.exercise === 'safe-close')?.topFailure;
    expect(failure?.check).toBe(`${'c'.repeat(119)}…`);
    expect(failure?.reason).toBe(`${'r'.repeat(299)}…`);
  });

  it('recognises a student by key after a reconnect, and refuses forged and malformed keys with 4403 and 4400, storing nothing', async () => {
    const first = await join({ name: 'ada' });
    first.client.send({ type: 'attempt', id: 1, exercise: 'echo-three', passed: true });
    await first.client.next(ackOf(1));
    first.client.socket.close();
    const again = await join({ key: first.welcome.key });
    expect(again.welcome).toMatchObject({ key: first.welcome.key, name: 'ada', merged: 0 });
    expect(again.welcome.solved.map((entry) => entry.exercise)).toEqual(['echo-three']);

    const forged = await connect<StudentServerMessage>(`${running.wsUrl}/ws/classroom`);
    forged.send({ type: 'join', key: 'A'.repeat(32), name: 'mallory' });
    expect(await forged.closed).toEqual({ code: 4403, reason: 'unknown student key: forged, or from another class; join again without it' });
    const malformed = await connect<StudentServerMessage>(`${running.wsUrl}/ws/classroom`);
    malformed.send({ type: 'join', key: 'short' });
    expect(await malformed.closed).toEqual({ code: 4400, reason: 'malformed student key: expected 32 characters of A–Z a–z 0–9 _ -' });
    expect((await snapshot()).students.map((row) => row.name)).toEqual(['ada']);
  });

  it('moves a student to another browser with a one-time transfer code', async () => {
    const { client, welcome } = await join({ name: 'ada' });
    client.send({ type: 'transfer', id: 1 });
    const answer = await client.next((message) => message.type === 'transfer-code');
    expect(answer.code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    const moved = await join({ transferCode: answer.code.toLowerCase().replace('-', '') });
    // The second browser gets a key of its own (the first one's stays its secret), for the same student.
    expect(moved.welcome).toMatchObject({ name: 'ada' });
    expect(moved.welcome.key).toMatch(STUDENT_KEY_PATTERN);
    expect(moved.welcome.key).not.toBe(welcome.key);
    moved.client.socket.close();
    expect((await join({ key: moved.welcome.key })).welcome.name).toBe('ada');
    const reused = await connect<StudentServerMessage>(`${running.wsUrl}/ws/classroom`);
    reused.send({ type: 'join', transferCode: answer.code });
    expect((await reused.closed).code).toBe(4403);
    expect((await snapshot()).students).toHaveLength(1);
  });

  it('refuses invalid, reserved, huge and look-alike names without storing anything', async () => {
    await join({ name: 'ada' });
    const client = await connect<StudentServerMessage>(`${running.wsUrl}/ws/classroom`);
    const errors = (): string[] => client.messages.filter((message) => message.type === 'error').map((message) => message.error);
    client.send({ type: 'join', name: 'Ada' });
    await client.next((message) => message.type === 'error');
    client.send({ type: 'join', name: 'аda' }); // Cyrillic а
    client.send({ type: 'join', name: 'teacher' });
    client.send({ type: 'join', name: 'x'.repeat(30) });
    await expect.poll(errors).toEqual(['NAME_CLAIMED', 'NAME_CLAIMED', 'NAME_INVALID', 'NAME_INVALID']);
    // A name past the schema's bound is not a join at all: closed before anything is stored.
    client.send({ type: 'join', name: 'x'.repeat(10_000) });
    expect((await client.closed).code).toBe(4400);
    expect((await snapshot()).students.map((row) => row.name)).toEqual(['ada']);
    // The rename of a joined student follows the same rules.
    const { client: bob } = await join({ name: 'bob' });
    bob.send({ type: 'name', id: 7, name: 'ADA' });
    expect(await bob.next(errorOf(7))).toMatchObject({ type: 'error', error: 'NAME_CLAIMED', id: 7 });
    bob.send({ type: 'name', id: 8, name: 'bobby' });
    await bob.next(ackOf(8));
    expect((await snapshot()).students.map((row) => row.name)).toEqual(['ada', 'bobby']);
  });

  it('refuses impossible exercise ids, unknown chapters and bad sections with the event\'s id, storing nothing', async () => {
    const { client } = await join({ name: 'ada' });
    client.send({ type: 'attempt', id: 1, exercise: 'no-such-exercise', passed: true });
    expect(await client.next(errorOf(1))).toEqual({ type: 'error', error: 'UNKNOWN_EXERCISE', message: 'no such exercise: "no-such-exercise"', id: 1 });
    client.send({ type: 'reading', id: 2, chapter: 'nope' });
    expect(await client.next(errorOf(2))).toMatchObject({ error: 'UNKNOWN_CHAPTER', id: 2 });
    client.send({ type: 'reading', id: 3, chapter: 'closing', section: '<script>' });
    expect(await client.next(errorOf(3))).toMatchObject({ error: 'INVALID_SECTION', id: 3 });
    const class_ = await snapshot();
    expect(class_.exercises.reduce((sum, row) => sum + row.attempts, 0)).toBe(0);
    expect(class_.students[0]).toMatchObject({ chapter: null, solved: [] });
  });

  it('closes a flooding student with 1008 after storing only what it acknowledged, and other students carry on', async () => {
    const { client: flooder } = await join({ name: 'flood' });
    const { client: calm } = await join({ name: 'calm' });
    for (let id = 0; id < 200; id++) flooder.send({ type: 'attempt', id, exercise: 'echo-three', passed: false, reason: 'x' });
    expect(await flooder.closed).toEqual({ code: 1008, reason: 'too many messages: over 30 messages in a burst' });
    const acked = flooder.messages.filter((message) => message.type === 'ack').length;
    expect(acked).toBeLessThanOrEqual(30);
    calm.send({ type: 'attempt', id: 1, exercise: 'echo-three', passed: true });
    await calm.next(ackOf(1));
    const row = (await snapshot()).exercises.find((each) => each.exercise === 'echo-three');
    expect(row?.attempts).toBe(acked + 1);
  });

  it('lets one address add 100 new students at once, then closes the next with 1013 while known students still rejoin', async () => {
    const keys: string[] = [];
    for (let index = 0; index < 100; index++) {
      const { client, welcome } = await join();
      keys.push(welcome.key);
      client.socket.close();
    }
    const extra = await connect<StudentServerMessage>(`${running.wsUrl}/ws/classroom`);
    extra.send({ type: 'join' });
    expect(await extra.closed).toEqual({ code: 1013, reason: 'too many joins from your address, try again later: over 100 new students from your address; rejoin with your key' });
    expect((await join({ key: keys[0] })).welcome.key).toBe(keys[0]);
    expect((await snapshot()).students).toHaveLength(100);
  });

  it('closes a socket that does not join in time with 4408, and one whose first message is not a join with 4400', async () => {
    const silent = await connect<StudentServerMessage>(`${running.wsUrl}/ws/classroom`);
    const wrong = await connect<StudentServerMessage>(`${running.wsUrl}/ws/classroom`);
    wrong.send({ type: 'attempt', id: 1, exercise: 'echo-three', passed: true });
    expect(await wrong.closed).toEqual({ code: 4400, reason: 'the first message must be {"type":"join",…}: got attempt' });
    expect(await silent.closed).toEqual({ code: 4408, reason: 'no join message in time: no join within 5 s' });
    expect((await snapshot()).students).toEqual([]);
  }, 10_000);

  it('answers every teacher endpoint with 403 without the token, with a wrong one, and with a student\'s key', async () => {
    const { welcome } = await join({ name: 'ada' });
    for (const path of ['/classroom/teacher/snapshot', '/classroom/teacher/export.csv']) {
      for (const headers of [{}, { authorization: `Bearer ${'x'.repeat(32)}` }, { authorization: `Bearer ${welcome.key}` }, { authorization: TOKEN_32 }]) {
        const response = await fetch(`${running.httpUrl}${path}`, { headers });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        const body = (await response.json()) as { error: string };
        expect(body.error).toBe('the teacher token is missing or wrong: send Authorization: Bearer <the token printed at start>');
        expect(JSON.stringify(body)).not.toContain('ada');
      }
    }
    for (const query of ['', '?token=', `?token=${welcome.key}`, `?token=${TOKEN}`]) {
      expect(await refusedHandshake(`${running.wsUrl}/ws/classroom/teacher${query}`)).toEqual({
        status: 403,
        body: 'the teacher token is missing or wrong: open the dashboard link printed at start\n',
      });
    }
    expect(running.log.join('\n')).not.toContain(welcome.key);
  });

  it('gives a student nothing of anyone else: the welcome holds only their own progress', async () => {
    const { client: ada } = await join({ name: 'ada' });
    ada.send({ type: 'attempt', id: 1, exercise: 'echo-three', passed: true });
    await ada.next(ackOf(1));
    const { client: bob, welcome } = await join({ name: 'bob' });
    expect(welcome.solved).toEqual([]);
    bob.send({ type: 'reading', id: 1, chapter: 'closing' });
    await bob.next(ackOf(1));
    expect(JSON.stringify(bob.messages)).not.toContain('ada');
  });

  it('pushes the class to the teacher live, and sends announcements, "bring everyone here", solution visibility and resets to students', async () => {
    const desk = await teacher();
    const first = await desk.next((message) => message.type === 'snapshot');
    expect(first.snapshot.students).toEqual([]);
    const { client: ada } = await join({ name: 'ada' });
    const { client: bob } = await join({ name: 'bob' });
    ada.send({ type: 'attempt', id: 1, exercise: 'safe-close', passed: true });
    await ada.next(ackOf(1));
    await desk.next((message) => message.type === 'snapshot' && message.snapshot.exercises.some((row) => row.exercise === 'safe-close' && row.solved === 1) && message.snapshot.students.length === 2);

    desk.send({ type: 'announce', id: 1, text: 'Five minutes left' });
    await desk.next((message) => message.type === 'ack' && message.id === 1);
    for (const student of [ada, bob]) expect(await student.next((message) => message.type === 'announcement')).toMatchObject({ announcement: { text: 'Five minutes left' } });

    desk.send({ type: 'bring', id: 2, chapter: 'closing', section: 'close-codes' });
    for (const student of [ada, bob]) expect(await student.next((message) => message.type === 'bring')).toMatchObject({ bring: { chapter: 'closing', section: 'close-codes' } });

    desk.send({ type: 'solution', id: 3, exercise: 'safe-close', visible: false });
    for (const student of [ada, bob]) expect(await student.next((message) => message.type === 'solutions')).toEqual({ type: 'solutions', hiddenSolutions: ['safe-close'] });

    const adaId = (await snapshot()).students.find((row) => row.name === 'ada')?.id;
    desk.send({ type: 'reset-student', id: 4, student: adaId });
    expect(await ada.next((message) => message.type === 'reset')).toMatchObject({ type: 'reset' });
    await desk.next((message) => message.type === 'ack' && message.id === 4);
    expect(bob.messages.some((message) => message.type === 'reset')).toBe(false);
    expect((await snapshot()).students.find((row) => row.id === adaId)).toMatchObject({ name: 'ada', solved: [] });

    desk.send({ type: 'reset-student', id: 5, student: 999 });
    expect(await desk.next((message) => message.type === 'error')).toEqual({ type: 'error', error: 'UNKNOWN_STUDENT', message: 'no such student: 999', id: 5 });
    desk.send({ type: 'solution', id: 6, exercise: 'nope', visible: true });
    expect(await desk.next((message) => message.type === 'error' && message.id === 6)).toMatchObject({ error: 'UNKNOWN_EXERCISE' });

    // A student who joins later gets the current announcement, bring and hidden solutions in the welcome.
    const { welcome } = await join({ name: 'cy' });
    expect(welcome).toMatchObject({ announcement: { text: 'Five minutes left' }, bring: { chapter: 'closing', section: 'close-codes' }, hiddenSolutions: ['safe-close'] });
  });

  it('exports CSV with formula-looking cells neutralised', async () => {
    const { client } = await join({ name: 'ada' });
    client.send({ type: 'attempt', id: 1, exercise: 'safe-close', passed: false, failedCheck: '=HYPERLINK("http://evil.example","x")', reason: 'a, "quoted" reason' });
    await client.next(ackOf(1));
    const response = await fetch(`${running.httpUrl}/classroom/teacher/export.csv`, { headers: { authorization: `Bearer ${TOKEN_32}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('student,name,last_activity,chapter,exercise,solved_at,attempts,failures,most_frequent_failure');
    expect(lines[1]).toMatch(/^1,ada,\d{4}-\d\d-\d\dT[^,]+,closing,safe-close,,1,1,"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\): a, ""quoted"" reason"$/);
  });

  it('prints a one-line class summary while students are connected', async () => {
    const { client } = await join({ name: 'ada' });
    client.send({ type: 'reading', id: 1, chapter: 'closing' });
    client.send({ type: 'attempt', id: 2, exercise: 'safe-close', passed: false, reason: 'expected the close code 1000, got 1006' });
    await client.next(ackOf(2));
    await expect.poll(() => running.log.find((line) => line.includes('students connected')), { timeout: 3_000 }).toMatch(
      /class {2}1\/1 students connected · most on closing \(1\) · 0 solves · stuck: safe-close, 1 student: 1 with "expected the close code 1000, got 1006"$/,
    );
  });
});

describe('class mode with --hide-solutions', () => {
  it('hides every solution until the teacher reveals one', async () => {
    const dataDir = await mkdtemp(joinPath(tmpdir(), 'socketbook-class-'));
    const running = await startServer({ classroom: { dataDir, teacherToken: TOKEN_32, hideSolutions: true } });
    try {
      const student = await connect<StudentServerMessage>(`${running.wsUrl}/ws/classroom`);
      student.send({ type: 'join' });
      const welcome = await student.next(isWelcome);
      expect(welcome.hiddenSolutions).toContain('safe-close');
      expect(welcome.hiddenSolutions).toContain('echo-three');
      const desk = await connect<TeacherServerMessage>(`${running.wsUrl}/ws/classroom/teacher?token=${TOKEN_32}`);
      desk.send({ type: 'solution', id: 1, exercise: 'safe-close', visible: true });
      const update = await student.next((message) => message.type === 'solutions');
      expect(update.hiddenSolutions).not.toContain('safe-close');
      expect(update.hiddenSolutions).toHaveLength(welcome.hiddenSolutions.length - 1);
      desk.send({ type: 'solution', id: 2, exercise: '*', visible: true });
      await expect.poll(() => student.messages.filter((message) => message.type === 'solutions').at(-1)).toEqual({ type: 'solutions', hiddenSolutions: [] });
    } finally {
      await running.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('class mode off', () => {
  it('answers 404 on the classroom endpoints and says so on /classroom/status', async () => {
    const running = await startServer();
    try {
      expect(await (await fetch(`${running.httpUrl}/classroom/status`)).json()).toEqual({ enabled: false });
      expect((await fetch(`${running.httpUrl}/classroom/teacher/snapshot`, { headers: { authorization: `Bearer ${TOKEN_32}` } })).status).toBe(404);
      for (const path of ['/ws/classroom', `/ws/classroom/teacher?token=${TOKEN_32}`]) {
        expect(await refusedHandshake(`${running.wsUrl}${path}`)).toEqual({ status: 404, body: 'class mode is off: start the server with --classroom (or a non-loopback --host)\n' });
      }
    } finally {
      await running.close();
    }
  });
});
