import { createScrollingChart, cssColor, dotSeries } from '../kit/scrolling-uplot.ts';

export interface DeadlineChart {
  /**
   * Plots each sample's delay at its arrival, green when on time and red
   * when late, with the deadline as a dashed line. `times` are seconds on
   * the same clock as `nowSeconds`.
   */
  update(times: readonly number[], delays: readonly number[], nowSeconds: number, deadlineMs: number): void;
  destroy(): void;
}

/** The Deadline lab's chart: delay of each sample over the last `windowSeconds`. */
export function createDeadlineChart(container: HTMLElement, windowSeconds: number): DeadlineChart {
  let deadline = 100;
  const chart = createScrollingChart(container, {
    heightPx: 240,
    windowSeconds,
    yLabel: 'delay (ms)',
    // Always show the deadline with room above it, and every point.
    yRange: (_min, max) => [0, Math.max(deadline * 2, (Number.isFinite(max) ? max : 0) * 1.1, 10)],
    series: [
      dotSeries(container, 'on time', '--sb-ok'),
      dotSeries(container, 'late', '--sb-bad'),
      { label: 'deadline', stroke: () => cssColor(container, '--sl-color-white'), width: 2, dash: [6, 4], points: { show: false } },
    ],
  });
  return {
    update(times, delays, nowSeconds, deadlineMs) {
      deadline = deadlineMs;
      // The deadline line spans the whole window: one point at each edge, with no sample there.
      const x: number[] = [-windowSeconds];
      const onTime: (number | null)[] = [null];
      const late: (number | null)[] = [null];
      const line: number[] = [deadlineMs];
      for (const [index, time] of times.entries()) {
        const secondsAgo = time - nowSeconds;
        // uPlot needs x ascending: drop what scrolled out of the window (or arrived after `now`).
        if (secondsAgo <= -windowSeconds || secondsAgo >= 0) continue;
        const delay = delays[index] ?? 0;
        x.push(secondsAgo);
        onTime.push(delay <= deadlineMs ? delay : null);
        late.push(delay > deadlineMs ? delay : null);
        line.push(deadlineMs);
      }
      x.push(0);
      onTime.push(null);
      late.push(null);
      line.push(deadlineMs);
      chart.setData([x, onTime, late, line]);
    },
    destroy() {
      chart.destroy();
    },
  };
}
