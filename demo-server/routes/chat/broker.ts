import type { ResumeReport, RoomEvent, TypingEvent } from '../../../src/shared/protocol/chat.ts';

/**
 * Where chat rooms live, behind one interface so the route does not care:
 * `MemoryChatBroker` keeps them in this process; `RedisChatBroker`
 * (redis-broker.ts, `--redis`) lets several server processes share rooms
 * with the same route. Every method returns a promise for that reason, and the broker (not
 * the route) owns everything that must agree across processes: names, ids,
 * history and membership.
 */
export interface ChatBroker {
  /**
   * Joins `request.room` (creating it if needed): picks a unique name, logs a
   * `joined` event, and returns the welcome state. Events logged after the
   * returned `lastId` go to `sink`, in id order; the route drops any id it
   * has already sent, so a broker may deliver an event twice but never skip one.
   */
  join(request: JoinRequest, sink: RoomSink): Promise<JoinResult>;
  /** Rooms with their member counts, busiest first. */
  rooms(): Promise<RoomSummary[]>;
  /** Stops every timer; the broker is unusable afterwards. */
  dispose(): void;
}

export interface JoinRequest {
  readonly room: string;
  /**
   * The client's IP address: rooms created, places held, joins and
   * joined/left notices are limited per address (`maxRoomsPerAddress`, …).
   */
  readonly address: string;
  /**
   * Name asked for with `?name=`, already checked with `nameProblem()`; `null`
   * to be assigned one. A name that is taken or looks like a present
   * member's is replaced by an assigned one, with a `nameNote`.
   */
  readonly preferredName: string | null;
  /** Where a reconnecting client left off (`?since=` and `?epoch=`); `null` for a fresh join. */
  readonly resume: { readonly since: number; readonly epoch: string | null } | null;
}

/** Receives a room's live traffic for one member. `wire` is the event as JSON, serialized once for all members. */
export interface RoomSink {
  deliver(event: RoomEvent | TypingEvent, wire: string): void;
  /**
   * The broker lost this member's seat (a shared broker's store went away):
   * no more events will come, and the route closes the connection with
   * `BROKER_UNAVAILABLE` so the client reconnects and resumes. Optional:
   * a broker in memory never loses a seat.
   */
  lost?(detail: string): void;
}

/**
 * Thrown (or rejected with) by a broker whose shared store cannot be
 * reached; the route closes with `BROKER_UNAVAILABLE` (1013, try again later)
 * instead of 1011.
 */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';
}

export type JoinResult =
  | { readonly ok: true; readonly membership: Membership; readonly welcome: WelcomeState }
  | { readonly ok: false; readonly error: JoinRefusal; readonly detail: string };

/** Why a join was refused; each is a `SOCKET_ERRORS` entry that closes with 1013. */
export type JoinRefusal = 'ROOM_FULL' | 'TOO_MANY_ROOMS' | 'TOO_MANY_ROOMS_FROM_ADDRESS' | 'TOO_MANY_PLACES_FROM_ADDRESS' | 'JOINING_TOO_FAST' | 'BROKER_UNAVAILABLE';

export interface WelcomeState {
  readonly room: string;
  readonly you: string;
  readonly nameNote: string | null;
  readonly epoch: string;
  readonly members: readonly string[];
  readonly typing: readonly string[];
  readonly history: readonly RoomEvent[];
  readonly lastId: number;
  readonly resume: ResumeReport | null;
}

export interface RoomSummary {
  readonly name: string;
  readonly members: number;
  readonly lastId: number;
}

export type SayResult = { readonly id: number; readonly recipients: number; readonly duplicate: boolean };

export type RenameResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: 'NAME_INVALID' | 'NAME_TAKEN'; readonly detail: string };

/** One member's seat in a room. */
export interface Membership {
  readonly room: string;
  /** Current name (changes with `rename`). */
  readonly name: string;
  /**
   * Logs and broadcasts a message from this member. With a `clientId` this
   * member's name already sent in a message still in the room's history,
   * nothing is broadcast and the earlier message's id comes back with
   * `duplicate: true`. Another member's clientIds do not count: a clientId
   * is unique per sender, not per room.
   */
  say(text: string, clientId: string | null): Promise<SayResult>;
  rename(name: string): Promise<RenameResult>;
  /** Turns the typing indicator on (refreshing its timeout) or off; told to the other members only. */
  setTyping(typing: boolean): Promise<void>;
  /** Logs `left` (if the member was announced) and frees the name and the address's place. Safe to call twice. */
  leave(): Promise<void>;
}
