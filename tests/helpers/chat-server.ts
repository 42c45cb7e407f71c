import type { Socket } from 'node:net';
import { afterEach, beforeEach } from 'vitest';
import type { ClientOptions } from 'ws';
import { ChatConnection } from '../../client/chat-connection.ts';
import { chatUrl, type ChatOptions } from '../../src/shared/protocol/chat.ts';
import { startServer, type RunningServer } from './demo-server.ts';

export interface ChatServerSession {
  /** The server of the running test. */
  readonly running: RunningServer;
  /** Opens a chat connection (closed after the test), from `options.localAddress` when given (127.0.0.2, …: Linux routes all of 127/8 to lo). */
  connect(room: string, resume?: Parameters<typeof chatUrl>[2], options?: ClientOptions): Promise<ChatConnection>;
  /** Replaces the test's server with one that has these chat limits. */
  restartWith(chat: Partial<ChatOptions>): Promise<void>;
}

/** A fresh demo server for each test of the suite, and the chat connections it opened terminated after it. */
export function useChatServer(): ChatServerSession {
  let running: RunningServer | null = null;
  const open: ChatConnection[] = [];
  beforeEach(async () => {
    running = await startServer();
  });
  afterEach(async () => {
    for (const connection of open.splice(0)) connection.socket.terminate();
    await running?.close();
    running = null;
  });
  const current = (): RunningServer => {
    if (running === null) throw new Error('no chat server: use the session inside a test');
    return running;
  };
  return {
    get running() {
      return current();
    },
    async connect(room, resume = {}, options = {}) {
      const connection = await ChatConnection.open(chatUrl(current().wsUrl, room, resume), options);
      open.push(connection);
      return connection;
    },
    async restartWith(chat) {
      await current().close();
      running = await startServer({ chat });
    },
  };
}

/** Sends everything `write` sends as one TCP write, so the server reads it as one chunk and handles it in one turn. */
export function inOneWrite(connection: ChatConnection, write: () => void): void {
  const tcp = (connection.socket as unknown as { _socket: Socket })._socket;
  tcp.cork();
  write();
  tcp.uncork();
}
