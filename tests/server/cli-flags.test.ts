import { describe, expect, it } from 'vitest';
import { USAGE } from '../../demo-server/flags.ts';
import { startNodeProcess } from '../helpers/child-process.ts';
import { startServerProcess } from '../helpers/server-process.ts';

/** Runs the real CLI, `node demo-server/main.ts …args`, and waits for it to exit (a server that starts instead is killed after 10 s). */
async function runCli(args: readonly string[]): Promise<{ exit: number | string | null; stderr: string[] }> {
  const cli = startNodeProcess('demo-server/main.ts', args);
  const started = setTimeout(() => void cli.kill(), 10_000);
  const exit = await cli.exited;
  clearTimeout(started);
  return { exit, stderr: cli.stderr };
}

const usageLines = USAGE.trimEnd().split('\n');

/** Every bad value of every flag (issue 18, item 9), with the start of the one line it must print. */
const BAD_FLAGS: readonly [readonly string[], string | RegExp][] = [
  [['--port', 'abc'], '--port must be a whole number from 0 to 65535, got "abc"'],
  [['--port', '70000'], '--port must be a whole number from 0 to 65535, got "70000"'],
  [['--port'], /^Option '--port <value>' argument missing/],
  [['--prot', '1'], /^Unknown option '--prot'/],
  [['--quiet=yes'], /^Option '--quiet' does not take an argument/],
  [['--host'], /^Option '--host <value>' argument missing/],
  [['--site'], /^Option '--site <value>' argument missing/],
  [['--max-message-bytes', '-5'], /^Option '--max-message-bytes' argument is ambiguous\. Did you forget .* use '--max-message-bytes=-XYZ'\.$/],
  [['--max-message-bytes=-5'], '--max-message-bytes must be a whole number from 1 to 104857600, got "-5"'],
  [['--max-message-bytes', '1e3'], '--max-message-bytes must be a whole number from 1 to 104857600, got "1e3"'],
  [['--max-connections', '0'], '--max-connections must be a whole number from 1 to 1000000, got "0"'],
  [['--max-connections-per-address', 'many'], '--max-connections-per-address must be a whole number from 1 to 1000000, got "many"'],
  [['--handshakes-per-second-per-address', '1.5'], '--handshakes-per-second-per-address must be a whole number from 1 to 1000000, got "1.5"'],
  [['--headers-timeout-ms', '10'], '--headers-timeout-ms must be a whole number from 1000 to 600000, got "10"'],
  [['--request-timeout-ms', '99999999'], '--request-timeout-ms must be a whole number from 1000 to 3600000, got "99999999"'],
  [['--headers-timeout-ms', '20000', '--request-timeout-ms', '10000'], 'headersTimeoutMs (20000) cannot exceed requestTimeoutMs (10000): headers are part of the request'],
  [['--max-buffered-bytes', '10'], '--max-buffered-bytes must be a whole number from 1024 to 1073741824, got "10"'],
  [['--max-buffered-bytes', '2048'], 'maxBufferedBytes (2048) must be at least maxMessageBytes (65536): an echo of one full message must fit'],
  [['--max-total-buffered-bytes', '1'], '--max-total-buffered-bytes must be a whole number from 1024 to 17179869184, got "1"'],
  [['--max-total-buffered-bytes', '4096'], /^maxTotalBufferedBytes \(4096\) must be at least maxBufferedBytes/],
  [['--allowed-origins', 'http://a.example/chapter-1/'], '--allowed-origins entries look like http://host:port (scheme, host and port, no path), or *, got "http://a.example/chapter-1/"'],
  [['--allowed-origins', 'a.example'], '--allowed-origins entries look like http://host:port (scheme, host and port, no path), or *, got "a.example"'],
  [['--allowed-origins', 'ftp://a.example'], '--allowed-origins entries look like http://host:port (scheme, host and port, no path), or *, got "ftp://a.example"'],
  [['--allowed-hosts', 'http://school.example/'], /^--allowed-hosts entries are host names or addresses without a scheme or port .*got "http:\/\/school.example\/"$/],
  [['--allowed-hosts', 'a b,<junk>'], /^--allowed-hosts entries .*got "a b"$/],
  [['--trusted-proxies', '127.0.0.1,nginx'], '--trusted-proxies entries are IP addresses (127.0.0.1, ::1), got "nginx"'],
  [['--redis', 'localhost:6379'], '--redis looks like redis://host:port, got "localhost:6379"'],
  [['--redis-member-ttl-ms', '2000'], '--redis-member-ttl-ms needs --redis'],
  [['--chat-limits', 'junk'], '--chat-limits entries look like name=number, got "junk"'],
  [['--chat-limits', 'maxMembers=5'], /^--chat-limits: unknown limit "maxMembers"; known: /],
  [['--chat-limits', 'messagesPerSecond=0'], 'chat option messagesPerSecond must be a whole number from 1 to 10000, got 0'],
  [['--attacker-port', 'abc'], '--attacker-port must be 0 (off) or a whole number from 1 to 65535, got "abc"'],
  [['--attacker-port', '70000'], '--attacker-port must be 0 (off) or a whole number from 1 to 65535, got "70000"'],
  [['--attacker-port'], /^Option '--attacker-port <value>' argument missing/],
  [['--port', '5000', '--attacker-port', '5000'], "--attacker-port 5000 is the site's own port; the attacker page needs another (another port is another origin)"],
  [['--host', '0.0.0.0', '--attacker-port', '5001'], 'the attacker page is only served on a loopback host (--host 0.0.0.0 would put it on the LAN); add --attacker-on-lan to serve it there anyway, or --attacker-port 0 to turn it off'],
  [['--attacker-on-lan=yes'], /^Option '--attacker-on-lan' does not take an argument/],
  [['--metrics-on-lan=yes'], /^Option '--metrics-on-lan' does not take an argument/],
  [['--tls=yes'], /^Option '--tls' does not take an argument/],
  [['--tls-cert', 'cert.pem'], '--tls-cert and --tls-key go together: give both files, or --tls alone for a self-signed certificate'],
  [['--tls-key', 'key.pem'], '--tls-cert and --tls-key go together: give both files, or --tls alone for a self-signed certificate'],
];

describe('demo-server/main.ts with bad flags', () => {
  // Each case is its own short-lived process: several at once (vitest's maxConcurrency, 5).
  it.concurrent.for(BAD_FLAGS)('refuses %j with one line, the usage and exit code 2, without a stack trace', async ([args, message], { expect }) => {
    const { exit, stderr } = await runCli(args);
    expect(exit).toBe(2);
    const [first = '', blank, ...rest] = stderr;
    if (typeof message === 'string') expect(first).toBe(message);
    else expect(first).toMatch(message);
    expect(blank).toBe('');
    expect(rest.slice(0, usageLines.length)).toEqual(usageLines);
    expect(stderr.join('\n')).not.toMatch(/^\s+at |Error:|node:internal/m);
  });

  it('accepts an origin copied from the address bar, trailing slash and all', async () => {
    const server = await startServerProcess(['--allowed-origins', 'http://a.example/,HTTPS://B.example:8443/', '--quiet']);
    try {
      const response = await fetch(`${server.httpUrl}/ws/echo`, { headers: { origin: 'http://a.example' } });
      expect(response.status).toBe(426);
      expect(server.stderr.join('\n')).toBe('');
    } finally {
      await server.stop();
    }
  });
});
