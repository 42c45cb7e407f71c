/**
 * A class in class mode (issue 21): `students` simulated students join
 * `/ws/classroom` and each reports two events a second (the section it is
 * reading, and an exercise attempt, one in three passing) for `seconds`,
 * while one teacher watches `/ws/classroom/teacher`. Reported: the server's
 * CPU over the run, events acknowledged (each one committed to SQLite), and
 * the dashboard's update delay: from a student sending a `reading` event to
 * the first snapshot the teacher receives that shows it.
 *
 * The server runs in its own process (`--classroom`, a temporary
 * `--data-dir`), on 127.0.0.1; the load is this process. Loopback only,
 * bounded in count and time.
 *
 *   npm run bench:classroom [-- --students 60 --seconds 20]
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { summarizeLatencies, type LatencySummary } from '../src/shared/percentiles.ts';
import type { ClassSnapshot, StudentServerMessage, TeacherServerMessage } from '../src/shared/protocol/classroom.ts';
import { socketbookTarget, startTarget } from './targets.ts';

export interface ClassroomBenchOptions {
  readonly students: number;
  readonly seconds: number;
  /** Events each student sends a second (half `reading`, half `attempt`). */
  readonly eventsPerSecond: number;
}

export const CLASSROOM_BENCH_DEFAULTS: ClassroomBenchOptions = { students: 60, seconds: 20, eventsPerSecond: 2 };

export interface ClassroomBenchResult {
  readonly options: ClassroomBenchOptions;
  readonly eventsSent: number;
  readonly eventsAcknowledged: number;
  /** Server CPU time over the reporting phase, as a share of one core (1 = 100 %). */
  readonly serverCpuShare: number;
  /** Milliseconds from a `reading` event's send to the first teacher snapshot showing it. */
  readonly dashboardDelayMs: LatencySummary;
  /** Snapshots the teacher received during the reporting phase. */
  readonly snapshots: number;
  /** Students the last snapshot lists as connected. */
  readonly connectedAtEnd: number;
}

const EXERCISES = ['echo-three', 'accept-key', 'safe-close', 'decode-header', 'hello-members'] as const;
const SECTION = /^e-(\d+)$/;

interface SimulatedStudent {
  readonly name: string;
  readonly socket: WebSocket;
  /** Send time of each `reading` event by its sequence number, until the dashboard shows it. */
  readonly pending: Map<number, number>;
  /** Events this student sent: even ones are `reading`, odd ones `attempt`, so every student reports both. */
  sent: number;
  acknowledged: number;
}

async function joinStudent(url: string, name: string): Promise<SimulatedStudent> {
  const socket = new WebSocket(url);
  const student: SimulatedStudent = { name, socket, pending: new Map(), sent: 0, acknowledged: 0 };
  const welcomed = new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as StudentServerMessage;
      if (message.type === 'welcome') resolve();
      else if (message.type === 'ack') student.acknowledged += 1;
      else if (message.type === 'error') reject(new Error(`${name}: ${message.message}`));
    });
    socket.once('close', (code: number) => reject(new Error(`${name} closed with ${String(code)} before its welcome`)));
  });
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'join', name }));
  await welcomed;
  return student;
}

