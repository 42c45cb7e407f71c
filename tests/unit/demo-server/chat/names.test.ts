import { describe, expect, it } from 'vitest';
import { assignName } from '../../../../demo-server/routes/chat/names.ts';
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
