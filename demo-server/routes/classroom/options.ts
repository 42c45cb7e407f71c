import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBoundedInteger } from '../../../src/shared/bounded-integer.ts';
import { TEACHER_TOKEN_PATTERN } from '../../../src/shared/protocol/classroom.ts';

/**
 * Class mode's options (`DemoServerOptions.classroom`; `null` is off). The
 * flags (`--classroom`, `--data-dir`, `--hide-solutions`) make them in
 * `flags.ts`; `main.ts` reads the teacher token with `teacherTokenIn()`.
 */
export interface ClassroomOptions {
  /** Folder of the class's database (`classroom.sqlite`), created on demand. */
  readonly dataDir: string;
  /** The secret of every teacher endpoint: 32 base64url characters (192 bits). */
  readonly teacherToken: string;
  /** Solutions start hidden; the teacher reveals them one by one. */
  readonly hideSolutions: boolean;
  /** How often the log gets a one-line class summary while students are connected. */
  readonly summaryIntervalMs: number;
}

export const CLASSROOM_DEFAULTS = {
  dataDir: '.socketbook-data',
  hideSolutions: false,
  summaryIntervalMs: 3 * 60_000,
} as const;

export const SUMMARY_INTERVAL_MS = { name: 'classroom summaryIntervalMs', min: 100, max: 24 * 3_600_000 } as const;

/** What `DemoServerOptions.classroom` takes: the token, and any option to change from `CLASSROOM_DEFAULTS`. */
export type ClassroomSettings = Partial<ClassroomOptions> & { readonly teacherToken: string };

/** The defaults under `options`, checked: a weak or malformed token is a `TypeError`. */
export function resolveClassroomOptions(options: ClassroomSettings): ClassroomOptions {
  const resolved: ClassroomOptions = { ...CLASSROOM_DEFAULTS, ...options };
  if (!TEACHER_TOKEN_PATTERN.test(resolved.teacherToken)) throw new TypeError('the teacher token must be 32 characters of A–Z a–z 0–9 _ - (24 random bytes, base64url)');
  if (resolved.dataDir.trim() === '') throw new TypeError('the classroom data folder cannot be empty');
  requireBoundedInteger(SUMMARY_INTERVAL_MS, resolved.summaryIntervalMs);
  return resolved;
}

/** The file in the data folder that keeps the teacher token, so an open dashboard survives a restart. */
export const TEACHER_TOKEN_FILE = 'teacher-token';

/**
 * The teacher token of the class in `dataDir`: the one saved there (readable
 * by this user only), or a new one from `crypto.randomBytes` (192 bits),
 * saved. Deleting the file makes the next start issue a new token.
 */
export function teacherTokenIn(dataDir: string): string {
  const file = join(dataDir, TEACHER_TOKEN_FILE);
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new Error(`classroom: cannot create the data folder ${dataDir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    const saved = readFileSync(file, 'utf8').trim();
    if (TEACHER_TOKEN_PATTERN.test(saved)) return saved;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`classroom: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const token = randomBytes(24).toString('base64url');
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
  } catch (error) {
    throw new Error(`classroom: cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return token;
}
