import { describe, expect, it } from 'vitest';
import { releaseTime, stallAt, type Impairment } from '../../../demo-server/routes/realtime/impairment.ts';

const NONE: Impairment = { delayMs: 0, jitterMs: 0, stallEveryMs: 0, stallForMs: 0 };

describe('releaseTime', () => {
  it('sends at once on a perfect network', () => {
    expect(releaseTime(100, 0, NONE, 0, () => 0.5)).toBe(100);
  });

  it('adds the delay and the random share of the jitter', () => {
    const impairment = { ...NONE, delayMs: 50, jitterMs: 40 };
    expect(releaseTime(100, 0, impairment, 0, () => 0)).toBe(150);
    expect(releaseTime(100, 0, impairment, 0, () => 0.5)).toBe(170);
    expect(releaseTime(100, 0, impairment, 0, () => 0.999)).toBeCloseTo(189.96);
  });

  it('never releases a sample before the one produced ahead of it (TCP keeps order)', () => {
    const impairment = { ...NONE, jitterMs: 100 };
    const first = releaseTime(0, 0, impairment, 0, () => 0.9);
    expect(first).toBe(90);
    expect(releaseTime(20, first, impairment, 0, () => 0)).toBe(90);
  });

  it('holds a sample that falls in a stall until the stall ends', () => {
    const impairment = { ...NONE, stallEveryMs: 1000, stallForMs: 300 };
    expect(releaseTime(650, 0, impairment, 0)).toBe(650);
    expect(releaseTime(700, 0, impairment, 0)).toBe(1000);
    expect(releaseTime(999, 0, impairment, 0)).toBe(1000);
    expect(releaseTime(1000, 0, impairment, 0)).toBe(1000);
    expect(releaseTime(1750, 0, impairment, 0)).toBe(2000);
    // A delay that lands the sample in a stall holds it too; stalls count from their origin.
    expect(releaseTime(600, 0, { ...impairment, delayMs: 200 }, 0)).toBe(1000);
    expect(releaseTime(700, 0, impairment, 500)).toBe(700);
  });
});

describe('stallAt', () => {
  it('places each stall at the end of its period', () => {
    const impairment = { ...NONE, stallEveryMs: 500, stallForMs: 100 };
    expect(stallAt(399, impairment, 0)).toBeNull();
    expect(stallAt(400, impairment, 0)).toEqual([400, 500]);
    expect(stallAt(950, impairment, 0)).toEqual([900, 1000]);
    expect(stallAt(950, { ...impairment, stallEveryMs: 0 }, 0)).toBeNull();
    expect(stallAt(-1, impairment, 0)).toBeNull();
  });
});
