import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What the built site depends on: if any is newer than the build, rebuild. */
const SOURCES = ['src', 'public', 'astro.config.mjs', 'package.json', 'tsconfig.json'];
/** Written by the build-stamp integration in astro.config.mjs once a build has finished. */
const BUILD_MARKER = join('dist', '.build-stamp');

async function newestMtime(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestMtime(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** Why the site in `root/dist` must be (re)built, or `null` when it is current. */
export async function staleBuildReason(root: string): Promise<string | null> {
  let built: number;
  try {
    built = (await stat(join(root, BUILD_MARKER))).mtimeMs;
  } catch {
    return 'no built site in dist/';
  }
  const sources = await Promise.all(SOURCES.map((source) => newestMtime(join(root, source))));
  return Math.max(...sources) > built ? 'sources changed since the last build' : null;
}

/** Runs `astro build` in `root` with this same Node, streaming its output. */
export function buildSite(root: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build'], {
      cwd: root,
      stdio: 'inherit',
      // Vite builds with import.meta.env.DEV = true unless NODE_ENV is production,
      // and a test runner sets NODE_ENV=test (search would then be disabled).
      env: { ...process.env, NODE_ENV: 'production' },
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`astro build failed with exit code ${String(code)}`));
    });
  });
}

/** Builds the site when it is missing or older than its sources. */
export async function ensureSiteBuilt(root: string): Promise<void> {
  const reason = await staleBuildReason(root);
  if (reason === null) return;
  console.log(`Building the site (${reason})…`);
  await buildSite(root);
}
