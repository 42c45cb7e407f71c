import { describe, expect, it } from 'vitest';
import {
  applyMask,
  decodeFrame,
  decodeFrames,
  encodeFrame,
  encodeFrameHeader,
  FrameDecoder,
  FrameError,
  fragmentMessage,
  fromHex,
  lengthBitsFor,
  OPCODES,
  toHex,
} from '../../../src/shared/frame-codec.ts';

const text = (value: string) => new TextEncoder().encode(value);
const KEY = fromHex('37fa213d');

/** Catches the FrameError `action` throws, so tests can assert its code and message exactly. */
function frameErrorOf(action: () => unknown): FrameError {
  try {
    action();
  } catch (error) {
    if (error instanceof FrameError) return error;
    throw error;
  }
  throw new Error('expected a FrameError, nothing was thrown');
}

describe('RFC 6455 §5.7 examples', () => {
  it('encodes and decodes a single-frame unmasked text message "Hello"', () => {
    const bytes = fromHex('810548656c6c6f');
    expect(toHex(encodeFrame({ opcode: OPCODES.text, payload: text('Hello') }), '')).toBe('810548656c6c6f');
    const frame = decodeFrame(bytes);
    expect(frame).toMatchObject({ fin: true, opcodeName: 'text', masked: false, maskingKey: null, payloadLength: 5, lengthBits: 7 });
    expect(new TextDecoder().decode(frame.payload)).toBe('Hello');
  });

  it('encodes and decodes a single-frame masked text message "Hello"', () => {
    const bytes = fromHex('818537fa213d7f9f4d5158');
    expect(toHex(encodeFrame({ opcode: OPCODES.text, payload: text('Hello'), maskingKey: KEY }), '')).toBe('818537fa213d7f9f4d5158');
    const frame = decodeFrame(bytes, { sender: 'client' });
    expect(frame.masked).toBe(true);
    expect(toHex(frame.maskingKey ?? new Uint8Array())).toBe('37 fa 21 3d');
    expect(toHex(frame.payloadAsSent)).toBe('7f 9f 4d 51 58');
    expect(new TextDecoder().decode(frame.payload)).toBe('Hello');
    expect(toHex(frame.headerBytes)).toBe('81 85 37 fa 21 3d');
  });

  it('decodes a fragmented unmasked text message "Hel" + "lo"', () => {
    const frames = decodeFrames(fromHex('010348656c 80026c6f'));
    expect(frames.map((frame) => [frame.fin, frame.opcodeName, frame.messageOpcodeName])).toEqual([
      [false, 'text', 'text'],
      [true, 'continuation', 'text'],
    ]);
    expect(new TextDecoder().decode(new Uint8Array(frames.flatMap((frame) => [...frame.payload])))).toBe('Hello');
    expect(fragmentMessage(OPCODES.text, text('Hello'), 3).map((frame) => toHex(frame, ''))).toEqual(['010348656c', '80026c6f']);
  });

  it('encodes and decodes an unmasked ping and a masked pong carrying "Hello"', () => {
    expect(toHex(encodeFrame({ opcode: OPCODES.ping, payload: text('Hello') }), '')).toBe('890548656c6c6f');
    expect(toHex(encodeFrame({ opcode: OPCODES.pong, payload: text('Hello'), maskingKey: KEY }), '')).toBe('8a8537fa213d7f9f4d5158');
    expect(decodeFrame(fromHex('890548656c6c6f')).opcodeName).toBe('ping');
    const pong = decodeFrame(fromHex('8a8537fa213d7f9f4d5158'), { sender: 'client' });
    expect(pong.opcodeName).toBe('pong');
    expect(new TextDecoder().decode(pong.payload)).toBe('Hello');
  });

  it('uses a 16-bit length for 256 bytes of binary: 82 7e 01 00', () => {
    const payload = new Uint8Array(256).fill(0xab);
    const bytes = encodeFrame({ opcode: OPCODES.binary, payload });
    expect(toHex(bytes.subarray(0, 4), '')).toBe('827e0100');
    expect(bytes.length).toBe(260);
    const frame = decodeFrame(bytes);
    expect(frame).toMatchObject({ opcodeName: 'binary', payloadLength: 256, lengthBits: 16, payloadComplete: true });
    expect(frame.payload).toEqual(payload);
  });

  it('uses a 64-bit length for 64 KiB of binary: 82 7f 00 00 00 00 00 01 00 00', () => {
    const payload = new Uint8Array(65_536).fill(7);
    const bytes = encodeFrame({ opcode: OPCODES.binary, payload });
    expect(toHex(bytes.subarray(0, 10), '')).toBe('827f0000000000010000');
    const frame = decodeFrame(bytes);
    expect(frame).toMatchObject({ payloadLength: 65_536, lengthBits: 64 });
  });
});

