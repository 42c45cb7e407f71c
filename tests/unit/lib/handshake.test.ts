import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  computeAccept,
  generateWebSocketKey,
  isValidSubprotocol,
  isValidWebSocketKey,
  parseTokenList,
  RFC_EXAMPLE_ACCEPT,
  RFC_EXAMPLE_KEY,
  WEBSOCKET_GUID,
} from '../../../src/shared/handshake.ts';

describe('computeAccept', () => {
  it('turns the RFC 6455 §1.3 key into its Accept value, showing each step', async () => {
    const steps = await computeAccept(RFC_EXAMPLE_KEY);
    expect(RFC_EXAMPLE_KEY).toBe('dGhlIHNhbXBsZSBub25jZQ==');
    expect(steps.concatenated).toBe('dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
    expect(steps.sha1Hex).toBe('b3 7a 4f 2c c0 62 4f 16 90 f6 46 06 cf 38 59 45 b2 be c4 ea');
    expect(steps.accept).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(steps.accept).toBe(RFC_EXAMPLE_ACCEPT);
  });

  it('agrees with Node crypto for fresh keys', async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const key = generateWebSocketKey();
      const expected = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
      expect((await computeAccept(key)).accept).toBe(expected);
    }
  });
});

describe('isValidWebSocketKey', () => {
  it('accepts the base64 of exactly 16 bytes', () => {
    expect(isValidWebSocketKey(RFC_EXAMPLE_KEY)).toBe(true);
    expect(isValidWebSocketKey(generateWebSocketKey())).toBe(true);
    expect(isValidWebSocketKey(generateWebSocketKey((bytes) => bytes.fill(0xff)))).toBe(true);
  });

  it('rejects other lengths and non-canonical padding bits', () => {
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZQ')).toBe(false);
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZQ=')).toBe(false);
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZR==')).toBe(false);
    expect(isValidWebSocketKey('hello')).toBe(false);
  });
});

describe('parseTokenList and isValidSubprotocol', () => {
  it('splits comma-separated header values', () => {
    expect(parseTokenList('json.v1, text.v1 ,,chat')).toEqual(['json.v1', 'text.v1', 'chat']);
    expect(parseTokenList(undefined)).toEqual([]);
  });

  it('accepts HTTP tokens only', () => {
    expect(isValidSubprotocol('json.v1')).toBe(true);
    expect(isValidSubprotocol('has space')).toBe(false);
    expect(isValidSubprotocol('a,b')).toBe(false);
    expect(isValidSubprotocol('')).toBe(false);
  });
});
