import type { KeyValueStorage } from '../shared/server-url.ts';

/**
 * Which exercises the reader has solved, kept in the browser's storage so it
 * survives reloads. One JSON record: exercise id → chapter slug and time.
 */

export const PROGRESS_STORAGE_KEY = 'socketbook:progress';

export interface SolvedExercise {
  readonly chapter: string;
  /** Epoch ms. */
  readonly solvedAt: number;
}

export type ProgressRecord = Readonly<Record<string, SolvedExercise>>;

function isSolvedExercise(value: unknown): value is SolvedExercise {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SolvedExercise).chapter === 'string' &&
    typeof (value as SolvedExercise).solvedAt === 'number'
  );
}

/** Reads the record, ignoring anything malformed (storage is the reader's to edit). */
export function readProgress(storage: KeyValueStorage | null): ProgressRecord {
  if (storage === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage.getItem(PROGRESS_STORAGE_KEY) ?? '{}');
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([, value]) => isSolvedExercise(value)));
}

/** Records `exerciseId` as solved (keeping the first time it was). */
export function markSolved(storage: KeyValueStorage | null, exerciseId: string, chapter: string, now = Date.now()): ProgressRecord {
  const progress = readProgress(storage);
  if (progress[exerciseId] !== undefined) return progress;
  const next = { ...progress, [exerciseId]: { chapter, solvedAt: now } };
  try {
    storage?.setItem(PROGRESS_STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Full or blocked storage: progress lasts for this page only.
  }
  return next;
}

/** Solved exercises per chapter slug. */
export function solvedByChapter(progress: ProgressRecord): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { chapter } of Object.values(progress)) counts[chapter] = (counts[chapter] ?? 0) + 1;
  return counts;
}

/** Adds solved exercises from elsewhere (the class server's record), keeping the earlier time of each. */
export function mergeProgress(storage: KeyValueStorage | null, solved: Readonly<Record<string, SolvedExercise>>): ProgressRecord {
  const progress: Record<string, SolvedExercise> = { ...readProgress(storage) };
  for (const [id, entry] of Object.entries(solved)) {
    const known = progress[id];
    if (known === undefined || entry.solvedAt < known.solvedAt) progress[id] = entry;
  }
  try {
    storage?.setItem(PROGRESS_STORAGE_KEY, JSON.stringify(progress));
  } catch {
    // Full or blocked storage: as in markSolved.
  }
  return progress;
}

/** Forgets every solved exercise (the teacher reset this student). */
export function clearProgress(storage: KeyValueStorage | null): void {
  try {
    storage?.removeItem(PROGRESS_STORAGE_KEY);
  } catch {
    // Blocked storage holds nothing to clear.
  }
}
