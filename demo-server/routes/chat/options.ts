import { CHAT_DEFAULTS, type ChatOptions } from '../../../src/shared/protocol/chat.ts';
import { requireBoundedInteger, type BoundedInteger } from '../../../src/shared/bounded-integer.ts';

/** The range of every chat limit, declared once; `name` is how messages call it. */
export const CHAT_OPTION_BOUNDS = {
  maxTextChars: { name: 'chat option maxTextChars', min: 1, max: 100_000 },
  messagesPerSecond: { name: 'chat option messagesPerSecond', min: 1, max: 10_000 },
  burstMessages: { name: 'chat option burstMessages', min: 1, max: 10_000 },
  droppedMessagesBeforeClose: { name: 'chat option droppedMessagesBeforeClose', min: 0, max: 10_000 },
  invalidMessagesBurst: { name: 'chat option invalidMessagesBurst', min: 1, max: 10_000 },
  invalidMessagesPerSecond: { name: 'chat option invalidMessagesPerSecond', min: 1, max: 10_000 },
  maxRooms: { name: 'chat option maxRooms', min: 1, max: 100_000 },
  maxMembersPerRoom: { name: 'chat option maxMembersPerRoom', min: 1, max: 100_000 },
  historyLength: { name: 'chat option historyLength', min: 1, max: 1_000_000 },
  historyOnJoin: { name: 'chat option historyOnJoin', min: 0, max: 1_000_000 },
  typingTimeoutMs: { name: 'chat option typingTimeoutMs', min: 100, max: 600_000 },
  emptyRoomRetentionMs: { name: 'chat option emptyRoomRetentionMs', min: 0, max: 24 * 3_600_000 },
  maxRoomsPerAddress: { name: 'chat option maxRoomsPerAddress', min: 1, max: 100_000 },
  maxPlacesPerAddress: { name: 'chat option maxPlacesPerAddress', min: 1, max: 1_000_000 },
  joinsPerSecondPerAddress: { name: 'chat option joinsPerSecondPerAddress', min: 1, max: 1_000_000 },
  presenceNoticeBurstPerAddress: { name: 'chat option presenceNoticeBurstPerAddress', min: 0, max: 1_000_000 },
  presenceNoticesPerMinutePerAddress: { name: 'chat option presenceNoticesPerMinutePerAddress', min: 1, max: 1_000_000 },
} as const satisfies Record<keyof ChatOptions, BoundedInteger>;

/** Merges `options` over `CHAT_DEFAULTS` and validates the result; contradictions throw a `TypeError`. */
export function resolveChatOptions(options: Partial<ChatOptions> = {}): ChatOptions {
  const resolved: ChatOptions = { ...CHAT_DEFAULTS, ...options };
  for (const name of Object.keys(CHAT_OPTION_BOUNDS) as (keyof ChatOptions)[]) requireBoundedInteger(CHAT_OPTION_BOUNDS[name], resolved[name]);
  if (resolved.historyOnJoin > resolved.historyLength) {
    throw new TypeError(
      `chat option historyOnJoin (${String(resolved.historyOnJoin)}) cannot exceed historyLength (${String(resolved.historyLength)}): a room cannot send more history than it keeps`,
    );
  }
  return resolved;
}