describe('encodeFrameHeader', () => {
  it('picks the shortest length encoding at each boundary', () => {
    expect([0, 125, 126, 65_535, 65_536].map(lengthBitsFor)).toEqual([7, 7, 16, 16, 64]);
    expect(toHex(encodeFrameHeader({ opcode: OPCODES.text }, 125))).toBe('81 7d');
    expect(toHex(encodeFrameHeader({ opcode: OPCODES.text }, 126))).toBe('81 7e 00 7e');
    expect(toHex(encodeFrameHeader({ opcode: OPCODES.text }, 65_535))).toBe('81 7e ff ff');
    expect(toHex(encodeFrameHeader({ opcode: OPCODES.text, maskingKey: KEY }, 65_536))).toBe('81 ff 00 00 00 00 00 01 00 00 37 fa 21 3d');
  });

  it('sets FIN and the RSV bits as asked', () => {
    expect(toHex(encodeFrameHeader({ fin: false, rsv1: true, rsv2: true, rsv3: true, opcode: OPCODES.binary }, 0))).toBe('72 00');
  });

  it('refuses reserved opcodes, long or fragmented control frames and bad masking keys', () => {
    expect(frameErrorOf(() => encodeFrameHeader({ opcode: 0x3 }, 0)).message).toBe('reserved opcode: 0x3');
    expect(frameErrorOf(() => encodeFrameHeader({ opcode: OPCODES.ping }, 126)).code).toBe('CONTROL_FRAME_TOO_LONG');
    expect(frameErrorOf(() => encodeFrameHeader({ opcode: OPCODES.close, fin: false }, 2)).code).toBe('FRAGMENTED_CONTROL_FRAME');
    expect(frameErrorOf(() => encodeFrameHeader({ opcode: OPCODES.text, maskingKey: new Uint8Array(3) }, 2)).message).toBe(
      'masking key must be 4 bytes: got 3 bytes',
    );
  });
});

describe('applyMask', () => {
  it('masks and unmasks with the same call, and continues the key from an offset', () => {
    const masked = applyMask(text('Hello'), KEY);
    expect(toHex(masked)).toBe('7f 9f 4d 51 58');
    expect(applyMask(masked, KEY)).toEqual(text('Hello'));
    expect(applyMask(masked.subarray(3), KEY, 3)).toEqual(text('lo'));
  });
});

describe('FrameDecoder.push', () => {
  it('decodes a stream fed one byte at a time', () => {
    const stream = new Uint8Array([...fromHex('818537fa213d7f9f4d5158'), ...encodeFrame({ opcode: OPCODES.binary, payload: new Uint8Array(300), maskingKey: KEY })]);
    const decoder = new FrameDecoder({ sender: 'client' });
    const frames = [];
    for (const byte of stream) frames.push(...decoder.push(new Uint8Array([byte])));
    expect(frames.map((frame) => [frame.opcodeName, frame.payloadLength])).toEqual([
      ['text', 5],
      ['binary', 300],
    ]);
    expect(frames[1]?.payload).toEqual(new Uint8Array(300));
    expect(decoder.atFrameBoundary).toBe(true);
  });

  it('decodes several frames from one chunk, including empty payloads', () => {
    const chunk = new Uint8Array([...fromHex('8100 8a80 37fa213d'), ...fromHex('810548656c6c6f')]);
    const frames = new FrameDecoder().push(chunk);
    expect(frames.map((frame) => [frame.opcodeName, frame.payloadLength, frame.masked])).toEqual([
      ['text', 0, false],
      ['pong', 0, true],
      ['text', 5, false],
    ]);
  });

  it('keeps only keepPayloadBytes of a large payload but reports its full length', () => {
    const payload = new Uint8Array(1_000_000).map((_, index) => index & 0xff);
    const decoder = new FrameDecoder({ keepPayloadBytes: 16, sender: 'client' });
    const bytes = encodeFrame({ opcode: OPCODES.binary, payload, maskingKey: KEY });
    const frames = [];
    for (let offset = 0; offset < bytes.length; offset += 65_536) frames.push(...decoder.push(bytes.subarray(offset, offset + 65_536)));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ payloadLength: 1_000_000, lengthBits: 64, payloadComplete: false });
    expect(frames[0]?.payload).toEqual(payload.subarray(0, 16));
    expect(frames[0]?.payloadAsSent).toEqual(applyMask(payload.subarray(0, 16), KEY));
  });

  it('accepts a control frame between the fragments of a message (RFC 6455 §5.4)', () => {
    const frames = decodeFrames(fromHex('010348656c 890100 80026c6f'));
    expect(frames.map((frame) => `${frame.opcodeName}/${frame.messageOpcodeName}`)).toEqual(['text/text', 'ping/ping', 'continuation/text']);
  });

  it('stays failed after an error and throws it again', () => {
    const decoder = new FrameDecoder();
    expect(() => decoder.push(fromHex('8300'))).toThrow('reserved opcode: 0x3');
    expect(decoder.state).toBe('failed');
    expect(() => decoder.push(fromHex('810548656c6c6f'))).toThrow('reserved opcode: 0x3');
  });
});