/** Runs the class; always stops the server it started and deletes its data folder. */
export async function runClassroomBench(overrides: Partial<ClassroomBenchOptions> = {}): Promise<ClassroomBenchResult> {
  const options = { ...CLASSROOM_BENCH_DEFAULTS, ...overrides };
  const dataDir = await mkdtemp(join(tmpdir(), 'socketbook-class-bench-'));
  const server = await startTarget(socketbookTarget(['--classroom', '--data-dir', dataDir, '--attacker-port', '0']), { openFileLimit: null, profileDir: null });
  const students: SimulatedStudent[] = [];
  let teacher: WebSocket | null = null;
  try {
    const token = (await readFile(join(dataDir, 'teacher-token'), 'utf8')).trim();
    teacher = new WebSocket(`${server.wsOrigin}/ws/classroom/teacher?token=${token}`);
    let latest: ClassSnapshot | null = null;
    let snapshots = 0;
    const delays: number[] = [];
    const byName = new Map<string, SimulatedStudent>();
    teacher.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as TeacherServerMessage;
      if (message.type !== 'snapshot') return;
      const now = performance.now();
      latest = message.snapshot;
      snapshots += 1;
      for (const row of message.snapshot.students) {
        const student = row.name === null ? undefined : byName.get(row.name);
        const shown = Number(SECTION.exec(row.section ?? '')?.[1] ?? -1);
        if (student === undefined) continue;
        for (const [sequence, sentAt] of student.pending) {
          if (sequence > shown) continue;
          delays.push(now - sentAt);
          student.pending.delete(sequence);
        }
      }
    });
    await once(teacher, 'open');
    for (let index = 0; index < options.students; index++) {
      const student = await joinStudent(`${server.wsOrigin}/ws/classroom`, `student-${String(index + 1).padStart(3, '0')}`);
      students.push(student);
      byName.set(student.name, student);
    }
    const cpuBefore = await server.cpuTimeMs();
    const startedAt = performance.now();
    let eventsSent = 0;
    let sequence = 0;
    const intervalMs = 1000 / options.eventsPerSecond;
    // Each student on its own phase, so the load is spread over each interval as a real class's is.
    const timers = students.map((student, index) =>
      setTimeout(() => {
        const tick = (): void => {
          // One id sequence for the class (increasing per student too, as the section numbers must be);
          // the kind alternates per student: with a class-wide parity each student would only ever send one kind.
          sequence += 1;
          student.sent += 1;
          if (student.sent % 2 === 1) {
            student.pending.set(sequence, performance.now());
            student.socket.send(JSON.stringify({ type: 'reading', id: sequence, chapter: 'closing', section: `e-${String(sequence)}` }));
          } else {
            const exercise = EXERCISES[sequence % EXERCISES.length] ?? 'echo-three';
            const passed = sequence % 3 === 0;
            student.socket.send(JSON.stringify({ type: 'attempt', id: sequence, exercise, passed, ...(passed ? {} : { failedCheck: 'closes cleanly', reason: 'expected the close code 1000, got 1006' }) }));
          }
          eventsSent += 1;
        };
        tick();
        timers[index] = setInterval(tick, intervalMs);
      }, (intervalMs * index) / options.students),
    );
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    for (const timer of timers) clearInterval(timer);
    const elapsedMs = performance.now() - startedAt;
    const cpuMs = (await server.cpuTimeMs()) - cpuBefore;
    // Let the last acks and the last snapshot arrive (a snapshot follows a change within 250 ms).
    const settleUntil = performance.now() + 3_000;
    while (performance.now() < settleUntil && students.reduce((sum, student) => sum + student.acknowledged, 0) < eventsSent) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const final = latest as ClassSnapshot | null;
    return {
      options,
      eventsSent,
      eventsAcknowledged: students.reduce((sum, student) => sum + student.acknowledged, 0),
      serverCpuShare: cpuMs / elapsedMs,
      dashboardDelayMs: summarizeLatencies(delays),
      snapshots,
      connectedAtEnd: final?.students.filter((row) => row.connections > 0).length ?? 0,
    };
  } finally {
    for (const student of students) student.socket.terminate();
    teacher?.terminate();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The result as a few lines of text. */
export function describeClassroomBench(result: ClassroomBenchResult): string {
  const { options, dashboardDelayMs: delay } = result;
  return [
    `${String(options.students)} students × ${String(options.eventsPerSecond)} events/s for ${String(options.seconds)} s (reading + exercise attempts), one teacher dashboard`,
    `events: ${String(result.eventsSent)} sent, ${String(result.eventsAcknowledged)} acknowledged (committed to SQLite)`,
    `server CPU: ${(result.serverCpuShare * 100).toFixed(1)} % of one core`,
    `dashboard update delay (event sent → teacher snapshot shows it): p50 ${delay.p50.toFixed(0)} ms, p90 ${delay.p90.toFixed(0)} ms, p99 ${delay.p99.toFixed(0)} ms, max ${delay.max.toFixed(0)} ms over ${String(delay.count)} events; ${String(result.snapshots)} snapshots`,
    `connected at the end: ${String(result.connectedAtEnd)} of ${String(options.students)}`,
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { students: { type: 'string' }, seconds: { type: 'string' } } });
  const result = await runClassroomBench({
    ...(values.students === undefined ? {} : { students: Number(values.students) }),
    ...(values.seconds === undefined ? {} : { seconds: Number(values.seconds) }),
  });
  console.log(describeClassroomBench(result));
  process.exit(result.eventsAcknowledged === result.eventsSent ? 0 : 1);
}
