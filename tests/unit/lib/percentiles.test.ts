import { describe, expect, it } from 'vitest';
import { percentile, summarizeLatencies } from '../../../src/shared/percentiles.ts';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.9)).toBe(90);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('summarizeLatencies', () => {
  it('sorts before ranking and reports the maximum', () => {
    expect(summarizeLatencies([5, 1, 4, 2, 3])).toEqual({ count: 5, p50: 3, p90: 5, p99: 5, max: 5 });
  });
});
