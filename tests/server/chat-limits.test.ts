import { afterEach, describe, expect, it } from 'vitest';
import { ChatConnection } from '../../client/chat-connection.ts';
import { CHAT_DEFAULTS, chatUrl } from '../../src/shared/protocol/chat.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

describe('createDemoServer({ chat }): the chat limits a server starts with', () => {
  let running: RunningServer | null = null;
  const open: ChatConnection[] = [];
  afterEach(async () => {
    for (const connection of open.splice(0)) connection.socket.terminate();
    await running?.close();
    running = null;
  });

  async function join(room: string) {
    const connection = await ChatConnection.open(chatUrl(running?.wsUrl ?? '', room));
    open.push(connection);
    return { connection, welcome: await connection.next('welcome') };
  }

  it('applies overrides to the rate and the room size, and announces them in the welcome', async () => {
    running = await startServer({ chat: { messagesPerSecond: 500, burstMessages: 1000, maxMembersPerRoom: 2 } });
    const first = await join('bench');
    expect(first.welcome.limits).toMatchObject({ messagesPerSecond: 500, burstMessages: 1000, maxTextChars: CHAT_DEFAULTS.maxTextChars });
    await join('bench');
    const third = await ChatConnection.open(chatUrl(running.wsUrl, 'bench'));
    open.push(third);
    expect(await third.closed).toEqual({ code: 1013, reason: 'room is full, try again later: bench has 2 members' });
  });

  it('keeps CHAT_DEFAULTS when the option is not given', async () => {
    running = await startServer();
    const { welcome } = await join('lobby');
    expect(welcome.limits).toEqual({
      maxTextChars: CHAT_DEFAULTS.maxTextChars,
      messagesPerSecond: CHAT_DEFAULTS.messagesPerSecond,
      burstMessages: CHAT_DEFAULTS.burstMessages,
      historyLength: CHAT_DEFAULTS.historyLength,
      typingTimeoutMs: CHAT_DEFAULTS.typingTimeoutMs,
    });
  });

  it('fans a message out to every member as the same text frame', async () => {
    running = await startServer();
    const members = [await join('fan'), await join('fan'), await join('fan')].map(({ connection }) => connection.socket);
    const received = Promise.all(
      members.map(
        (socket) =>
          new Promise<{ isBinary: boolean; text: string | undefined }>((resolve) => {
            socket.on('message', (data: Buffer, isBinary: boolean) => {
              const event = JSON.parse(data.toString()) as { type: string; text?: string };
              if (event.type === 'message') resolve({ isBinary, text: event.text });
            });
          }),
      ),
    );
    members[0]?.send(JSON.stringify({ type: 'say', text: 'héllo, everyone' }));
    expect(await received).toEqual([1, 2, 3].map(() => ({ isBinary: false, text: 'héllo, everyone' })));
  });
});
