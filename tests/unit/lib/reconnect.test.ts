import { describe, expect, it } from 'vitest';
import { partysocketOptions, RECONNECT_DEFAULTS } from '../../../src/lib/reconnect.ts';

describe('partysocketOptions', () => {
  it('jitters minReconnectionDelay by ±jitterRatio on every read', () => {
    const samples = [0, 0.5, 1];
    let index = 0;
    const options = partysocketOptions({}, () => samples[index++] ?? 0);
    const base = RECONNECT_DEFAULTS.minReconnectionDelay;
    expect(options.minReconnectionDelay).toBeCloseTo(base * 0.7);
    expect(options.minReconnectionDelay).toBeCloseTo(base);
    expect(options.minReconnectionDelay).toBeCloseTo(base * 1.3);
  });

  it('passes the other settings through', () => {
    const options = partysocketOptions({ maxReconnectionDelay: 1234 });
    expect(options.maxReconnectionDelay).toBe(1234);
    expect(options.reconnectionDelayGrowFactor).toBe(RECONNECT_DEFAULTS.reconnectionDelayGrowFactor);
  });
});
