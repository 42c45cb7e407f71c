import { ensureSiteBuilt } from '../../demo-server/site-build.ts';
import { chromiumPath } from '../helpers/browser.ts';

/**
 * Browser tests run against the built site: build it first when it is missing
 * or stale. Resolving Chromium here, once, unpacks the packaged build before
 * any test file asks for it, so no two files unpack it at the same time.
 */
export default async function setup(): Promise<void> {
  await chromiumPath();
  await ensureSiteBuilt(process.cwd());
}
