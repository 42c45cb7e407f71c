import { access } from 'node:fs/promises';
import { ensureSiteBuilt } from '../../demo-server/site-build.ts';
import { CHROMIUM_PATH } from '../helpers/browser.ts';

/** Browser tests run against the built site: build it first when it is missing or stale. */
export default async function setup(): Promise<void> {
  try {
    await access(CHROMIUM_PATH);
  } catch {
    throw new Error(`Browser tests need Chromium at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (.ci/run does this).`);
  }
  await ensureSiteBuilt(process.cwd());
}
