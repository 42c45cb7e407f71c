/** Formats the terminal log: short, aligned, one event per line. */
import { clockTime } from '../../src/shared/format.ts';

export { formatBytes, formatDuration } from '../../src/shared/format.ts';

/** Prefixes a message with the time and a fixed-width event word. */
export function logLine(event: string, message: string, date = new Date()): string {
  return `${clockTime(date)}  ${event.padEnd(6)} ${message}`;
}
