import { createHash, timingSafeEqual } from 'node:crypto';
import type { Connection } from '../../core/connection.ts';
import type { RouteContext } from '../../core/route.ts';
import type { ClassSnapshot, StudentServerMessage, TeacherServerMessage } from '../../../src/shared/protocol/classroom.ts';
import { CLASSROOM_LIMITS } from '../../../src/shared/protocol/classroom.ts';
import { readCatalog, type Catalog } from './catalog.ts';
import { resolveClassroomOptions, type ClassroomOptions } from './options.ts';
import { ClassroomStore } from './store.ts';

/**
 * One server's class: the store, who is connected (students by id, the
 * teacher's sockets), the snapshot pushes to the teacher and the terminal
 * summary. Both classroom routes and the HTTP paths share it through their
 * `RouteContext` (`classOf`); it exists only in class mode.
 */
export class Class {
  readonly store: ClassroomStore;
  readonly catalog: Catalog;
  readonly options: ClassroomOptions;
  readonly #context: RouteContext;
  readonly #tokenDigest: Buffer;
  /** Open sockets of each joined student. */
  readonly #students = new Map<number, Set<Connection>>();
  readonly #teachers = new Set<Connection>();
  #pushTimer: ReturnType<typeof setTimeout> | null = null;
  #lastPushAt = 0;
  #summaryTimer: ReturnType<typeof setInterval> | null = null;
  #disposed = false;

  constructor(context: RouteContext, options: ClassroomOptions) {
    this.#context = context;
    this.options = options;
    this.catalog = readCatalog();
    this.store = new ClassroomStore(options.dataDir, this.catalog, { hideSolutionsByDefault: options.hideSolutions });
    this.#tokenDigest = digest(options.teacherToken);
  }

  /** Whether `given` is the teacher token, in constant time (both sides hashed to the same length first). */
  isTeacher(given: string | null | undefined): boolean {
    if (typeof given !== 'string' || given.length > 200) return false;
    return timingSafeEqual(digest(given), this.#tokenDigest);
  }

  log(message: string): void {
    this.#context.log('class', message);
  }

  connectionsOf(student: number): number {
    return this.#students.get(student)?.size ?? 0;
  }

  /** Counts `connection` as `student`'s until it closes. */
  studentConnected(student: number, connection: Connection): void {
    let set = this.#students.get(student);
    if (set === undefined) this.#students.set(student, (set = new Set()));
    set.add(connection);
    connection.socket.once('close', () => {
      set.delete(connection);
      if (set.size === 0) this.#students.delete(student);
      if (this.#students.size === 0) this.#stopSummary();
      this.changed();
    });
    this.#startSummary();
    this.changed();
  }

  teacherConnected(connection: Connection): void {
    this.#teachers.add(connection);
    connection.socket.once('close', () => this.#teachers.delete(connection));
    connection.sendJson({ type: 'snapshot', snapshot: this.snapshot() } satisfies TeacherServerMessage);
  }

  /** Sends `message` to every joined student's sockets, or to `student`'s only. */
  toStudents(message: StudentServerMessage, student?: number): void {
    const sets = student === undefined ? [...this.#students.values()] : [this.#students.get(student) ?? new Set<Connection>()];
    for (const set of sets) for (const connection of set) if (connection.isOpen) connection.sendJson(message);
  }

  snapshot(): ClassSnapshot {
    return this.store.snapshot(new Map([...this.#students].map(([id, set]) => [id, set.size])));
  }

  /**
   * Something the dashboard shows changed: the teacher's sockets get a new
   * snapshot, at most one per `snapshotIntervalMs`, so a busy class costs
   * a few snapshots a second, not one per event.
   */
  changed(): void {
    if (this.#disposed || this.#teachers.size === 0 || this.#pushTimer !== null) return;
    const waitMs = Math.max(0, this.#lastPushAt + CLASSROOM_LIMITS.snapshotIntervalMs - Date.now());
    this.#pushTimer = setTimeout(() => {
      this.#pushTimer = null;
      this.#lastPushAt = Date.now();
      if (this.#teachers.size === 0) return;
      const message = JSON.stringify({ type: 'snapshot', snapshot: this.snapshot() } satisfies TeacherServerMessage);
      for (const teacher of this.#teachers) if (teacher.isOpen) teacher.send(message);
    }, waitMs);
  }

  #startSummary(): void {
    if (this.#summaryTimer !== null || this.#disposed) return;
    this.#summaryTimer = setInterval(() => {
      this.log(this.summary());
    }, this.options.summaryIntervalMs);
    this.#summaryTimer.unref();
  }

  #stopSummary(): void {
    if (this.#summaryTimer !== null) clearInterval(this.#summaryTimer);
    this.#summaryTimer = null;
  }

  /**
   * One line for the terminal: how many are connected, where most of them
   * are, how much is solved, and where the class is stuck, e.g.
   * `12/30 students connected · most on closing (7) · 41 solves · stuck: safe-close, 9 students: expected the close code 1000, got 1006`.
   */
  summary(): string {
    const snapshot = this.snapshot();
    const connected = snapshot.students.filter((student) => student.connections > 0);
    const chapters = new Map<string, number>();
    for (const student of connected) if (student.chapter !== null) chapters.set(student.chapter, (chapters.get(student.chapter) ?? 0) + 1);
    const [busiest] = [...chapters].sort((a, b) => b[1] - a[1]);
    const solves = snapshot.exercises.reduce((sum, exercise) => sum + exercise.solved, 0);
    const [stuck] = snapshot.exercises.filter((exercise) => exercise.stuck > 0).sort((a, b) => b.stuck - a.stuck);
    const parts = [`${String(connected.length)}/${String(snapshot.students.length)} students connected`];
    if (busiest !== undefined) parts.push(`most on ${busiest[0]} (${String(busiest[1])})`);
    parts.push(`${String(solves)} solve${solves === 1 ? '' : 's'}`);
    if (stuck !== undefined) {
      const failure = stuck.topFailure;
      const why = failure === null ? '' : `: ${String(failure.students)} with ${JSON.stringify(failure.reason ?? failure.check ?? 'no reason')}`;
      parts.push(`stuck: ${stuck.exercise}, ${String(stuck.stuck)} student${stuck.stuck === 1 ? '' : 's'}${why}`);
    }
    return parts.join(' · ');
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#pushTimer !== null) clearTimeout(this.#pushTimer);
    this.#stopSummary();
    this.store.close();
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

const classes = new WeakMap<RouteContext, Class | null>();

/** The class of this server (shared by its classroom routes), or `null` when class mode is off. */
export function classOf(context: RouteContext): Class | null {
  let found = classes.get(context);
  if (found === undefined) {
    const options = context.options.classroom;
    found = options === null ? null : new Class(context, resolveClassroomOptions(options));
    classes.set(context, found);
  }
  return found;
}
