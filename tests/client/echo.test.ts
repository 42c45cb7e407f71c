import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClient } from '../helpers/cli.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

describe('npm run client -- echo', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer();
  });
  afterAll(async () => {
    await running.close();
  });

  it('sends each line and prints the echo with size and round trip, then closes with 1000', async () => {
    const result = await runClient(['echo', '--server', running.wsUrl], 'hello\nwörld\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^echo: hello {2}\(5 B {2}[\d.]+ m?s\)$/m);
    expect(result.stdout).toMatch(/^echo: wörld {2}\(6 B {2}[\d.]+ m?s\)$/m);
    expect(result.stdout).toContain('closed: 1000 "bye"');
  });

  it('explains an unknown mode and lists the modes', async () => {
    const result = await runClient(['nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown mode "nope".');
    expect(result.stderr).toMatch(/^ {2}echo /m);
  });

  it('rejects a bad --server', async () => {
    const result = await runClient(['echo', '--server', 'ftp://x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--server must be a ws://, wss://, http:// or https:// address, got "ftp://x"');
  });
});
