import type { DuplexTimelineSnapshot, DuplexTimelineStore } from './store.ts';
import { formatDuration } from '../../shared/format.ts';
import { endpointUrl } from '../../shared/server-url.ts';
import { describeConnection, part, showConnection, showServer, watchVisibility, whenVisible } from '../kit/dom.ts';
import type { TimelineView } from './view.ts';

/** Redraws per second while running: smooth enough for lines moving a few pixels a frame, light on the CPU. */
const FRAMES_PER_SECOND = 20;
/** With prefers-reduced-motion, the picture is redrawn in steps instead of scrolling. */
const REDUCED_MOTION_FRAMES_PER_SECOND = 0.5;

/**
 * `<duplex-timeline>`: connects to `/ws/ticker` when scrolled into view and
 * draws the messages each way on a scrolling time axis. Drawing pauses when
 * the lab is off screen, and on the reader's request.
 */
export class DuplexTimelineElement extends HTMLElement {
  #store: DuplexTimelineStore | null = null;
  #view: TimelineView | null = null;
  #cancelVisible: (() => void) | null = null;
  #stopWatching: (() => void) | null = null;
  #onScreen = false;
  #paused = false;
  #framesPerSecond = FRAMES_PER_SECOND;
  #frame = 0;
  #lastDrawAt = 0;
  #lastSummaryAt = 0;
  /** The timeline id of the last pong announced. */
  #announcedPongId: number | null = null;

  connectedCallback(): void {
    const server = showServer(this, 'duplex-timeline');
    this.#cancelVisible = whenVisible(this, () => void this.#start(server.url));
    if (window.matchMedia('(prefers-reduced-motion: reduce)').matches) this.#framesPerSecond = REDUCED_MOTION_FRAMES_PER_SECOND;
    this.#showPaused();
    part<HTMLButtonElement>(this, '[data-action="ping"]', 'duplex-timeline').addEventListener('click', () => this.#store?.ping());
    part<HTMLButtonElement>(this, '[data-action="pause"]', 'duplex-timeline').addEventListener('click', () => {
      this.#paused = !this.#paused;
      this.#showPaused();
      this.#draw(true);
    });
    part<HTMLSelectElement>(this, 'select[name="latency"]', 'duplex-timeline').addEventListener('change', (event) => {
      this.#store?.setLatency(Number((event.target as HTMLSelectElement).value));
    });
  }

  disconnectedCallback(): void {
    this.#cancelVisible?.();
    this.#stopWatching?.();
    cancelAnimationFrame(this.#frame);
    this.#store?.close();
  }

  async #start(server: string): Promise<void> {
    const [{ default: ReconnectingWebSocket }, { DuplexTimelineStore }, { TimelineView }, { partysocketOptions }] = await Promise.all([
      import('partysocket/ws'),
      import('./store.ts'),
      import('./view.ts'),
      import('../../shared/reconnect.ts'),
    ]);
    const latencyMs = Number(part<HTMLSelectElement>(this, 'select[name="latency"]', 'duplex-timeline').value);
    const base = endpointUrl(server, '/ws/ticker');
    const symbols = (this.dataset.symbols ?? 'BTC-USD SPY').split(' ');
    this.#store = new DuplexTimelineStore((latency) => new ReconnectingWebSocket(`${base}?latencyMs=${String(latency)}`, undefined, partysocketOptions()), { latencyMs, symbols });
    this.#view = new TimelineView(
      part(this, 'svg[data-part="duplex"]', 'duplex-timeline'),
      part(this, 'svg[data-part="polling"]', 'duplex-timeline'),
      part(this, '[data-part="summary"]', 'duplex-timeline'),
      part(this, '[data-part="comparison"]', 'duplex-timeline'),
      { windowMs: Number(this.dataset.windowMs ?? 6000), pollIntervalMs: Number(this.dataset.pollIntervalMs ?? 1000) },
    );
    this.#store.subscribe((snapshot) => this.#update(snapshot, base));
    this.#stopWatching = watchVisibility(this, (visible) => {
      this.#onScreen = visible;
      if (visible) this.#loop();
    });
  }

  #update(snapshot: DuplexTimelineSnapshot, url: string): void {
    const open = snapshot.latencyMs === 0 ? 'Open: no simulated latency.' : `Open: every message is held ${String(snapshot.latencyMs)} ms each way.`;
    showConnection(this, 'duplex-timeline', snapshot.state, describeConnection(snapshot, url, open), snapshot.sendError);
    // One announcement per pong: two round trips can measure the same.
    const pong = snapshot.messages.findLast((message) => message.kind === 'pong');
    if (snapshot.lastRoundTripMs !== null && pong !== undefined && pong.id !== this.#announcedPongId) {
      this.#announcedPongId = pong.id;
      part<HTMLElement>(this, '[data-part="announce"]', 'duplex-timeline').textContent = `${pong.label} came back after ${formatDuration(snapshot.lastRoundTripMs)}.`;
    }
  }

  #showPaused(): void {
    const button = part<HTMLButtonElement>(this, '[data-action="pause"]', 'duplex-timeline');
    button.textContent = this.#paused ? 'Resume' : 'Pause';
    button.setAttribute('aria-pressed', String(this.#paused));
    // #loop() also cancels a frame already scheduled, which would otherwise draw once more after Pause.
    this.#loop();
  }

  #loop(): void {
    cancelAnimationFrame(this.#frame);
    if (!this.#onScreen || this.#paused) return;
    this.#frame = requestAnimationFrame((time) => {
      if (time - this.#lastDrawAt >= 1000 / this.#framesPerSecond) {
        this.#lastDrawAt = time;
        this.#draw(false);
      }
      this.#loop();
    });
  }

  /** Draws now; summaries in words are refreshed at most once a second unless `force`. */
  #draw(force: boolean): void {
    const store = this.#store;
    if (store === null || this.#view === null) return;
    const now = performance.timeOrigin + performance.now();
    this.#view.draw(store.snapshot, now);
    if (force || now - this.#lastSummaryAt > 1000) {
      this.#lastSummaryAt = now;
      this.#view.summarise(store.snapshot, now);
    }
  }
}
