import { afterEach, describe, expect, it } from 'vitest';
import { runClient } from '../helpers/cli.ts';
import { startNodeProcess, type WatchedProcess } from '../helpers/child-process.ts';
import { startServer } from '../helpers/demo-server.ts';

const PRICE_LINE = /^\d\d:\d\d:\d\d\.\d{3} {2}(AAPL|SPY) +\d+\.\d\d {2}[+-]\d+\.\d\d$/;

/** Index of the first line from `from` on that matches. */
const findLine = (lines: readonly string[], pattern: RegExp, from = 0) => lines.findIndex((line, index) => index >= from && pattern.test(line));

describe('npm run client -- ticker', () => {
  const started: WatchedProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((process) => process.kill()));
  });

  it('survives a frozen server: reports it unresponsive, retries with backoff, reconnects and resubscribes after it resumes', async () => {
    const server = startNodeProcess('demo-server/main.ts', ['--port', '0', '--quiet', '--site', 'no-site-needed']);
    started.push(server);
    await expect.poll(() => server.stdout.find((line) => line.startsWith('Socketbook is running at')), { timeout: 15_000 }).toBeDefined();
    const port = /:(\d+)\//.exec(server.stdout.find((line) => line.startsWith('Socketbook is running at')) ?? '')?.[1] ?? '';

    const cli = startNodeProcess('client/main.ts', [
      'ticker',
      'AAPL',
      'spy',
      '--server',
      `ws://127.0.0.1:${port}`,
      '--ping-interval-ms',
      '200',
      '--pong-timeout-ms',
      '500',
      '--connect-timeout-ms',
      '500',
      '--min-backoff-ms',
      '100',
      '--max-backoff-ms',
      '400',
    ]);
    started.push(cli);
    const out = cli.stdout;
    await expect.poll(() => findLine(out, /^subscribed: AAPL, SPY$/), { timeout: 15_000 }).toBeGreaterThanOrEqual(0);
    await expect.poll(() => findLine(out, PRICE_LINE), { timeout: 15_000 }).toBeGreaterThanOrEqual(0);
    await expect.poll(() => findLine(out, /^ping #\d+: round trip [\d.]+ m?s$/), { timeout: 15_000 }).toBeGreaterThanOrEqual(0);

    server.child.kill('SIGSTOP');
    await expect.poll(() => findLine(out, /^server unresponsive: no pong to ping #\d+ within 500 ms; dropping the connection$/), { timeout: 15_000 }).toBeGreaterThanOrEqual(0);
    const frozenAt = findLine(out, /^server unresponsive/);
    // The frozen server's kernel still accepts TCP connections, so each attempt fails at the handshake.
    await expect.poll(() => findLine(out, /^connection attempt failed: Opening handshake has timed out$/, frozenAt), { timeout: 15_000 }).toBeGreaterThanOrEqual(0);
    await expect.poll(() => out.slice(frozenAt).filter((line) => /^reconnecting in \d+ ms \(attempt \d+\)$/.test(line)).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);

    server.child.kill('SIGCONT');
    await expect.poll(() => findLine(out, /^subscribed: AAPL, SPY$/, frozenAt), { timeout: 15_000 }).toBeGreaterThanOrEqual(0);
    const resumedAt = findLine(out, /^subscribed: AAPL, SPY$/, frozenAt);
    await expect.poll(() => findLine(out, PRICE_LINE, resumedAt), { timeout: 15_000 }).toBeGreaterThanOrEqual(0);
    expect(out[resumedAt - 1]).toBe('connected; subscribing to AAPL, SPY');

    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(out.at(-1)).toBe('closed: 1000 "bye"');
    expect(cli.stderr.filter((line) => line !== '')).toEqual([]);
  });

  it('reports unknown symbols from the server and keeps streaming the known ones', async () => {
    const running = await startServer();
    try {
      const cli = startNodeProcess('client/main.ts', ['ticker', 'NVDA', 'NOPE', '--server', running.wsUrl]);
      started.push(cli);
      // A client process starting on a loaded machine takes seconds, not the poll's default 1 s.
      await expect.poll(() => cli.stderr.find((line) => line.startsWith('server says')), { timeout: 15_000 }).toBe(
        'server says UNKNOWN_SYMBOL: unknown symbol: NOPE; known symbols are AAPL, SPY, MSFT, GOOG, AMZN, TSLA, NVDA, BTC-USD',
      );
      await expect.poll(() => cli.stdout.some((line) => / NVDA /.test(line)), { timeout: 15_000 }).toBe(true);
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
    } finally {
      await running.close();
    }
  });

  it('explains missing symbols and bad flags', async () => {
    const none = await runClient(['ticker']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('ticker needs at least one symbol, e.g. npm run client -- ticker AAPL SPY');
    const bad = await runClient(['ticker', 'AAPL', '--pong-timeout-ms', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--pong-timeout-ms must be a whole number from 10 to 600000 ms, got "soon"');
  });
});
