import { describe, expect, it } from 'vitest';
import { AddressBuckets, addressOf } from '../../../demo-server/core/address-buckets.ts';

describe('AddressBuckets', () => {
  it('keeps one bucket per address', () => {
    let now = 0;
    const buckets = new AddressBuckets(1, 2, () => now);
    expect([buckets.take('10.0.0.1'), buckets.take('10.0.0.1'), buckets.take('10.0.0.1')]).toEqual([true, true, false]);
    expect(buckets.take('10.0.0.2')).toBe(true);
    expect(buckets.msUntilNextToken('10.0.0.1')).toBe(1000);
    expect(buckets.msUntilNextToken('10.0.0.9')).toBe(0);
    now += 1000;
    expect(buckets.take('10.0.0.1')).toBe(true);
  });

  it('refuses everything when the burst is 0', () => {
    const buckets = new AddressBuckets(1, 0);
    expect(buckets.take('10.0.0.1')).toBe(false);
    expect(buckets.msUntilNextToken('10.0.0.1')).toBe(Infinity);
  });

  it('forgets full buckets once 1,000 addresses are tracked, and keeps the ones in use', () => {
    let now = 0;
    const buckets = new AddressBuckets(1, 1, () => now);
    for (let i = 0; i < 1_000; i += 1) buckets.take(`10.0.${String(i >> 8)}.${String(i & 255)}`);
    expect(buckets.size).toBe(1_000);
    now += 500;
    buckets.take('10.9.9.9');
    expect(buckets.size).toBe(1_001);
    now += 1_000;
    buckets.take('10.9.9.8');
    // The 1,000 first buckets refilled and were forgotten; 10.9.9.9's refilled too.
    expect(buckets.size).toBe(1);
  });

  it('reads an IPv4-mapped address as the IPv4 one', () => {
    expect(addressOf('::ffff:10.0.0.5')).toBe('10.0.0.5');
    expect(addressOf(undefined)).toBe('unknown');
  });
});