describe('decoding errors', () => {
  const cases: [string, string, Partial<ConstructorParameters<typeof FrameDecoder>[0]>, string][] = [
    ['a reserved data opcode', '8300', {}, 'reserved opcode: 0x3'],
    ['a reserved control opcode', '8b00', {}, 'reserved opcode: 0xb'],
    ['RSV1 without an extension', 'c100', {}, 'RSV bit set without an extension that defines it: RSV bits 100'],
    ['a control frame over 125 bytes', '897e007e', {}, 'control frame payload over 125 bytes: ping'],
    ['a fragmented control frame', '0900', {}, 'control frame with FIN clear: ping'],
    ['a continuation with nothing to continue', '8000', {}, 'continuation frame with no message to continue'],
    ['a new message inside a fragmented one', '0100 8100', {}, 'new data frame while a fragmented message is unfinished: got a text frame'],
    ['an unmasked client frame', '8100', { sender: 'client' }, 'client frame is not masked'],
    ['a masked server frame', '818037fa213d', { sender: 'server' }, 'server frame is masked'],
    ['a 16-bit length that fits 7 bits', '827e0005', {}, 'payload length not in the shortest encoding: 5 in a 16-bit field'],
    ['a 64-bit length that fits 16 bits', '827f0000000000000100', {}, 'payload length not in the shortest encoding: 256 in a 64-bit field'],
    ['a 64-bit length with the top bit set', '827f8000000000000000', {}, '64-bit payload length too large: 9223372036854775808'],
    ['a payload over maxPayloadBytes', '827e0100', { maxPayloadBytes: 255 }, 'payload over the size limit: 256 bytes, limit 255'],
  ];
  for (const [what, hex, options, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(frameErrorOf(() => decodeFrames(fromHex(hex), options)).message).toBe(message);
    });
  }

  it('accepts RSV1 when an extension allows it, and a non-minimal length when asked to', () => {
    expect(decodeFrame(fromHex('c100'), { allowedRsvBits: 0b100 }).rsv1).toBe(true);
    expect(decodeFrame(fromHex('827e0002abcd'), { requireMinimalLength: false }).payloadLength).toBe(2);
  });

  it('reports a truncated frame with how many bytes are missing', () => {
    const error = frameErrorOf(() => decodeFrame(fromHex('818537fa213d7f9f')));
    expect(error.code).toBe('TRUNCATED_FRAME');
    expect(error.closeCode).toBe(1002);
    expect(error.message).toBe('the bytes end before the frame does: 3 more byte(s) needed after byte 8');
    expect(frameErrorOf(() => decodeFrame(fromHex('81'))).message).toBe('the bytes end before the frame does: 1 more byte(s) needed after byte 1');
    expect(frameErrorOf(() => decodeFrame(fromHex('827e01'))).code).toBe('TRUNCATED_FRAME');
    expect(frameErrorOf(() => decodeFrame(new Uint8Array())).message).toBe('the bytes end before the frame does: no bytes');
  });

  it('gives oversize errors the close code 1009', () => {
    expect(frameErrorOf(() => decodeFrames(fromHex('827e0100'), { maxPayloadBytes: 10 })).closeCode).toBe(1009);
  });
});

describe('fromHex', () => {
  it('reads spaced or packed hex and rejects anything else', () => {
    expect(fromHex('81 05')).toEqual(new Uint8Array([0x81, 0x05]));
    expect(() => fromHex('8')).toThrow('not a sequence of hex bytes: "8"');
    expect(() => fromHex('zz')).toThrow(TypeError);
  });
});
