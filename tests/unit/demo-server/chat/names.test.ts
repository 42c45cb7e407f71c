import { describe, expect, it } from 'vitest';
import { assignName, looksAlike, nameKeys, nameProblem, normalizeName, skeleton } from '../../../../demo-server/routes/chat/names.ts';
import { resolveChatOptions } from '../../../../demo-server/routes/chat/options.ts';
import { NICKNAME_PATTERN } from '../../../../src/shared/protocol/chat.ts';

describe('assignName', () => {
  it('makes adjective-animal names that are valid nicknames', () => {
    for (let index = 0; index < 50; index++) {
      const name = assignName(() => false);
      expect(name).toMatch(/^[a-z]+-[a-z]+$/);
      expect(name).toMatch(NICKNAME_PATTERN);
    }
  });

  it('numbers a name when random picks keep colliding', () => {
    const taken = new Set(['amber-badger', 'amber-badger-2']);
    expect(assignName((name) => taken.has(name), () => 0)).toBe('amber-badger-3');
  });
});

describe('resolveChatOptions', () => {
  it('rejects out-of-range and contradictory limits with a message naming the option', () => {
    expect(() => resolveChatOptions({ maxTextChars: 0 })).toThrow('chat option maxTextChars must be a whole number from 1 to 100000, got 0');
    expect(() => resolveChatOptions({ historyLength: 10, historyOnJoin: 20 })).toThrow(
      'chat option historyOnJoin (20) cannot exceed historyLength (10): a room cannot send more history than it keeps',
    );
  });
});

describe('skeleton and looksAlike (UTS #39 confusables)', () => {
  it('maps look-alike letters of other scripts to the same skeleton', () => {
    expect(skeleton('nimble-\u043Ewl')).toBe(skeleton('nimble-owl'));
    expect(skeleton('\u0430da')).toBe(skeleton('ada'));
  });

  it('treats case, a capital I for an l and a zero for an o as the same name, and different names as different', () => {
    expect(looksAlike(nameKeys('Nimble-OWL'), nameKeys('nimble-owl'))).toBe(true);
    expect(looksAlike(nameKeys('nimbIe-owl'), nameKeys('nimble-owl'))).toBe(true);
    expect(looksAlike(nameKeys('b0b'), nameKeys('bob'))).toBe(true);
    expect(looksAlike(nameKeys('brave-otter'), nameKeys('brave-owl'))).toBe(false);
  });
});

describe('nameProblem', () => {
  it('refuses the reserved names in any case, look-alike spelling, with separators or a number', () => {
    for (const name of ['teacher', 'TEACHER', 't\u0435acher', 'tea-cher', 'admin_2', 'Moderator', 'server', 'system9', 'socketbook', 'root']) {
      expect(nameProblem(normalizeName(name)), name).toMatch(/is reserved, so no one can pass for the one running the class$/);
    }
    expect(nameProblem('teachers')).toBeNull();
    expect(nameProblem('ada')).toBeNull();
  });

  it('normalises with NFKC first, so fullwidth letters are checked as the letters they stand for', () => {
    expect(normalizeName('\uFF54\uFF45\uFF41\uFF43\uFF48\uFF45\uFF52')).toBe('teacher');
    expect(normalizeName('\uFB01nch')).toBe('finch');
  });

  it('refuses letters that draw nothing (Hangul fillers) and keeps the pattern rule', () => {
    expect(nameProblem('\u3164\u3164')).toBe('"\u3164\u3164" is not allowed: it has letters that do not show');
    expect(nameProblem('x')).toBe('"x" is not allowed: use 2 to 24 letters, digits, "-" or "_", starting with a letter or digit');
  });
});
