import type { ChatOptions, ResumeReport, RoomEvent } from '../../../src/shared/protocol/chat.ts';
import type { JoinRequest } from './broker.ts';

/** A room's retained log as a broker reads it at a join: the same input whether it lives in memory or in Redis. */
export interface RetainedLog {
  readonly room: string;
  readonly epoch: string;
  /** The retained events, oldest first, at most `historyLength` of them; ids are consecutive. */
  readonly history: readonly RoomEvent[];
  readonly lastId: number;
}

/**
 * What a joining client is sent: recent history for a fresh join; for a
 * resume, every event after `since` if the room still has them all, else
 * all it has plus how many were lost. `since` past the room's last id
 * before this join, or another epoch, means the ids came from an earlier
 * run of the room. Shared by every broker, so a resume reads the same on one
 * process as across several.
 */
export function resumeHistory(
  log: RetainedLog,
  resume: JoinRequest['resume'],
  lastSeenBeforeJoin: number,
  options: Pick<ChatOptions, 'historyOnJoin' | 'historyLength'>,
): { history: RoomEvent[]; resume: ResumeReport | null } {
  const { historyOnJoin, historyLength } = options;
  const recent = historyOnJoin === 0 ? [] : log.history.slice(-historyOnJoin);
  if (resume === null) return { history: recent, resume: null };
  const { since } = resume;
  if ((resume.epoch !== null && resume.epoch !== log.epoch) || since > lastSeenBeforeJoin) {
    return {
      history: recent,
      resume: {
        since,
        status: 'reset',
        delivered: recent.length,
        lost: null,
        message: `id #${String(since)} is from an earlier run of room ${log.room} (the server or the room restarted and ids start again at 1), so what you missed cannot be known; here are the ${String(recent.length)} most recent events`,
      },
    };
  }
  const oldestKept = log.history[0]?.id ?? log.lastId + 1;
  if (since >= oldestKept - 1) {
    const missed = log.history.filter((event) => event.id > since);
    return {
      history: missed,
      resume: { since, status: 'complete', delivered: missed.length, lost: 0, message: `resumed after #${String(since)}: ${String(missed.length)} events you missed` },
    };
  }
  const lost = oldestKept - since - 1;
  return {
    history: [...log.history],
    resume: {
      since,
      status: 'gap',
      delivered: log.history.length,
      lost,
      message: `${String(lost)} events after #${String(since)} are lost: this room keeps only its last ${String(historyLength)}; here are the ${String(log.history.length)} it kept, from #${String(oldestKept)}`,
    },
  };
}
