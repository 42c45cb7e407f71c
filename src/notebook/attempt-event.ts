/**
 * Fired on `window` after every Check of an exercise, with its results, so
 * class mode (`src/classroom/`) can report the attempt without the notebook
 * knowing about classes. Kept in its own module so a listener imports a
 * constant, not the exercise element.
 */
export const ATTEMPT_EVENT = 'socketbook:attempt';

export interface AttemptDetail {
  /** The `<Exercise id>` (without the chapter). */
  readonly exercise: string;
  readonly chapter: string;
  readonly passed: boolean;
  /** The first failed check's name and reason; null when every check passed. */
  readonly failedCheck: string | null;
  readonly reason: string | null;
}
