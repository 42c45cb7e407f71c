import ReconnectingWebSocket from 'partysocket/ws';
import { chatShouldReconnect, ChatStore, type ChatEntry, type ChatSnapshot, type PendingMessage } from '../../shared/chat-store.ts';
import { clockTime } from '../../shared/format.ts';
import { pageServer } from '../kit/page-server.ts';
import { chatUrl, roomNameProblem, type RoomEvent } from '../../shared/protocol/chat.ts';
import { partysocketOptions } from '../../shared/reconnect.ts';
import { serverCloseSentence } from '../../shared/close-policy.ts';
import { create, part, serverLabel, unreachableText } from '../kit/dom.ts';
import { KeyedList } from '../kit/keyed-list.ts';

/** The classic stored-XSS probe: harmless here because every message is set as text. */
export const HTML_PAYLOAD = '<img src=x onerror=alert(1)>';
/** A say that tries to choose its own sender; the server refuses it. */
const SPOOFED_SAY = JSON.stringify({ type: 'say', text: 'Class dismissed!', from: 'teacher' });
/** Three times the burst the server allows: enough to be warned and then closed with 1008. */
const FLOOD_MESSAGES = 30;

function timeOf(at: number): HTMLTimeElement {
  const time = document.createElement('time');
  const date = new Date(at);
  time.dateTime = date.toISOString();
  time.textContent = clockTime(date);
  return time;
}

/** What a room event says, in words (the sender and text of a message are separate spans). */
function describeNotice(event: Exclude<RoomEvent, { type: 'message' }>): string {
  switch (event.type) {
    case 'joined':
      return `${event.name} joined`;
    case 'left':
      return `${event.name} left`;
    case 'renamed':
      return `${event.from} is now ${event.to}`;
  }
}

/** One timeline line. Every piece of text goes in with textContent: a message is never parsed as HTML. */
function entryElement(entry: ChatEntry): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.key = entry.key;
  if (entry.kind === 'notice') {
    item.dataset.kind = 'notice';
    item.dataset.tone = entry.tone;
    item.append(timeOf(entry.at), create('span', 'sb-chat-notice', entry.text));
    return item;
  }
  const { event } = entry;
  item.dataset.kind = event.type;
  item.dataset.id = String(event.id);
  item.append(create('span', 'sb-chat-id', `#${String(event.id)}`), timeOf(event.at));
  if (event.type === 'message') {
    if (entry.mine) item.dataset.mine = '';
    item.append(create('span', 'sb-chat-from', event.from), document.createTextNode(': '), create('span', 'sb-chat-text', event.text));
  } else {
    item.append(create('span', 'sb-chat-notice', describeNotice(event)));
  }
  return item;
}

function pendingElement(pending: PendingMessage): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.kind = 'pending';
  item.append(create('span', 'sb-chat-text', pending.text), document.createTextNode(pending.state === 'queued' ? ' (waiting to be sent)' : ' (sent, waiting for the server)'));
  return item;
}

function typingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0] ?? ''} is typing…`;
  if (names.length <= 3) return `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''} are typing…`;
  return `${String(names.length)} people are typing…`;
}

function describeState(snapshot: ChatSnapshot, url: string): string {
  const close = snapshot.lastClose;
  switch (snapshot.state) {
    case 'connecting':
      return `Connecting to ${url}…`;
    case 'open':
      return `Joined as ${snapshot.you ?? ''}`;
    case 'closed': {
      if (close === null) return 'Disconnected. Reconnecting…';
      const resume = snapshot.epoch === null ? '' : `, resuming after #${String(snapshot.lastId)}`;
      return `${serverCloseSentence(close)}. Reconnecting in a moment${resume}…`;
    }
    case 'unreachable':
      return unreachableText(url, snapshot.failedAttempts);
    case 'offline':
      return 'Offline: you disconnected. What you send waits until you reconnect.';
    case 'stopped':
      return close === null ? 'Disconnected. Press Reconnect to join again.' : `${serverCloseSentence(close)}. Not reconnecting: press Reconnect to join again.`;
    case 'left':
      return 'Left the room.';
  }
}

/** One member of the room, shown in one pane of the lab. */
class Participant {
  readonly store: ChatStore;
  readonly #pane: HTMLElement;
  readonly #title: string;
  readonly #url: string;
  readonly #listeners = new AbortController();
  readonly #timeline = new KeyedList<ChatEntry, string>((entry) => entry.key);
  readonly #unsubscribe: () => void;

