import type { HeartbeatChart } from './chart.ts';
import type { HeartbeatEvent, HeartbeatSnapshot, HeartbeatStore, RttSeries } from './store.ts';
import { formatDuration } from '../../shared/format.ts';
import { pageServer } from '../kit/page-server.ts';
import { create, part, serverLabel, setText, unreachableText, watchVisibility } from '../kit/dom.ts';
import { KeyedList } from '../kit/keyed-list.ts';
import type { HeartbeatTopicName } from '../../shared/protocol/heartbeat.ts';
import { endpointUrl } from '../../shared/server-url.ts';

const WINDOW_SECONDS = 60;
const SERIES: readonly { key: RttSeries; label: string; colourProperty: string }[] = [
  { key: 'client', label: 'your ping', colourProperty: '--sb-up' },
  { key: 'serverApplication', label: "server's application ping", colourProperty: '--sb-down' },
  { key: 'serverProtocol', label: "server's protocol ping", colourProperty: '--sb-ok' },
];


function describeState(snapshot: HeartbeatSnapshot, url: string, now: number): string {
  switch (snapshot.state) {
    case 'connecting':
      return snapshot.attempts.length > 1
        ? unreachableText(url, snapshot.attempts.length)
        : `Connecting to ${url}…`;
    case 'open': {
      const settings = snapshot.settings;
      const beat = settings === null ? '' : `: heartbeat every ${formatDuration(settings.intervalMs)}, timeout ${formatDuration(settings.timeoutMs)}`;
      const client = snapshot.heartbeat === 'frozen' ? '. This client is frozen' : '';
      const server = snapshot.serverFrozenUntil === null ? '' : `. The server is frozen for ${String(Math.max(0, Math.ceil((snapshot.serverFrozenUntil - now) / 1000)))} more s`;
      return `Open${beat}${client}${server}.`;
    }
    case 'reconnecting': {
      const close = snapshot.lastClose;
      const reason = close === null || close.reason === '' ? '' : ` "${close.reason}"`;
      const attempt = snapshot.attempts.length === 0 ? '' : `, attempt ${String(snapshot.attempts.length)}`;
      return `Connection lost (${String(close?.code ?? 1006)}${reason}). Reconnecting${attempt}…`;
    }
  }
}

function eventItem(event: HeartbeatEvent): HTMLLIElement {
  const item = create('li');
  item.dataset.id = String(event.id);
  item.dataset.kind = event.kind;
  item.append(create('time', undefined, `${(event.at / 1000).toFixed(1)} s`), create('span', undefined, event.text));
  return item;
}

/**
 * `<heartbeat-lab>`: wires HeartbeatLab.astro to a HeartbeatStore over a
 * partysocket that reconnects with backoff and jitter. Its WebSocket
 * constructor is wrapped so the store sees every attempt start. Loads
 * partysocket, the store and uPlot when first scrolled into view.
 */
export class HeartbeatLabElement extends HTMLElement {
  #store: HeartbeatStore | null = null;
  #socket: { close(code?: number, reason?: string): void } | null = null;
  #chart: HeartbeatChart | null = null;
  #stopWatching: (() => void) | null = null;
  #visible = false;
  #frame = 0;
  /** While visible: redraws a few times a second, so the chart scrolls and a freeze counts down. */
  #ticker: ReturnType<typeof setInterval> | null = null;
  #url = '';
  readonly #events = new KeyedList<HeartbeatEvent>((event) => event.id);
  /** Names this client across reconnections, so a server freeze also refuses its new handshakes. */
  readonly #clientId = `lab-${Math.random().toString(36).slice(2, 10)}`;

