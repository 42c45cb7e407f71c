import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatConnection } from '../../client/chat-connection.ts';
import { chatUrl } from '../../src/shared/protocol/chat.ts';
import { refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';

describe('/ws/chat/:room?restartAfterMs=', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer();
  });
  afterEach(async () => {
    await running.close();
  });

  it('closes that connection with 1012 (Service Restart) once the time has passed, and the member resumes by id without a gap', async () => {
    const writer = await ChatConnection.open(chatUrl(running.wsUrl, 'drain'));
    await writer.next('welcome');
    const leaving = await ChatConnection.open(`${chatUrl(running.wsUrl, 'drain')}?restartAfterMs=300`);
    const welcome = await leaving.next('welcome');
    const closed = await leaving.closed;
    expect(closed).toMatchObject({ code: 1012, reason: 'service restart: reconnect and resume, on another instance if you have one: restartAfterMs=300' });
    // Only that connection: the writer is still in the room and posts while the other is away.
    writer.send({ type: 'say', text: 'while you were away', clientId: 'w1' });
    const ack = await writer.next('ack');
    const back = await ChatConnection.open(chatUrl(running.wsUrl, 'drain', { since: welcome.lastId, epoch: welcome.epoch }));
    const resumed = await back.next('welcome');
    expect(resumed.resume?.status).toBe('complete');
    expect(resumed.history.filter((event) => event.type === 'message').map((event) => [event.id, event.text])).toEqual([[ack.id, 'while you were away']]);
    await back.close();
    await writer.close();
  });

  it('refuses a value out of range at the handshake with HTTP 400 naming the parameter', async () => {
    expect(await refusedHandshake(`${running.wsUrl}/ws/chat/drain?restartAfterMs=5`)).toEqual({
      status: 400,
      body: 'restartAfterMs must be a whole number from 100 to 600000 ms, got "5"\n',
    });
  });
});
