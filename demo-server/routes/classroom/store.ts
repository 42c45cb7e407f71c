import { createHash, randomBytes, randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { loadOnFirstUse } from '../../core/load-on-use.ts';
import {
  CLASSROOM_LIMITS,
  TRANSFER_CODE_ALPHABET,
  type Announcement,
  type Bring,
  type ClassSnapshot,
  type ExerciseRow,
  type SolvedExerciseRecord,
  type StudentRow,
} from '../../../src/shared/protocol/classroom.ts';
import { looksAlike, nameKeys, type NameKeys } from '../chat/names.ts';
import type { Catalog } from './catalog.ts';

/**
 * `node:sqlite`, loaded when a class store first opens, so a server that
 * never starts class mode does not carry it (issue 23: preloaded into bare
 * `ws`, it came with many more full collections during the 16 KiB echo;
 * bench/evidence/echo-16k.md).
 */
const sqlite = loadOnFirstUse<typeof import('node:sqlite')>('node:sqlite');

/**
 * The class's memory: students, what each reads, tries and solves, and the
 * teacher's settings, in one SQLite file (`node:sqlite`) in the data folder.
 * Every change is one transaction; a caller acknowledges an event only after
 * its method returned, so an acknowledged event is committed. WAL with
 * `synchronous = NORMAL`: a commit survives the process dying (SIGKILL, a
 * crash), though not the machine losing power before the next checkpoint.
 * Student keys are kept only as SHA-256 digests, so the file holds no usable key.
 */

/** The database file's name in the data folder. */
export const DATABASE_FILE = 'classroom.sqlite';
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS students (
  id INTEGER PRIMARY KEY,
  name TEXT,
  joined_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  chapter TEXT,
  section TEXT
);
-- A student's keys: one per browser (the first join, then each transfer code used).
CREATE TABLE IF NOT EXISTS student_keys (
  key_digest TEXT PRIMARY KEY,
  student INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS solved (
  student INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
  exercise TEXT NOT NULL,
  chapter TEXT NOT NULL,
  solved_at INTEGER NOT NULL,
  PRIMARY KEY (student, exercise)
);
CREATE TABLE IF NOT EXISTS tries (
  student INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
  exercise TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY (student, exercise)
);
-- One row per student, exercise and distinct failure; '' stands for "no check name" or "no reason" (NULLs never conflict).
CREATE TABLE IF NOT EXISTS failures (
  student INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
  exercise TEXT NOT NULL,
  check_name TEXT NOT NULL,
  reason TEXT NOT NULL,
  count INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY (student, exercise, check_name, reason)
);
CREATE TABLE IF NOT EXISTS solutions (exercise TEXT PRIMARY KEY, visible INTEGER NOT NULL);
`;

export interface Student {
  readonly id: number;
  readonly name: string | null;
}

export interface JoinResult {
  readonly student: Student;
  /** A new key for this browser (a new student, or one arriving with a transfer code), or `null` for a join by key. Only its digest is stored. */
  readonly key: string | null;
  readonly merged: number;
  readonly ignored: string[];
}

/** What `join` may claim to be. */
export type Identity = { readonly kind: 'new' } | { readonly kind: 'key'; readonly key: string } | { readonly kind: 'transfer'; readonly code: string };

export type IdentityVerdict = { readonly ok: true; readonly student: Student | null } | { readonly ok: false; readonly problem: 'unknown-key' | 'unknown-code' };

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Cuts `text` to `max` characters (whole code points), marking the cut with `…`. */
export function bounded(text: string | null | undefined, max: number): string {
  if (text === null || text === undefined) return '';
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

/** `K7QM4XPA` → `K7QM-4XPA`; a typed code is compared upper-cased and without its dash. */
function canonicalCode(code: string): string {
  return code.replace('-', '').toUpperCase();
}

function newTransferCode(): string {
  let code = '';
  for (let index = 0; index < 8; index++) code += TRANSFER_CODE_ALPHABET[randomInt(TRANSFER_CODE_ALPHABET.length)] ?? '';
  return code;
}

/**
 * A CSV cell (RFC 4180): quoted when it holds a comma, quote or line break,
 * and prefixed with `'` when it starts with a character a spreadsheet reads
 * as a formula (= + - @, tab, carriage return: OWASP "CSV injection"), since
 * names and failure reasons are typed by students.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

interface Settings {
  announcement: Announcement | null;
  bring: Bring | null;
}

export class ClassroomStore {
  readonly #db: DatabaseSync;
  readonly #catalog: Catalog;
  readonly #hiddenByDefault: boolean;
  readonly #now: () => number;
  /** Every named student's name keys, to refuse look-alikes without a query. */
  readonly #names = new Map<number, NameKeys>();
  /** Transfer code → student and expiry; in memory only (a restart voids them). */
  readonly #transferCodes = new Map<string, { readonly student: number; readonly expiresAt: number }>();
  #studentCount = 0;
  #settings: Settings = { announcement: null, bring: null };
  #open = true;

  /** Opens (creating on demand) `dataDir/classroom.sqlite`; throws a clear `Error` if the folder is unusable or another server holds it. */
  constructor(dataDir: string, catalog: Catalog, options: { readonly hideSolutionsByDefault?: boolean; readonly now?: () => number } = {}) {
    this.#catalog = catalog;
    this.#hiddenByDefault = options.hideSolutionsByDefault ?? false;
    this.#now = options.now ?? Date.now;
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (error) {
      throw new Error(`classroom: cannot create the data folder ${dataDir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const file = join(dataDir, DATABASE_FILE);
    try {
      this.#db = new (sqlite().DatabaseSync)(file, { enableForeignKeyConstraints: true, timeout: 0 });
      this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA locking_mode = EXCLUSIVE;');
      this.#transaction(() => {
        const version = (this.#db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
        if (version > SCHEMA_VERSION) throw new Error(`it was written by a newer Socketbook (schema ${String(version)})`);
        this.#db.exec(SCHEMA);
        this.#db.exec(`PRAGMA user_version = ${String(SCHEMA_VERSION)}`);
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const locked = /locked|busy/i.test(message);
      throw new Error(
        locked ? `classroom: ${file} is in use by another Socketbook server; stop it, or give this one another --data-dir` : `classroom: cannot open ${file}: ${message}`,
        { cause: error },
      );
    }
    for (const row of this.#db.prepare('SELECT id, name FROM students').all() as { id: number; name: string | null }[]) {
      this.#studentCount += 1;
      if (row.name !== null) this.#names.set(row.id, nameKeys(row.name));
    }
    for (const row of this.#db.prepare('SELECT name, value FROM settings').all() as { name: string; value: string }[]) {
      if (row.name === 'announcement') this.#settings.announcement = JSON.parse(row.value) as Announcement;
      if (row.name === 'bring') this.#settings.bring = JSON.parse(row.value) as Bring;
    }
  }

  /** Runs `work` in one transaction: all of it is committed when this returns, or none of it (and it throws). */
  #transaction<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  get studentCount(): number {
    return this.#studentCount;
  }

  get isFull(): boolean {
    return this.#studentCount >= CLASSROOM_LIMITS.maxStudents;
  }

  /** Who a join's key or transfer code names; `student: null` for a new student. A transfer code is used up. */
  identify(identity: Identity): IdentityVerdict {
    if (identity.kind === 'new') return { ok: true, student: null };
    if (identity.kind === 'key') {
      const row = this.#db.prepare('SELECT id, name FROM students JOIN student_keys ON student = id WHERE key_digest = ?').get(digest(identity.key)) as
        | { id: number; name: string | null }
        | undefined;
      return row === undefined ? { ok: false, problem: 'unknown-key' } : { ok: true, student: { id: row.id, name: row.name } };
    }
    const code = canonicalCode(identity.code);
    const entry = this.#transferCodes.get(code);
    this.#transferCodes.delete(code);
    if (entry === undefined || entry.expiresAt <= this.#now()) return { ok: false, problem: 'unknown-code' };
    const student = this.student(entry.student);
    return student === null ? { ok: false, problem: 'unknown-code' } : { ok: true, student };
  }

  student(id: number): Student | null {
    const row = this.#db.prepare('SELECT id, name FROM students WHERE id = ?').get(id) as { id: number; name: string | null } | undefined;
    return row === undefined ? null : { id: row.id, name: row.name };
  }

  /** The student other than `except` whose name looks like `name` (case, confusables), or `null`. */
  nameClaimedBy(name: string, except: number | null): number | null {
    const keys = nameKeys(name);
    for (const [id, other] of this.#names) if (id !== except && looksAlike(keys, other)) return id;
    return null;
  }

  /**
   * A join: a new student (with `name`, already checked), or a known one,
   * whose browser's solved exercises are merged in. Unknown exercise ids are
   * not stored and come back in `ignored`.
   */
  join(student: Student | null, name: string | null, solved: readonly { exercise: string; solvedAt: number }[], newKey: boolean): JoinResult {
    const now = this.#now();
    return this.#transaction(() => {
      let current = student;
      if (current === null) {
        const row = this.#db.prepare('INSERT INTO students (name, joined_at, last_activity_at) VALUES (?, ?, ?) RETURNING id').get(name, now, now) as { id: number };
        current = { id: row.id, name };
        this.#studentCount += 1;
        if (name !== null) this.#names.set(row.id, nameKeys(name));
      } else {
        if (name !== null && name !== current.name) {
          this.#db.prepare('UPDATE students SET name = ? WHERE id = ?').run(name, current.id);
          this.#names.set(current.id, nameKeys(name));
          current = { id: current.id, name };
        }
        this.#db.prepare('UPDATE students SET last_activity_at = ? WHERE id = ?').run(now, current.id);
      }
      let key: string | null = null;
      if (student === null || newKey) {
        key = randomBytes(24).toString('base64url');
        this.#db.prepare('INSERT INTO student_keys (key_digest, student) VALUES (?, ?)').run(digest(key), current.id);
      }
      const ignored: string[] = [];
      let merged = 0;
      const insert = this.#db.prepare('INSERT OR IGNORE INTO solved (student, exercise, chapter, solved_at) VALUES (?, ?, ?, ?)');
      for (const entry of solved) {
        const chapter = this.#catalog.chapterOf.get(entry.exercise);
        if (chapter === undefined) {
          if (!ignored.includes(entry.exercise)) ignored.push(entry.exercise.slice(0, 100));
          continue;
        }
        merged += Number(insert.run(current.id, entry.exercise, chapter, Math.min(entry.solvedAt, now)).changes);
      }
      return { student: current, key, merged, ignored };
    });
  }

  setName(student: number, name: string): void {
    const now = this.#now();
    this.#transaction(() => {
      this.#db.prepare('UPDATE students SET name = ?, last_activity_at = ? WHERE id = ?').run(name, now, student);
    });
    this.#names.set(student, nameKeys(name));
  }

  reading(student: number, chapter: string, section: string | null): void {
    const now = this.#now();
    this.#transaction(() => {
      this.#db.prepare('UPDATE students SET chapter = ?, section = ?, last_activity_at = ? WHERE id = ?').run(chapter, section, now, student);
    });
  }

  /** Records an attempt at a known exercise; returns whether it solved the exercise for the first time. */
  attempt(student: number, exercise: string, passed: boolean, failedCheck: string | null | undefined, reason: string | null | undefined): boolean {
    const chapter = this.#catalog.chapterOf.get(exercise);
    if (chapter === undefined) throw new TypeError(`unknown exercise ${exercise}`);
    const now = this.#now();
    return this.#transaction(() => {
      this.#db.prepare('UPDATE students SET last_activity_at = ? WHERE id = ?').run(now, student);
      this.#db
        .prepare(
          `INSERT INTO tries (student, exercise, attempts, failures, last_at) VALUES (?, ?, 1, ?, ?)
           ON CONFLICT (student, exercise) DO UPDATE SET attempts = attempts + 1, failures = failures + excluded.failures, last_at = excluded.last_at`,
        )
        .run(student, exercise, passed ? 0 : 1, now);
      if (passed) {
        return Number(this.#db.prepare('INSERT OR IGNORE INTO solved (student, exercise, chapter, solved_at) VALUES (?, ?, ?, ?)').run(student, exercise, chapter, now).changes) > 0;
      }
      const check = bounded(failedCheck, CLASSROOM_LIMITS.maxCheckChars);
      const why = bounded(reason, CLASSROOM_LIMITS.maxReasonChars);
      const known = this.#db.prepare('SELECT 1 FROM failures WHERE student = ? AND exercise = ? AND check_name = ? AND reason = ?').get(student, exercise, check, why);
      const kept = (this.#db.prepare('SELECT COUNT(*) AS n FROM failures WHERE student = ? AND exercise = ?').get(student, exercise) as { n: number }).n;
      if (known !== undefined) {
        this.#db.prepare('UPDATE failures SET count = count + 1, last_at = ? WHERE student = ? AND exercise = ? AND check_name = ? AND reason = ?').run(now, student, exercise, check, why);
      } else if (kept < CLASSROOM_LIMITS.maxFailuresPerExercise) {
        this.#db.prepare('INSERT INTO failures (student, exercise, check_name, reason, count, last_at) VALUES (?, ?, ?, ?, 1, ?)').run(student, exercise, check, why, now);
      }
      return false;
    });
  }

  /** Forgets `student`'s progress (keeps the student, key and name); false when there is no such student. */
  reset(student: number): boolean {
    return this.#transaction(() => {
      const changed = this.#db.prepare('UPDATE students SET chapter = NULL, section = NULL WHERE id = ?').run(student).changes;
      if (Number(changed) === 0) return false;
      for (const table of ['solved', 'tries', 'failures']) this.#db.prepare(`DELETE FROM ${table} WHERE student = ?`).run(student);
      return true;
    });
  }

  solvedBy(student: number): SolvedExerciseRecord[] {
    return (this.#db.prepare('SELECT exercise, chapter, solved_at AS solvedAt FROM solved WHERE student = ? ORDER BY solved_at, exercise').all(student) as SolvedExerciseRecord[]).map(
      (row) => ({ exercise: row.exercise, chapter: row.chapter, solvedAt: row.solvedAt }),
    );
  }

  /** A one-time code that joins as `student` from another browser, for `transferCodeTtlMs`. */
  transferCode(student: number): string {
    const now = this.#now();
    for (const [code, entry] of this.#transferCodes) if (entry.expiresAt <= now || entry.student === student) this.#transferCodes.delete(code);
    let code = newTransferCode();
    while (this.#transferCodes.has(code)) code = newTransferCode();
    this.#transferCodes.set(code, { student, expiresAt: now + CLASSROOM_LIMITS.transferCodeTtlMs });
    return `${code.slice(0, 4)}-${code.slice(4)}`;
  }

  #saveSetting(name: string, value: unknown): void {
    this.#transaction(() => {
      this.#db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, JSON.stringify(value));
    });
  }

  get announcement(): Announcement | null {
    return this.#settings.announcement;
  }

  announce(text: string): Announcement {
    const announcement = { text, at: this.#now() };
    this.#saveSetting('announcement', announcement);
    this.#settings.announcement = announcement;
    return announcement;
  }

  get bring(): Bring | null {
    return this.#settings.bring;
  }

  bringTo(chapter: string, section: string | null): Bring {
    const bring = { chapter, section, at: this.#now() };
    this.#saveSetting('bring', bring);
    this.#settings.bring = bring;
    return bring;
  }

  /** Shows or hides the solution of `exercise` (a known id), or of every exercise for `*`. */
  setSolutionVisible(exercise: string, visible: boolean): void {
    const exercises = exercise === '*' ? [...this.#catalog.chapterOf.keys()] : [exercise];
    this.#transaction(() => {
      const upsert = this.#db.prepare('INSERT INTO solutions (exercise, visible) VALUES (?, ?) ON CONFLICT (exercise) DO UPDATE SET visible = excluded.visible');
      for (const each of exercises) upsert.run(each, visible ? 1 : 0);
    });
  }

  /** Exercise ids whose solution is hidden now: those hidden by the teacher, and with `--hide-solutions` those never shown. */
  hiddenSolutions(): string[] {
    const chosen = new Map((this.#db.prepare('SELECT exercise, visible FROM solutions').all() as { exercise: string; visible: number }[]).map((row) => [row.exercise, row.visible === 1]));
    return [...this.#catalog.chapterOf.keys()].filter((exercise) => !(chosen.get(exercise) ?? !this.#hiddenByDefault));
  }

  /** The whole class for the teacher; `connections` counts each student's open sockets. */
  snapshot(connections: ReadonlyMap<number, number>): ClassSnapshot {
    const solvedRows = this.#db.prepare('SELECT student, exercise, chapter FROM solved ORDER BY solved_at').all() as { student: number; exercise: string; chapter: string }[];
    const solvedBy = new Map<number, string[]>();
    const solversOf = new Map<string, Set<number>>();
    for (const row of solvedRows) {
      let list = solvedBy.get(row.student);
      if (list === undefined) solvedBy.set(row.student, (list = []));
      list.push(row.exercise);
      let solvers = solversOf.get(row.exercise);
      if (solvers === undefined) solversOf.set(row.exercise, (solvers = new Set()));
      solvers.add(row.student);
    }
    const studentRows = this.#db.prepare('SELECT id, name, joined_at, last_activity_at, chapter, section FROM students ORDER BY id').all() as {
      id: number;
      name: string | null;
      joined_at: number;
      last_activity_at: number;
      chapter: string | null;
      section: string | null;
    }[];
    const students: StudentRow[] = studentRows.map((row) => {
      const solved = solvedBy.get(row.id) ?? [];
      const solvedByChapter: Record<string, number> = {};
      for (const exercise of solved) {
        const chapter = this.#catalog.chapterOf.get(exercise) ?? '';
        solvedByChapter[chapter] = (solvedByChapter[chapter] ?? 0) + 1;
      }
      return {
        id: row.id,
        name: row.name,
        connections: connections.get(row.id) ?? 0,
        chapter: row.chapter,
        section: row.section,
        joinedAt: row.joined_at,
        lastActivityAt: row.last_activity_at,
        solved,
        solvedByChapter,
      };
    });
    const tries = this.#db.prepare('SELECT student, exercise, attempts, failures FROM tries').all() as { student: number; exercise: string; attempts: number; failures: number }[];
    const failureRows = this.#db
      .prepare('SELECT exercise, check_name, reason, COUNT(*) AS students, MAX(last_at) AS last FROM failures GROUP BY exercise, check_name, reason ORDER BY students DESC, last DESC')
      .all() as { exercise: string; check_name: string; reason: string; students: number }[];
    const exercises: ExerciseRow[] = [];
    for (const { slug, exercises: ids } of this.#catalog.chapters) {
      for (const exercise of ids) {
        const ofExercise = tries.filter((row) => row.exercise === exercise);
        const solvers = solversOf.get(exercise) ?? new Set<number>();
        const top = failureRows.find((row) => row.exercise === exercise);
        exercises.push({
          exercise,
          chapter: slug,
          attempts: ofExercise.reduce((sum, row) => sum + row.attempts, 0),
          failures: ofExercise.reduce((sum, row) => sum + row.failures, 0),
          attempted: ofExercise.length,
          solved: solvers.size,
          stuck: ofExercise.filter((row) => !solvers.has(row.student)).length,
          topFailure: top === undefined ? null : { check: top.check_name === '' ? null : top.check_name, reason: top.reason === '' ? null : top.reason, students: top.students },
        });
      }
    }
    return {
      at: this.#now(),
      chapters: this.#catalog.chapters.map((chapter) => ({ slug: chapter.slug, exercises: [...chapter.exercises] })),
      students,
      exercises,
      hiddenSolutions: this.hiddenSolutions(),
      announcement: this.#settings.announcement,
      bring: this.#settings.bring,
    };
  }

  /** The class as CSV: one row per student and exercise tried or solved, and one per student with neither. */
  csv(): string {
    const rows = this.#db
      .prepare(
        `SELECT s.id, s.name, s.last_activity_at, x.exercise, x.solved_at, x.attempts, x.failures FROM students s
         LEFT JOIN (
           SELECT student, exercise, MAX(solved_at) AS solved_at, MAX(attempts) AS attempts, MAX(failures) AS failures FROM (
             SELECT student, exercise, solved_at, 0 AS attempts, 0 AS failures FROM solved
             UNION ALL SELECT student, exercise, NULL, attempts, failures FROM tries
           ) GROUP BY student, exercise
         ) x ON x.student = s.id
         ORDER BY s.id, x.exercise`,
      )
      .all() as { id: number; name: string | null; last_activity_at: number; exercise: string | null; solved_at: number | null; attempts: number | null; failures: number | null }[];
    // Each student's most frequent failure per exercise: the first row of each pair, most counted first.
    const topFailure = new Map<string, string>();
    for (const row of this.#db.prepare('SELECT student, exercise, check_name, reason FROM failures ORDER BY count DESC, last_at DESC').all() as { student: number; exercise: string; check_name: string; reason: string }[]) {
      const key = `${String(row.student)} ${row.exercise}`;
      if (!topFailure.has(key)) topFailure.set(key, [row.check_name, row.reason].filter((part) => part !== '').join(': '));
    }
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    const lines = [['student', 'name', 'last_activity', 'chapter', 'exercise', 'solved_at', 'attempts', 'failures', 'most_frequent_failure'].join(',')];
    for (const row of rows) {
      const chapter = row.exercise === null ? null : (this.#catalog.chapterOf.get(row.exercise) ?? null);
      const failure = row.exercise === null ? null : (topFailure.get(`${String(row.id)} ${row.exercise}`) ?? null);
      lines.push([row.id, row.name, iso(row.last_activity_at), chapter, row.exercise, iso(row.solved_at), row.attempts, row.failures, failure].map(csvCell).join(','));
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#db.close();
  }
}
