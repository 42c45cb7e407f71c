import { createScrollingChart, dotSeries } from '../kit/scrolling-uplot.ts';

export interface RttPoint {
  /** Seconds, on the same clock as `nowSeconds`. */
  readonly atSeconds: number;
  readonly rttMs: number;
}

export interface HeartbeatChart {
  /** Plots the three round-trip series over the window ending at `nowSeconds`. */
  update(series: readonly (readonly RttPoint[])[], nowSeconds: number): void;
  destroy(): void;
}

/** Below this a round trip is drawn at this value: the log scale has no zero. */
const FLOOR_MS = 0.05;

/**
 * The Heartbeat lab's chart: round trips over the last `windowSeconds`, on
 * a log scale, so a 0.3 ms ping on an idle machine and a 10 s one across a
 * frozen server both stay readable.
 */
export function createHeartbeatChart(container: HTMLElement, windowSeconds: number, labels: readonly { label: string; colourProperty: string }[]): HeartbeatChart {
  const chart = createScrollingChart(container, {
    heightPx: 200,
    windowSeconds,
    yLabel: 'round trip (ms)',
    yRange: (_min, max) => [0.1, Math.max(10, (Number.isFinite(max) ? max : 1) * 2)],
    // Dots, not lines: a line would bridge the time the connection was down as if pings had been answered.
    series: labels.map(({ label, colourProperty }) => dotSeries(container, label, colourProperty, 6)),
    logScale: true,
  });
  return {
    update(series, nowSeconds) {
      const times = [...new Set(series.flatMap((points) => points.map((point) => point.atSeconds)))]
        .filter((time) => time - nowSeconds > -windowSeconds && time <= nowSeconds)
        .sort((a, b) => a - b);
      const index = new Map(times.map((time, position) => [time, position]));
      const columns = series.map((points) => {
        const column: (number | null)[] = times.map(() => null);
        for (const point of points) {
          const position = index.get(point.atSeconds);
          if (position !== undefined) column[position] = Math.max(FLOOR_MS, point.rttMs);
        }
        return column;
      });
      chart.setData([times.map((time) => time - nowSeconds), ...columns]);
    },
    destroy() {
      chart.destroy();
    },
  };
}
