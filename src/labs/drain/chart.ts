import type uPlot from 'uplot';
import { createScrollingChart, cssColor } from '../kit/scrolling-uplot.ts';
import { HERD_MODES as DRAIN_MODES, type HerdMode as DrainMode } from '../../shared/herd.ts';
import { DRAIN_BUCKETS, type DrainResult } from './store.ts';

export interface DrainChart {
  update(results: Readonly<Partial<Record<DrainMode, DrainResult>>>): void;
  destroy(): void;
}

const COLOURS: Record<DrainMode, string> = { 'no-jitter': '--sb-bad', 'full-jitter': '--sb-ok' };
const LABELS: Record<DrainMode, string> = { 'no-jitter': 'no jitter', 'full-jitter': 'full jitter' };

/** Handshakes per 100 ms at the surviving instance, against ms after the 1012: one stepped line per run. */
export function createDrainChart(container: HTMLElement): DrainChart {
  const series: uPlot.Series[] = DRAIN_MODES.map((mode) => ({ label: LABELS[mode], stroke: () => cssColor(container, COLOURS[mode]), width: 2 }));
  const chart = createScrollingChart(container, {
    heightPx: 200,
    windowSeconds: 0,
    yLabel: 'handshakes per 100 ms',
    yRange: (_min, max) => [0, Math.max(10, Number.isFinite(max) ? Math.ceil(max * 1.1) : 10)],
    series,
    x: { range: [0, DRAIN_BUCKETS * 100], label: 'ms after the 1012' },
  });
  // Each count is drawn at the start and the end of its 100 ms, so a bucket is a flat step.
  const xs = Array.from({ length: DRAIN_BUCKETS * 2 }, (_, index) => Math.floor(index / 2) * 100 + (index % 2) * 99);
  return {
    update(results) {
      const columns = DRAIN_MODES.map((mode) => {
        const counts = results[mode]?.perBucket;
        return xs.map((_, index) => (counts === undefined ? null : (counts[Math.floor(index / 2)] ?? 0)));
      });
      chart.setData([xs, ...columns]);
    },
    destroy() {
      chart.destroy();
    },
  };
}
