import type { DeadlineChart } from './chart.ts';
import type { DeadlineSnapshot, DeadlineStore } from './store.ts';
import { formatDuration } from '../../shared/format.ts';
import { pageServer } from '../kit/page-server.ts';
import { describeConnection, part, serverLabel, setText, watchVisibility } from '../kit/dom.ts';
import { shouldReconnectAfter } from '../../shared/close-policy.ts';
import type { RealtimeSettings } from '../../shared/protocol/realtime.ts';
import { endpointUrl } from '../../shared/server-url.ts';

/** Query parameter of each setting, for the URL the stream starts with. */
const QUERY_NAMES: Record<keyof RealtimeSettings, string> = {
  ratePerSecond: 'rate',
  delayMs: 'delay',
  jitterMs: 'jitter',
  stallEveryMs: 'stallEvery',
  stallForMs: 'stallFor',
};
const SETTING_FIELDS = Object.keys(QUERY_NAMES) as (keyof RealtimeSettings)[];
const WINDOW_SECONDS = 10;
/** Text below the chart changes at most this often, so it stays readable at 50 samples a second. */
const TEXT_INTERVAL_MS = 250;
/** The chart redraws at most this often: about 30 frames a second is smooth, and half the work of 60. */
const CHART_INTERVAL_MS = 33;


const count = (value: number) => value.toLocaleString('en');
const percent = (fraction: number) => `${(fraction * 100).toFixed(fraction === 0 || fraction === 1 ? 0 : 1)} %`;

/** `?rate=50&delay=0&…`: the settings as the stream's query parameters. */
function settingsQuery(settings: RealtimeSettings): string {
  return new URLSearchParams(SETTING_FIELDS.map((field) => [QUERY_NAMES[field], String(settings[field])])).toString();
}

/**
 * The status line. Once open it names the settings in force now: a preset
 * changes them on the open connection (a `configure` message), so the URL
 * the connection opened with may no longer describe the run.
 */
function describeState(snapshot: DeadlineSnapshot, url: string, stoppedByReader: boolean): string {
  if (snapshot.state === 'closed' && stoppedByReader) return 'Stopped. Press Start to stream again.';
  const [base = url, openedQuery = ''] = url.split('?');
  const current = snapshot.settings === null ? openedQuery : settingsQuery(snapshot.settings);
  const openText =
    current === openedQuery
      ? `Streaming from ${url}`
      : `Streaming from ${base}?${current} (set with a configure message on this connection, which opened with ?${openedQuery})`;
  return describeConnection(snapshot, url, openText, 'Press Start to stream again.');
}

/**
 * `<deadline-lab>`: wires DeadlineLab.astro to a DeadlineStore over a plain
 * WebSocket. Loads the store and uPlot when it first scrolls into view;
 * redraws the chart once per animation frame, and only while visible.
 */
export class DeadlineLabElement extends HTMLElement {
  #store: DeadlineStore | null = null;
  #socket: { close(code?: number, reason?: string): void } | null = null;
  /** The reader pressed Stop: the close that follows is theirs, and nothing reconnects. */
  #stoppedByReader = false;
  #chart: DeadlineChart | null = null;
  #url = '';
  #visible = false;
  #frame = 0;
  #textUpdatedAt = 0;
  #chartUpdatedAt = 0;
  #stopWatching: (() => void) | null = null;

