import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ChatConnection } from '../../client/chat-connection.ts';
import type { Connection } from '../../demo-server/core/connection.ts';
import { inOneWrite, useChatServer } from '../helpers/chat-server.ts';

/**
 * The chat's fan-out writes what one turn of the event loop sends a member
 * in one system call (`Connection.coalesceSends`): a room that handles k
 * messages in a turn costs each member one `writev`, not k.
 */
describe('/ws/chat/:room fan-out', () => {
  const session = useChatServer();

  async function join(room: string, name: string): Promise<ChatConnection> {
    const connection = await session.connect(room, { name });
    await connection.next('welcome');
    return connection;
  }

  /** The server's side of the connection opened `index`-th (0 first), found once the server has it. */
  async function serverSide(index: number): Promise<Connection> {
    await expect.poll(() => session.running.server.connections.size).toBeGreaterThan(index);
    const connection = [...session.running.server.connections][index];
    if (connection === undefined) throw new Error(`no connection #${String(index)}`);
    return connection;
  }

  /** Counts the writes the server's TCP socket hands the kernel (one `writev` or `write` each) and the bytes of each. */
  function countWrites(connection: Connection): number[] {
    type Chunk = Buffer | string;
    type Done = (error?: Error | null) => void;
    const tcp = (connection.socket as unknown as { _socket: Socket & { _writev(chunks: { chunk: Chunk }[], done: Done): void; _write(chunk: Chunk, encoding: BufferEncoding, done: Done): void } })._socket;
    const writes: number[] = [];
    const writev = tcp._writev.bind(tcp);
    const write = tcp._write.bind(tcp);
    tcp._writev = (chunks: { chunk: Chunk }[], done: Done) => {
      writes.push(chunks.reduce((sum, each) => sum + Buffer.byteLength(each.chunk), 0));
      writev(chunks, done);
    };
    tcp._write = (chunk: Chunk, encoding: BufferEncoding, done: Done) => {
      writes.push(Buffer.byteLength(chunk));
      write(chunk, encoding, done);
    };
    return writes;
  }

  it('writes the messages handled in one turn to each member in one system call, in order', async () => {
    const reader = await join('coalesced', 'reader');
    const publisher = await join('coalesced', 'publisher');
    const writes = countWrites(await serverSide(0));
    inOneWrite(publisher, () => {
      for (let index = 1; index <= 5; index++) publisher.send({ type: 'say', text: `burst ${String(index)}` });
    });
    const texts = [];
    for (let index = 1; index <= 5; index++) texts.push((await reader.next('message')).text);
    expect(texts).toEqual(['burst 1', 'burst 2', 'burst 3', 'burst 4', 'burst 5']);
    // One frame per message (header and payload under ws's own cork) would be 5 writes.
    expect(writes).toHaveLength(1);
  });

  it('writes at once when a turn has queued 16 KiB for a member, instead of holding more', async () => {
    await session.restartWith({ maxTextChars: 4000, burstMessages: 20, messagesPerSecond: 20 });
    const reader = await join('big', 'reader');
    const publisher = await join('big', 'publisher');
    const writes = countWrites(await serverSide(0));
    const text = 'x'.repeat(4000);
    inOneWrite(publisher, () => {
      for (let index = 0; index < 12; index++) publisher.send({ type: 'say', text });
    });
    for (let index = 0; index < 12; index++) expect((await reader.next('message')).text).toBe(text);
    // 12 messages of about 4 KiB: flushed each time 16 KiB or more are held, so in 3 or 4 writes of at most 5 messages.
    expect(writes.length).toBeGreaterThanOrEqual(3);
    for (const bytes of writes) expect(bytes).toBeLessThan(16 * 1024 + 4200);
  });
});
