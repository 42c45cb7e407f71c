import {
  studentServerMessageSchema,
  type Announcement,
  type Bring,
  type SolvedExerciseRecord,
  type StudentClientMessage,
} from '../shared/protocol/classroom.ts';
import { parseServerMessage } from '../shared/protocol/parse.ts';
import { shouldReconnectAfter } from '../shared/close-policy.ts';
import type { KeyValueStorage } from '../shared/server-url.ts';
import { SnapshotStore } from '../shared/snapshot-store.ts';
import { SOCKET_OPEN, type SocketLike } from '../shared/socket-like.ts';

/**
 * A student's side of `/ws/classroom` (see docs in
 * `src/shared/protocol/classroom.ts`): joins with the key this browser was
 * given (or a name, or a transfer code), keeps every progress event until the
 * server acknowledges it as committed and resends the rest after a reconnect,
 * and holds what the teacher pushed. No DOM: `student.ts` draws it.
 */

/** localStorage: the key from the last welcome, which is who this browser is to the class. */
export const STUDENT_KEY_STORAGE = 'socketbook:classroom-key';
/** localStorage: set when the reader skipped the join prompt, so it is not offered again. */
export const SKIPPED_STORAGE = 'socketbook:classroom-skipped';

export type StudentState =
  /** Not joined and not asked to: the prompt is on offer. */
  | 'idle'
  /** A join is sent (or will be, once the socket opens). */
  | 'joining'
  | 'joined'
  /** The server refused the join (a name taken or invalid): the prompt shows why. */
  | 'refused'
  /** Closed: reconnecting with backoff, or stopped (see `closed`). */
  | 'offline';

export interface StudentSnapshot {
  readonly state: StudentState;
  readonly name: string | null;
  /** Why the last join or rename was refused, in the server's words. */
  readonly refusal: string | null;
  /** The last close: who closed, the code and reason, and whether the socket comes back by itself. */
  readonly closed: { readonly code: number; readonly reason: string; readonly reconnecting: boolean } | null;
  readonly announcement: Announcement | null;
  readonly bring: Bring | null;
  readonly hiddenSolutions: readonly string[];
  readonly transferCode: { readonly code: string; readonly expiresAt: number } | null;
  /** Events sent or waiting whose ack has not come. */
  readonly unacknowledged: number;
  /** Set (to its time) when the teacher reset this student's progress. */
  readonly resetAt: number | null;
}

/** An event after `join`, before its `id` is given. */
export type ProgressEvent =
  | { readonly type: 'reading'; readonly chapter: string; readonly section: string | null }
  | { readonly type: 'attempt'; readonly exercise: string; readonly passed: boolean; readonly failedCheck: string | null; readonly reason: string | null };

/** What the store asks of the page's own progress record (`src/notebook/progress.ts`). */
export interface LocalProgress {
  /** Solved exercises as the join's `solved`. */
  solved(): { exercise: string; solvedAt: number }[];
  /** The server's record after the merge, to keep in the browser too. */
  merge(solved: readonly SolvedExerciseRecord[]): void;
  clear(): void;
}

/** partysocket fits this; a test passes a fake. */
export interface ReconnectingSocketLike extends SocketLike {
  reconnect(): void;
}

type Outgoing = Extract<StudentClientMessage, { id: number }>;

const INITIAL: StudentSnapshot = {
  state: 'idle',
  name: null,
  refusal: null,
  closed: null,
  announcement: null,
  bring: null,
  hiddenSolutions: [],
  transferCode: null,
  unacknowledged: 0,
  resetAt: null,
};

/** Close codes after which the server will refuse the same join again: reconnecting as is would loop. */
const UNKNOWN_KEY_CLOSE = 4403;

export class StudentStore extends SnapshotStore<StudentSnapshot> {
  readonly #storage: KeyValueStorage | null;
  readonly #progress: LocalProgress;
  #socket: ReconnectingSocketLike | null = null;
  /** The join to send on every open: null until the reader joined or a key exists. */
  #join: { name: string | null; transferCode: string | null } | null = null;
  /** Events not yet acknowledged, in order, by id. */
  readonly #queue = new Map<number, Outgoing>();
  #nextId = 1;
  #now: () => number;

  constructor(storage: KeyValueStorage | null, progress: LocalProgress, now: () => number = Date.now) {
    super(INITIAL);
    this.#storage = storage;
    this.#progress = progress;
    this.#now = now;
  }

  /** The key this browser keeps, if any. */
  get key(): string | null {
    return this.#read(STUDENT_KEY_STORAGE);
  }

  get skipped(): boolean {
    return this.#read(SKIPPED_STORAGE) !== null;
  }

  skip(): void {
    this.#write(SKIPPED_STORAGE, '1');
  }

  /** Takes the socket (opened by the caller); joins on each open once `join()` was called or a key exists. */
  attach(socket: ReconnectingSocketLike): void {
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (this.#join !== null) this.#sendJoin();
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') this.#receive(event.data);
    });
    socket.addEventListener('close', (event) => this.#closed(event.code, event.reason));
  }

