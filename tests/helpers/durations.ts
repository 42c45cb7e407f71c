/** Milliseconds from the first duration in `text`, as `formatDuration()` prints them: `0.42 ms`, `562 ms`, `1.2 s`. */
export function parseDuration(text: string): number {
  const match = /([\d.]+) (ms|s)\b/.exec(text);
  if (match === null) throw new Error(`no duration in ${JSON.stringify(text)}`);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}
