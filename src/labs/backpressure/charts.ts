/**
 * The backpressure lab's live plots, drawn with uPlot (loaded with the lab,
 * never with the page). Each chart reads the run's columns in place; the lab
 * calls `update()` at most once per animation frame.
 */
import uPlot from 'uplot';
import type { RunSnapshot } from '../../shared/backpressure/store.ts';

export type ChartId = 'bytes' | 'messages' | 'waiting' | 'rates';

/** A colour role, named after the CSS custom property `--bp-<role>` that holds it. */
type ColourRole = 'server' | 'tcp' | 'page' | 'processed' | 'limit' | 'axis' | 'grid';

interface SeriesSpec {
  readonly colour: ColourRole;
  readonly dashed?: boolean;
  readonly filled?: boolean;
  readonly values: (snapshot: RunSnapshot) => readonly (number | null)[];
  /** Hidden in runs where it means nothing (e.g. drops outside conflate). */
  readonly shownIn?: (snapshot: RunSnapshot) => boolean;
}

interface ChartSpec {
  readonly series: readonly SeriesSpec[];
  readonly formatValue: (value: number) => string;
  /** Tick steps to choose from (uPlot's default suits decimal numbers, not bytes). */
  readonly tickSteps?: readonly number[];
  /** The y axis starts at 0 and shows at least this much. */
  readonly minimumMax: number;
}

function constant(snapshot: RunSnapshot, value: number): number[] {
  return new Array<number>(snapshot.series.t.length).fill(value);
}

/** `512 KiB`, `16 MiB`: ticks fall on powers of two, so no decimals are needed. */
function axisBytes(value: number): string {
  const trim = (number: number) => String(Math.round(number * 10) / 10);
  if (value < 1024) return `${trim(value)} B`;
  if (value < 1024 * 1024) return `${trim(value / 1024)} KiB`;
  return `${trim(value / 1024 / 1024)} MiB`;
}

const seconds = (value: number) => `${String(Math.round(value * 10) / 10)} s`;
const count = (value: number) => (value >= 10_000 ? `${String(Math.round(value / 1000))}k` : String(Math.round(value)));

const CHARTS: Record<ChartId, ChartSpec> = {
  bytes: {
    formatValue: axisBytes,
    tickSteps: Array.from({ length: 17 }, (_, power) => 1024 * 2 ** power),
    minimumMax: 256 * 1024,
    series: [
      { colour: 'server', filled: true, values: (run) => run.series.serverBufferedBytes },
      { colour: 'tcp', filled: true, values: (run) => run.series.inTransitBytes },
      { colour: 'page', filled: true, values: (run) => run.series.pageBacklogBytes },
      { colour: 'limit', dashed: true, values: (run) => constant(run, run.hello?.maxBufferedBytes ?? 0), shownIn: (run) => run.hello !== null },
    ],
  },
  messages: {
    formatValue: count,
    minimumMax: 10,
    series: [
      { colour: 'server', values: (run) => run.series.sent },
      { colour: 'page', values: (run) => run.series.received },
      { colour: 'processed', values: (run) => run.series.processed },
    ],
  },
  waiting: {
    formatValue: seconds,
    minimumMax: 1,
    series: [
      { colour: 'page', values: (run) => run.series.ageSeconds },
      { colour: 'server', values: (run) => run.series.pingWaitSeconds, shownIn: (run) => run.config.settings.pingIntervalMs > 0 },
      {
        colour: 'limit',
        dashed: true,
        values: (run) => constant(run, run.config.settings.pongTimeoutMs / 1000),
        shownIn: (run) => run.config.settings.pingIntervalMs > 0,
      },
    ],
  },
  rates: {
    formatValue: count,
    minimumMax: 10,
    series: [
      { colour: 'server', values: (run) => run.series.sentPerSecond },
      { colour: 'processed', values: (run) => run.series.processedPerSecond },
      { colour: 'tcp', values: (run) => run.series.droppedPerSecond, shownIn: (run) => run.config.settings.mode === 'conflate' },
    ],
  },
};

export interface ChartSet {
  /** Redraws every chart from the run's columns. */
  update(snapshot: RunSnapshot): void;
  destroy(): void;
}

/** Reads the lab's colours from its CSS custom properties, again whenever the theme changes. */
class Palette {
  readonly #root: HTMLElement;
  #colours = new Map<ColourRole, string>();

  constructor(root: HTMLElement) {
    this.#root = root;
    this.refresh();
  }

