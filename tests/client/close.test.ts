import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClient } from '../helpers/cli.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

describe('npm run client -- close', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer();
  });
  afterAll(async () => {
    await running.close();
  });

  it('asks for a code and reason and prints the close with its name', async () => {
    const result = await runClient(['close', '4401', 'token', 'expired', '--server', running.wsUrl]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('message: {"type":"scheduled","action":"close","code":4401,"reason":"token expired","afterMs":0}');
    expect(result.stdout).toContain('closed: 4401 "token expired" (Private use: client error)');
  });

  it('runs an action: a close frame with no status is 1005', async () => {
    const result = await runClient(['close', 'no-status', '--server', running.wsUrl]);
    expect(result.stdout).toContain('closed: 1005 (No Status Received)');
  });

  it('shows the error that failed the connection, then 1006', async () => {
    const result = await runClient(['close', 'invalid-utf8', '--server', running.wsUrl]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('error: Invalid WebSocket frame: invalid UTF-8 sequence');
    expect(result.stdout).toContain('closed: 1006 (Abnormal Closure)');
  });

  it("prints the server's refusal of a code that may not be sent", async () => {
    const result = await runClient(['close', '1006', '--server', running.wsUrl]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'refused: HTTP 400: close code 1006 cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)',
    );
  });
});
