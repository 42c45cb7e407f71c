import { describe, expect, it } from 'vitest';
import {
  browserCloseProblem,
  CLOSE_CODE_RANGES,
  CLOSE_CODES,
  closeRequestProblem,
  describeCloseCode,
  describeSender,
  isSendableCloseCode,
} from '../../../src/shared/close-codes.ts';

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

  it('agrees with the table: every code sent by nobody is unsendable, every other one is sendable', () => {
    for (const entry of CLOSE_CODES) {
      expect(isSendableCloseCode(entry.code), String(entry.code)).toBe(entry.sentBy !== 'nobody');
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

describe('browserCloseProblem', () => {
  it('allows what WebSocket.close() allows: no code, 1000, and 3000–4999', () => {
    for (const code of [undefined, 1000, 3000, 4401, 4999]) expect(browserCloseProblem(code), String(code)).toBeNull();
  });

  it('refuses protocol codes a page may not send, naming the exception the browser would throw', () => {
    expect(browserCloseProblem(1001)).toBe(
      'close code 1001 is not allowed from a page: WebSocket.close() accepts only 1000 or 3000–4999 (it throws InvalidAccessError otherwise)',
    );
    for (const code of [999, 1005, 1008, 2999, 5000, 3000.5]) expect(browserCloseProblem(code), String(code)).not.toBeNull();
  });

  it('refuses a reason over 123 bytes of UTF-8', () => {
    expect(browserCloseProblem(1000, '€'.repeat(42))).toBe(
      'close reason is 126 bytes of UTF-8; at most 123 fit in a close frame (WebSocket.close() throws SyntaxError)',
    );
  });
});

describe('describeCloseCode', () => {
  it('names registered codes and the application ranges', () => {
    expect(describeCloseCode(1009).name).toBe('Message Too Big');
    expect(describeCloseCode(3001).name).toBe('Registered');
    expect(describeCloseCode(4401).name).toBe('Private use: client error');
    expect(describeCloseCode(4000).name).toBe('Private use');
    expect(describeCloseCode(4500).name).toBe('Private use');
    expect(describeCloseCode(2000).name).toBe('Reserved');
    expect(describeCloseCode(70000).name).toBe('Unknown');
  });

  it('keeps the code it was asked about for range entries', () => {
    expect(describeCloseCode(4429)).toMatchObject({ code: 4429, reconnect: false, sentBy: 'either' });
  });
});

describe('the close-code table', () => {
  it('lists every code from 1000 to 1015 once, in order', () => {
    expect(CLOSE_CODES.map((entry) => entry.code)).toEqual(Array.from({ length: 16 }, (_, index) => 1000 + index));
  });

  it('has ranges that cover 0–4999 without gaps or overlaps, around the table', () => {
    const covered = [...CLOSE_CODE_RANGES.map((range) => [range.from, range.to]), [1000, 1015]].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
    let next = 0;
    for (const [from, to] of covered) {
      expect(from).toBe(next);
      next = (to ?? 0) + 1;
    }
    expect(next).toBe(5000);
  });

  it('says who sends each code in words', () => {
    expect(describeSender('nobody')).toBe('Never sent (reported locally)');
    expect(describeSender('either')).toBe('Either side');
  });
});
