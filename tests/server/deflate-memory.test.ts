import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * `npm run bench:deflate-memory` end to end with a few connections: it
 * negotiates permessage-deflate in one run and nothing in the other, and
 * reports per-connection memory. The numbers are the chapter's to quote
 * (from 500 and 1,000 connections), not a test's: a shared machine's RSS
 * says nothing a test may rely on.
 */
describe('bench/deflate-memory.ts', () => {
  it('measures a server with and without permessage-deflate, and says which was negotiated', { timeout: 60_000 }, async () => {
    const { stdout } = await run(process.execPath, ['bench/deflate-memory.ts', '20'], { timeout: 50_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('20 connections, one 4 KiB message each way on each; server memory per connection:');
    expect(lines[1]).toMatch(/^ {2}without compression +RSS +-?\d+ KiB +external +-?\d+ KiB +heap +-?\d+ KiB +\(negotiated: none\)$/);
    expect(lines[2]).toMatch(/^ {2}permessage-deflate +RSS +-?\d+ KiB +external +-?\d+ KiB +heap +-?\d+ KiB +\(negotiated: permessage-deflate\)$/);
    expect(lines[3]).toMatch(/^ {2}compression adds about -?\d+ KiB of RSS per connection$/);
  });

  it('refuses a connection count it cannot use', async () => {
    await expect(run(process.execPath, ['bench/deflate-memory.ts', 'lots'])).rejects.toThrow(/connections must be a whole number from 1 to 5000, got "lots"/);
  });
});
