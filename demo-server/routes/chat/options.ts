import { CHAT_DEFAULTS, type ChatOptions } from '../../../src/shared/protocol/chat.ts';

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`chat option ${name} must be an integer from ${String(min)} to ${String(max)}, got ${String(value)}`);
  }
}

/** Merges `options` over `CHAT_DEFAULTS` and validates the result; contradictions throw a `TypeError`. */
export function resolveChatOptions(options: Partial<ChatOptions> = {}): ChatOptions {
  const resolved: ChatOptions = { ...CHAT_DEFAULTS, ...options };
  requireInteger('maxTextChars', resolved.maxTextChars, 1, 100_000);
  requireInteger('messagesPerSecond', resolved.messagesPerSecond, 1, 10_000);
  requireInteger('burstMessages', resolved.burstMessages, 1, 10_000);
  requireInteger('droppedMessagesBeforeClose', resolved.droppedMessagesBeforeClose, 0, 10_000);
  requireInteger('invalidMessagesBurst', resolved.invalidMessagesBurst, 1, 10_000);
  requireInteger('invalidMessagesPerSecond', resolved.invalidMessagesPerSecond, 1, 10_000);
  requireInteger('maxRooms', resolved.maxRooms, 1, 100_000);
  requireInteger('maxMembersPerRoom', resolved.maxMembersPerRoom, 1, 100_000);
  requireInteger('historyLength', resolved.historyLength, 1, 1_000_000);
  requireInteger('historyOnJoin', resolved.historyOnJoin, 0, 1_000_000);
  requireInteger('typingTimeoutMs', resolved.typingTimeoutMs, 100, 600_000);
  requireInteger('emptyRoomRetentionMs', resolved.emptyRoomRetentionMs, 0, 24 * 3_600_000);
  requireInteger('maxRoomsPerAddress', resolved.maxRoomsPerAddress, 1, 100_000);
  requireInteger('maxPlacesPerAddress', resolved.maxPlacesPerAddress, 1, 1_000_000);
  requireInteger('joinsPerSecondPerAddress', resolved.joinsPerSecondPerAddress, 1, 1_000_000);
  requireInteger('presenceNoticeBurstPerAddress', resolved.presenceNoticeBurstPerAddress, 0, 1_000_000);
  requireInteger('presenceNoticesPerMinutePerAddress', resolved.presenceNoticesPerMinutePerAddress, 1, 1_000_000);
  if (resolved.historyOnJoin > resolved.historyLength) {
    throw new TypeError(
      `chat option historyOnJoin (${String(resolved.historyOnJoin)}) cannot exceed historyLength (${String(resolved.historyLength)}): a room cannot send more history than it keeps`,
    );
  }
  return resolved;
}
