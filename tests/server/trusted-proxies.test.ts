import { afterEach, describe, expect, it, vi } from 'vitest';
import { openClient, startServer, type RunningServer } from '../helpers/demo-server.ts';

/**
 * `--trusted-proxies`: the address a connection is logged and limited under
 * comes from X-Forwarded-For only when the peer is a trusted proxy, read
 * from the right, so what a client writes into the header never counts.
 */
describe('X-Forwarded-For from trusted proxies', () => {
  let running: RunningServer | null = null;
  afterEach(async () => {
    await running?.close();
    running = null;
  });

  /** The address the server logged for a client from `localAddress` sending `forwardedFor`. */
  async function loggedAddress(localAddress: string, forwardedFor: string | null): Promise<string> {
    const server = running;
    if (server === null) throw new Error('no server');
    const before = server.log.length;
    const socket = await openClient(`${server.wsUrl}/ws/echo`, { localAddress, headers: forwardedFor === null ? {} : { 'X-Forwarded-For': forwardedFor } });
    const line = await vi.waitFor(() => {
      const found = server.log.slice(before).find((each) => each.includes(' open '));
      if (found === undefined) throw new Error('no open line yet');
      return found;
    });
    socket.terminate();
    return /\/ws\/echo {2}(\S+):\d+/.exec(line)?.[1] ?? line;
  }

  it('takes the client from the right of the header when the peer is a trusted proxy', async () => {
    running = await startServer({ trustedProxies: ['127.0.0.1', '127.0.0.2'] });
    expect(await loggedAddress('127.0.0.1', '203.0.113.9')).toBe('203.0.113.9');
    // The client wrote the first entry itself; the proxy appended the last.
    expect(await loggedAddress('127.0.0.1', '10.9.8.7, 203.0.113.9')).toBe('203.0.113.9');
    // Two trusted proxies in a row: the entry before them is the client.
    expect(await loggedAddress('127.0.0.1', '10.9.8.7, 203.0.113.9, 127.0.0.2')).toBe('203.0.113.9');
    expect(await loggedAddress('127.0.0.1', '::ffff:198.51.100.4')).toBe('198.51.100.4');
    // No header, or garbage: the last trusted hop is all that is known.
    expect(await loggedAddress('127.0.0.1', null)).toBe('127.0.0.1');
    expect(await loggedAddress('127.0.0.1', '203.0.113.9, not-an-address')).toBe('127.0.0.1');
  });

  it('ignores the header from any other peer, and from everyone without --trusted-proxies', async () => {
    running = await startServer({ trustedProxies: ['127.0.0.1'] });
    expect(await loggedAddress('127.0.0.5', '203.0.113.9')).toBe('127.0.0.5');
    await running.close();
    running = await startServer();
    expect(await loggedAddress('127.0.0.1', '203.0.113.9')).toBe('127.0.0.1');
  });

  it('refuses an entry that is not an IP address', async () => {
    await expect(startServer({ trustedProxies: ['nginx'] })).rejects.toThrow('trustedProxies entries are IP addresses (127.0.0.1, ::1), got "nginx"');
  });
});
