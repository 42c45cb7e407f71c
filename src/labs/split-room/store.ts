import { chatUrl, parseChatServerMessage } from '../../shared/protocol/chat.ts';
import { SnapshotStore } from '../../shared/snapshot-store.ts';
import { SOCKET_OPEN, type SocketLike } from '../../shared/socket-like.ts';

/** The two panes: A and B, each connected to its own server. */
export type PaneId = 'a' | 'b';
export const PANES: readonly PaneId[] = ['a', 'b'];

/** `unreachable`: the connection failed before a welcome (nothing there, or not a demo server). */
export type PaneState = 'idle' | 'connecting' | 'open' | 'unreachable' | 'closed';

export interface PaneMessage {
  readonly id: number;
  readonly from: string;
  readonly text: string;
  /** Sent from this pane. */
  readonly mine: boolean;
}

export interface PaneSnapshot {
  readonly state: PaneState;
  /** The server's address, as typed (`ws://localhost:8082`). */
  readonly server: string;
  readonly you: string | null;
  readonly epoch: string | null;
  readonly messages: readonly PaneMessage[];
  /** Why it closed or could not connect. */
  readonly problem: string | null;
}

/**
 * `split`: the two servers each made their own room (different epochs);
 * `shared`: one room (one epoch); `waiting`: not both joined yet.
 */
export type SplitVerdict = 'waiting' | 'split' | 'shared';

export interface SplitRoomSnapshot {
  readonly room: string;
  readonly panes: Readonly<Record<PaneId, PaneSnapshot>>;
  readonly verdict: SplitVerdict;
}

export interface SplitRoomOptions {
  /** Opens a WebSocket (the browser's in the page, a fake in unit tests). */
  readonly open: (url: string) => SocketLike;
  /** The room both panes join. */
  readonly room: string;
}

const idlePane = (server: string): PaneSnapshot => ({ state: 'idle', server, you: null, epoch: null, messages: [], problem: null });

/** Same epoch on both: one room. Different: two rooms that share a name. */
export function verdictOf(a: PaneSnapshot, b: PaneSnapshot): SplitVerdict {
  if (a.epoch === null || b.epoch === null) return 'waiting';
  return a.epoch === b.epoch ? 'shared' : 'split';
}

/**
 * Chapter 11's split-room lab: two chat connections to the same room name on
 * two servers, and what the servers answer. The verdict comes from the
 * welcomes' room epochs; the messages show it.
 */
export class SplitRoomStore extends SnapshotStore<SplitRoomSnapshot> {
  readonly #options: SplitRoomOptions;
  readonly #sockets = new Map<PaneId, SocketLike>();

  constructor(options: SplitRoomOptions) {
    super({ room: options.room, panes: { a: idlePane(''), b: idlePane('') }, verdict: 'waiting' });
    this.#options = options;
  }

  /** Connects both panes (closing earlier connections): A to `servers.a`, B to `servers.b`. */
  connect(servers: Readonly<Record<PaneId, string>>): void {
    this.stop();
    this.update({ panes: { a: { ...idlePane(servers.a), state: 'connecting' }, b: { ...idlePane(servers.b), state: 'connecting' } }, verdict: 'waiting' });
    for (const pane of PANES) this.#open(pane, servers[pane]);
  }

  /** Sends `text` from `pane`; false when that pane is not joined. */
  say(pane: PaneId, text: string): boolean {
    const socket = this.#sockets.get(pane);
    if (socket?.readyState !== SOCKET_OPEN || this.snapshot.panes[pane].state !== 'open' || text.trim() === '') return false;
    socket.send(JSON.stringify({ type: 'say', text }));
    return true;
  }

  stop(): void {
    for (const socket of this.#sockets.values()) socket.close(1000, 'lab stopped');
    this.#sockets.clear();
  }

  #open(pane: PaneId, server: string): void {
    let socket: SocketLike;
    try {
      socket = this.#options.open(chatUrl(server, this.#options.room));
    } catch (error) {
      this.#pane(pane, { state: 'unreachable', problem: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.#sockets.set(pane, socket);
    socket.addEventListener('message', (event) => {
      if (this.#sockets.get(pane) === socket && typeof event.data === 'string') this.#receive(pane, event.data);
    });
    socket.addEventListener('close', (event) => {
      if (this.#sockets.get(pane) !== socket) return;
      this.#sockets.delete(pane);
      const joined = this.snapshot.panes[pane].epoch !== null;
      this.#pane(pane, {
        state: joined ? 'closed' : 'unreachable',
        problem: joined ? `closed with ${String(event.code)}${event.reason === '' ? '' : ` ${event.reason}`}` : `no demo server answered at ${server} (close ${String(event.code)})`,
      });
    });
  }

  #receive(pane: PaneId, raw: string): void {
    const message = parseChatServerMessage(raw);
    if (message === null) return;
    const current = this.snapshot.panes[pane];
    if (message.type === 'welcome') {
      this.#pane(pane, { state: 'open', you: message.you, epoch: message.epoch, problem: null });
    } else if (message.type === 'message') {
      // Every member gets each message back, the sender too: names are unique in a room, so `from` says whose it is.
      if (current.messages.some((each) => each.id === message.id)) return;
      this.#pane(pane, { messages: [...current.messages, { id: message.id, from: message.from, text: message.text, mine: message.from === current.you }] });
    }
  }

  #pane(pane: PaneId, change: Partial<PaneSnapshot>): void {
    const panes = { ...this.snapshot.panes, [pane]: { ...this.snapshot.panes[pane], ...change } };
    this.update({ panes, verdict: verdictOf(panes.a, panes.b) });
  }
}
