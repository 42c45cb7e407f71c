import { ChatStore, type ChatSnapshot, type ReconnectingSocketLike } from '../../shared/chat-store.ts';
import { parseChatServerMessage, type ResumeReport } from '../../shared/protocol/chat.ts';
import { closeInfoOf, type CloseInfo } from '../../shared/socket-like.ts';
import { SnapshotStore } from '../../shared/snapshot-store.ts';

/**
 * `idle`: not connected; `joining`: waiting for both welcomes; `joined`:
 * both in the room; `away`: pane B's instance closed it and B is
 * reconnecting elsewhere; `resumed`: B is back, on another instance, with
 * its resume report.
 */
export type FailoverPhase = 'idle' | 'joining' | 'joined' | 'away' | 'resumed';

/** Where each pane connects: A to one instance, B first to another, then where a client of a lost instance goes. */
export interface FailoverTargets {
  readonly a: string;
  readonly b: string;
  /** nginx's address, or the surviving instance's when there is no nginx. */
  readonly fallback: string;
  /** How B's reconnect reaches an instance, for the status line. */
  readonly via: 'nginx' | 'direct';
}

export interface FailoverSnapshot {
  readonly phase: FailoverPhase;
  readonly targets: FailoverTargets | null;
  readonly a: ChatSnapshot | null;
  readonly b: ChatSnapshot | null;
  /** How pane B's first connection ended. */
  readonly bClose: CloseInfo | null;
  /** Pane B's last id when it was cut off: its resume point. */
  readonly awayAfterId: number | null;
  /** The server's report on B's resume (from the welcome). */
  readonly resume: ResumeReport | null;
}

/** Message ids a pane has, in order. */
export function messageIds(snapshot: ChatSnapshot | null): number[] {
  return (snapshot?.entries ?? []).flatMap((entry) => (entry.kind === 'event' && entry.event.type === 'message' ? [entry.event.id] : []));
}

/** Ids pane A has and pane B lacks, from the first one B saw: what B lost. */
export function lostByB(snapshot: FailoverSnapshot): number[] {
  const atB = new Set(messageIds(snapshot.b));
  const first = Math.min(...atB);
  return messageIds(snapshot.a).filter((id) => id >= first && !atB.has(id));
}

export interface FailoverOptions {
  readonly room: string;
  /** A reconnecting socket (partysocket in the page) that asks `url()` before every attempt. */
  readonly connect: (url: () => string, pane: 'a' | 'b') => ReconnectingSocketLike;
}

/**
 * Chapter 11's failover lab: two chat members of one room, A on one
 * instance and B on another. When B's instance goes away, B reconnects
 * through the fallback (nginx, or the other instance) with `?since=` and
 * `?epoch=`, and the store keeps the server's resume report and the ids so
 * the page can show that nothing was lost or repeated.
 */
export class FailoverStore extends SnapshotStore<FailoverSnapshot> {
  readonly #options: FailoverOptions;
  #chats: { a: ChatStore; b: ChatStore; sockets: ReconnectingSocketLike[] } | null = null;

  constructor(options: FailoverOptions) {
    super({ phase: 'idle', targets: null, a: null, b: null, bClose: null, awayAfterId: null, resume: null });
    this.#options = options;
  }

  connect(targets: FailoverTargets): void {
    this.stop();
    this.update({ phase: 'joining', targets, a: null, b: null, bClose: null, awayAfterId: null, resume: null });
    let a: ChatStore | null = null;
    let b: ChatStore | null = null;
    let bTarget = targets.b;
    const socketA = this.#options.connect(() => a?.connectUrl(targets.a) ?? '', 'a');
    // B's URL is asked before each attempt: its own instance first, then the fallback, resuming from its last id.
    const socketB = this.#options.connect(() => b?.connectUrl(bTarget) ?? '', 'b');
    a = new ChatStore(socketA, { room: this.#options.room });
    b = new ChatStore(socketB, { room: this.#options.room });
    const chats = { a, b, sockets: [socketA, socketB] };
    this.#chats = chats;
    socketB.addEventListener('close', (event) => {
      if (this.#chats !== chats || this.snapshot.phase !== 'joined') return;
      bTarget = targets.fallback;
      this.update({ phase: 'away', bClose: closeInfoOf(event), awayAfterId: chats.b.snapshot.lastId });
    });
    socketB.addEventListener('message', (event) => {
      if (this.#chats !== chats || typeof event.data !== 'string') return;
      const message = parseChatServerMessage(event.data);
      if (message?.type === 'welcome' && message.resume !== null && this.snapshot.phase === 'away') this.update({ phase: 'resumed', resume: message.resume });
    });
    const sync = () => {
      if (this.#chats !== chats) return;
      const joined = chats.a.snapshot.state === 'open' && chats.b.snapshot.state === 'open';
      this.update({ a: chats.a.snapshot, b: chats.b.snapshot, ...(this.snapshot.phase === 'joining' && joined ? { phase: 'joined' as const } : {}) });
    };
    a.subscribe(sync);
    b.subscribe(sync);
  }

  /** Sends `text` from a pane (queued by its ChatStore until it can be). */
  say(pane: 'a' | 'b', text: string): boolean {
    return this.#chats?.[pane].say(text) ?? false;
  }

  stop(): void {
    const chats = this.#chats;
    this.#chats = null;
    for (const socket of chats?.sockets ?? []) socket.close(1000, 'lab stopped');
  }
}