  connectedCallback(): void {
    const server = pageServer();
    part<HTMLElement>(this, '.sb-server').textContent = serverLabel(server);
    part<HTMLElement>(this, '.sb-heartbeat-client').textContent = `client=${this.#clientId}`;
    this.#stopWatching = watchVisibility(this, (visible) => {
      this.#visible = visible;
      if (this.#ticker !== null) clearInterval(this.#ticker);
      this.#ticker = null;
      if (!this.#visible) return;
      if (this.#store === null) void this.#connect();
      this.#ticker = setInterval(() => {
        this.#schedule();
      }, 200);
    });
    part<HTMLFormElement>(this, '[data-form="settings"]').addEventListener('submit', (event) => {
      event.preventDefault();
      this.#url = this.#buildUrl();
      this.#store?.restart('new heartbeat settings');
    });
    part<HTMLButtonElement>(this, '[data-action="freeze-client"]').addEventListener('click', () => {
      const store = this.#store;
      if (store === null) return;
      if (store.snapshot.heartbeat === 'frozen') store.unfreezeClient();
      else store.freezeClient();
    });
    part<HTMLFormElement>(this, '[data-form="freeze-server"]').addEventListener('submit', (event) => {
      event.preventDefault();
      this.#store?.freezeServer(Number(part<HTMLInputElement>(this, 'input[name="seconds"]').value));
    });
    for (const checkbox of this.querySelectorAll<HTMLInputElement>('input[name="topic"]')) {
      checkbox.addEventListener('change', () => {
        this.#store?.setWanted(checkbox.value as HeartbeatTopicName, checkbox.checked);
      });
    }
  }

  disconnectedCallback(): void {
    this.#stopWatching?.();
    cancelAnimationFrame(this.#frame);
    if (this.#ticker !== null) clearInterval(this.#ticker);
    this.#store?.dispose();
    // Scripts may close only with 1000 or 3000–4999 (partysocket swallows the error and keeps the socket).
    this.#socket?.close(1000, 'lab removed');
    this.#chart?.destroy();
  }

  /** The URL of the next attempt, with the interval and timeout in the form now. */
  #buildUrl(): string {
    const value = (name: string) => part<HTMLInputElement>(this, `input[name="${name}"]`).value;
    const query = new URLSearchParams({ interval: value('intervalMs'), timeout: value('timeoutMs'), client: this.#clientId });
    return `${endpointUrl(pageServer().url, this.dataset.endpoint ?? '/ws/heartbeat')}?${query.toString()}`;
  }

  async #connect(): Promise<void> {
    const [{ default: ReconnectingWebSocket }, { HeartbeatStore }, { partysocketOptions }, { createHeartbeatChart }] = await Promise.all([
      import('partysocket/ws'),
      import('./store.ts'),
      import('../../shared/reconnect.ts'),
      import('./chart.ts'),
    ]);
    if (this.#store !== null) return;
    this.#url = this.#buildUrl();
    let store: HeartbeatStore | null = null;
    /** The browser's WebSocket, reporting each attempt to the store as partysocket makes it. */
    class TracedWebSocket extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        store?.attemptStarted();
      }
    }
    // Object.assign keeps partysocketOptions()'s jittering getter; a spread would read it once.
    const options = Object.assign(partysocketOptions(), { WebSocket: TracedWebSocket });
    const socket = new ReconnectingWebSocket(() => this.#url, undefined, options);
    const wanted = [...this.querySelectorAll<HTMLInputElement>('input[name="topic"]')].filter((box) => box.checked).map((box) => box.value as HeartbeatTopicName);
    store = new HeartbeatStore(socket, { topics: wanted, windowMs: WINDOW_SECONDS * 1000 });
    this.#store = store;
    this.#socket = socket;
    this.#chart = createHeartbeatChart(part<HTMLElement>(this, '.sb-heartbeat-chart'), WINDOW_SECONDS, SERIES);
    store.subscribe(() => {
      this.#schedule();
    });
  }

  /** One render per animation frame. */
  #schedule(): void {
    if (this.#frame !== 0) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  #render(): void {
    const store = this.#store;
    if (store === null) return;
    const snapshot = store.snapshot;
    const now = performance.now();
    const status = part<HTMLElement>(this, '.sb-status');
    status.dataset.state = snapshot.state === 'reconnecting' ? 'closed' : snapshot.state;
    setText(part(this, '.sb-status-text'), describeState(snapshot, this.#url.replace(/\?.*$/, ''), now));
    const open = snapshot.state === 'open';
    const freezeClient = part<HTMLButtonElement>(this, '[data-action="freeze-client"]');
    freezeClient.disabled = !open;
    freezeClient.setAttribute('aria-pressed', String(snapshot.heartbeat === 'frozen'));
    setText(freezeClient, snapshot.heartbeat === 'frozen' ? 'Unfreeze this client' : 'Freeze this client');
    part<HTMLButtonElement>(this, '[data-form="freeze-server"] button').disabled = !open || snapshot.serverFrozenUntil !== null;
    const problem = part<HTMLElement>(this, '.sb-heartbeat-problem');
    problem.hidden = snapshot.problem === null;
    setText(problem, snapshot.problem ?? '');
    for (const { key } of SERIES) {
      const rtt = snapshot.rtt[key];
      setText(part(this, `[data-rtt="${key}"]`), rtt === null ? '–' : formatDuration(rtt));
    }
    setText(part(this, '[data-stat="ignored"]'), String(snapshot.ignoredPings));
    for (const topic of snapshot.topics) {
      const row = part<HTMLElement>(this, `[data-topic="${topic.name}"]`);
      setText(part(row, '.sb-heartbeat-topic-value'), topic.value === null ? '–' : `${topic.value.toFixed(1)} ${topic.unit}`);
      const missed = topic.missed > 0 ? `, ${String(topic.missed)} missed while away` : '';
      setText(part(row, '.sb-heartbeat-topic-seq'), topic.seq === null ? '' : `update #${String(topic.seq)}${missed}`);
    }
    this.#renderAttempts(snapshot);
    this.#renderEvents(snapshot);
    if (this.#visible) {
      this.#chart?.update(
        SERIES.map(({ key }) => store.rttPoints(key).map((point) => ({ atSeconds: point.at / 1000, rttMs: point.rttMs }))),
        now / 1000,
      );
    }
  }

  #renderAttempts(snapshot: HeartbeatSnapshot): void {
    const list = part<HTMLOListElement>(this, '.sb-heartbeat-attempts');
    const longest = Math.max(1, ...snapshot.attempts.map((attempt) => attempt.delayMs ?? 0));
    const rows = snapshot.attempts.map((attempt) => {
      const item = document.createElement('li');
      item.dataset.outcome = attempt.outcome;
      const label = document.createElement('span');
      const waited = attempt.delayMs === null ? 'first attempt' : `waited ${formatDuration(attempt.delayMs)}`;
      const outcome = { pending: 'connecting…', opened: 'connected', failed: 'failed' }[attempt.outcome];
      label.textContent = `#${String(attempt.number)}: ${waited}, ${outcome}`;
      const bar = document.createElement('span');
      bar.className = 'sb-heartbeat-bar';
      bar.style.width = `${String(((attempt.delayMs ?? 0) / longest) * 100)}%`;
      bar.setAttribute('aria-hidden', 'true');
      item.append(label, bar);
      return item;
    });
    const signature = rows.map((row) => `${row.dataset.outcome ?? ''}${row.textContent}`).join('|');
    if (list.dataset.signature === signature) return;
    list.dataset.signature = signature;
    list.replaceChildren(...rows);
  }

  #renderEvents(snapshot: HeartbeatSnapshot): void {
    const list = part<HTMLOListElement>(this, '.sb-heartbeat-events');
    this.#events.update(list, snapshot.events, eventItem);
    const wrap = part<HTMLElement>(this, '.sb-heartbeat-events-wrap');
    wrap.scrollTop = wrap.scrollHeight;
  }
}
