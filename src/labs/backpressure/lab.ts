/**
 * The backpressure lab's controller, loaded only when the lab scrolls into
 * view: reads the controls and starts runs, each owned by a RunController
 * (a consumer, a store, the stats socket) and shown in its RunView.
 */
import { formatCount } from '../../shared/backpressure/ending.ts';
import { BackpressureRunStore, CONSUMER_KINDS, runConfigProblem, type ConsumerKind, type RunConfig, type RunSnapshot } from '../../shared/backpressure/store.ts';
import { formatBytes, formatDuration } from '../../shared/format.ts';
import { part } from '../kit/dom.ts';
import { pageServer } from '../kit/page-server.ts';
import { BACKPRESSURE_MODES, BACKPRESSURE_PATH, BACKPRESSURE_STATS_PATH, backpressureQuery, type BackpressureMode } from '../../shared/protocol/backpressure.ts';
import { endpointUrl } from '../../shared/server-url.ts';
import { hasWebSocketStream, startConsumer, type ConsumerHandle } from './consumers.ts';
import { RunView } from './run-view.ts';

/** Samples (and plot points) per second. */
const SAMPLE_INTERVAL_MS = 100;
/** A run that nothing ends is stopped after this long. */
const MAX_RUN_MS = 120_000;
const COMPARE_SECONDS = { min: 5, max: 60, default: 15 };

const CONSUMER_LABELS: Record<ConsumerKind, string> = {
  blocking: 'a blocking Web Worker',
  queued: 'a queue in the page',
  stream: 'WebSocketStream',
};