  /** Joins (or rejoins with the kept key when `name` and `transferCode` are null). */
  join(name: string | null, transferCode: string | null = null): void {
    this.#join = { name, transferCode };
    this.update({ state: 'joining', refusal: null });
    if (this.#socket === null) return;
    if (this.#socket.readyState === SOCKET_OPEN) this.#sendJoin();
    // Closed for good (4408 while the reader fixed the name, 4403): come back now.
    else if (this.snapshot.closed !== null && !this.snapshot.closed.reconnecting) this.#socket.reconnect();
  }

  /** Queues a progress event; it is sent now if joined, and again after each reconnect until acknowledged. */
  report(event: ProgressEvent): void {
    const id = this.#nextId++;
    const message: Outgoing =
      event.type === 'reading'
        ? { type: 'reading', id, chapter: event.chapter, section: event.section }
        : { type: 'attempt', id, exercise: event.exercise, passed: event.passed, failedCheck: event.failedCheck, reason: event.reason };
    this.#queue.set(id, message);
    this.update({ unacknowledged: this.#queue.size });
    if (this.snapshot.state === 'joined') this.#send(message);
  }

  rename(name: string): void {
    if (this.snapshot.state !== 'joined') return;
    this.#send({ type: 'name', id: this.#nextId++, name });
  }

  requestTransferCode(): void {
    if (this.snapshot.state !== 'joined') return;
    this.#send({ type: 'transfer', id: this.#nextId++ });
  }

  #sendJoin(): void {
    const join = this.#join;
    if (join === null) return;
    const key = join.transferCode === null ? this.key : null;
    this.#send({
      type: 'join',
      ...(key !== null ? { key } : {}),
      ...(join.transferCode !== null ? { transferCode: join.transferCode } : {}),
      name: join.name,
      solved: this.#progress.solved(),
    });
  }

  #receive(raw: string): void {
    const message = parseServerMessage(studentServerMessageSchema, raw);
    if (message === null) return;
    switch (message.type) {
      case 'welcome': {
        this.#write(STUDENT_KEY_STORAGE, message.key);
        // The key now names this student: later rejoins send it, not the code or the name.
        this.#join = { name: null, transferCode: null };
        this.#progress.merge(message.solved);
        this.update({
          state: 'joined',
          name: message.name,
          refusal: null,
          closed: null,
          announcement: message.announcement,
          bring: message.bring,
          hiddenSolutions: message.hiddenSolutions,
        });
        for (const event of this.#queue.values()) this.#send(event);
        return;
      }
      case 'ack':
        if (this.#queue.delete(message.id)) this.update({ unacknowledged: this.#queue.size });
        return;
      case 'transfer-code':
        this.update({ transferCode: { code: message.code, expiresAt: this.#now() + message.expiresInMs } });
        return;
      case 'announcement':
        this.update({ announcement: message.announcement });
        return;
      case 'bring':
        this.update({ bring: message.bring });
        return;
      case 'solutions':
        this.update({ hiddenSolutions: message.hiddenSolutions });
        return;
      case 'reset':
        this.#progress.clear();
        this.update({ resetAt: message.at });
        return;
      case 'error':
        this.#refused(message.error, message.message, message.id);
        return;
    }
  }

  #refused(error: string, text: string, id: number | undefined): void {
    if (error === 'NAME_INVALID' || error === 'NAME_CLAIMED') {
      this.update(this.snapshot.state === 'joined' ? { refusal: text } : { state: 'refused', refusal: text });
      return;
    }
    // NOT_STORED: the database failed; the event stays queued for the next connection.
    if (id !== undefined && error !== 'NOT_STORED' && this.#queue.delete(id)) this.update({ unacknowledged: this.#queue.size });
  }

  #closed(code: number, reason: string): void {
    const sentKey = this.#join !== null && this.#join.transferCode === null && this.key !== null;
    if (code === UNKNOWN_KEY_CLOSE && sentKey) {
      // The class does not know this key (new data folder, another class):
      // forget it and join as a new student, once; a second 4403 stops.
      this.#remove(STUDENT_KEY_STORAGE);
      this.update({ state: 'joining', closed: { code, reason, reconnecting: true } });
      this.#socket?.reconnect();
      return;
    }
    const reconnecting = shouldReconnectAfter(code);
    if (code === UNKNOWN_KEY_CLOSE && this.#join?.transferCode != null) {
      this.#join = null;
      this.update({ state: 'refused', refusal: reason || 'unknown transfer code', closed: { code, reason, reconnecting: false } });
      return;
    }
    const state = this.snapshot.state === 'refused' ? 'refused' : this.#join === null ? 'idle' : 'offline';
    this.update({ state, closed: { code, reason, reconnecting } });
  }

  #send(message: StudentClientMessage): void {
    if (this.#socket?.readyState === SOCKET_OPEN) this.#socket.send(JSON.stringify(message));
  }

  #read(key: string): string | null {
    try {
      return this.#storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  #write(key: string, value: string): void {
    try {
      this.#storage?.setItem(key, value);
    } catch {
      // Blocked storage: the key lasts for this page; the next load joins as new.
    }
  }

  #remove(key: string): void {
    try {
      this.#storage?.removeItem(key);
    } catch {
      // Nothing kept, nothing to forget.
    }
  }
}
