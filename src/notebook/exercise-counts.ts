/**
 * How many exercises each chapter has, counted from the chapters' MDX at
 * build time, so the progress display needs no list kept by hand.
 */
import { exerciseIdsIn } from '../shared/exercise-ids.ts';

const sources = import.meta.glob<string>('../content/docs/*.mdx', { query: '?raw', import: 'default', eager: true });

/** `<Exercise … id="x"` occurrences, per chapter slug. */
export function countExercises(source: string): number {
  return exerciseIdsIn(source).length;
}

export const exerciseCounts: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(sources).map(([path, source]) => [path.replace(/^.*\/(.+)\.mdx$/, '$1'), countExercises(source)]),
);
