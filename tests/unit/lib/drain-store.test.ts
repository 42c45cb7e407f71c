import { describe, expect, it } from 'vitest';
import { fullJitterDelayMs } from '../../../src/shared/backoff.ts';
import { herdDelayMs, HERD_BACKOFF } from '../../../src/shared/herd.ts';
import { bucketsAfter, clientsProblem, DRAIN_BUCKETS, DrainStore } from '../../../src/labs/drain/store.ts';
import { HandshakeCounter } from '../../../demo-server/core/handshake-counter.ts';

describe('fullJitterDelayMs', () => {
  it('draws from 0 up to the capped exponential delay', () => {
    expect(fullJitterDelayMs(1, HERD_BACKOFF, () => 0)).toBe(0);
    expect(fullJitterDelayMs(1, HERD_BACKOFF, () => 0.5)).toBe(500);
    expect(fullJitterDelayMs(3, HERD_BACKOFF, () => 0.999)).toBe(3996);
    expect(fullJitterDelayMs(10, HERD_BACKOFF, () => 1)).toBe(8000);
  });

  it('gives every client of a herd without jitter the same delay, and spreads them with full jitter', () => {
    expect(new Set([0, 0.3, 0.9].map((draw) => herdDelayMs('no-jitter', () => draw)))).toEqual(new Set([1000]));
    expect([0, 0.3, 0.9].map((draw) => herdDelayMs('full-jitter', () => draw))).toEqual([0, 300, 900]);
  });
});

describe('HandshakeCounter', () => {
  it('counts handshakes per 100 ms of wall clock and keeps one minute', () => {
    let now = 1_000_050;
    const counter = new HandshakeCounter(() => now);
    counter.count();
    counter.count();
    now += 100;
    counter.count();
    expect(counter.since(1_000_000).buckets).toEqual([
      { atMs: 1_000_000, count: 2 },
      { atMs: 1_000_100, count: 1 },
    ]);
    expect(counter.since(1_000_100).buckets).toEqual([{ atMs: 1_000_100, count: 1 }]);
    now += 61_000;
    counter.count();
    for (let step = 0; step < 700; step++) {
      now += 100;
      counter.count();
    }
    expect(counter.since(0).buckets.length).toBeLessThanOrEqual(601);
    expect(counter.since(0).buckets[0]?.atMs).toBeGreaterThan(1_000_100);
  });
});

describe('the draining lab store', () => {
  it('lays the counts out per 100 ms from the drain, with zeros where none came', () => {
    const series = bucketsAfter({ bucketMs: 100, buckets: [{ atMs: 900, count: 4 }, { atMs: 1000, count: 2 }, { atMs: 2000, count: 7 }, { atMs: 99_999_900, count: 1 }] }, 1050);
    expect(series).toHaveLength(DRAIN_BUCKETS);
    expect(series.slice(0, 11)).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]);
  });

  it('refuses a number of clients out of range before asking the cluster', async () => {
    expect(clientsProblem('5')).toBe('clients must be a whole number from 10 to 200, got "5"');
    expect(clientsProblem('abc')).toBe('clients must be a whole number from 10 to 200, got "abc"');
    const store = new DrainStore();
    let asked = false;
    await store.run('no-jitter', '1e9', {
      herd: () => {
        asked = true;
        return Promise.resolve({ drainedAtMs: 0, closed: 0 });
      },
      handshakes: () => Promise.resolve({ bucketMs: 100, buckets: [] }),
    });
    expect(asked).toBe(false);
    expect(store.snapshot).toMatchObject({ phase: 'failed', problem: 'clients must be a whole number from 10 to 200, got "1e9"' });
  });

  it('reads the survivor’s counts until the window is over, and says so when the cluster refuses', async () => {
    let now = 10_000;
    const store = new DrainStore();
    await store.run('full-jitter', '50', {
      herd: () => Promise.resolve({ drainedAtMs: 10_000, closed: 50 }),
      handshakes: () => Promise.resolve({ bucketMs: 100, buckets: [{ atMs: 10_300, count: 20 }, { atMs: 10_800, count: 30 }] }),
      now: () => now,
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    });
    expect(store.snapshot.phase).toBe('done');
    expect(store.snapshot.results['full-jitter']).toMatchObject({ clients: 50, closed: 50, peak: 30, total: 50 });
    await store.run('no-jitter', '50', { herd: () => Promise.reject(new Error('a herd is already running: wait for it to finish')), handshakes: () => Promise.reject(new Error('unused')) });
    expect(store.snapshot).toMatchObject({ phase: 'failed', problem: 'the cluster refused the herd: a herd is already running: wait for it to finish' });
  });
});
