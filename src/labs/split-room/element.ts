import type { PaneId, PaneSnapshot, SplitRoomSnapshot, SplitRoomStore } from './store.ts';
import { pageServer } from '../kit/page-server.ts';
import { create, part, serverLabel } from '../kit/dom.ts';

const OTHER: Record<PaneId, PaneId> = { a: 'b', b: 'a' };
const NAME: Record<PaneId, string> = { a: 'A', b: 'B' };

/** What the reader runs to get two servers, for the "nothing answered" status. */
const HOW_TO_START =
  'For the split room, run two servers with their own memory (npm run serve -- --port 8081 --attacker-port 0, and the same with --port 8082); for the shared room, npm run cluster. The chapter shows a recorded run below.';

/** `ws://localhost:8081` → `ws://localhost:8082`: the next instance of `npm run cluster`. */
export function nextPort(server: string): string {
  try {
    const url = new URL(server);
    const port = url.port === '' ? (url.protocol === 'wss:' ? 443 : 80) : Number(url.port);
    url.port = String(port + 1);
    return url.href.replace(/\/$/, '');
  } catch {
    return server;
  }
}

/** What `/healthz` of the server that served this page says about its chat rooms, in words; `null` when it says nothing. */
async function brokerLine(): Promise<string | null> {
  try {
    const response = await fetch('/healthz', { cache: 'no-store' });
    const health = (await response.json()) as { chatBroker?: unknown };
    if (health.chatBroker === 'memory') return "This page's server keeps chat rooms in its own memory: alone, it cannot share a room with another process.";
    if (health.chatBroker === 'redis') return "This page's server keeps chat rooms in Redis (npm run cluster): its instances share them.";
  } catch {
    // Not served by the demo server (a static host): nothing to say.
  }
  return null;
}

function paneStatus(pane: PaneSnapshot): string {
  switch (pane.state) {
    case 'idle':
      return 'Not connected.';
    case 'connecting':
      return `Connecting to ${pane.server}…`;
    case 'open':
      return `Joined as ${pane.you ?? '?'} at ${pane.server}, room epoch ${pane.epoch ?? '?'}.`;
    case 'unreachable':
    case 'closed':
      return pane.problem ?? 'Closed.';
  }
}

function statusOf(snapshot: SplitRoomSnapshot): [string, string] {
  const { a, b } = snapshot.panes;
  const down = (['a', 'b'] as const).find((pane) => snapshot.panes[pane].state === 'unreachable');
  if (down !== undefined) return ['error', `Pane ${NAME[down]}: ${snapshot.panes[down].problem ?? 'unreachable'}. ${HOW_TO_START}`];
  if (a.state === 'idle' && b.state === 'idle') return ['idle', 'Not connected. Check the two servers and press Connect both.'];
  if (snapshot.verdict === 'split') {
    return ['closed', `Split: two rooms named "${snapshot.room}". A's server says epoch ${a.epoch ?? '?'}, B's says ${b.epoch ?? '?'}: each process made its own room. Messages do not cross, and neither side is told.`];
  }
  if (snapshot.verdict === 'shared') return ['open', `One room: both servers say epoch ${a.epoch ?? '?'} for "${snapshot.room}". Messages cross, with ids from one sequence.`];
  return ['connecting', `Joining room "${snapshot.room}" on both servers…`];
}

/**
 * `<split-room-lab>`: fills in the two servers (this page's and the next
 * port), says what this page's server keeps its rooms in, and on Connect
 * both loads the store and renders both panes.
 */
export class SplitRoomLabElement extends HTMLElement {
  #store: SplitRoomStore | null = null;
  #loading: Promise<SplitRoomStore> | null = null;

  connectedCallback(): void {
    part<HTMLElement>(this, '.sb-server').textContent = serverLabel();
    const server = pageServer().url;
    part<HTMLInputElement>(this, '[data-server="a"]').value = server;
    part<HTMLInputElement>(this, '[data-server="b"]').value = nextPort(server);
    void brokerLine().then((line) => {
      const broker = part<HTMLElement>(this, '[data-broker]');
      broker.textContent = line ?? '';
      broker.hidden = line === null;
    });
    part<HTMLFormElement>(this, '[data-form="connect"]').addEventListener('submit', (event) => {
      event.preventDefault();
      const servers = { a: part<HTMLInputElement>(this, '[data-server="a"]').value.trim(), b: part<HTMLInputElement>(this, '[data-server="b"]').value.trim() };
      void this.#load().then((store) => {
        store.connect(servers);
      });
    });
    for (const pane of ['a', 'b'] as const) {
      const form = part<HTMLFormElement>(this, `[data-pane="${pane}"] form`);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const input = part<HTMLInputElement>(form, 'input');
        this.#store?.say(pane, input.value);
      });
    }
  }

  disconnectedCallback(): void {
    this.#store?.stop();
  }

  #load(): Promise<SplitRoomStore> {
    this.#loading ??= import('./store.ts').then(({ SplitRoomStore }) => {
      // A fresh room per page: nobody else's messages, and no history from an earlier try.
      const room = `split-${Math.random().toString(36).slice(2, 8)}`;
      const store = new SplitRoomStore({ room, open: (url) => new WebSocket(url) });
      this.#store = store;
      store.subscribe((snapshot) => {
        this.#render(snapshot);
      });
      return store;
    });
    return this.#loading;
  }

  #render(snapshot: SplitRoomSnapshot): void {
    const [state, text] = statusOf(snapshot);
    part<HTMLElement>(this, '.sb-status').dataset.state = state;
    part<HTMLElement>(this, '.sb-status-text').textContent = text;
    for (const pane of ['a', 'b'] as const) {
      const view = snapshot.panes[pane];
      const other = snapshot.panes[OTHER[pane]];
      const root = part<HTMLElement>(this, `[data-pane="${pane}"]`);
      part<HTMLElement>(root, '[data-pane-status]').textContent = paneStatus(view);
      part<HTMLButtonElement>(root, 'form button').disabled = view.state !== 'open';
      // Few messages: rebuilt each time, every piece of text set with textContent.
      const items = view.messages.map((message) => {
        const item = create('li', undefined, `#${String(message.id)} ${message.from}: ${message.text}`);
        item.dataset.id = String(message.id);
        if (message.mine) {
          const crossed = other.messages.some((each) => each.id === message.id && each.text === message.text && !each.mine);
          item.dataset.crossed = crossed ? 'yes' : 'no';
          item.append(create('span', undefined, crossed ? ` (also at ${NAME[OTHER[pane]]})` : ` (not at ${NAME[OTHER[pane]]})`));
        }
        return item;
      });
      part<HTMLOListElement>(root, '.sb-pane-log').replaceChildren(...items);
    }
  }
}
