import { hostname } from 'node:os';
import type { ChainableCommander, Redis } from 'ioredis';
import type { ChatOptions, RoomEvent, TypingEvent } from '../../../src/shared/protocol/chat.ts';
import { loadOnFirstUse } from '../../core/load-on-use.ts';
import { BrokerUnavailableError, type ChatBroker, type JoinRequest, type JoinResult, type Membership, type RenameResult, type RoomSink, type RoomSummary, type SayResult } from './broker.ts';
import { assignName, looksAlike, nameKeys, nameProblem, normalizeName } from './names.ts';
import { resolveChatOptions } from './options.ts';
import { resumeHistory } from './resume.ts';
import {
  CLAIM_NAME,
  ENSURE_ROOM,
  LEAVE_ROOM,
  LOG_EVENT,
  REPLACE_MEMBER,
  SWEEP_DEAD_MEMBERS,
  TAKE_TOKEN,
} from './redis-scripts.ts';

/** ioredis, loaded when the first Redis broker is made (`--redis`), not with every server. */
const ioredis = loadOnFirstUse<typeof import('ioredis')>('ioredis');

/** Options of `RedisChatBroker`: where Redis is, and how fast a dead process's members expire. */
export interface RedisBrokerOptions {
  /** `redis://host:port` (or `rediss://`, with a database as `/n`). */
  readonly url: string;
  /**
   * How long a process's members outlive its last heartbeat in Redis: after
   * a `kill -9`, the other processes log their `left` within about 1.5× this.
   * Each process refreshes its key three times per period.
   */
  readonly memberTtlMs: number;
  /** Prefix of every key and channel, so two demos can share one Redis. */
  readonly keyPrefix: string;
}

export const REDIS_BROKER_DEFAULTS: Readonly<Omit<RedisBrokerOptions, 'url'>> = {
  memberTtlMs: 10_000,
  keyPrefix: 'socketbook:chat:',
};

/** `LOG_EVENT`'s reply: the event's id, and whether it was a duplicate (then the earlier message's id). */
function loggedEvent(reply: unknown): { id: number; duplicate: boolean } {
  const [id, duplicate] = reply as [number, number];
  return { id, duplicate: duplicate === 1 };
}

/** Seconds a clientId is remembered for deduplication; the check also needs its message still in the retained history. */
const CLIENT_ID_TTL_SECONDS = 3_600;

/** What Redis holds per member, as JSON in the room's members hash (field: the name's folded skeleton). */
interface MemberRecord {
  /** Unique per seat, so a leave never removes a seat its name was re-taken by. */
  readonly id: string;
  /** The process holding the seat; the seat lives while `proc:<pid>` does. */
  readonly pid: string;
  readonly name: string;
  /** The name's skeleton as typed: the scripts that take a name compare it (with the field) to refuse look-alikes atomically. */
  readonly typed: string;
  readonly address: string;
  readonly announced: boolean;
}

/** A member connected to this process. */
interface LocalMember {
  record: MemberRecord;
  readonly room: string;
  readonly sink: RoomSink;
  /** Running while the typing indicator is on; turns it off when it fires. */
  typingTimer: ReturnType<typeof setTimeout> | null;
  /** Set once it left or its seat was lost; nothing more is done for it. */
  gone: boolean;
}

/** Rooms this process has members in: one subscription each, however many members. */
interface LocalRoom {
  readonly members: Set<LocalMember>;
  readonly subscribed: Promise<unknown>;
}

/** A room event before the log script gives it an id and a time. */
type EventBody = RoomEvent extends infer E ? (E extends RoomEvent ? Omit<E, 'id' | 'at'> : never) : never;

