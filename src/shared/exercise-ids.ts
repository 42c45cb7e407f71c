/**
 * Exercise ids as a chapter's MDX declares them (`<Exercise … id="x"`), in
 * document order. The page counts them at build time
 * (`src/notebook/exercise-counts.ts`) and the classroom server reads them at
 * start, so an exercise a page cannot show is one the server refuses.
 */
export function exerciseIdsIn(source: string): string[] {
  return [...source.matchAll(/<Exercise\b[^>]*\bid="([^"]+)"/g)].map((match) => match[1] ?? '');
}
