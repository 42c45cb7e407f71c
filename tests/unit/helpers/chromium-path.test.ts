import { access, constants } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveChromiumPath } from '../../helpers/browser.ts';

describe('the Chromium the browser tools use', () => {
  const saved = process.env.CHROMIUM_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
  });

  it('is the build npm install brought, unpacked to an executable file, when CHROMIUM_PATH is unset', async () => {
    delete process.env.CHROMIUM_PATH;
    const path = await resolveChromiumPath();
    await access(path, constants.X_OK);
  });

  it('is CHROMIUM_PATH when set, and a path that is not an executable is refused with a message', async () => {
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    await expect(resolveChromiumPath()).rejects.toThrow('CHROMIUM_PATH is /nonexistent/chromium, which is not an executable file. Unset it to use the Chromium that npm install brought.');
  });
});
