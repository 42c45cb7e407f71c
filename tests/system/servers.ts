/**
 * The system servers the suites in tests/system need, and what is missing
 * on this machine. `npm test` skips the suites that need a missing server
 * and prints why; `npm run test:system` (what CI runs once it has installed
 * them) fails instead.
 */
import { onPath } from '../../demo-server/cluster/processes.ts';

export interface SystemServer {
  readonly command: 'redis-server' | 'nginx';
  readonly install: string;
  /** The suites that need it, for the skip note. */
  readonly neededBy: string;
}

export const SYSTEM_SERVERS: readonly SystemServer[] = [
  { command: 'redis-server', install: 'apt-get install redis-server', neededBy: 'the suites in tests/system that start Redis' },
  { command: 'nginx', install: 'apt-get install nginx', neededBy: 'the suites with nginx in front (proxy.test.ts, the failover in failures.test.ts)' },
];

/** The servers not on PATH. */
export function missingServers(): SystemServer[] {
  return SYSTEM_SERVERS.filter((each) => !onPath(each.command));
}

/** Whether a suite that needs `commands` must be skipped here (only `npm test` gets that far without them). */
export function lacks(...commands: SystemServer['command'][]): boolean {
  return missingServers().some((each) => commands.includes(each.command));
}

/** Each missing server and how to install it, e.g. `nginx not found (apt-get install nginx)`. */
export function missingNotes(): string[] {
  return missingServers().map((each) => `${each.command} not found (${each.install})`);
}

/** What `npm test` skips and why, one line per missing server; empty when nothing is missing. */
export function skipNotes(): string[] {
  return missingServers().map((each) => `skipped ${each.neededBy}: ${each.command} not found (${each.install}); CI runs them with npm run test:system`);
}
