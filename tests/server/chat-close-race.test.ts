import { describe, expect, it } from 'vitest';
import type { ChatConnection } from '../../client/chat-connection.ts';
import { inOneWrite, useChatServer } from '../helpers/chat-server.ts';

/**
 * Messages the server accepted before a close must still be handled: ws
 * reads every frame of a TCP chunk in one go, so a say and the close (or the
 * flood that triggers one) often arrive together, and the close happens
 * before the queued say is handled.
 */
describe('/ws/chat/:room: messages accepted before a close', () => {
  const session = useChatServer();

  async function join(room: string): Promise<ChatConnection> {
    const connection = await session.connect(room);
    await connection.next('welcome');
    return connection;
  }

  it('broadcasts a say that arrives together with the close frame', async () => {
    const bystander = await join('together');
    const leaving = await join('together');
    inOneWrite(leaving, () => {
      leaving.send({ type: 'say', text: 'bye, all' });
      leaving.socket.close(1000, 'done');
    });
    expect(await leaving.closed).toEqual({ code: 1000, reason: 'done' });
    expect(await bystander.next('message')).toMatchObject({ text: 'bye, all' });
    expect(await bystander.next('left')).toMatchObject({ type: 'left' });
  });

  it('lets the burst through when a flood arrives in one chunk and closes the flooder', async () => {
    const bystander = await join('flood-chunk');
    const flooder = await join('flood-chunk');
    inOneWrite(flooder, () => {
      for (let index = 1; index <= 30; index++) flooder.send({ type: 'say', text: `flood ${String(index)}` });
    });
    expect((await flooder.closed).code).toBe(1008);
    const texts = [];
    for (let index = 1; index <= 10; index++) texts.push((await bystander.next('message')).text);
    expect(texts).toEqual(Array.from({ length: 10 }, (_, index) => `flood ${String(index + 1)}`));
  });
});
