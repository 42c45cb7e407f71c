import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../../bench/histogram.ts';
import { split } from '../../../../bench/load.ts';
import { markdownTable, median, serverTable, summarizeScenario } from '../../../../bench/report.ts';
import { SCENARIOS } from '../../../../bench/scenarios.ts';

describe('LatencyHistogram', () => {
  it('gives percentiles within 1 % of the exact nearest-rank value, and the exact maximum', () => {
    const histogram = new LatencyHistogram();
    for (let value = 1; value <= 1000; value++) histogram.record(value / 100);
    expect(histogram.count).toBe(1000);
    expect(histogram.percentile(0.5)).toBeCloseTo(5, 1);
    expect(Math.abs(histogram.percentile(0.99) - 9.9) / 9.9).toBeLessThan(0.01);
    expect(histogram.maxMs).toBe(10);
    expect(histogram.percentile(1)).toBe(10);
  });

  it('adds up histograms from several threads', () => {
    const first = new LatencyHistogram();
    const second = new LatencyHistogram();
    for (let index = 0; index < 99; index++) first.record(1);
    second.record(50);
    first.add(second.toData());
    expect(first.count).toBe(100);
    expect(first.percentile(0.99)).toBeCloseTo(1, 1);
    expect(first.maxMs).toBe(50);
  });

  it('is NaN when empty, and puts values under a microsecond in the first bucket', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentile(0.5)).toBeNaN();
    histogram.record(0);
    expect(histogram.percentile(0.5)).toBe(0);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the middle two, ignoring NaN', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([NaN, 7])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

describe('split', () => {
  it('shares clients among workers as evenly as whole numbers allow', () => {
    expect(split(1000, 2)).toEqual([500, 500]);
    expect(split(7, 3)).toEqual([3, 2, 2]);
    expect(split(1, 2)).toEqual([1, 0]);
  });
});

/** A scenario with a throughput budget and two on one tail. */
const scenario = {
  id: 'echo',
  metrics: [
    { key: 'rate', label: 'echoes/s', unit: '', digits: 0 },
    { key: 'p99Ms', label: 'p99', unit: 'ms', digits: 2 },
  ],
  budgets: [
    { metric: 'rate', kind: 'ratio-at-least', value: 0.9 },
    { metric: 'p99Ms', kind: 'at-most', value: 1 },
    { metric: 'p99Ms', kind: 'ratio-at-most', value: 2.5 },
  ] as const,
};

describe('summarizeScenario', () => {
  it('takes medians per server, the ratio of the medians, and judges each budget', () => {
    const report = summarizeScenario(scenario, 'Echo', [
      { round: 1, target: 'socketbook', values: { rate: 90, p99Ms: 0.8 }, profile: null },
      { round: 1, target: 'ws', values: { rate: 100, p99Ms: 0.5 }, profile: null },
      { round: 2, target: 'ws', values: { rate: 120, p99Ms: 0.5 }, profile: null },
      { round: 2, target: 'socketbook', values: { rate: 80, p99Ms: 1.4 }, profile: null },
    ], []);
    const rate = report.metrics[0];
    expect(rate?.socketbook.median).toBe(85);
    expect(rate?.ws?.median).toBe(110);
    expect(rate?.ratio).toBeCloseTo(85 / 110);
    expect(report.budgets).toEqual([
      { metric: 'rate', rule: '≥ 0.9× bare ws', actual: 85 / 110, met: false },
      { metric: 'p99Ms', rule: '≤ 1 ms', actual: 1.1, met: false },
      { metric: 'p99Ms', rule: '≤ 2.5× bare ws', actual: 2.2, met: true },
    ]);
    expect(report.rounds).toBe(2);
  });
});

describe('serverTable', () => {
  it('names the rounds each scenario ran and lists every budget on a metric', () => {
    const report = summarizeScenario(
      scenario,
      'Echo',
      [
        { round: 1, target: 'socketbook', values: { rate: 90, p99Ms: 0.8 }, profile: null },
        { round: 1, target: 'ws', values: { rate: 100, p99Ms: 0.2 }, profile: null },
      ],
      [],
      5,
    );
    const table = serverTable([report]);
    expect(table).toContain('Echo (5 rounds)');
    expect(table).toContain('≤ 1 ms: met; ≤ 2.5× bare ws: MISSED');
  });
});

describe('the tail scenarios', () => {
  it('run at least 5 rounds and hold their p99 to 1.1× bare ws (issue 23)', () => {
    const tails = { 'round-trip': 'p99Ms', idle: 'handshakeP99Ms' } as const;
    for (const [id, metric] of Object.entries(tails)) {
      const found = SCENARIOS.find((candidate) => candidate.id === id);
      expect(found?.minRounds, id).toBeGreaterThanOrEqual(5);
      expect(found?.budgets, id).toContainEqual({ metric, kind: 'ratio-at-most', value: 1.1 });
    }
  });
});

describe('markdownTable', () => {
  it('pads every column to its widest cell', () => {
    expect(markdownTable(['a', 'bb'], [['ccc', 'd']])).toBe('| a   | bb |\n| --- | -- |\n| ccc | d  |');
  });
});