/** `0.98 MiB/s`, `200 KiB/s`. */
function bytesPerSecond(bytes: number): string {
  if (bytes >= 512 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB/s`;
  return `${formatBytes(bytes)}/s`;
}

/** What a run tells the lab: every change of its snapshot, then its end once. */
interface RunListener {
  readonly changed?: (run: RunSnapshot) => void;
  readonly ended: (run: RunSnapshot) => void;
}

/**
 * One run, from Start to its end: its consumer and its stats socket push into
 * the run's store, which the controller samples for the plots (at most every
 * `SAMPLE_INTERVAL_MS`, on those pushes) and shows in its view. Nothing polls.
 * `abort()` detaches the view and the listener first, so an aborted run never
 * draws over the next one.
 */
class RunController {
  readonly store: BackpressureRunStore;
  readonly #consumer: ConsumerHandle;
  readonly #startedAt = performance.now();
  readonly #timers: ReturnType<typeof setTimeout>[] = [];
  readonly #unsubscribe: () => void;
  #stats: WebSocket | null = null;
  #aborted = false;
  #lastSampleMs = Number.NEGATIVE_INFINITY;

  constructor(config: RunConfig, server: string, view: RunView, listener: RunListener) {
    this.store = new BackpressureRunStore(config);
    view.begin(config);
    this.#unsubscribe = this.store.subscribe((snapshot) => {
      view.show(snapshot);
      listener.changed?.(snapshot);
    });
    const url = endpointUrl(server, `${BACKPRESSURE_PATH}${backpressureQuery(config.settings)}`);
    const settings = { mode: config.settings.mode, workPerMessageMs: config.workPerMessageMs, creditWindow: config.creditWindow, pageBudgetBytes: config.pageBudgetBytes };
    this.#consumer = startConsumer(config.consumer, url, settings, {
      hello: (hello) => {
        this.store.hello(hello);
        const stats = new WebSocket(endpointUrl(server, `${BACKPRESSURE_STATS_PATH}?id=${hello.statsId}&intervalMs=${String(SAMPLE_INTERVAL_MS)}`));
        this.#stats = stats;
        this.store.attachStats(stats);
        // Registered after the store's own listener, so the sample includes this message.
        stats.addEventListener('message', () => this.#sampleWhenDue());
      },
      progress: (progress) => {
        this.store.progress(progress);
        this.#sampleWhenDue();
      },
      closed: (close) => {
        if (this.#aborted) return;
        this.store.sample(this.#elapsed());
        this.store.pageClosed({ ...close, elapsedMs: this.#elapsed() });
        this.#clearTimers();
        // The server's final account comes on the stats socket; give it a moment, then let go.
        this.#timers.push(setTimeout(() => this.#stats?.close(), 5_000));
        listener.ended(this.store.snapshot);
      },
    });
    this.#timers.push(setTimeout(() => this.stop(), MAX_RUN_MS));
  }

  get active(): boolean {
    return !this.#aborted && this.store.snapshot.state !== 'ended';
  }

  stop(): void {
    if (!this.active) return;
    this.store.draining();
    this.#consumer.stop();
  }

  /** Ends everything at once, silently: the view and the listener are detached before the consumer reports its end. */
  abort(): void {
    this.#aborted = true;
    this.#unsubscribe();
    this.#consumer.abort();
    this.#clearTimers();
    this.#stats?.close();
  }

  #elapsed(): number {
    return performance.now() - this.#startedAt;
  }

  #sampleWhenDue(): void {
    const elapsedMs = this.#elapsed();
    if (elapsedMs - this.#lastSampleMs < SAMPLE_INTERVAL_MS || !this.active) return;
    this.#lastSampleMs = elapsedMs;
    this.store.sample(elapsedMs);
  }

  #clearTimers(): void {
    for (const timer of this.#timers.splice(0)) clearTimeout(timer);
  }
}

export class BackpressureLab {
  readonly #root: HTMLElement;
  readonly #form: HTMLFormElement;
  readonly #server = pageServer();
  readonly #mainView: RunView;
  readonly #compareViews: Record<'credit' | 'conflate', RunView>;
  #main: RunController | null = null;
  #compare: RunController[] = [];

  constructor(root: HTMLElement) {
    this.#root = root;
    this.#form = part<HTMLFormElement>(root, 'form');
    this.#mainView = new RunView(part(root, '[data-run="main"]'), ['bytes', 'messages', 'waiting', 'rates'], 170);
    this.#compareViews = {
      credit: new RunView(part(root, '[data-run="credit"]'), ['bytes', 'rates'], 130),
      conflate: new RunView(part(root, '[data-run="conflate"]'), ['bytes', 'rates'], 130),
    };
    this.#form.addEventListener('input', () => this.#describeSettings());
    this.#describeSettings();
  }

  /**
   * Starts a run with the chosen settings. While one is going, Start does
   * nothing but say so: the reader stops it first, so a run's ending never
   * sits under the next run's plots.
   */
  start(): void {
    if (this.#main?.active === true) {
      this.#showError('A run is in progress: press Stop, then Start again.');
      return;
    }
    const config = this.#readConfig();
    if (config === null) return;
    const running = `Running: ${config.settings.mode} mode, consumed by ${CONSUMER_LABELS[config.consumer]}. Watch the plots below.`;
    this.#main = new RunController(config, this.#server.url, this.#mainView, {
      changed: (run) => {
        if (run.state === 'ended') this.#setStatus(this.#statusAtEnd(run), 'closed');
        else if (run.serverEnded !== null) {
          this.#setStatus('The server has dropped the connection. The page has not noticed yet: it is still working through messages that arrived before.', 'closing');
        } else this.#setStatus(running, 'open');
      },
      ended: () => {
        this.#showError(null);
        this.#updateButtons();
      },
    });
    this.#updateButtons();
  }

  /** Stops every run: naive closes now, credit and conflate drain first. */
  stop(): void {
    this.#main?.stop();
    for (const run of this.#compare) run.stop();
  }

  /** Runs credit and conflate at once, with the chosen rate, size and consumer, for the comparison length. */
  compare(): void {
    if (this.#compare.some((run) => run.active)) return;
    const config = this.#readConfig();
    if (config === null) return;
    const seconds = this.#number('compareSeconds');
    if (!Number.isInteger(seconds) || seconds < COMPARE_SECONDS.min || seconds > COMPARE_SECONDS.max) {
      this.#showError(`The comparison length must be a whole number of seconds from ${String(COMPARE_SECONDS.min)} to ${String(COMPARE_SECONDS.max)}.`);
      return;
    }
    for (const run of this.#compare) run.abort();
    part<HTMLElement>(this.#root, '.bp-compare').hidden = false;
    const status = part<HTMLElement>(this.#root, '.bp-compare-status');
    status.textContent = `Running credit and conflate side by side for ${String(seconds)} s with ${formatCount(config.settings.messagesPerSecond)} messages/s of ${formatBytes(config.settings.messageBytes)}, consumed by ${CONSUMER_LABELS[config.consumer]}…`;
    let running = 2;
    const runs: RunController[] = (['credit', 'conflate'] as const).map(
      (mode) =>
        new RunController({ ...config, settings: { ...config.settings, mode } }, this.#server.url, this.#compareViews[mode], {
          ended: () => {
            running -= 1;
            if (running === 0) {
              const [credit, conflate] = runs.map((run) => run.store.snapshot.ending);
              status.textContent = `Done. credit lost ${formatCount(credit?.lost ?? 0)}; conflate lost ${formatCount(conflate?.lost ?? 0)} and dropped ${formatCount(conflate?.dropped ?? 0)} superseded values on purpose.`;
            }
            this.#updateButtons();
          },
        }),
    );
    this.#compare = runs;
    setTimeout(() => {
      for (const run of runs) run.stop();
    }, seconds * 1000);
    this.#updateButtons();
  }

  /** Ends everything (the lab left the page). */
  dispose(): void {
    this.#main?.abort();
    for (const run of this.#compare) run.abort();
    this.#mainView.destroy();
    this.#compareViews.credit.destroy();
    this.#compareViews.conflate.destroy();
  }

  #statusAtEnd(run: RunSnapshot): string {
    const close = run.pageClose;
    if (run.hello === null) {
      return `Could not connect to the demo server at ${this.#server.url}${close === null ? '' : ` (close code ${String(close.code)})`}. Start it with "npm start" in the Socketbook folder, or point the lab at another server with ?server=ws://host:port.`;
    }
    const lost = run.ending?.lost;
    const loss = lost === null || lost === undefined ? '' : `, ${formatCount(lost)} message${lost === 1 ? '' : 's'} lost`;
    return `Ended after ${formatDuration(close?.elapsedMs ?? run.elapsedMs)}: close code ${String(close?.code ?? '–')}${loss}. The account is below the plots.`;
  }

  #value(name: string): string {
    const field = this.#form.elements.namedItem(name);
    if (field instanceof RadioNodeList) return field.value;
    if (field instanceof HTMLInputElement) return field.value;
    return '';
  }

  #number(name: string): number {
    const text = this.#value(name).trim();
    return text === '' ? Number.NaN : Number(text);
  }

  /** The run the controls describe, or `null` after showing what is wrong. */
  #readConfig(): RunConfig | null {
    const mode = this.#value('mode') as BackpressureMode;
    const consumer = this.#value('consumer') as ConsumerKind;
    const settings = {
      mode: BACKPRESSURE_MODES.includes(mode) ? mode : 'naive',
      messagesPerSecond: this.#number('messagesPerSecond'),
      messageBytes: this.#number('messageBytes'),
      pingIntervalMs: this.#number('pingIntervalMs'),
      pongTimeoutMs: this.#number('pongTimeoutMs'),
      uploadBytesPerSecond: 0,
    };
    const config: RunConfig = {
      settings,
      consumer: CONSUMER_KINDS.includes(consumer) ? consumer : 'blocking',
      workPerMessageMs: this.#number('workPerMessageMs'),
      creditWindow: this.#number('creditWindow'),
      pageBudgetBytes: this.#number('pageBudgetMiB') * 1024 * 1024,
    };
    const problem =
      runConfigProblem(config) ?? (config.consumer === 'stream' && !hasWebSocketStream() ? 'This browser has no WebSocketStream: choose another consumer.' : null);
    this.#showError(problem);
    return problem === null ? config : null;
  }

  #showError(problem: string | null): void {
    const error = part<HTMLElement>(this.#root, '.bp-form-error');
    error.hidden = problem === null;
    error.textContent = problem ?? '';
  }

  /** One sentence on how much faster the server is than the consumer. */
  #describeSettings(): void {
    const rate = this.#number('messagesPerSecond');
    const size = this.#number('messageBytes');
    const work = this.#number('workPerMessageMs');
    const summary = part<HTMLElement>(this.#root, '.bp-summary');
    if (!(rate > 0 && size > 0 && work > 0)) {
      summary.textContent = '';
      return;
    }
    const consumerRate = 1000 / work;
    const ratio = rate / consumerRate;
    const verdict =
      ratio > 1.05
        ? `the server is ${ratio.toFixed(1)}× faster than the consumer.`
        : 'the consumer keeps up: raise the rate or the work per message to see backpressure.';
    summary.textContent = `The server sends ${bytesPerSecond(rate * size)} (${formatCount(rate)} messages/s); the consumer can process ${consumerRate >= 10 ? consumerRate.toFixed(0) : consumerRate.toFixed(1)} messages/s: ${verdict}`;
  }

  #setStatus(text: string, state: 'open' | 'closing' | 'closed'): void {
    const status = part<HTMLElement>(this.#root, '.bp-status');
    status.dataset.state = state;
    const line = part<HTMLElement>(status, '.sb-status-text');
    // Rewriting the same text would make screen readers announce it again.
    if (line.textContent !== text) line.textContent = text;
  }

  /** Buttons stay focusable (disabling the one just pressed would drop keyboard focus); aria-disabled says when they do nothing. */
  #updateButtons(): void {
    const mainActive = this.#main?.active ?? false;
    const compareActive = this.#compare.some((run) => run.active);
    part<HTMLButtonElement>(this.#root, '[data-action="start"]').setAttribute('aria-disabled', String(mainActive));
    part<HTMLButtonElement>(this.#root, '[data-action="stop"]').setAttribute('aria-disabled', String(!mainActive && !compareActive));
    part<HTMLButtonElement>(this.#root, '[data-action="compare"]').setAttribute('aria-disabled', String(compareActive));
  }
}
