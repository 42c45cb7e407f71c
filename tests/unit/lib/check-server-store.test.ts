import { describe, expect, it } from 'vitest';
import { CheckServerStore } from '../../../src/labs/check-server/store.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

describe('CheckServerStore', () => {
  it('fails every check with what a page can know when the server refuses the handshake: only 1006', async () => {
    const sockets: FakeSocket[] = [];
    const store = new CheckServerStore((url) => {
      const socket = new FakeSocket();
      sockets.push(socket);
      queueMicrotask(() => socket.emit('close', { code: 1006, reason: '', wasClean: false }));
      expect(url).toBe('ws://127.0.0.1:9001');
      return socket;
    });
    await store.run('ws://127.0.0.1:9001', 'echo');
    const { state, checks } = store.snapshot;
    expect(state).toBe('done');
    expect(checks).toHaveLength(7);
    expect(checks.every((check) => check.state === 'fail')).toBe(true);
    expect(checks[0]?.detail).toBe(
      'the connection to ws://127.0.0.1:9001 closed with 1006 before it opened. A page cannot tell why: a refused handshake (any HTTP status), a wrong Sec-WebSocket-Accept and a server that is not listening all reach it as 1006. Run npm run grade -- <url> (or npm run client) in a terminal to see the HTTP answer.',
    );
    // One connection per check, none sent anything.
    expect(sockets).toHaveLength(7);
    expect(sockets.every((socket) => socket.sent.length === 0)).toBe(true);
  });

  it('says the server closed instead of echoing, with the code, and closes every connection it opened', async () => {
    const sockets: FakeSocket[] = [];
    const store = new CheckServerStore((): FakeSocket => {
      const socket = new FakeSocket();
      sockets.push(socket);
      queueMicrotask(() => socket.emit('open'));
      // Any message: the server closes with 1009.
      socket.send = (data: unknown) => {
        socket.sent.push(data);
        queueMicrotask(() => socket.emit('close', { code: 1009, reason: 'too big', wasClean: true }));
      };
      return socket;
    }, { answerTimeoutMs: 200 });
    await store.run('ws://127.0.0.1:9001', 'echo');
    const text = store.snapshot.checks.find((check) => check.name === 'echoes a text message as text, byte for byte');
    expect(text?.detail).toBe('sent a text of 23 bytes (68 c3 a9 6c 6c 6f 2c 20 …); instead of its echo: the server closed the connection with 1009 "too big" (Message Too Big: the server\'s size limit is below this message)');
    expect(store.snapshot.checks[0]?.state).toBe('pass');
    // Sockets the server did not close were closed by the page with 1000.
    for (const socket of sockets) expect(socket.closedWith === null || socket.closedWith.code === 1000).toBe(true);
  });
});