  refresh(): void {
    const style = getComputedStyle(this.#root);
    const roles: ColourRole[] = ['server', 'tcp', 'page', 'processed', 'limit', 'axis', 'grid'];
    this.#colours = new Map(roles.map((role) => [role, style.getPropertyValue(`--bp-${role}`).trim() || '#888']));
  }

  colour(role: ColourRole): string {
    return this.#colours.get(role) ?? '#888';
  }

  /** The same colour, mostly transparent, for area fills. */
  fill(role: ColourRole): string {
    const colour = this.colour(role);
    return /^#[0-9a-f]{6}$/i.test(colour) ? `${colour}22` : colour;
  }
}

/**
 * Mounts the charts named in `ids`, each in the `.bp-plot` of its
 * `[data-chart="…"]` figure under `root`, sized to its container.
 */
export function createCharts(root: HTMLElement, ids: readonly ChartId[], heightPx: number): ChartSet {
  const palette = new Palette(root);
  /** Where the server ended the connection, drawn as a vertical line on every chart. */
  let serverEndedAt: number | null = null;
  const drawServerEnd = (chart: uPlot) => {
    if (serverEndedAt === null) return;
    const x = Math.round(chart.valToPos(serverEndedAt, 'x', true));
    const { ctx, bbox } = chart;
    ctx.save();
    ctx.strokeStyle = palette.colour('server');
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    ctx.restore();
  };
  const plots: { id: ChartId; chart: uPlot; element: HTMLElement }[] = [];
  for (const id of ids) {
    const element = root.querySelector<HTMLElement>(`[data-chart="${id}"] .bp-plot`);
    if (element === null) throw new Error(`backpressure lab: no [data-chart="${id}"] .bp-plot`);
    const spec = CHARTS[id];
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height: heightPx,
      legend: { show: false },
      cursor: { show: false },
      hooks: { draw: [drawServerEnd] },
      pxAlign: 0,
      scales: {
        x: { time: false, range: (_chart, min, max) => [Math.min(min, Math.max(0, max - 120)), Math.max(max, 10)] },
        y: { range: (_chart, _min, max) => [0, Math.max(spec.minimumMax, max * 1.1)] },
      },
      axes: [
        {
          stroke: () => palette.colour('axis'),
          grid: { stroke: () => palette.colour('grid'), width: 1 },
          ticks: { stroke: () => palette.colour('grid'), width: 1 },
          values: (_chart, splits) => splits.map((split) => seconds(split)),
        },
        {
          stroke: () => palette.colour('axis'),
          grid: { stroke: () => palette.colour('grid'), width: 1 },
          ticks: { stroke: () => palette.colour('grid'), width: 1 },
          size: 64,
          space: 24,
          ...(spec.tickSteps === undefined ? {} : { incrs: [...spec.tickSteps] }),
          values: (_chart, splits) => splits.map((split) => spec.formatValue(split)),
        },
      ],
      series: [
        {},
        ...spec.series.map((series) => ({
          stroke: () => palette.colour(series.colour),
          width: series.dashed === true ? 1.5 : 2,
          ...(series.dashed === true ? { dash: [6, 4] } : {}),
          ...(series.filled === true ? { fill: () => palette.fill(series.colour) } : {}),
          points: { show: false },
          spanGaps: true,
        })),
      ],
    };
    plots.push({ id, chart: new uPlot(options, [[], ...spec.series.map(() => [])], element), element });
  }
  const resize = new ResizeObserver(() => {
    for (const { chart, element } of plots) chart.setSize({ width: Math.max(200, element.clientWidth), height: heightPx });
  });
  for (const { element } of plots) resize.observe(element);
  // Starlight switches themes with data-theme on <html>.
  const theme = new MutationObserver(() => {
    palette.refresh();
    for (const { chart } of plots) chart.redraw(false, true);
  });
  theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return {
    update(snapshot) {
      serverEndedAt = snapshot.serverEndedAtSeconds;
      for (const { id, chart } of plots) {
        const spec = CHARTS[id];
        spec.series.forEach((series, index) => {
          const shown = series.shownIn?.(snapshot) ?? true;
          if (chart.series[index + 1]?.show !== shown) chart.setSeries(index + 1, { show: shown });
        });
        chart.setData([snapshot.series.t, ...spec.series.map((series) => series.values(snapshot) as (number | null)[])]);
      }
    },
    destroy() {
      resize.disconnect();
      theme.disconnect();
      for (const { chart } of plots) chart.destroy();
    },
  };
}
