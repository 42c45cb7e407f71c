import ReconnectingWebSocket from 'partysocket/ws';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partysocketOptions } from '../../src/shared/reconnect.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

/**
 * partysocket with the cells' options, against /ws/close: which closes make
 * it come back. `shouldReconnect` is partysocket's own verdict, read in the
 * close listener (it is decided before the event is dispatched).
 */
describe('partysocketOptions() reconnect policy, with partysocket and the demo server', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer();
  });
  afterAll(async () => {
    await running.close();
  });

  function connect(query: string) {
    const socket = new ReconnectingWebSocket(`${running.wsUrl}/ws/close?${query}`, undefined, {
      ...partysocketOptions({ minReconnectionDelay: 20, maxReconnectionDelay: 100 }),
      WebSocket,
    });
    let opens = 0;
    const closes: { code: number; reconnecting: boolean }[] = [];
    socket.addEventListener('open', () => {
      opens += 1;
    });
    socket.addEventListener('close', (event) => {
      closes.push({ code: event.code, reconnecting: socket.shouldReconnect });
    });
    return { socket, opens: () => opens, closes };
  }

  for (const code of [1001, 1011, 1012, 1013, 1014, 4500]) {
    it(`reconnects after ${String(code)}`, async () => {
      const { socket, opens, closes } = connect(`code=${String(code)}`);
      await expect.poll(opens, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(closes[0]).toEqual({ code, reconnecting: true });
      socket.close();
    });
  }

  it('reconnects after a dropped connection (1006) and a close frame with no status (1005)', async () => {
    for (const action of ['drop', 'no-status']) {
      const { socket, opens, closes } = connect(`action=${action}`);
      await expect.poll(opens, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(closes[0]).toEqual({ code: action === 'drop' ? 1006 : 1005, reconnecting: true });
      socket.close();
    }
  });

  for (const code of [1000, 1003, 1008, 4401, 4403]) {
    it(`does not reconnect after ${String(code)}`, async () => {
      const { socket, opens, closes } = connect(`code=${String(code)}`);
      await expect.poll(() => closes.length, { timeout: 10_000 }).toBe(1);
      expect(closes[0]).toEqual({ code, reconnecting: false });
      expect(opens()).toBe(1);
      socket.close();
    });
  }

  it('keeps retrying a server that is not there', async () => {
    const socket = new ReconnectingWebSocket('ws://127.0.0.1:9/ws/close', undefined, {
      ...partysocketOptions({ minReconnectionDelay: 20, maxReconnectionDelay: 50 }),
      WebSocket,
    });
    socket.addEventListener('error', () => undefined);
    await expect.poll(() => socket.retryCount, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(socket.shouldReconnect).toBe(true);
    socket.close();
  });
});
