import type { ChatOptions, RoomEvent, TypingEvent } from '../../../src/shared/protocol/chat.ts';
import { AddressBuckets } from '../../core/address-buckets.ts';
import type { ChatBroker, JoinRequest, JoinResult, Membership, RenameResult, RoomSink, RoomSummary, SayResult } from './broker.ts';
import { assignName, looksAlike, nameKeys, nameProblem, normalizeName, type NameKeys } from './names.ts';
import { resolveChatOptions } from './options.ts';
import { resumeHistory } from './resume.ts';

type BrokerOptions = Pick<
  ChatOptions,
  | 'maxRooms'
  | 'maxMembersPerRoom'
  | 'historyLength'
  | 'historyOnJoin'
  | 'typingTimeoutMs'
  | 'emptyRoomRetentionMs'
  | 'maxRoomsPerAddress'
  | 'maxPlacesPerAddress'
  | 'joinsPerSecondPerAddress'
  | 'presenceNoticeBurstPerAddress'
  | 'presenceNoticesPerMinutePerAddress'
>;

/** A room event before the room gives it an id and a time. */
type EventBody = RoomEvent extends infer E ? (E extends RoomEvent ? Omit<E, 'id' | 'at'> : never) : never;

interface Member {
  name: string;
  /** What the name is compared by (look-alikes are taken names). */
  keys: NameKeys;
  readonly address: string;
  /**
   * Whether the room was told this member joined. A member whose address
   * has used up its notices joins quietly: the "joined" is logged when it
   * first says, renames or types, and a quiet member that leaves logs nothing.
   */
  announced: boolean;
  readonly sink: RoomSink;
  /** Running while the typing indicator is on; turns it off when it fires. */
  typingTimer: ReturnType<typeof setTimeout> | null;
}

