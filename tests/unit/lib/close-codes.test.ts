import { describe, expect, it } from 'vitest';
import { closeRequestProblem, describeCloseCode, isSendableCloseCode } from '../../../src/lib/close-codes.ts';

describe('isSendableCloseCode', () => {
  it('accepts the codes RFC 6455 §7.4.1 lets an endpoint send', () => {
    for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) {
      expect(isSendableCloseCode(code), String(code)).toBe(true);
    }
  });

  it('refuses codes that never go on the wire, and codes outside the ranges', () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 1000.5, Number.NaN]) {
      expect(isSendableCloseCode(code), String(code)).toBe(false);
    }
  });
});

describe('closeRequestProblem', () => {
  it('returns null for a valid code and reason', () => {
    expect(closeRequestProblem(4000, 'bye')).toBeNull();
  });

  it('names the refused code and the allowed ranges', () => {
    expect(closeRequestProblem(1006)).toBe(
      'close code 1006 cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)',
    );
  });

  it('counts the reason in UTF-8 bytes: 123 fit, 124 do not', () => {
    expect(closeRequestProblem(1000, 'a'.repeat(123))).toBeNull();
    expect(closeRequestProblem(1000, 'é'.repeat(62))).toBe('close reason is 124 bytes of UTF-8; at most 123 fit in a close frame');
  });
});

describe('describeCloseCode', () => {
  it('names registered codes and the application ranges', () => {
    expect(describeCloseCode(1009).name).toBe('Message Too Big');
    expect(describeCloseCode(3001).name).toBe('Registered');
    expect(describeCloseCode(4401).name).toBe('Private use');
    expect(describeCloseCode(2000).name).toBe('Unknown');
  });
});
