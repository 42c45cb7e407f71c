import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * A uPlot chart of the last few seconds for the Deadline and Heartbeat labs:
 * x is seconds before now, it follows the container's width, reads its
 * colours from the page's CSS custom properties (so it follows Starlight's
 * light and dark themes) and redraws at most once per animation frame.
 */
export interface ScrollingChart {
  /** Replaces the data; drawn on the next animation frame. */
  setData(data: uPlot.AlignedData): void;
  destroy(): void;
}

export interface ScrollingChartOptions {
  readonly heightPx: number;
  /** Width of the window, in seconds before now. */
  readonly windowSeconds: number;
  readonly yLabel: string;
  /** The y range for the data in view. */
  readonly yRange: (dataMin: number, dataMax: number) => [number, number];
  readonly series: readonly uPlot.Series[];
  /** A base-10 log y axis, for values that span orders of magnitude. */
  readonly logScale?: boolean;
  /** A fixed x range and its label in place of the last `windowSeconds` (the draining lab: ms after the 1012). */
  readonly x?: { readonly range: readonly [number, number]; readonly label: string };
}

/** A colour from a CSS custom property of `element`, e.g. `--sb-ok`. */
export function cssColor(element: Element, property: string, fallback = '#888'): string {
  const value = getComputedStyle(element).getPropertyValue(property).trim();
  return value === '' ? fallback : value;
}

/** A series drawn as dots only (one per message), coloured by a CSS custom property. */
export function dotSeries(element: Element, label: string, colourProperty: string, sizePx = 5): uPlot.Series {
  const colour = () => cssColor(element, colourProperty);
  return {
    label,
    stroke: colour,
    paths: () => null,
    points: { show: true, size: sizePx, width: 1, stroke: colour, fill: colour },
  };
}

export function createScrollingChart(container: HTMLElement, options: ScrollingChartOptions): ScrollingChart {
  const axisColour = () => cssColor(container, '--sl-color-gray-2');
  const gridColour = () => cssColor(container, '--sl-color-hairline');
  const axis = (label: string): uPlot.Axis => ({
    label,
    stroke: axisColour,
    grid: { stroke: gridColour, width: 1 },
    ticks: { stroke: gridColour, width: 1 },
  });
  const chart = new uPlot(
    {
      width: Math.max(200, container.clientWidth),
      height: options.heightPx,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: () => (options.x === undefined ? [-options.windowSeconds, 0] : [options.x.range[0], options.x.range[1]]) },
        y: {
          // 3 is uPlot.Scale.Distr.Logarithmic, an ambient const enum that isolated modules cannot name.
          // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
          ...(options.logScale === true ? { distr: 3, log: 10 as const } : {}),
          range: (_self, dataMin, dataMax) => options.yRange(dataMin, dataMax),
        },
      },
      axes: [axis(options.x?.label ?? 'seconds ago'), axis(options.yLabel)],
      series: [{}, ...options.series],
    },
    [[], ...options.series.map(() => [])],
    container,
  );
  let pending: uPlot.AlignedData | null = null;
  let frame = 0;
  const resize = new ResizeObserver(() => {
    chart.setSize({ width: Math.max(200, container.clientWidth), height: options.heightPx });
  });
  resize.observe(container);
  // Starlight switches themes by setting data-theme on <html>; the colour functions read the new values on redraw.
  const theme = new MutationObserver(() => {
    chart.redraw(false, true);
  });
  theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return {
    setData(data) {
      pending = data;
      if (frame !== 0) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (pending !== null) chart.setData(pending);
        pending = null;
      });
    },
    destroy() {
      cancelAnimationFrame(frame);
      resize.disconnect();
      theme.disconnect();
      chart.destroy();
    },
  };
}
