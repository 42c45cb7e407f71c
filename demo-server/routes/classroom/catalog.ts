import { readdirSync, readFileSync } from 'node:fs';
import { exerciseIdsIn } from '../../../src/shared/exercise-ids.ts';

/**
 * The chapters and their exercises, read once at start from the same MDX the
 * site is built from (`exerciseIdsIn`, as the page counts them): a student's
 * event for an exercise or chapter not in it is refused, and the dashboard
 * gets its columns from it.
 */
export interface Catalog {
  /** Every page slug with its exercise ids in page order, slugs sorted. */
  readonly chapters: readonly { readonly slug: string; readonly exercises: readonly string[] }[];
  /** Exercise id → chapter slug. */
  readonly chapterOf: ReadonlyMap<string, string>;
}

const DOCS = new URL('../../../src/content/docs/', import.meta.url);

export function readCatalog(folder: URL = DOCS): Catalog {
  const chapters = readdirSync(folder)
    .filter((file) => file.endsWith('.mdx'))
    .sort()
    .map((file) => ({ slug: file.slice(0, -'.mdx'.length), exercises: exerciseIdsIn(readFileSync(new URL(file, folder), 'utf8')) }));
  const chapterOf = new Map<string, string>();
  for (const { slug, exercises } of chapters) for (const exercise of exercises) chapterOf.set(exercise, slug);
  return { chapters, chapterOf };
}
