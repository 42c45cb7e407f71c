import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from '../../../src/shared/backoff.ts';

const options = { minReconnectionDelay: 500, maxReconnectionDelay: 8_000, reconnectionDelayGrowFactor: 2, jitterRatio: 0.3 };

describe('reconnectDelayMs', () => {
  it('doubles from the minimum up to the maximum when the jitter is centred', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => reconnectDelayMs(attempt, options, () => 0.5))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('spreads each delay over ±jitterRatio', () => {
    expect(reconnectDelayMs(2, options, () => 0)).toBe(700);
    expect(reconnectDelayMs(2, options, () => 0.999_999)).toBe(1300);
    expect(reconnectDelayMs(9, options, () => 0)).toBe(5600);
  });
});
