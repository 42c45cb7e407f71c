/**
 * The code of every cell and exercise, read at build time from
 * `src/cells/<chapter>/`, so a chapter names its cells by id and imports no
 * file: `<CodeCell id="stats">` on /backpressure/ runs
 * `src/cells/backpressure/1-stats.cell.js`, and `<Exercise id="high-water">`
 * takes `high-water.starter.js`, `.solution.js` and `.checks.js` beside it.
 */
const sources = import.meta.glob<string>('../cells/*/*.js', { query: '?raw', import: 'default', eager: true });

/** File names of a chapter's folder, mapped to their text. */
function chapterFiles(chapter: string): Map<string, string> {
  const prefix = `../cells/${chapter}/`;
  return new Map(
    Object.entries(sources)
      .filter(([path]) => path.startsWith(prefix))
      .map(([path, text]) => [path.slice(prefix.length), text]),
  );
}

/** The cell `id` of `chapter`: `src/cells/<chapter>/<number>-<id>.cell.js`. */
export function cellCode(chapter: string, id: string): string {
  const files = chapterFiles(chapter);
  const matches = [...files.keys()].filter((name) => new RegExp(`^\\d+-${id}\\.cell\\.js$`).test(name));
  const [name] = matches;
  if (matches.length !== 1 || name === undefined) {
    throw new Error(`<CodeCell id="${id}"> on /${chapter}/ needs exactly one src/cells/${chapter}/<number>-${id}.cell.js, found ${matches.length === 0 ? 'none' : matches.join(', ')}`);
  }
  return files.get(name) ?? '';
}

export interface ExerciseCode {
  readonly starter: string;
  readonly solution: string;
  readonly checks: string;
}

/** The exercise `id` of `chapter`: `src/cells/<chapter>/<id>.{starter,solution,checks}.js`. */
export function exerciseCode(chapter: string, id: string): ExerciseCode {
  const files = chapterFiles(chapter);
  const read = (part: keyof ExerciseCode): string => {
    const text = files.get(`${id}.${part}.js`);
    if (text === undefined) throw new Error(`<Exercise id="${id}"> on /${chapter}/ needs src/cells/${chapter}/${id}.${part}.js`);
    return text;
  };
  return { starter: read('starter'), solution: read('solution'), checks: read('checks') };
}
