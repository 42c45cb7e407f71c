import { CloseEvent as PartySocketCloseEvent } from 'partysocket/ws';
import { describe, expect, it } from 'vitest';
import { partysocketOptions, partysocketShouldReconnect, RECONNECT_DEFAULTS, shouldReconnectOnClose } from '../../../src/shared/reconnect.ts';

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

  it('gives every cell the close-code policy', () => {
    const { shouldReconnectOnClose: policy } = partysocketOptions();
    expect(policy({ code: 1008 })).toBe(false);
    expect(policy({ code: 1012 })).toBe(true);
    expect(policy(new PartySocketCloseEvent(1000, '', null))).toBe(true);
  });

  it('takes a client-specific policy, still reconnecting after partysocket\'s own close events', () => {
    const { shouldReconnectOnClose: policy } = partysocketOptions({}, Math.random, (event) => event.code === 1008);
    expect(policy({ code: 1008 })).toBe(true);
    expect(policy({ code: 1012 })).toBe(false);
    expect(policy(new PartySocketCloseEvent(1000, '', null))).toBe(true);
  });
});

describe('shouldReconnectOnClose', () => {
  it('reconnects after the server went away, the network failed, or the server asked to come back later', () => {
    for (const code of [1001, 1005, 1006, 1011, 1012, 1013, 1014]) {
      expect(shouldReconnectOnClose({ code }), String(code)).toBe(true);
    }
  });

  it('stops after a deliberate end, refused data or protocol, and policy', () => {
    for (const code of [1000, 1002, 1003, 1007, 1008, 1009, 1010, 1015]) {
      expect(shouldReconnectOnClose({ code }), String(code)).toBe(false);
    }
  });

  it('stops after 4400–4499 (4000 + an HTTP client error, e.g. 4401 Unauthorized)', () => {
    for (const code of [4400, 4401, 4403, 4429, 4499]) expect(shouldReconnectOnClose({ code }), String(code)).toBe(false);
  });

  it('reconnects after other application and registered codes, which a generic client cannot know', () => {
    for (const code of [3000, 3999, 4000, 4399, 4500, 4999]) expect(shouldReconnectOnClose({ code }), String(code)).toBe(true);
  });
});

describe('partysocketShouldReconnect', () => {
  it("always reconnects after partysocket's own close events, which stand for a failed attempt", () => {
    // partysocket makes these after an error event, a timeout or reconnect(), with code 1000.
    expect(partysocketShouldReconnect(new PartySocketCloseEvent(1000, '', null))).toBe(true);
    expect(partysocketShouldReconnect(new PartySocketCloseEvent(undefined, 'timeout', null))).toBe(true);
  });

  it('applies the policy to real close events', () => {
    expect(partysocketShouldReconnect({ code: 1000 })).toBe(false);
    expect(partysocketShouldReconnect({ code: 4401 })).toBe(false);
    expect(partysocketShouldReconnect({ code: 1012 })).toBe(true);
  });
});
