import { nicknameProblem, type ChatOptions, type ResumeReport, type RoomEvent, type TypingEvent } from '../../../src/shared/protocol/chat.ts';
import type { ChatBroker, JoinRequest, JoinResult, Membership, RenameResult, RoomSink, RoomSummary, SayResult } from './broker.ts';
import { assignName } from './names.ts';
import { resolveChatOptions } from './options.ts';

type BrokerOptions = Pick<
  ChatOptions,
  'maxRooms' | 'maxMembersPerRoom' | 'historyLength' | 'historyOnJoin' | 'typingTimeoutMs' | 'emptyRoomRetentionMs'
>;

/** A room event before the room gives it an id and a time. */
type EventBody = RoomEvent extends infer E ? (E extends RoomEvent ? Omit<E, 'id' | 'at'> : never) : never;

interface Member {
  name: string;
  readonly sink: RoomSink;
  /** Running while the typing indicator is on; turns it off when it fires. */
  typingTimer: ReturnType<typeof setTimeout> | null;
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** A new epoch per room incarnation: ids restart at 1 with it. */
function newEpoch(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

class Room {
  readonly name: string;
  readonly epoch = newEpoch();
  /** The retained log, oldest first; ids are consecutive. */
  readonly history: RoomEvent[] = [];
  /** In join order. */
  readonly members = new Set<Member>();
  /** When the last member left; `null` while anyone is here. */
  emptySince: number | null = null;
  retentionTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #historyLength: number;
  readonly #typingTimeoutMs: number;
  readonly #onEmpty: (room: Room) => void;
  /** clientId → id of the message that carried it, for messages still in `history`. */
  readonly #clientIds = new Map<string, number>();
  #nextId = 1;

  constructor(name: string, options: BrokerOptions, onEmpty: (room: Room) => void) {
    this.name = name;
    this.#historyLength = options.historyLength;
    this.#typingTimeoutMs = options.typingTimeoutMs;
    this.#onEmpty = onEmpty;
  }

  get lastId(): number {
    return this.#nextId - 1;
  }

  /** The id of a retained message sent with `clientId`, if any. */
  idForClientId(clientId: string): number | undefined {
    return this.#clientIds.get(clientId);
  }

  isNameTaken(name: string, except: Member | null = null): boolean {
    for (const member of this.members) if (member !== except && sameName(member.name, name)) return true;
    return false;
  }

  /**
   * Gives `body` the next id and the current time, keeps it in the history,
   * and delivers it to every member, serialized once: fan-out to N members
   * costs N sends, not N stringifications.
   */
  log(body: EventBody): RoomEvent {
    // `type, id, at` first: the order a reader of the JSON expects.
    const { type, ...fields } = body;
    const event = { type, id: this.#nextId++, at: Date.now(), ...fields } as RoomEvent;
    this.history.push(event);
    if (event.type === 'message' && event.clientId !== undefined) this.#clientIds.set(event.clientId, event.id);
    if (this.history.length > this.#historyLength) {
      for (const dropped of this.history.splice(0, this.history.length - this.#historyLength)) {
        if (dropped.type === 'message' && dropped.clientId !== undefined) this.#clientIds.delete(dropped.clientId);
      }
    }
    this.#deliver(event, null);
    return event;
  }

  /** Removes `member`, logs `left`, and reports the room empty when it is. */
  remove(member: Member): void {
    if (!this.members.delete(member)) return;
    this.stopTyping(member);
    this.log({ type: 'left', name: member.name });
    if (this.members.size === 0) this.#onEmpty(this);
  }

  /**
   * Starts or refreshes `member`'s typing indicator, which turns itself off
   * after typingTimeoutMs; only a change is announced, to the others.
   */
  startTyping(member: Member): void {
    if (!this.members.has(member)) return;
    const wasTyping = member.typingTimer !== null;
    if (member.typingTimer !== null) clearTimeout(member.typingTimer);
    member.typingTimer = setTimeout(() => {
      member.typingTimer = null;
      this.#announceTyping(member, false);
    }, this.#typingTimeoutMs);
    member.typingTimer.unref();
    if (!wasTyping) this.#announceTyping(member, true);
  }

  /** Turns `member`'s typing indicator off; `announce: false` when a message says it already. */
  stopTyping(member: Member, announce = false): void {
    if (member.typingTimer === null) return;
    clearTimeout(member.typingTimer);
    member.typingTimer = null;
    if (announce) this.#announceTyping(member, false);
  }

  /** Clears every timer of the room's members. */
  stopTimers(): void {
    if (this.retentionTimer !== null) clearTimeout(this.retentionTimer);
    for (const member of this.members) if (member.typingTimer !== null) clearTimeout(member.typingTimer);
  }

  /** Tells everyone but `from` about a typing change; not logged, no id. */
  #announceTyping(from: Member, typing: boolean): void {
    this.#deliver({ type: 'typing', name: from.name, typing }, from);
  }

  #deliver(event: RoomEvent | TypingEvent, except: Member | null): void {
    const wire = JSON.stringify(event);
    for (const member of this.members) {
      if (member === except) continue;
      try {
        member.sink.deliver(event, wire);
      } catch {
        // One failing member must not stop delivery to the rest.
      }
    }
  }
}

/**
 * Rooms in this process's memory: names, ids, history, typing state. Every
 * method completes synchronously (the promises are for the interface), so
 * a join's snapshot and the events after it can neither overlap nor leave a gap.
 */
export class MemoryChatBroker implements ChatBroker {
  readonly #options: BrokerOptions;
  readonly #rooms = new Map<string, Room>();
  #disposed = false;

  constructor(options: Partial<BrokerOptions> = {}) {
    this.#options = resolveChatOptions(options);
  }

  join(request: JoinRequest, sink: RoomSink): Promise<JoinResult> {
    try {
      return Promise.resolve(this.#join(request, sink));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  rooms(): Promise<RoomSummary[]> {
    const summaries = [...this.#rooms.values()].map((room) => ({ name: room.name, members: room.members.size, lastId: room.lastId }));
    summaries.sort((a, b) => b.members - a.members || a.name.localeCompare(b.name));
    return Promise.resolve(summaries);
  }

  dispose(): void {
    this.#disposed = true;
    for (const room of this.#rooms.values()) room.stopTimers();
    this.#rooms.clear();
  }

  #join(request: JoinRequest, sink: RoomSink): JoinResult {
    if (this.#disposed) throw new Error('chat broker is disposed');
    const { maxRooms, maxMembersPerRoom } = this.#options;
    let room = this.#rooms.get(request.room);
    if (room === undefined) {
      if (this.#rooms.size >= maxRooms && !this.#evictOldestEmptyRoom()) {
        return { ok: false, error: 'TOO_MANY_ROOMS', detail: `${String(maxRooms)} rooms are in use and none is empty` };
      }
      room = new Room(request.room, this.#options, (empty) => {
        this.#keepEmptyRoom(empty);
      });
      this.#rooms.set(room.name, room);
    }
    if (room.members.size >= maxMembersPerRoom) {
      return { ok: false, error: 'ROOM_FULL', detail: `${room.name} has ${String(maxMembersPerRoom)} members` };
    }
    if (room.retentionTimer !== null) clearTimeout(room.retentionTimer);
    room.retentionTimer = null;
    room.emptySince = null;

    const joining = room;
    let name: string;
    let nameNote: string | null = null;
    if (request.preferredName !== null && !room.isNameTaken(request.preferredName)) {
      name = request.preferredName;
    } else {
      name = assignName((candidate) => joining.isNameTaken(candidate));
      if (request.preferredName !== null) nameNote = `${request.preferredName} is taken in ${room.name}, so you are ${name}`;
    }
    const lastSeenBeforeJoin = room.lastId;
    const member: Member = { name, sink, typingTimer: null };
    // Logged before the member is added: the new member gets it in the welcome's history, not twice.
    room.log({ type: 'joined', name });
    room.members.add(member);
    const { history, resume } = this.#resume(room, request.resume, lastSeenBeforeJoin);
    return {
      ok: true,
      membership: new MemoryMembership(room, member),
      welcome: {
        room: room.name,
        you: name,
        nameNote,
        epoch: room.epoch,
        members: [...room.members].map((each) => each.name),
        typing: [...room.members].filter((each) => each.typingTimer !== null).map((each) => each.name),
        history,
        lastId: room.lastId,
        resume,
      },
    };
  }

  /**
   * What a joining client is sent: recent history for a fresh join; for a
   * resume, every event after `since` if the room still has them all, else
   * all it has plus how many were lost. `since` past the room's last id, or
   * another epoch, means the ids came from an earlier run of the room.
   */
  #resume(room: Room, resume: JoinRequest['resume'], lastSeenBeforeJoin: number): { history: RoomEvent[]; resume: ResumeReport | null } {
    const { historyOnJoin, historyLength } = this.#options;
    const recent = historyOnJoin === 0 ? [] : room.history.slice(-historyOnJoin);
    if (resume === null) return { history: recent, resume: null };
    const { since } = resume;
    if ((resume.epoch !== null && resume.epoch !== room.epoch) || since > lastSeenBeforeJoin) {
      return {
        history: recent,
        resume: {
          since,
          status: 'reset',
          delivered: recent.length,
          lost: null,
          message: `id #${String(since)} is from an earlier run of room ${room.name} (the server or the room restarted and ids start again at 1), so what you missed cannot be known; here are the ${String(recent.length)} most recent events`,
        },
      };
    }
    const oldestKept = room.history[0]?.id ?? room.lastId + 1;
    if (since >= oldestKept - 1) {
      const missed = room.history.filter((event) => event.id > since);
      return {
        history: missed,
        resume: { since, status: 'complete', delivered: missed.length, lost: 0, message: `resumed after #${String(since)}: ${String(missed.length)} events you missed` },
      };
    }
    const lost = oldestKept - since - 1;
    return {
      history: [...room.history],
      resume: {
        since,
        status: 'gap',
        delivered: room.history.length,
        lost,
        message: `${String(lost)} events after #${String(since)} are lost: this room keeps only its last ${String(historyLength)}; here are the ${String(room.history.length)} it kept, from #${String(oldestKept)}`,
      },
    };
  }

  /** Frees a slot for a new room by forgetting the room that has been empty longest. */
  #evictOldestEmptyRoom(): boolean {
    let oldest: Room | null = null;
    for (const room of this.#rooms.values()) {
      if (room.emptySince !== null && (oldest === null || room.emptySince < (oldest.emptySince ?? Infinity))) oldest = room;
    }
    if (oldest === null) return false;
    this.#forget(oldest);
    return true;
  }

  #forget(room: Room): void {
    room.stopTimers();
    this.#rooms.delete(room.name);
  }

  /** Keeps an empty room (and its history) for emptyRoomRetentionMs, so its members can resume. */
  #keepEmptyRoom(room: Room): void {
    if (this.#disposed) return;
    room.emptySince = Date.now();
    room.retentionTimer = setTimeout(() => {
      if (room.members.size === 0) this.#forget(room);
    }, this.#options.emptyRoomRetentionMs);
    room.retentionTimer.unref();
  }
}

class MemoryMembership implements Membership {
  readonly #room: Room;
  readonly #member: Member;

  constructor(room: Room, member: Member) {
    this.#room = room;
    this.#member = member;
  }

  get room(): string {
    return this.#room.name;
  }

  get name(): string {
    return this.#member.name;
  }

  say(text: string, clientId: string | null): Promise<SayResult> {
    const room = this.#room;
    const recipients = room.members.size;
    const earlier = clientId === null ? undefined : room.idForClientId(clientId);
    if (earlier !== undefined) return Promise.resolve({ id: earlier, recipients, duplicate: true });
    // A message ends the sender's typing; members clear the indicator when it arrives.
    room.stopTyping(this.#member);
    const event = room.log({ type: 'message', from: this.#member.name, text, ...(clientId === null ? {} : { clientId }) });
    return Promise.resolve({ id: event.id, recipients, duplicate: false });
  }

  rename(name: string): Promise<RenameResult> {
    const problem = nicknameProblem(name);
    if (problem !== null) return Promise.resolve({ ok: false, error: 'NAME_INVALID', detail: problem });
    if (name === this.#member.name) return Promise.resolve({ ok: false, error: 'NAME_INVALID', detail: `you are already ${name}` });
    if (this.#room.isNameTaken(name, this.#member)) {
      return Promise.resolve({ ok: false, error: 'NAME_TAKEN', detail: `${JSON.stringify(name)} is taken in room ${this.#room.name}` });
    }
    const from = this.#member.name;
    this.#member.name = name;
    this.#room.log({ type: 'renamed', from, to: name });
    return Promise.resolve({ ok: true });
  }

  setTyping(typing: boolean): Promise<void> {
    if (typing) this.#room.startTyping(this.#member);
    else this.#room.stopTyping(this.#member, true);
    return Promise.resolve();
  }

  leave(): Promise<void> {
    this.#room.remove(this.#member);
    return Promise.resolve();
  }
}