  connectedCallback(): void {
    const server = pageServer();
    part<HTMLElement>(this, '.sb-server').textContent = serverLabel(server);
    this.#stopWatching = watchVisibility(this, (visible) => {
      this.#visible = visible;
      if (!visible) return;
      if (this.#socket === null) void this.#start();
      else this.#schedule();
    });
    const form = part<HTMLFormElement>(this, 'form');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#apply();
    });
    part<HTMLInputElement>(this, 'input[name="deadlineMs"]').addEventListener('change', (event) => {
      this.#store?.setDeadline(Number((event.target as HTMLInputElement).value));
    });
    for (const button of this.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
      button.addEventListener('click', () => {
        const settings = JSON.parse(button.dataset.preset ?? '{}') as Partial<RealtimeSettings>;
        for (const [field, value] of Object.entries(settings)) {
          part<HTMLInputElement>(form, `input[name="${field}"]`).value = String(value);
        }
        this.#apply();
      });
    }
    part<HTMLButtonElement>(this, '[data-action="reset"]').addEventListener('click', () => {
      this.#store?.resetRun();
    });
    part<HTMLButtonElement>(this, '[data-action="toggle"]').addEventListener('click', () => {
      if (this.#running()) {
        this.#stoppedByReader = true;
        this.#socket?.close(1000, 'stopped by the reader');
        this.#schedule();
      } else void this.#start();
    });
  }

  disconnectedCallback(): void {
    this.#stopWatching?.();
    cancelAnimationFrame(this.#frame);
    // Scripts may close only with 1000 or 3000–4999 (partysocket swallows the error and keeps the socket).
    this.#socket?.close(1000, 'lab removed');
    this.#chart?.destroy();
  }

  #formSettings(): RealtimeSettings {
    const form = part<HTMLFormElement>(this, 'form');
    const entries = SETTING_FIELDS.map((field) => [field, Number(part<HTMLInputElement>(form, `input[name="${field}"]`).value)]);
    return Object.fromEntries(entries) as RealtimeSettings;
  }

  /** Whether a stream is on or coming back: open, connecting, or reconnecting after a close the policy retries. */
  #running(): boolean {
    const snapshot = this.#store?.snapshot;
    if (snapshot === undefined || this.#stoppedByReader) return false;
    return snapshot.state !== 'closed' || snapshot.lastClose === null || shouldReconnectAfter(snapshot.lastClose.code);
  }

  /**
   * Opens the stream with the form's settings as query parameters, over a
   * reconnecting socket like the other labs': after a server restart it
   * comes back with backoff, asking for the settings in force when it left.
   */
  async #start(): Promise<void> {
    const [{ default: ReconnectingWebSocket }, { partysocketOptions }, { DeadlineStore }, { createDeadlineChart }] = await Promise.all([
      import('partysocket/ws'),
      import('../../shared/reconnect.ts'),
      import('./store.ts'),
      import('./chart.ts'),
    ]);
    const base = endpointUrl(pageServer().url, this.dataset.endpoint ?? '/ws/realtime');
    const formSettings = this.#formSettings();
    this.#url = `${base}?${settingsQuery(formSettings)}`;
    this.#socket?.close(1000, 'restarted');
    this.#stoppedByReader = false;
    let store: DeadlineStore | null = null;
    // partysocket asks for the URL before every attempt.
    const nextUrl = () => {
      this.#url = `${base}?${settingsQuery(store?.snapshot.settings ?? formSettings)}`;
      return this.#url;
    };
    // Object.assign keeps partysocketOptions()' jittering getter (a spread would read it once).
    const socket = new ReconnectingWebSocket(nextUrl, undefined, Object.assign(partysocketOptions(), { maxEnqueuedMessages: 0 }));
    this.#socket = socket;
    const deadlineMs = Number(part<HTMLInputElement>(this, 'input[name="deadlineMs"]').value);
    store = new DeadlineStore(socket, { deadlineMs, windowMs: WINDOW_SECONDS * 1000 });
    this.#store = store;
    this.#chart ??= createDeadlineChart(part<HTMLElement>(this, '.sb-deadline-chart'), WINDOW_SECONDS);
    this.#store.subscribe(() => {
      this.#schedule();
    });
  }

  #apply(): void {
    const store = this.#store;
    if (store === null || store.snapshot.state !== 'open') {
      void this.#start();
      return;
    }
    store.setDeadline(Number(part<HTMLInputElement>(this, 'input[name="deadlineMs"]').value));
    const settings = this.#formSettings();
    const current = store.snapshot.settings;
    const changes = Object.fromEntries(SETTING_FIELDS.filter((field) => current === null || current[field] !== settings[field]).map((field) => [field, settings[field]]));
    if (Object.keys(changes).length > 0) store.configure(changes);
  }

  /** One render per animation frame; while the stream is open and the lab visible, keep scrolling the chart. */
  #schedule(): void {
    if (this.#frame !== 0) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
      if (this.#visible && this.#store?.snapshot.state === 'open') this.#schedule();
    });
  }

  #render(): void {
    const store = this.#store;
    if (store === null) return;
    const snapshot = store.snapshot;
    const now = performance.timeOrigin + performance.now();
    if (this.#visible && now - this.#chartUpdatedAt >= CHART_INTERVAL_MS) {
      this.#chartUpdatedAt = now;
      const { times, delays } = store.points(0);
      this.#chart?.update(times, delays, now / 1000, snapshot.deadlineMs);
    }
    const status = part<HTMLElement>(this, '.sb-status');
    status.dataset.state = snapshot.state === 'unreachable' ? 'unreachable' : snapshot.state;
    setText(part(this, '.sb-status-text'), describeState(snapshot, this.#url, this.#stoppedByReader));
    setText(part(this, '[data-action="toggle"]'), this.#running() ? 'Stop' : 'Start');
    const problem = part<HTMLElement>(this, '.sb-deadline-problem');
    problem.hidden = snapshot.problem === null;
    setText(problem, snapshot.problem ?? '');
    if (now - this.#textUpdatedAt < TEXT_INTERVAL_MS && snapshot.state === 'open') return;
    this.#textUpdatedAt = now;
    this.#renderVerdicts(snapshot);
    this.#renderStats(snapshot);
  }

  #renderVerdicts({ run, deadlineMs }: DeadlineSnapshot): void {
    const verdict = (kind: string, state: 'ok' | 'degraded' | 'failed', headline: string, detail: string) => {
      const card = part<HTMLElement>(this, `[data-verdict="${kind}"]`);
      card.dataset.state = state;
      setText(part(card, '.sb-deadline-verdict-state'), headline);
      setText(part(card, '.sb-deadline-verdict-detail'), detail);
    };
    const { hard, firm, soft } = run;
    if (hard.judged === 0) {
      verdict('hard', 'ok', 'Waiting for samples', 'One miss and the system has failed.');
      verdict('firm', 'ok', 'Waiting for samples', 'A late sample is worthless and discarded.');
      verdict('soft', 'ok', 'Waiting for samples', 'A late sample is worth less the later it is, nothing once a whole deadline late.');
      return;
    }
    if (hard.firstMiss === null) {
      verdict('hard', 'ok', 'Holding', `No sample missed the ${String(deadlineMs)} ms deadline: ${count(hard.judged)} judged.`);
    } else {
      const miss = hard.firstMiss;
      verdict(
        'hard',
        'failed',
        'System failure',
        `Sample #${String(miss.seq)} arrived ${formatDuration(miss.delayMs)} after it was made, ${formatDuration(miss.lateByMs)} past the deadline. One miss is enough.`,
      );
    }
    const discarded = firm.discarded / firm.judged;
    verdict(
      'firm',
      firm.discarded === 0 ? 'ok' : 'degraded',
      `${percent(discarded)} discarded`,
      `${count(firm.discarded)} of ${count(firm.judged)} samples arrived late and were thrown away; ${count(firm.judged - firm.discarded)} were used.`,
    );
    const value = soft.utilitySum / soft.judged;
    verdict(
      'soft',
      value === 1 ? 'ok' : 'degraded',
      `${percent(value)} of the value`,
      `Mean worth of ${count(soft.judged)} samples: full on time, less the later they are, nothing past ${String(deadlineMs * 2)} ms.`,
    );
  }

  #renderStats(snapshot: DeadlineSnapshot): void {
    const stats = this.#store?.windowStats();
    if (stats === undefined) return;
    const stat = (name: string, text: string) => setText(part(this, `[data-stat="${name}"]`), text);
    const ms = (value: number | null) => (value === null ? '–' : formatDuration(value));
    stat('received', count(snapshot.received));
    stat('rate', stats.count < 2 ? '–' : `${stats.perSecond.toFixed(1)} /s`);
    stat('median', ms(stats.medianMs));
    stat('p99', ms(stats.p99Ms));
    stat('jitter', snapshot.received < 2 ? '–' : formatDuration(snapshot.jitterMs));
    const clock = snapshot.clock;
    stat('offset', clock === null ? '–' : `${clock.offsetMs >= 0 ? '+' : '−'}${formatDuration(Math.abs(clock.offsetMs))} ± ${formatDuration(clock.uncertaintyMs)}`);
  }
}
