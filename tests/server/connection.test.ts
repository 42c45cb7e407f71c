import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closed, nextMessage, openClient, startServer, type RunningServer } from '../helpers/demo-server.ts';

describe('Connection', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer();
  });
  afterEach(async () => {
    await running.close();
  });

  function onlyConnection() {
    const [connection, ...others] = running.server.connections;
    expect(others).toHaveLength(0);
    if (connection === undefined) throw new Error('no connection on the server');
    return connection;
  }

  it('counts every message and byte each way before the route handles it', async () => {
    const client = await openClient(`${running.wsUrl}/ws/echo`);
    client.send('hello');
    await nextMessage(client);
    client.send(Buffer.alloc(300, 1));
    await nextMessage(client);
    const connection = onlyConnection();
    expect([connection.messagesIn, connection.bytesIn, connection.messagesOut, connection.bytesOut]).toEqual([2, 305, 2, 305]);
    client.close();
  });

  it('refuses a second message handler with a TypeError and keeps the first', async () => {
    const client = await openClient(`${running.wsUrl}/ws/echo`);
    const connection = onlyConnection();
    expect(() => {
      connection.onMessage(() => undefined);
    }).toThrow(new TypeError(`connection #${String(connection.id)} already has a message handler`));
    client.send('still echoed');
    expect((await nextMessage(client)).data.toString()).toBe('still echoed');
    client.close();
  });

  it('leaves the server set and logs the close once the socket has closed', async () => {
    const client = await openClient(`${running.wsUrl}/ws/echo`);
    const connection = onlyConnection();
    const closing = closed(client);
    client.close(1000, 'bye');
    await closing;
    await expect.poll(() => running.server.connections.size).toBe(0);
    expect(connection.state).toBe('closed');
    expect(running.log.some((line) => line.includes(`#${String(connection.id)} /ws/echo`) && line.includes('1000 "bye" by client'))).toBe(true);
  });
});