function newId(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 6).toString(36)}`;
}

/** The field of a name in a room's members hash: look-alikes (`Bob`, `b0b`) land on one field, so HSETNX refuses them atomically. */
function nameField(name: string): string {
  return nameKeys(name).folded;
}

/** Why a name cannot be had: `is taken`, or `looks like <name>, who is here`. */
function takenBy(name: string, holder: string | undefined): string {
  return holder === undefined || holder.toLowerCase() === name.toLowerCase() ? 'is taken' : `looks like ${holder}, who is here`;
}

/**
 * Rooms kept in Redis, so that several server processes share them:
 * - ids and history: a Lua script increments the room's `seq`, appends the
 *   event to a Stream under the id `<seq>-0` (`XADD … MAXLEN ~`) and
 *   PUBLISHes it, atomically, so ids are one sequence per room and every
 *   process sees events in id order;
 * - names and membership: one hash per room, claimed with a script that
 *   refuses a taken or look-alike name; every seat names its process, whose
 *   `proc:<pid>` key (a TTL refreshed by a heartbeat) is its lease: once it
 *   expires, any process sweeping the room removes the seat and logs `left`;
 * - typing state in a sorted set scored by expiry; room caps and per-address
 *   limits (places, rooms created, join and notice rates) in keys and scripts.
 * Fan-out: each process subscribes once per room it has members in and
 * delivers to them, so one event is one PUBLISH, whatever the room's size.
 * Pub/sub is at most once: a process that loses Redis closes its members
 * with BROKER_UNAVAILABLE (1013) and they resume from their last id.
 */
export class RedisChatBroker implements ChatBroker {
  readonly #options: ChatOptions;
  readonly #memberTtlMs: number;
  readonly #prefix: string;
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #rooms = new Map<string, LocalRoom>();
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #sweeper: ReturnType<typeof setInterval>;
  readonly #log: ((line: string) => void) | null;
  /** This process's lease; replaced when Redis is lost, so the seats of the old lease expire everywhere. */
  #pid = `${hostname()}-${String(process.pid)}-${newId()}`;
  #disposed = false;

  constructor(options: Partial<ChatOptions> & Partial<RedisBrokerOptions> & { url: string; log?: ((line: string) => void) | null }) {
    this.#options = resolveChatOptions(Object.fromEntries(Object.entries(options).filter(([key]) => !['url', 'memberTtlMs', 'keyPrefix', 'log'].includes(key))));
    this.#memberTtlMs = options.memberTtlMs ?? REDIS_BROKER_DEFAULTS.memberTtlMs;
    this.#prefix = options.keyPrefix ?? REDIS_BROKER_DEFAULTS.keyPrefix;
    this.#log = options.log ?? null;
    const connection = {
      // Fail a command after one reconnect attempt rather than queue it for ever: the client gets 1013 and retries.
      maxRetriesPerRequest: 1,
      retryStrategy: () => 500,
      commandTimeout: 5_000,
      // Subscriptions are this broker's to manage: after a loss it starts again from nothing.
      autoResubscribe: false,
    };
    const { Redis } = ioredis();
    this.#redis = new Redis(options.url, connection);
    this.#subscriber = new Redis(options.url, connection);
    // While Redis is down the clients retry twice a second: each different error is logged once.
    let lastError = '';
    for (const client of [this.#redis, this.#subscriber]) {
      client.on('error', (error: Error) => {
        if (error.message !== lastError) this.#log?.(`redis: ${error.message} (retrying)`);
        lastError = error.message;
      });
      client.on('close', () => {
        this.#storeLost('the connection to Redis closed');
      });
      client.on('ready', () => {
        if (lastError !== '') this.#log?.('redis: connected again');
        lastError = '';
        void this.#beat();
      });
    }
    this.#subscriber.on('message', (channel: string, wire: string) => {
      this.#fanOut(channel, wire);
    });
    this.#heartbeat = setInterval(() => void this.#beat(), Math.max(100, Math.floor(this.#memberTtlMs / 3)));
    this.#heartbeat.unref();
    this.#sweeper = setInterval(() => void this.#sweepRooms(), Math.max(100, Math.floor(this.#memberTtlMs / 2)));
    this.#sweeper.unref();
  }

  async join(request: JoinRequest, sink: RoomSink): Promise<JoinResult> {
    if (this.#disposed) throw new Error('chat broker is disposed');
    try {
      return await this.#join(request, sink);
    } catch (error) {
      if (error instanceof BrokerUnavailableError) return { ok: false, error: 'BROKER_UNAVAILABLE', detail: error.message };
      throw error;
    }
  }

  async rooms(): Promise<RoomSummary[]> {
    const names = await this.#call(() => this.#redis.smembers(this.#key('rooms')));
    const pipeline = this.#redis.pipeline();
    for (const name of names) pipeline.hlen(this.#roomKey(name, 'members')).hget(this.#roomKey(name, 'meta'), 'seq');
    const replies = names.length === 0 ? [] : ((await this.#call(() => pipeline.exec())) ?? []);
    const summaries: RoomSummary[] = [];
    names.forEach((name, index) => {
      const members = replies[2 * index]?.[1];
      const seq = replies[2 * index + 1]?.[1];
      if (typeof seq === 'string') summaries.push({ name, members: Number(members ?? 0), lastId: Number(seq) });
    });
    summaries.sort((a, b) => b.members - a.members || a.name.localeCompare(b.name));
    return summaries;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    clearInterval(this.#heartbeat);
    clearInterval(this.#sweeper);
    for (const room of this.#rooms.values()) for (const member of room.members) this.#forgetLocal(member);
    this.#rooms.clear();
    // Dropping the lease lets the other processes sweep any seat still held here at once.
    const lease = this.#key(`proc:${this.#pid}`);
    void this.#redis
      .del(lease)
      .catch(() => undefined)
      .finally(() => {
        this.#redis.disconnect();
        this.#subscriber.disconnect();
      });
  }

  async #join(request: JoinRequest, sink: RoomSink): Promise<JoinResult> {
    const { maxRooms, maxMembersPerRoom, maxRoomsPerAddress, maxPlacesPerAddress, joinsPerSecondPerAddress } = this.#options;
    const { address, room } = request;
    const placesKey = this.#key(`addr:${address}:places`);
    const tooManyPlaces = (held: number): JoinResult => ({ ok: false, error: 'TOO_MANY_PLACES_FROM_ADDRESS', detail: `${address} holds ${String(held)} (--chat-places-per-address)` });
    // Checked again, atomically, when the seat is taken; this early look spares a join token.
    const places = Number((await this.#call(() => this.#redis.get(placesKey))) ?? 0);
    if (places >= maxPlacesPerAddress) return tooManyPlaces(places);
    if (!(await this.#takeToken(`addr:${address}:joins`, joinsPerSecondPerAddress, maxPlacesPerAddress))) {
      return { ok: false, error: 'JOINING_TOO_FAST', detail: `at most ${String(joinsPerSecondPerAddress)} joins a second from ${address} after a burst of ${String(maxPlacesPerAddress)}` };
    }
    const epoch = newId();
    const ensured = (await this.#script(ENSURE_ROOM, [this.#roomKey(room, 'meta'), this.#key('rooms'), this.#key(`addr:${address}:rooms`), this.#roomKey(room, 'members'), this.#roomKey(room, 'log'), this.#roomKey(room, 'typing')], [
      epoch,
      address,
      maxRooms,
      maxRoomsPerAddress,
      room,
      this.#key('room:'),
      this.#key('addr:'),
    ])) as [string, string];
    const [status, roomEpoch] = ensured;
    if (status === 'TOO_MANY_ROOMS_FROM_ADDRESS') {
      return { ok: false, error: 'TOO_MANY_ROOMS_FROM_ADDRESS', detail: `${address} made ${String(maxRoomsPerAddress)} and none is empty (--chat-rooms-per-address)` };
    }
    if (status === 'TOO_MANY_ROOMS') return { ok: false, error: 'TOO_MANY_ROOMS', detail: `${String(maxRooms)} rooms are in use and none is empty` };
    // Seats of dead processes go before names are compared: a client back after a crash gets its name.
    await this.#sweep(room);

    const preferred = request.preferredName === null ? null : normalizeName(request.preferredName);
    const claimed = await this.#claimName(room, preferred, address);
    if (claimed === 'FULL') return { ok: false, error: 'ROOM_FULL', detail: `${room} has ${String(maxMembersPerRoom)} members` };
    if (claimed === 'PLACES') return tooManyPlaces(maxPlacesPerAddress);
    const { record, nameNote } = claimed;

    const member: LocalMember = { record, room, sink, typingTimer: null, gone: false };
    try {
      await this.#attach(member);
      const lastSeenBeforeJoin = Number((await this.#call(() => this.#redis.hget(this.#roomKey(room, 'meta'), 'seq'))) ?? 0);
      if (record.announced) await this.#logEvent(room, { type: 'joined', name: record.name });
      const snapshot = await this.#snapshot(room);
      const { history, resume } = resumeHistory({ room, epoch: roomEpoch, history: snapshot.history, lastId: snapshot.lastId }, request.resume, lastSeenBeforeJoin, this.#options);
      // Quiet members are left out of the list until announced, as the others were never told about them.
      const listed = snapshot.members.filter((each) => each.announced || each.id === record.id).map((each) => each.name);
      return {
        ok: true,
        membership: new RedisMembership(this, member),
        welcome: {
          room,
          you: record.name,
          nameNote,
          epoch: roomEpoch,
          members: listed,
          typing: snapshot.typing.filter((name) => listed.includes(name)),
          history,
          lastId: snapshot.lastId,
          resume,
        },
      };
    } catch (error) {
      await this.leave(member).catch(() => undefined);
      throw error;
    }
  }

  /** Claims `preferred` or an assigned name atomically; an assigned one is retried if another process took it meanwhile. */
  async #claimName(room: string, preferred: string | null, address: string): Promise<{ record: MemberRecord; nameNote: string | null } | 'FULL' | 'PLACES'> {
    for (let attempt = 0; ; attempt++) {
      const present = (await this.#members(room)).map((each) => each.name);
      const presentKeys = present.map((name) => ({ name, keys: nameKeys(name) }));
      const holderOf = (candidate: string): string | undefined => {
        const keys = nameKeys(candidate);
        return presentKeys.find((each) => looksAlike(each.keys, keys))?.name;
      };
      let name: string;
      let nameNote: string | null = null;
      const lookAlike = preferred === null ? undefined : holderOf(preferred);
      if (preferred !== null && lookAlike === undefined && attempt === 0) {
        name = preferred;
      } else {
        name = assignName((candidate) => holderOf(candidate) !== undefined);
        if (preferred !== null) nameNote = `${preferred} ${takenBy(preferred, lookAlike)} in ${room}, so you are ${name}`;
      }
      const announced = await this.#takeToken(`room:${room}:notices:${address}`, this.#options.presenceNoticesPerMinutePerAddress / 60, this.#options.presenceNoticeBurstPerAddress);
      const record: MemberRecord = { id: newId(), pid: this.#pid, name, typed: nameKeys(name).asTyped, address, announced };
      const status = await this.#script(CLAIM_NAME, [this.#roomKey(room, 'members'), this.#key(`addr:${address}:places`)], [
        nameField(name),
        JSON.stringify(record),
        this.#options.maxMembersPerRoom,
        record.typed,
        this.#options.maxPlacesPerAddress,
      ]);
      if (status === 'FULL' || status === 'PLACES') return status;
      if (status === 'OK') return { record, nameNote };
      if (attempt >= 5) throw new BrokerUnavailableError(`could not find a free name in ${room}`);
    }
  }

  /** Adds `member` to this process's room, subscribing to the room's channel first if it is the first one here. */
  async #attach(member: LocalMember): Promise<void> {
    let local = this.#rooms.get(member.room);
    if (local === undefined) {
      const channel = this.#roomKey(member.room, 'events');
      local = { members: new Set(), subscribed: this.#call(() => this.#subscriber.subscribe(channel)) };
      this.#rooms.set(member.room, local);
    }
    local.members.add(member);
    // Subscribed before the snapshot is read: an event is in the snapshot, or arrives after it, or both (the route drops repeats).
    await local.subscribed;
  }

  /** The room's retained history, last id, members and who is typing, read in one transaction. */
  async #snapshot(room: string): Promise<{ history: RoomEvent[]; lastId: number; members: MemberRecord[]; typing: string[] }> {
    const meta = this.#roomKey(room, 'meta');
    const lastIdText = (await this.#call(() => this.#redis.hget(meta, 'seq'))) ?? '0';
    const lastId = Number(lastIdText);
    const from = Math.max(1, lastId - this.#options.historyLength + 1);
    const replies = await this.#call(() =>
      this.#redis
        .multi()
        .xrange(this.#roomKey(room, 'log'), `${String(from)}-0`, `${String(lastId)}-0`)
        .hvals(this.#roomKey(room, 'members'))
        .zrangebyscore(this.#roomKey(room, 'typing'), Date.now(), '+inf')
        .exec(),
    );
    const entries = (replies?.[0]?.[1] ?? []) as [string, string[]][];
    const history = entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as RoomEvent);
    // In join order, as the in-memory broker lists them: a seat's id starts with its time.
    const members = ((replies?.[1]?.[1] ?? []) as string[]).map((json) => JSON.parse(json) as MemberRecord).sort((a, b) => a.id.localeCompare(b.id));
    return { history, lastId, members, typing: (replies?.[2]?.[1] ?? []) as string[] };
  }

  async #members(room: string): Promise<MemberRecord[]> {
    const values = await this.#call(() => this.#redis.hvals(this.#roomKey(room, 'members')));
    return values.map((json) => JSON.parse(json) as MemberRecord);
  }

  /**
   * Gives `body` the room's next id, appends it to the stream and publishes
   * it, in one script. With `clientIdKey`, the same script first checks that
   * record and writes it: a duplicate is not logged, and its earlier id comes back.
   */
  async #logEvent(room: string, body: EventBody, clientIdKey: string | null = null): Promise<{ id: number; duplicate: boolean }> {
    return loggedEvent(await this.#script(LOG_EVENT, ...this.#logEventCall(room, body, clientIdKey)));
  }

  /** The keys and arguments of `LOG_EVENT` for `body`. */
  #logEventCall(room: string, body: EventBody, clientIdKey: string | null): [string[], (string | number)[]] {
    // `type, id, at` first: the order a reader of the JSON expects; the script writes id and at.
    const { type, ...fields } = body;
    const rest = JSON.stringify(fields).slice(1);
    const keys = [this.#roomKey(room, 'meta'), this.#roomKey(room, 'log'), ...(clientIdKey === null ? [] : [clientIdKey])];
    return [keys, [JSON.stringify(type), Date.now(), rest, this.#options.historyLength, this.#roomKey(room, 'events'), CLIENT_ID_TTL_SECONDS]];
  }

  async publishTyping(member: LocalMember, typing: boolean): Promise<void> {
    const event: TypingEvent = { type: 'typing', name: member.record.name, typing };
    const typingKey = this.#roomKey(member.room, 'typing');
    await this.#call(() =>
      this.#redis
        .multi()
        .zadd(typingKey, typing ? Date.now() + this.#options.typingTimeoutMs : 0, member.record.name)
        .zremrangebyscore(typingKey, '-inf', Date.now())
        .publish(this.#roomKey(member.room, 'events'), JSON.stringify(event))
        .exec(),
    );
  }

  /** Logs the "joined" of a quiet member before its first visible act. */
  async announce(member: LocalMember): Promise<void> {
    if (member.record.announced) return;
    const record = { ...member.record, announced: true };
    const field = nameField(record.name);
    const status = await this.#script(REPLACE_MEMBER, [this.#roomKey(member.room, 'members')], [field, field, record.id, JSON.stringify(record), record.typed]);
    if (status !== 'OK') return;
    member.record = record;
    await this.#logEvent(member.room, { type: 'joined', name: record.name });
  }

  /**
   * One round trip for a message (two with a clientId): a member's says are
   * handled one after another, so through Redis a member could send at most
   * one message per round trip, and each round trip more divided that rate.
   */
  async say(member: LocalMember, text: string, clientId: string | null): Promise<SayResult> {
    const { room } = member;
    const membersKey = this.#roomKey(room, 'members');
    const clientIdKey = this.#roomKey(room, `client:${member.record.name}\n${clientId ?? ''}`);
    if (clientId !== null) {
      // A resend of an earlier message is answered before anything is logged
      // (a quiet member is not announced for it); the log script checks again, atomically.
      const [recipients, earlier, lastId] = await this.#pipeline((pipeline) => pipeline.hlen(membersKey).get(clientIdKey).hget(this.#roomKey(room, 'meta'), 'seq'));
      // Only while the message is in the retained history, as in memory.
      if (Number(earlier ?? 0) > 0 && Number(earlier) > Number(lastId ?? 0) - this.#options.historyLength) {
        return { id: Number(earlier), recipients: Number(recipients), duplicate: true };
      }
    }
    await this.announce(member);
    // A message ends the sender's typing; members clear the indicator when it arrives.
    this.stopTyping(member);
    const [keys, args] = this.#logEventCall(room, { type: 'message', from: member.record.name, text, ...(clientId === null ? {} : { clientId }) }, clientId === null ? null : clientIdKey);
    // In order on one connection: the room's size, the typing indicator off, then the message logged and published.
    const [recipients, , logged] = await this.#pipeline((pipeline) => pipeline.hlen(membersKey).zrem(this.#roomKey(room, 'typing'), member.record.name).eval(LOG_EVENT, keys.length, ...keys, ...args));
    const { id, duplicate } = loggedEvent(logged);
    return { id, recipients: Number(recipients), duplicate };
  }

  async rename(member: LocalMember, asked: string): Promise<RenameResult> {
    const name = normalizeName(asked);
    const problem = nameProblem(name);
    if (problem !== null) return { ok: false, error: 'NAME_INVALID', detail: problem };
    const from = member.record.name;
    if (name === from) return { ok: false, error: 'NAME_INVALID', detail: `you are already ${name}` };
    const keys = nameKeys(name);
    const holder = (await this.#members(member.room)).find((each) => each.id !== member.record.id && looksAlike(nameKeys(each.name), keys));
    const takenDetail = (holderName: string | undefined) => ({ ok: false as const, error: 'NAME_TAKEN' as const, detail: `${JSON.stringify(name)} ${takenBy(name, holderName)} in room ${member.room}` });
    if (holder !== undefined) return takenDetail(holder.name);
    const record = { ...member.record, name, typed: keys.asTyped, announced: true };
    const status = await this.#script(REPLACE_MEMBER, [this.#roomKey(member.room, 'members')], [nameField(from), nameField(name), record.id, JSON.stringify(record), record.typed]);
    if (status === 'TAKEN') return takenDetail(undefined);
    if (status !== 'OK') throw new BrokerUnavailableError(`your seat in ${member.room} expired`);
    const wasAnnounced = member.record.announced;
    member.record = record;
    this.stopTyping(member);
    await this.#call(() => this.#redis.zrem(this.#roomKey(member.room, 'typing'), from));
    // A quiet member's first visible act: the room learns of it under its new name, with no rename to follow.
    if (wasAnnounced) await this.#logEvent(member.room, { type: 'renamed', from, to: name });
    else await this.#logEvent(member.room, { type: 'joined', name });
    return { ok: true };
  }

  async setTyping(member: LocalMember, typing: boolean): Promise<void> {
    if (!typing) {
      if (member.typingTimer === null) return;
      this.stopTyping(member);
      await this.publishTyping(member, false);
      return;
    }
    await this.announce(member);
    const wasTyping = member.typingTimer !== null;
    this.stopTyping(member);
    member.typingTimer = setTimeout(() => {
      member.typingTimer = null;
      if (!member.gone) this.publishTyping(member, false).catch(() => undefined);
    }, this.#options.typingTimeoutMs);
    member.typingTimer.unref();
    if (!wasTyping) await this.publishTyping(member, true);
  }

  stopTyping(member: LocalMember): void {
    if (member.typingTimer === null) return;
    clearTimeout(member.typingTimer);
    member.typingTimer = null;
  }

  /** Frees the seat, logs `left` if the member was announced, and releases the address's place. Safe to call twice. */
  async leave(member: LocalMember): Promise<void> {
    if (member.gone) return;
    this.#forgetLocal(member);
    const { room, record } = member;
    const left = await this.#script(LEAVE_ROOM, [this.#roomKey(room, 'members'), this.#roomKey(room, 'meta'), this.#roomKey(room, 'log'), this.#roomKey(room, 'typing')], [
      nameField(record.name),
      record.id,
      this.#options.emptyRoomRetentionMs,
      this.#key('addr:'),
    ]);
    if (left === null) return;
    if (record.announced) await this.#logEvent(room, { type: 'left', name: record.name });
  }

  /** Stops delivering to `member` and drops the room's subscription when it was the last one here. */
  #forgetLocal(member: LocalMember): void {
    member.gone = true;
    this.stopTyping(member);
    const local = this.#rooms.get(member.room);
    if (local === undefined || !local.members.delete(member) || local.members.size > 0) return;
    this.#rooms.delete(member.room);
    this.#subscriber.unsubscribe(this.#roomKey(member.room, 'events')).catch(() => undefined);
  }

  /** One published event, delivered to this process's members of its room, serialized once. */
  #fanOut(channel: string, wire: string): void {
    const prefix = this.#key('room:');
    if (!channel.startsWith(prefix) || !channel.endsWith(':events')) return;
    const local = this.#rooms.get(channel.slice(prefix.length, -':events'.length));
    if (local === undefined) return;
    let event: RoomEvent | TypingEvent;
    try {
      event = JSON.parse(wire) as RoomEvent | TypingEvent;
    } catch {
      return;
    }
    for (const member of local.members) {
      // Typing is told to the others only.
      if (event.type === 'typing' && event.name === member.record.name) continue;
      try {
        member.sink.deliver(event, wire);
      } catch {
        // One failing member must not stop delivery to the rest.
      }
    }
  }

  /** Removes the seats of processes whose lease expired, releasing their places and logging their `left`. */
  async #sweep(room: string): Promise<void> {
    const gone = (await this.#script(SWEEP_DEAD_MEMBERS, [this.#roomKey(room, 'members'), this.#roomKey(room, 'meta'), this.#roomKey(room, 'log'), this.#roomKey(room, 'typing')], [
      this.#key('proc:'),
      this.#options.emptyRoomRetentionMs,
      this.#key('addr:'),
    ])) as string[];
    for (const json of gone) {
      const record = JSON.parse(json) as MemberRecord;
      if (record.announced) await this.#logEvent(room, { type: 'left', name: record.name });
    }
  }

  /**
   * Sweeps every room, not only those with members here: a room whose
   * members were all on a dead process has no one else to notice, and its
   * seats would keep their addresses' places (and the room list its count)
   * until the next join there. Each process does it; the script makes a
   * seat's removal (and its `left`) happen once.
   */
  async #sweepRooms(): Promise<void> {
    if (this.#disposed || this.#redis.status !== 'ready') return;
    const names = await this.#redis.smembers(this.#key('rooms')).catch(() => [] as string[]);
    for (const room of names) await this.#sweep(room).catch(() => undefined);
  }

  /** Refreshes this process's lease, which keeps its members' seats alive. */
  async #beat(): Promise<void> {
    if (this.#disposed || this.#redis.status !== 'ready') return;
    await this.#redis.set(this.#key(`proc:${this.#pid}`), '1', 'PX', this.#memberTtlMs).catch(() => undefined);
  }

  /**
   * Redis went away: events may have been published that this process never
   * got (pub/sub is at most once), so every member here is closed with
   * BROKER_UNAVAILABLE to reconnect and resume by id. A new lease is taken,
   * so the old one's seats expire and are swept like a dead process's.
   */
  #storeLost(reason: string): void {
    if (this.#disposed || this.#rooms.size === 0) return;
    this.#pid = `${hostname()}-${String(process.pid)}-${newId()}`;
    const members = [...this.#rooms.values()].flatMap((room) => [...room.members]);
    this.#rooms.clear();
    for (const member of members) {
      member.gone = true;
      this.stopTyping(member);
      try {
        member.sink.lost?.(`${reason}; reconnect to resume`);
      } catch {
        // Closing one member must not stop the others being closed.
      }
    }
  }

  /** Takes a token from a bucket kept in Redis (rate per second, burst); false when empty or the burst is 0. */
  async #takeToken(key: string, perSecond: number, burst: number): Promise<boolean> {
    if (burst < 1) return false;
    return (await this.#script(TAKE_TOKEN, [this.#key(key)], [perSecond, burst])) === 1;
  }

  async #script(lua: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.#call(() => this.#redis.eval(lua, keys.length, ...keys, ...args));
  }

  /** Sends the commands `build` queues in one write and returns their replies; the first failed command's error is thrown, as `#call` reports it. */
  async #pipeline(build: (pipeline: ChainableCommander) => ChainableCommander): Promise<unknown[]> {
    return this.#call(async () => {
      const replies = (await build(this.#redis.pipeline()).exec()) ?? [];
      for (const [error] of replies) if (error !== null) throw error;
      return replies.map(([, reply]) => reply);
    });
  }

  /** Runs a Redis call; a lost or unreachable Redis becomes a `BrokerUnavailableError`, a script error stays a bug. */
  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ioredis().ReplyError) throw error;
      // The close reason is short and read by people: ioredis's wording is in the log (the client's 'error' event), and in `cause`.
      throw new BrokerUnavailableError('Redis did not answer; reconnect to resume', { cause: error });
    }
  }

  #key(suffix: string): string {
    return `${this.#prefix}${suffix}`;
  }

  #roomKey(room: string, suffix: string): string {
    return this.#key(`room:${room}:${suffix}`);
  }
}

class RedisMembership implements Membership {
  readonly #broker: RedisChatBroker;
  readonly #member: LocalMember;

  constructor(broker: RedisChatBroker, member: LocalMember) {
    this.#broker = broker;
    this.#member = member;
  }

  get room(): string {
    return this.#member.room;
  }

  get name(): string {
    return this.#member.record.name;
  }

  say(text: string, clientId: string | null): Promise<SayResult> {
    return this.#broker.say(this.#member, text, clientId);
  }

  rename(name: string): Promise<RenameResult> {
    return this.#broker.rename(this.#member, name);
  }

  setTyping(typing: boolean): Promise<void> {
    return this.#broker.setTyping(this.#member, typing);
  }

  leave(): Promise<void> {
    return this.#broker.leave(this.#member).catch(() => {
      // Redis is gone: the seat expires with this process's lease, and a sweeping process logs the `left`.
    });
  }
}