/** A new epoch per room incarnation: ids restart at 1 with it. */
function newEpoch(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

class Room {
  readonly name: string;
  /** The address that created the room (counted against its maxRoomsPerAddress). */
  readonly createdBy: string;
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
  /** Sender and clientId (`clientIdKey()`) → id of the message that carried it, for messages still in `history`. */
  readonly #clientIds = new Map<string, number>();
  /** "joined"/"left" notices each address may still cause here. */
  readonly #presenceNotices: AddressBuckets;
  #nextId = 1;

  constructor(name: string, createdBy: string, options: BrokerOptions, onEmpty: (room: Room) => void) {
    this.name = name;
    this.createdBy = createdBy;
    this.#presenceNotices = new AddressBuckets(options.presenceNoticesPerMinutePerAddress / 60, options.presenceNoticeBurstPerAddress);
    this.#historyLength = options.historyLength;
    this.#typingTimeoutMs = options.typingTimeoutMs;
    this.#onEmpty = onEmpty;
  }

  get lastId(): number {
    return this.#nextId - 1;
  }

  /** The id of a retained message that `from` sent with `clientId`, if any. */
  idForClientId(from: string, clientId: string): number | undefined {
    return this.#clientIds.get(clientIdKey(from, clientId));
  }

  /** The present member whose name `name` is, or looks like (same skeleton), if any. */
  memberLike(name: string, except: Member | null = null): Member | undefined {
    const keys = nameKeys(name);
    for (const member of this.members) if (member !== except && looksAlike(member.keys, keys)) return member;
    return undefined;
  }

  /** Whether a member joining from `address` is announced now, or joins quietly (its address used up its notices). */
  mayAnnounce(address: string): boolean {
    return this.#presenceNotices.take(address);
  }

  /** Logs the "joined" of a quiet member before its first visible act. */
  announce(member: Member): void {
    if (member.announced || !this.members.has(member)) return;
    member.announced = true;
    this.log({ type: 'joined', name: member.name });
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
    if (event.type === 'message' && event.clientId !== undefined) this.#clientIds.set(clientIdKey(event.from, event.clientId), event.id);
    if (this.history.length > this.#historyLength) {
      for (const dropped of this.history.splice(0, this.history.length - this.#historyLength)) {
        if (dropped.type === 'message' && dropped.clientId !== undefined) this.#clientIds.delete(clientIdKey(dropped.from, dropped.clientId));
      }
    }
    this.#deliver(event, null);
    return event;
  }

  /** Removes `member`, logs `left` if its joining was announced, and reports the room empty when it is. */
  remove(member: Member): boolean {
    if (!this.members.delete(member)) return false;
    this.stopTyping(member);
    if (member.announced) this.log({ type: 'left', name: member.name });
    if (this.members.size === 0) this.#onEmpty(this);
    return true;
  }

  /**
   * Starts or refreshes `member`'s typing indicator, which turns itself off
   * after typingTimeoutMs; only a change is announced, to the others.
   */
  startTyping(member: Member): void {
    if (!this.members.has(member)) return;
    this.announce(member);
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

/** The key of a clientId in a room: per sender, so one member cannot claim (or block) another's ids. */
function clientIdKey(from: string, clientId: string): string {
  return `${from}\n${clientId}`;
}

/**
 * Rooms in this process's memory: names, ids, history, typing state. Every
 * method completes synchronously (the promises are for the interface), so
 * a join's snapshot and the events after it can neither overlap nor leave a gap.
 */
export class MemoryChatBroker implements ChatBroker {
  readonly #options: BrokerOptions;
  readonly #rooms = new Map<string, Room>();
  /** Places (memberships in any room) each address holds now. */
  readonly #placesByAddress = new Map<string, number>();
  readonly #joins: AddressBuckets;
  #disposed = false;

  constructor(options: Partial<BrokerOptions> = {}) {
    this.#options = resolveChatOptions(options);
    // A whole class behind one address may reconnect at once (after a server restart): the burst is every place it may hold.
    this.#joins = new AddressBuckets(this.#options.joinsPerSecondPerAddress, this.#options.maxPlacesPerAddress);
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
    const { maxRooms, maxMembersPerRoom, maxRoomsPerAddress, maxPlacesPerAddress, joinsPerSecondPerAddress } = this.#options;
    const { address } = request;
    const places = this.#placesByAddress.get(address) ?? 0;
    if (places >= maxPlacesPerAddress) {
      return { ok: false, error: 'TOO_MANY_PLACES_FROM_ADDRESS', detail: `${address} holds ${String(places)} (--chat-places-per-address)` };
    }
    if (!this.#joins.take(address)) {
      return { ok: false, error: 'JOINING_TOO_FAST', detail: `at most ${String(joinsPerSecondPerAddress)} joins a second from ${address} after a burst of ${String(maxPlacesPerAddress)}` };
    }
    let room = this.#rooms.get(request.room);
    if (room === undefined) {
      const created = [...this.#rooms.values()].filter((each) => each.createdBy === address).length;
      if (created >= maxRoomsPerAddress && !this.#evictOldestEmptyRoom(address)) {
        return { ok: false, error: 'TOO_MANY_ROOMS_FROM_ADDRESS', detail: `${address} made ${String(created)} and none is empty (--chat-rooms-per-address)` };
      }
      if (this.#rooms.size >= maxRooms && !this.#evictOldestEmptyRoom(null)) {
        return { ok: false, error: 'TOO_MANY_ROOMS', detail: `${String(maxRooms)} rooms are in use and none is empty` };
      }
      room = new Room(request.room, address, this.#options, (empty) => {
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
    const preferred = request.preferredName === null ? null : normalizeName(request.preferredName);
    const lookAlike = preferred === null ? undefined : room.memberLike(preferred);
    let name: string;
    let nameNote: string | null = null;
    if (preferred !== null && lookAlike === undefined) {
      name = preferred;
    } else {
      name = assignName((candidate) => joining.memberLike(candidate) !== undefined);
      if (preferred !== null) nameNote = `${preferred} ${takenBy(preferred, lookAlike)} in ${room.name}, so you are ${name}`;
    }
    const lastSeenBeforeJoin = room.lastId;
    const announced = room.mayAnnounce(address);
    const member: Member = { name, keys: nameKeys(name), address, announced, sink, typingTimer: null };
    // Logged before the member is added: the new member gets it in the welcome's history, not twice.
    if (announced) room.log({ type: 'joined', name });
    room.members.add(member);
    this.#placesByAddress.set(address, places + 1);
    const { history, resume } = resumeHistory({ room: room.name, epoch: room.epoch, history: room.history, lastId: room.lastId }, request.resume, lastSeenBeforeJoin, this.#options);
    // Quiet members are left out of the list until announced, as the others were never told about them.
    const listed = [...room.members].filter((each) => each.announced || each === member);
    return {
      ok: true,
      membership: new MemoryMembership(room, member, () => {
        this.#releasePlace(address);
      }),
      welcome: {
        room: room.name,
        you: name,
        nameNote,
        epoch: room.epoch,
        members: listed.map((each) => each.name),
        typing: listed.filter((each) => each.typingTimer !== null).map((each) => each.name),
        history,
        lastId: room.lastId,
        resume,
      },
    };
  }

  #releasePlace(address: string): void {
    const places = (this.#placesByAddress.get(address) ?? 1) - 1;
    if (places > 0) this.#placesByAddress.set(address, places);
    else this.#placesByAddress.delete(address);
  }

  /** Frees a slot for a new room by forgetting the room (created by `createdBy`, or any) that has been empty longest. */
  #evictOldestEmptyRoom(createdBy: string | null): boolean {
    let oldest: Room | null = null;
    for (const room of this.#rooms.values()) {
      if (createdBy !== null && room.createdBy !== createdBy) continue;
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

/** Why a name cannot be had: `is taken`, or `looks like <name>, who is here`. */
function takenBy(name: string, member: Member | undefined): string {
  return member === undefined || member.name.toLowerCase() === name.toLowerCase() ? 'is taken' : `looks like ${member.name}, who is here`;
}

class MemoryMembership implements Membership {
  readonly #room: Room;
  readonly #member: Member;
  readonly #onLeave: () => void;

  constructor(room: Room, member: Member, onLeave: () => void) {
    this.#room = room;
    this.#member = member;
    this.#onLeave = onLeave;
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
    const earlier = clientId === null ? undefined : room.idForClientId(this.#member.name, clientId);
    if (earlier !== undefined) return Promise.resolve({ id: earlier, recipients, duplicate: true });
    room.announce(this.#member);
    // A message ends the sender's typing; members clear the indicator when it arrives.
    room.stopTyping(this.#member);
    const event = room.log({ type: 'message', from: this.#member.name, text, ...(clientId === null ? {} : { clientId }) });
    return Promise.resolve({ id: event.id, recipients, duplicate: false });
  }

  rename(asked: string): Promise<RenameResult> {
    const name = normalizeName(asked);
    const problem = nameProblem(name);
    if (problem !== null) return Promise.resolve({ ok: false, error: 'NAME_INVALID', detail: problem });
    if (name === this.#member.name) return Promise.resolve({ ok: false, error: 'NAME_INVALID', detail: `you are already ${name}` });
    const lookAlike = this.#room.memberLike(name, this.#member);
    if (lookAlike !== undefined) {
      return Promise.resolve({ ok: false, error: 'NAME_TAKEN', detail: `${JSON.stringify(name)} ${takenBy(name, lookAlike)} in room ${this.#room.name}` });
    }
    const from = this.#member.name;
    this.#member.name = name;
    this.#member.keys = nameKeys(name);
    // A quiet member's first visible act: the room learns of it under its new name, with no rename to follow.
    if (this.#member.announced) this.#room.log({ type: 'renamed', from, to: name });
    else this.#room.announce(this.#member);
    return Promise.resolve({ ok: true });
  }

  setTyping(typing: boolean): Promise<void> {
    if (typing) this.#room.startTyping(this.#member);
    else this.#room.stopTyping(this.#member, true);
    return Promise.resolve();
  }

  leave(): Promise<void> {
    if (this.#room.remove(this.#member)) this.#onLeave();
    return Promise.resolve();
  }
}
