import type { FailoverSnapshot, FailoverStore, FailoverTargets } from './store.ts';
import type { ClusterAdmin, ClusterInstance } from '../kit/cluster-admin.ts';
import { create, part } from '../kit/dom.ts';

/** Messages pane A posts while pane B is away: what B must get back on resume. */
const WHILE_AWAY = 3;
/** Pane B's first reconnect waits about this long (±30 %), so A's posts land while B is away. */
const B_RECONNECT_DELAY_MS = 1_500;

interface Placement {
  readonly admin: ClusterAdmin;
  readonly a: ClusterInstance;
  readonly b: ClusterInstance;
  readonly targets: FailoverTargets;
}

const port = (url: string) => new URL(url).port;

function statusOf(snapshot: FailoverSnapshot, placement: Placement | null, sentWhileAway: number): [string, string] {
  if (placement === null) return ['idle', 'Not connected. This lab needs npm run cluster: press Connect.'];
  const { a, b, targets } = placement;
  const where = targets.via === 'nginx' ? `through nginx (port ${port(targets.fallback)}), which passes it to an instance that is running` : `straight to ${a.name} (port ${String(a.port)}): this cluster has no nginx`;
  switch (snapshot.phase) {
    case 'idle':
    case 'joining':
      return ['connecting', `Joining room "${snapshot.a?.room ?? ''}": pane A on ${a.name} (port ${String(a.port)}), pane B on ${b.name} (port ${String(b.port)})…`];
    case 'joined':
      return ['open', `Both joined: pane A on ${a.name}, pane B on ${b.name}, one room through Redis. Press Stop instance B.`];
    case 'away': {
      const close = snapshot.bClose;
      const how = close?.code === 1006 ? 'dropped with 1006, no close frame: the process was killed, so nobody sent one' : `was closed with ${String(close?.code ?? '?')}`;
      return ['closed', `${b.name} is gone. Pane B's connection ${how}. Pane A posted ${String(sentWhileAway)} messages meanwhile. Pane B reconnects ${where}, resuming after #${String(snapshot.awayAfterId ?? 0)}…`];
    }
    case 'resumed': {
      const resume = snapshot.resume;
      const on = targets.via === 'nginx' ? `through nginx, on an instance that is running (${b.name} is not)` : `on ${a.name}`;
      return ['open', `Pane B resumed ${on}, ${resume?.message ?? ''} (messages and joins alike). Its ids are pane A's, in the same order.`];
    }
  }
}

function reportOf(snapshot: FailoverSnapshot, lost: readonly number[]): string {
  if (snapshot.phase !== 'resumed' || snapshot.resume === null) return '';
  const lostText = lost.length === 0 ? 'lost: 0' : `lost: ${String(lost.length)} (${lost.map((id) => `#${String(id)}`).join(' ')})`;
  return `missed while away: ${String(snapshot.resume.delivered)}, duplicates: ${String(snapshot.b?.duplicatesIgnored ?? 0)}, ${lostText}`;
}

/**
 * What `<failover-lab>` does once a button is pressed (loaded then, so a
 * page that is only read does not carry it): asks the page's server for the
 * cluster (kit/cluster-admin.ts), puts pane A on this page's instance and
 * pane B on another, and runs the Stop and Start buttons' admin actions.
 */
export class FailoverController {
  readonly #root: HTMLElement;
  #store: FailoverStore | null = null;
  #placement: Placement | null = null;
  #sentWhileAway = 0;
  #postedWhileAway = false;
  #problem: string | null = null;

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  /** Closes both panes' connections (the element left the page). */
  stop(): void {
    this.#store?.stop();
  }

  #button(action: string): HTMLButtonElement {
    return part<HTMLButtonElement>(this.#root, `[data-action="${action}"]`);
  }

