/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and lists where the time went:
 * self time per function, the top N, with the file and line. Used by
 * `npm run bench -- --profile` and on its own:
 *
 * `node bench/profile-summary.ts <file.cpuprofile> [top]`
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  /** `function (file:line)`, files relative to the repository or node_modules. */
  readonly location: string;
  readonly selfMs: number;
  /** Share of the sampled time, idle excluded. */
  readonly percent: number;
}

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));

function describeFrame(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  const file = frame.url.startsWith('file://') ? relative(REPOSITORY, fileURLToPath(frame.url)) : frame.url;
  return `${name} (${file}:${String(frame.lineNumber + 1)})`;
}

/** Self time per function, busiest first; `(idle)` is left out of the shares. */
export async function summarizeProfile(path: string, top = 15): Promise<{ busyMs: number; idleMs: number; entries: ProfileEntry[] }> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfMs = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  for (const [index, nodeId] of profile.samples.entries()) {
    // timeDeltas[i] is the time before sample i; attribute it to that sample.
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const frame = frames.get(nodeId);
    if (frame === undefined) continue;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const location = describeFrame(frame);
    selfMs.set(location, (selfMs.get(location) ?? 0) + ms);
  }
  const entries = [...selfMs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([location, ms]) => ({ location, selfMs: ms, percent: busyMs === 0 ? 0 : (100 * ms) / busyMs }));
  return { busyMs, idleMs, entries };
}

/** The summary as text lines. */
export function formatProfile(summary: Awaited<ReturnType<typeof summarizeProfile>>): string[] {
  return [
    `busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms; self time:`,
    ...summary.entries.map((entry) => `${entry.percent.toFixed(1).padStart(5)} %  ${entry.selfMs.toFixed(0).padStart(6)} ms  ${entry.location}`),
  ];
}

if (import.meta.main) {
  const [path, top] = process.argv.slice(2);
  if (path === undefined) {
    console.error('Usage: node bench/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(formatProfile(await summarizeProfile(path, top === undefined ? 15 : Number(top))).join('\n'));
}
