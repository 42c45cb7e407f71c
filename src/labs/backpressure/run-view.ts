/**
 * Renders one backpressure run into its part of the lab's markup: the live
 * numbers, the charts (at most once per animation frame) and the ending.
 * Text only ever goes in with `textContent`.
 */
import { formatCount, type RunEnding } from '../../shared/backpressure/ending.ts';
import type { RunConfig, RunSnapshot } from '../../shared/backpressure/store.ts';
import { formatBytes, formatDuration } from '../../shared/format.ts';
import { createCharts, type ChartId, type ChartSet } from './charts.ts';

/** What each `[data-value]` cell of a readout shows; `null` hides the row. */
const READOUT: Record<string, (run: RunSnapshot) => string | null> = {
  elapsed: (run) => formatDuration(run.elapsedMs),
  sent: (run) => (run.server === null ? '–' : formatCount(run.server.sent)),
  received: (run) => formatCount(run.consumer.received),
  processed: (run) => formatCount(run.consumer.processed),
  unprocessed: (run) => (run.server === null ? '–' : formatCount(Math.max(0, run.server.sent - run.consumer.processed))),
  serverBuffer: (run) => (run.server === null ? '–' : formatBytes(run.server.bufferedBytes)),
  peakServerBuffer: (run) => formatBytes(run.peakServerBufferedBytes),
  backlog: (run) => `${formatBytes(run.consumer.backlogBytes)} (${formatCount(run.consumer.backlogMessages)})`,
  age: (run) => (run.consumer.lastAgeMs === null ? '–' : formatDuration(run.consumer.lastAgeMs)),
  maxAge: (run) => formatDuration(run.consumer.maxAgeMs),
  ping: (run) => {
    if (run.config.settings.pingIntervalMs === 0) return null;
    const server = run.server;
    if (server === null) return '–';
    if (server.pingsUnanswered === 0) return server.lastPingRttMs === null ? '–' : `answered in ${formatDuration(server.lastPingRttMs)}`;
    return `${formatDuration(server.oldestPingAgeMs)} (${String(server.pingsUnanswered)} unanswered)`;
  },
  credits: (run) => (run.config.settings.mode === 'naive' ? null : run.server === null ? '–' : formatCount(run.server.credits)),
  dropped: (run) => (run.config.settings.mode !== 'conflate' ? null : formatCount(run.server?.dropped ?? run.consumer.droppedReported)),
};

function lostLine(ending: RunEnding, mode: RunSnapshot['config']['settings']['mode']): string {
  if (ending.lost === null || ending.sent === null) {
    return `Processed: ${formatCount(ending.processed)}. The server's count did not arrive, so the loss is unknown.`;
  }
  const dropped = mode === 'conflate' ? ` Dropped on purpose by the server: ${formatCount(ending.dropped)}.` : '';
  return `Lost: ${formatCount(ending.lost)} = ${formatCount(ending.sent)} sent − ${formatCount(ending.processed)} processed.${dropped}`;
}

export class RunView {
  readonly #root: HTMLElement;
  readonly #chartIds: readonly ChartId[];
  readonly #chartHeightPx: number;
  #charts: ChartSet | null = null;
  #latest: RunSnapshot | null = null;
  #renderedVersion = -1;
  #frame = 0;
  #renderedEnding: RunEnding | null = null;

  constructor(root: HTMLElement, chartIds: readonly ChartId[], chartHeightPx: number) {
    this.#root = root;
    this.#chartIds = chartIds;
    this.#chartHeightPx = chartHeightPx;
  }

  /** Clears the previous run and shows this one; legend entries that do not apply to `config` are hidden. */
  begin(config: RunConfig): void {
    // A frame still pending would draw the previous run over this one.
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#latest = null;
    this.#charts?.destroy();
    this.#root.hidden = false;
    for (const entry of this.#root.querySelectorAll<HTMLElement>('[data-when]')) {
      entry.hidden = entry.dataset.when === 'conflate' ? config.settings.mode !== 'conflate' : config.settings.pingIntervalMs === 0;
    }
    this.#charts = createCharts(this.#root, this.#chartIds, this.#chartHeightPx);
    this.#renderedEnding = null;
    this.#renderedVersion = -1;
    const ending = this.#root.querySelector<HTMLElement>('.bp-ending');
    if (ending !== null) ending.hidden = true;
  }

  /** Schedules a render of `snapshot` on the next animation frame; several calls in a frame draw once. */
  show(snapshot: RunSnapshot): void {
    this.#latest = snapshot;
    if (this.#frame !== 0) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      if (this.#latest !== null && this.#latest.version !== this.#renderedVersion) this.#render(this.#latest);
    });
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
    this.#charts?.destroy();
    this.#charts = null;
  }

  #render(run: RunSnapshot): void {
    this.#renderedVersion = run.version;
    for (const cell of this.#root.querySelectorAll<HTMLElement>('[data-value]')) {
      const value = READOUT[cell.dataset.value ?? '']?.(run);
      const row = cell.closest<HTMLElement>('.bp-readout-item');
      if (row !== null) row.hidden = value === null;
      if (value !== null && value !== undefined && cell.textContent !== value) cell.textContent = value;
    }
    this.#charts?.update(run);
    if (run.ending !== this.#renderedEnding && run.ending !== null) this.#renderEnding(run, run.ending);
  }

  #renderEnding(run: RunSnapshot, ending: RunEnding): void {
    this.#renderedEnding = ending;
    const section = this.#root.querySelector<HTMLElement>('.bp-ending');
    if (section === null) return;
    section.hidden = false;
    section.dataset.verdict = ending.verdict;
    const set = (field: string, text: string) => {
      const element = section.querySelector<HTMLElement>(`[data-field="${field}"]`);
      if (element !== null) element.textContent = text;
    };
    set('headline', ending.headline);
    set('close', ending.closeLine);
    set('lost', lostLine(ending, run.config.settings.mode));
    const list = section.querySelector<HTMLUListElement>('[data-field="explanation"]');
    if (list !== null) {
      list.replaceChildren(
        ...ending.explanation.map((line) => {
          const item = document.createElement('li');
          item.textContent = line;
          return item;
        }),
      );
    }
  }
}