  #fail(text: string): void {
    this.#problem = text;
    this.#status('error', text);
  }

  #status(state: string, text: string): void {
    part<HTMLElement>(this.#root, '.sb-status').dataset.state = state;
    part<HTMLElement>(this.#root, '.sb-status-text').textContent = text;
  }

  async connect(): Promise<void> {
    this.#problem = null;
    this.#status('connecting', 'Asking this page’s server for the cluster…');
    const [{ openClusterAdmin, wsOrigin }, { FailoverStore }, { default: ReconnectingWebSocket }, { partysocketOptions }, { chatShouldReconnect }] = await Promise.all([
      import('../kit/cluster-admin.ts'),
      import('./store.ts'),
      import('partysocket/ws'),
      import('../../shared/reconnect.ts'),
      import('../../shared/chat-store.ts'),
    ]);
    const access = await openClusterAdmin();
    if (access.kind === 'unavailable') return this.#fail(`${access.reason} The chapter shows a recorded run below.`);
    const { admin } = access;
    let view;
    try {
      view = await admin.view();
    } catch (error) {
      return this.#fail(`The cluster did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    const running = view.instances.filter((each) => each.state === 'running');
    // Pane A on this page's own instance, so the page's server survives the stop; B on another.
    const a = running.find((each) => each.name === admin.self) ?? running[0];
    const b = running.find((each) => each !== a);
    if (a === undefined || b === undefined) return this.#fail(`This lab needs two running instances; the cluster has ${running.map((each) => each.name).join(', ') || 'none'} running. Start one again, or restart npm run cluster.`);
    const targets: FailoverTargets = {
      a: wsOrigin(a.port),
      b: wsOrigin(b.port),
      fallback: view.proxyPort === null ? wsOrigin(a.port) : wsOrigin(view.proxyPort),
      via: view.proxyPort === null ? 'direct' : 'nginx',
    };
    this.#placement = { admin, a, b, targets };
    this.#sentWhileAway = 0;
    this.#postedWhileAway = false;
    this.#store?.stop();
    // A fresh room per page: no history from an earlier try.
    const room = `failover-${Math.random().toString(36).slice(2, 8)}`;
    const store = new FailoverStore({
      room,
      // Object.assign keeps partysocketOptions()' jittering getter; the ChatStore keeps its own outbox.
      connect: (url, pane) =>
        new ReconnectingWebSocket(url, undefined, Object.assign(partysocketOptions(pane === 'b' ? { minReconnectionDelay: B_RECONNECT_DELAY_MS } : {}, Math.random, chatShouldReconnect), { maxEnqueuedMessages: 0 })),
    });
    this.#store = store;
    store.subscribe((snapshot) => {
      this.#render(snapshot);
    });
    store.connect(targets);
  }

  async stopB(): Promise<void> {
    const placement = this.#placement;
    if (placement === null) return;
    this.#button('stop').disabled = true;
    try {
      await placement.admin.act(placement.b.name, 'stop');
    } catch (error) {
      this.#fail(`Could not stop ${placement.b.name}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    // Pane A posts once pane B's connection has dropped (#render), while B waits to reconnect.
    this.#button('start').disabled = false;
    if (this.#store !== null) this.#render(this.#store.snapshot);
  }

  async startB(): Promise<void> {
    const placement = this.#placement;
    if (placement === null) return;
    this.#button('start').disabled = true;
    try {
      const answer = await placement.admin.act(placement.b.name, 'start');
      part<HTMLElement>(this.#root, '[data-report]').textContent += ` · ${answer.done ?? 'started'}; pane B stays where it is: a WebSocket does not move back by itself.`;
    } catch (error) {
      this.#fail(`Could not start ${placement.b.name}: ${error instanceof Error ? error.message : String(error)}`);
      this.#button('start').disabled = false;
    }
  }

  #render(snapshot: FailoverSnapshot): void {
    if (snapshot.phase === 'away' && !this.#postedWhileAway) {
      // Set first: each say() renders again, synchronously.
      this.#postedWhileAway = true;
      // Pane B is away now (its reconnect waits about 1.5 s): what A posts, B must get back on resume.
      for (let index = 1; index <= WHILE_AWAY; index++) {
        if (this.#store?.say('a', `sent while B was away (${String(index)}/${String(WHILE_AWAY)})`) === true) this.#sentWhileAway += 1;
      }
    }
    if (this.#problem === null) {
      const [state, text] = statusOf(snapshot, this.#placement, this.#sentWhileAway);
      this.#status(state, text);
    }
    this.#button('stop').disabled = snapshot.phase !== 'joined';
    void import('./store.ts').then(({ lostByB, messageIds }) => {
      part<HTMLElement>(this.#root, '[data-report]').textContent = reportOf(snapshot, lostByB(snapshot));
      for (const pane of ['a', 'b'] as const) {
        const chat = snapshot[pane];
        const root = part<HTMLElement>(this.#root, `[data-pane="${pane}"]`);
        const instance = pane === 'a' ? this.#placement?.a : this.#placement?.b;
        const on = pane === 'b' && (snapshot.phase === 'away' || snapshot.phase === 'resumed') ? `left ${instance?.name ?? '?'}` : `on ${instance?.name ?? '?'}`;
        part<HTMLElement>(root, '[data-pane-status]').textContent = chat === null ? 'Not connected.' : `${chat.you ?? '…'} ${on}, ${chat.state}, last id #${String(chat.lastId)}`;
        const ids = new Set(messageIds(chat));
        // Few messages: rebuilt each time, every piece of text set with textContent.
        const items = (chat?.entries ?? []).flatMap((entry) => {
          if (entry.kind !== 'event' || entry.event.type !== 'message' || !ids.has(entry.event.id)) return [];
          const item = create('li', undefined, `#${String(entry.event.id)} ${entry.event.from}: ${entry.event.text}`);
          item.dataset.id = String(entry.event.id);
          return [item];
        });
        part<HTMLOListElement>(root, '.sb-pane-log').replaceChildren(...items);
      }
    });
  }
}