  constructor(pane: HTMLElement, room: string, server: string) {
    this.#pane = pane;
    this.#title = pane.dataset.participant === 'first' ? 'You' : 'Second participant';
    this.#url = chatUrl(server, room);
    let store: ChatStore | null = null;
    // partysocket calls the URL function before every attempt: each reconnect resumes from the last id seen.
    // Object.assign keeps partysocketOptions()' jittering getter (a spread would read it once).
    const socket = new ReconnectingWebSocket(
      () => store?.connectUrl(server) ?? this.#url,
      undefined,
      // The store keeps its own outbox; partysocket must not replay raw sends on reconnect.
      Object.assign(partysocketOptions({}, Math.random, chatShouldReconnect), { maxEnqueuedMessages: 0 }),
    );
    store = new ChatStore(socket, { room });
    this.store = store;
    this.#clear();

    const { signal } = this.#listeners;
    const input = part<HTMLInputElement>(pane, 'input[name="message"]');
    part<HTMLFormElement>(pane, '.sb-chat-form').addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        if (this.store.say(input.value)) input.value = '';
      },
      { signal },
    );
    input.addEventListener('input', () => this.store.composing(input.value), { signal });
    part<HTMLButtonElement>(pane, '[data-action="connection"]').addEventListener(
      'click',
      () => {
        const { state } = this.store.snapshot;
        if (state === 'offline' || state === 'stopped') this.store.goOnline();
        else this.store.goOffline();
      },
      { signal },
    );
    pane.querySelector('[data-action="flood"]')?.addEventListener('click', () => this.store.flood(FLOOD_MESSAGES), { signal });
    this.#unsubscribe = store.subscribe((snapshot) => {
      this.#render(snapshot);
    });
  }

  /** Leaves the room and stops listening to the pane's controls. */
  destroy(): void {
    this.#listeners.abort();
    this.#unsubscribe();
    this.store.leave();
  }

  #clear(): void {
    // The pane may still show an earlier participant's timeline (the reader switched rooms).
    part<HTMLElement>(this.#pane, '[data-list="timeline"]').replaceChildren();
    part<HTMLElement>(this.#pane, '[data-list="outbox"]').replaceChildren();
  }

  #render(snapshot: ChatSnapshot): void {
    const pane = this.#pane;
    part<HTMLElement>(pane, '.sb-chat-pane-title').textContent = snapshot.you === null ? this.#title : `${this.#title}: ${snapshot.you}`;
    const waitsForReader = snapshot.state === 'offline' || snapshot.state === 'stopped';
    part<HTMLElement>(pane, '.sb-status').dataset.state = waitsForReader || snapshot.state === 'left' ? 'closed' : snapshot.state;
    part<HTMLElement>(pane, '.sb-status-text').textContent = describeState(snapshot, this.#url);
    const members = snapshot.members.map((name) => (name === snapshot.you ? `${name} (you)` : name));
    // Members come and go unseen while disconnected: the welcome after a reconnect brings the list again.
    let memberText = members.length === 0 ? 'nobody yet' : members.join(', ');
    if (snapshot.state !== 'open' && snapshot.epoch !== null) memberText = 'unknown until reconnected';
    part<HTMLElement>(pane, '.sb-chat-member-list').textContent = memberText;
    part<HTMLElement>(pane, '.sb-chat-typing').textContent = typingText(snapshot.typing);
    const error = part<HTMLElement>(pane, '.sb-chat-error');
    error.hidden = snapshot.sendError === null;
    error.textContent = snapshot.sendError ?? '';
    part<HTMLButtonElement>(pane, '[data-action="connection"]').textContent = waitsForReader ? 'Reconnect' : 'Disconnect';
    const waiting = snapshot.outbox.length;
    part<HTMLElement>(pane, '.sb-chat-outbox').textContent = waiting === 0 ? '' : `${String(waiting)} message${waiting === 1 ? '' : 's'} not yet confirmed`;

    const log = part<HTMLElement>(pane, '.sb-chat-log');
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 32;
    this.#timeline.update(part<HTMLOListElement>(pane, '[data-list="timeline"]'), snapshot.entries, entryElement);
    part<HTMLOListElement>(pane, '[data-list="outbox"]').replaceChildren(...snapshot.outbox.map(pendingElement));
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
}

/**
 * Wires ChatLab.astro's markup to one or two participants (each a ChatStore
 * on its own partysocket), the toolbar and the rooms panel.
 */
export class ChatLabController {
  readonly #root: HTMLElement;
  readonly #server: string;
  readonly #listeners = new AbortController();
  #room: string;
  #shownRooms: ChatSnapshot['rooms'] = null;
  #first: Participant;
  #second: Participant | null = null;

  constructor(root: HTMLElement) {
    this.#root = root;
    const choice = pageServer();
    this.#server = choice.url;
    const fromPage = new URLSearchParams(window.location.search).get('room');
    this.#room = fromPage !== null && roomNameProblem(fromPage) === null ? fromPage : (root.dataset.room ?? 'lobby');
    part<HTMLElement>(root, '.sb-server').textContent = serverLabel(choice);
    this.#showRoom();
    this.#first = this.#join('first');

    const { signal } = this.#listeners;
    const on = (selector: string, type: string, listener: (event: Event) => void) => {
      part<HTMLElement>(root, selector).addEventListener(type, listener, { signal });
    };
    on('[data-action="second"]', 'click', () => {
      this.#toggleSecond();
    });
    on('[data-action="html"]', 'click', () => this.#first.store.say(HTML_PAYLOAD));
    on('[data-action="spoof"]', 'click', () => this.#first.store.sendRaw(SPOOFED_SAY));
    on('.sb-chat-rooms', 'toggle', () => {
      if (part<HTMLDetailsElement>(root, '.sb-chat-rooms').open) this.#first.store.requestRooms();
    });
    on('[data-action="refresh-rooms"]', 'click', () => this.#first.store.requestRooms());
    on('.sb-chat-room-form', 'submit', (event) => {
      event.preventDefault();
      this.#switchRoom(part<HTMLInputElement>(root, 'input[name="room"]').value.trim());
    });
    on('.sb-chat-room-list', 'click', (event) => {
      const room = event.target instanceof HTMLElement ? event.target.dataset.room : undefined;
      if (room !== undefined) this.#switchRoom(room);
    });
  }

  /** Leaves the room with every participant. */
  destroy(): void {
    this.#listeners.abort();
    this.#first.destroy();
    this.#second?.destroy();
  }

  #join(key: 'first' | 'second'): Participant {
    const participant = new Participant(part<HTMLElement>(this.#root, `[data-participant="${key}"]`), this.#room, this.#server);
    if (key === 'first') {
      participant.store.subscribe((snapshot) => {
        this.#renderRooms(snapshot);
      });
    }
    return participant;
  }

  #toggleSecond(): void {
    const button = part<HTMLButtonElement>(this.#root, '[data-action="second"]');
    const pane = part<HTMLElement>(this.#root, '[data-participant="second"]');
    if (this.#second === null) {
      pane.hidden = false;
      this.#second = this.#join('second');
      button.setAttribute('aria-pressed', 'true');
      button.textContent = 'Remove the second participant';
    } else {
      this.#second.destroy();
      this.#second = null;
      pane.hidden = true;
      button.setAttribute('aria-pressed', 'false');
      button.textContent = 'Add a second participant';
    }
  }

  #switchRoom(room: string): void {
    const error = part<HTMLElement>(this.#root, '.sb-chat-room-form .sb-chat-error');
    const problem = roomNameProblem(room);
    error.hidden = problem === null;
    error.textContent = problem === null ? '' : `The room name ${problem.replace(/^room name /, '')}.`;
    if (problem !== null || room === this.#room) return;
    this.#room = room;
    this.#showRoom();
    this.#first.destroy();
    this.#first = this.#join('first');
    if (this.#second !== null) {
      this.#second.destroy();
      this.#second = this.#join('second');
    }
  }

  #showRoom(): void {
    part<HTMLElement>(this.#root, '.sb-chat-room-name').textContent = this.#room;
    const link = part<HTMLAnchorElement>(this.#root, '.sb-chat-tab-link');
    const url = new URL(window.location.href);
    url.searchParams.set('room', this.#room);
    url.hash = '';
    link.href = url.toString();
  }

  #renderRooms(snapshot: ChatSnapshot): void {
    // Only on a new answer: re-rendering on every message would take the keyboard focus off a Join button.
    if (snapshot.rooms === null || snapshot.rooms === this.#shownRooms) return;
    this.#shownRooms = snapshot.rooms;
    const list = part<HTMLUListElement>(this.#root, '.sb-chat-room-list');
    const items = snapshot.rooms.map((room) => {
      const item = document.createElement('li');
      item.append(document.createTextNode(`${room.name}: ${String(room.members)} member${room.members === 1 ? '' : 's'}`));
      if (room.name !== this.#room) {
        const join = document.createElement('button');
        join.type = 'button';
        join.className = 'sb-link-button';
        join.dataset.room = room.name;
        join.textContent = `Join ${room.name}`;
        item.append(join);
      } else {
        item.append(document.createTextNode(' (this room)'));
      }
      return item;
    });
    if (items.length === 0) {
      const empty = document.createElement('li');
      empty.textContent = 'No rooms yet.';
      items.push(empty);
    }
    list.replaceChildren(...items);
  }
}
