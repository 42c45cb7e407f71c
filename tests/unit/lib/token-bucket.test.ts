import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/shared/token-bucket.ts';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 100;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 10_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('says how long until the next token', () => {
    let now = 0;
    const bucket = new TokenBucket(4, 1, () => now);
    expect(bucket.msUntilNextToken()).toBe(0);
    expect(bucket.take()).toBe(true);
    expect(bucket.msUntilNextToken()).toBe(250);
    now += 100;
    expect(bucket.msUntilNextToken()).toBeCloseTo(150);
    now += 150;
    expect(bucket.msUntilNextToken()).toBe(0);
    expect(bucket.take()).toBe(true);
  });

  it('rejects nonsense settings', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(TypeError);
  });
});
