import { describe, expect, it } from 'vitest';
import { bytesOfLength, FrameLabStore, textOfBytes, type FrameLabMessage } from '../../../src/labs/frames/store.ts';
import { RFC_EXAMPLE_FRAME_REPORT, type FrameReport, type InspectFrameMessage, type InspectReplyMessage } from '../../../src/shared/protocol/inspect.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

function frame(overrides: Partial<FrameReport>): FrameReport {
  return { ...RFC_EXAMPLE_FRAME_REPORT, ...overrides };
}
const report = (index: number, overrides: Partial<FrameReport> = {}): string =>
  JSON.stringify({ type: 'frame', index, at: 0, unreported: 0, frame: frame(overrides) } satisfies InspectFrameMessage);
const reply = (bytes: number): string =>
  JSON.stringify({ type: 'reply', kind: 'text', bytes, frames: [frame({ masked: false, maskingKey: null, header: '81 05' })] } satisfies InspectReplyMessage);

function setup() {
  const socket = new FakeSocket();
  const store = new FrameLabStore(socket);
  socket.emit('open');
  socket.emit('message', {
    data: JSON.stringify({ type: 'handshake', requestLine: '', requestHeaders: [], responseLines: [], protocol: '', extensions: '', previewBytes: 64, maxMessageBytes: 100_000 }),
  });
  const messages = () => store.snapshot.entries.filter((entry): entry is FrameLabMessage => entry.type === 'message');
  return { socket, store, messages };
}

describe('FrameLabStore', () => {
  it('matches frame reports, the reply and the echo to the message sent', () => {
    const { socket, store, messages } = setup();
    expect(store.send('Hello', false)).toBe(true);
    expect(socket.sent).toEqual(['Hello']);
    socket.emit('message', { data: report(1) });
    socket.emit('message', { data: reply(5) });
    expect(messages()[0]).toMatchObject({ status: 'sending', bytes: 5, preview: 'Hello' });
    socket.emit('message', { data: 'Hello' });
    const [message] = messages();
    expect(message).toMatchObject({ status: 'echoed', echoMatches: true });
    expect(message?.clientFrames.map((entry) => entry.frame.header)).toEqual(['81 85 37 fa 21 3d']);
    expect(message?.reply?.frames[0]?.header).toBe('81 05');
  });

  it('treats the message after a reply as the echo even when it looks like a report', () => {
    const { socket, messages, store } = setup();
    const tricky = report(9);
    store.send(tricky, false);
    socket.emit('message', { data: report(1, { payloadLength: tricky.length }) });
    socket.emit('message', { data: reply(tricky.length) });
    socket.emit('message', { data: tricky });
    expect(messages()).toHaveLength(1);
    expect(messages()[0]).toMatchObject({ status: 'echoed', echoMatches: true });
  });

  it('collects several frames of a message the browser fragmented, and two messages in flight', () => {
    const { socket, store, messages } = setup();
    store.send('first', false);
    store.send('second', false);
    socket.emit('message', { data: report(1, { fin: false }) });
    socket.emit('message', { data: report(2, { opcode: 0, opcodeName: 'continuation' }) });
    socket.emit('message', { data: report(3) });
    socket.emit('message', { data: reply(5) });
    socket.emit('message', { data: 'first' });
    socket.emit('message', { data: reply(6) });
    socket.emit('message', { data: 'second' });
    expect(messages().map((message) => [message.clientFrames.length, message.status, message.echoMatches])).toEqual([
      [2, 'echoed', true],
      [1, 'echoed', true],
    ]);
  });

  it('lists control frames the browser sent by itself', () => {
    const { socket, store } = setup();
    socket.emit('message', { data: report(1, { opcode: 10, opcodeName: 'pong', messageOpcodeName: 'pong' }) });
    expect(store.snapshot.entries).toMatchObject([{ type: 'control', report: { frame: { opcodeName: 'pong' } } }]);
  });

  it('compares binary echoes byte for byte', () => {
    const { socket, store, messages } = setup();
    store.send('Hi', true);
    expect(socket.sent[0]).toEqual(new Uint8Array([0x48, 0x69]));
    socket.emit('message', { data: report(1, { opcode: 2, opcodeName: 'binary' }) });
    socket.emit('message', { data: reply(2) });
    socket.emit('message', { data: new Uint8Array([0x48, 0x68]).buffer });
    expect(messages()[0]).toMatchObject({ kind: 'binary', preview: '48 69', echoMatches: false });
  });

  it('builds messages of an exact size and refuses ones over the server limit', () => {
    const { socket, store } = setup();
    store.send('ab', false, 200);
    expect(socket.sent[0]).toBe('ab'.repeat(100));
    expect(store.send('x', false, 100_001)).toBe(false);
    expect(store.snapshot.sendError).toBe("100,001 bytes is over the server's limit of 100,000 bytes for this endpoint.");
  });

  it('marks what was in flight as lost when the connection closes', () => {
    const { socket, store, messages } = setup();
    store.send('Hello', false);
    socket.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(messages()[0]?.status).toBe('lost');
    expect(store.snapshot.state).toBe('closed');
    expect(store.send('again', false)).toBe(false);
  });
});

describe('textOfBytes and bytesOfLength', () => {
  it('repeats text to exactly the size in UTF-8 without splitting characters', () => {
    for (const size of [0, 1, 125, 126, 65_536]) {
      for (const text of ['a', 'héllo', '€', '😀x']) {
        const result = textOfBytes(text, size);
        expect(new TextEncoder().encode(result).length).toBe(size);
        expect(result).not.toContain('\uFFFD');
      }
    }
    expect(textOfBytes('😀', 6)).toBe('😀  ');
  });

  it('repeats bytes to exactly the size', () => {
    expect(bytesOfLength('ab', 5)).toEqual(new TextEncoder().encode('ababa'));
    expect(bytesOfLength('', 2)).toEqual(new TextEncoder().encode('xx'));
  });
});
