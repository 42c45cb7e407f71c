import { describe, expect, it } from 'vitest';
import { DeadlineStore, judgeSample, softUtility, type DeadlineOptions } from '../../../src/labs/deadline/store.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

const SETTINGS = { type: 'settings', ratePerSecond: 50, delayMs: 0, jitterMs: 0, stallEveryMs: 0, stallForMs: 0, fromSeq: 1 };

/** A store on a fake socket whose clock is `clientNow`; the server's clock runs `serverAhead` ms ahead. */
function setup(options: Partial<DeadlineOptions> = {}, serverAhead = 0) {
  const socket = new FakeSocket();
  let clientNow = 1_000_000;
  const store = new DeadlineStore(socket, { initialProbes: 1, ...options }, () => clientNow);
  const advance = (ms: number) => {
    clientNow += ms;
  };
  const message = (value: object) => socket.emit('message', { data: JSON.stringify(value) });
  /** Answers the newest clock probe after `roundTripMs`, stamped at its middle. */
  const answerProbe = (roundTripMs: number) => {
    const probe = JSON.parse(String(socket.sent.at(-1))) as { id: number; clientTime: number };
    advance(roundTripMs);
    message({ type: 'clock', id: probe.id, clientTime: probe.clientTime, serverTime: probe.clientTime + roundTripMs / 2 + serverAhead });
  };
  /** A sample produced `ageMs` ago, by the server's clock. */
  const sample = (seq: number, ageMs: number) => message({ type: 'sample', seq, producedAt: clientNow + serverAhead - ageMs, sentAt: clientNow + serverAhead });
  return { socket, store, advance, message, answerProbe, sample };
}

describe('softUtility', () => {
  it('is full on time and falls to nothing one whole deadline late', () => {
    expect(softUtility(-5, 100)).toBe(1);
    expect(softUtility(0, 100)).toBe(1);
    expect(softUtility(25, 100)).toBe(0.75);
    expect(softUtility(100, 100)).toBe(0);
    expect(softUtility(500, 100)).toBe(0);
  });
});

describe('judgeSample', () => {
  it('judges one stream three ways', () => {
    let run = judgeSample({ hard: { state: 'ok', judged: 0, firstMiss: null }, firm: { judged: 0, discarded: 0 }, soft: { judged: 0, utilitySum: 0 } }, 1, 40, 50);
    run = judgeSample(run, 2, 75, 50);
    run = judgeSample(run, 3, 10, 50);
    run = judgeSample(run, 4, 120, 50);
    expect(run.hard).toEqual({ state: 'failed', judged: 4, firstMiss: { seq: 2, delayMs: 75, lateByMs: 25 } });
    expect(run.firm).toEqual({ judged: 4, discarded: 2 });
    expect(run.soft).toEqual({ judged: 4, utilitySum: 1 + 0.5 + 1 + 0 });
  });
});

describe('DeadlineStore', () => {
  it('probes the clock on open and judges samples that arrived before the answer', () => {
    const { socket, store, sample, answerProbe, message } = setup({ deadlineMs: 50 });
    socket.emit('open');
    message(SETTINGS);
    expect(JSON.parse(String(socket.sent[0]))).toMatchObject({ type: 'clock', id: 1 });
    sample(1, 20);
    expect(store.snapshot).toMatchObject({ received: 1, run: { firm: { judged: 0 } } });
    answerProbe(2);
    expect(store.snapshot.clock).toEqual({ offsetMs: 0, uncertaintyMs: 1, probes: 1 });
    // Judged at its arrival: 20 ms old then, well within 50.
    expect(store.snapshot.run.hard).toEqual({ state: 'ok', judged: 1, firstMiss: null });
  });

  it('measures delay on its own clock, whatever the offset of the server\'s', () => {
    const { socket, store, sample, answerProbe, message } = setup({ deadlineMs: 50 }, 3_600_000);
    socket.emit('open');
    message(SETTINGS);
    answerProbe(4);
    expect(store.snapshot.clock?.offsetMs).toBe(3_600_000);
    sample(1, 30);
    sample(2, 80);
    expect(store.points(0).delays).toEqual([30, 80]);
    expect(store.snapshot.run.hard.firstMiss).toEqual({ seq: 2, delayMs: 80, lateByMs: 30 });
  });

  it('keeps the probe with the shortest round trip', () => {
    const { socket, store, answerProbe } = setup({ initialProbes: 3 }, 0);
    socket.emit('open');
    answerProbe(10);
    answerProbe(2);
    answerProbe(6);
    expect(store.snapshot.clock).toEqual({ offsetMs: 0, uncertaintyMs: 1, probes: 3 });
    expect(socket.sent).toHaveLength(3);
  });

  it('counts discarded samples and utility, and a hard failure stays failed', () => {
    const { socket, store, sample, answerProbe, message } = setup({ deadlineMs: 100 });
    socket.emit('open');
    message(SETTINGS);
    answerProbe(0);
    sample(1, 50);
    sample(2, 150);
    sample(3, 90);
    sample(4, 400);
    const { run } = store.snapshot;
    expect(run.hard.state).toBe('failed');
    expect(run.hard.firstMiss?.seq).toBe(2);
    expect(run.firm).toEqual({ judged: 4, discarded: 2 });
    expect(run.soft.utilitySum / run.soft.judged).toBeCloseTo((1 + 0.5 + 1 + 0) / 4);
  });

  it('starts a new run when the deadline or the settings change', () => {
    const { socket, store, sample, answerProbe, message } = setup({ deadlineMs: 10 });
    socket.emit('open');
    message(SETTINGS);
    answerProbe(0);
    sample(1, 50);
    expect(store.snapshot.run.hard.state).toBe('failed');
    expect(store.setDeadline(100)).toBe(true);
    expect(store.snapshot.run.hard).toEqual({ state: 'ok', judged: 0, firstMiss: null });
    sample(2, 150);
    message({ ...SETTINGS, delayMs: 200 });
    expect(store.snapshot.run.firm.judged).toBe(0);
    expect(store.snapshot.settings?.delayMs).toBe(200);
  });

  it('leaves samples made under the old settings out of the new run', () => {
    const { socket, store, sample, answerProbe, message } = setup({ deadlineMs: 100 });
    socket.emit('open');
    message(SETTINGS);
    answerProbe(0);
    message({ ...SETTINGS, delayMs: 300, fromSeq: 10 });
    // Sample 9 was made before the change and arrives fast; it is plotted, not judged.
    sample(9, 5);
    expect(store.snapshot.run.firm.judged).toBe(0);
    sample(10, 305);
    expect(store.snapshot.run.firm).toEqual({ judged: 1, discarded: 1 });
    expect(store.snapshot.received).toBe(2);
  });

  it('refuses a deadline out of range and explains', () => {
    const { store } = setup({ deadlineMs: 100 });
    expect(store.setDeadline(0)).toBe(false);
    expect(store.snapshot.problem).toBe('The deadline must be a whole number of milliseconds from 1 to 5000, got 0.');
    expect(store.snapshot.deadlineMs).toBe(100);
  });

  it('sends configure only when the values pass the server\'s own rules', () => {
    const { socket, store, message } = setup();
    socket.emit('open');
    message(SETTINGS);
    socket.sent.length = 0;
    expect(store.configure({ delayMs: 5000 })).toBe(false);
    expect(store.snapshot.problem).toBe('Fixed delay added to every sample before it is sent: must be an integer from 0 to 2000 (milliseconds), got 5000.');
    expect(store.configure({ stallEveryMs: 1000, stallForMs: 1500 })).toBe(false);
    expect(store.snapshot.problem).toBe('stallForMs (1500) must be less than stallEveryMs (1000).');
    expect(socket.sent).toEqual([]);
    expect(store.configure({ delayMs: 80, jitterMs: 20 })).toBe(true);
    expect(JSON.parse(String(socket.sent[0]))).toEqual({ type: 'configure', delayMs: 80, jitterMs: 20 });
    expect(store.snapshot.problem).toBeNull();
  });

  it('shows errors the server reports', () => {
    const { socket, store, message } = setup();
    socket.emit('open');
    message({ type: 'error', error: 'INVALID_MESSAGE', message: 'message does not match the protocol: x' });
    expect(store.snapshot.problem).toBe('The server said: message does not match the protocol: x');
  });

  it('estimates jitter as RFC 3550 does', () => {
    const { socket, store, sample, answerProbe, message } = setup();
    socket.emit('open');
    message(SETTINGS);
    answerProbe(0);
    sample(1, 10);
    sample(2, 26);
    // J = 0 + (|26 - 10| - 0) / 16 = 1
    expect(store.snapshot.jitterMs).toBe(1);
    sample(3, 10);
    expect(store.snapshot.jitterMs).toBe(1 + (16 - 1) / 16);
  });

  it('keeps a bounded window of points and reports its percentiles and rate', () => {
    const { socket, store, sample, answerProbe, message, advance } = setup({ windowMs: 1_000, maxPoints: 30 });
    socket.emit('open');
    message(SETTINGS);
    answerProbe(0);
    for (let seq = 1; seq <= 100; seq++) {
      sample(seq, seq);
      advance(20);
    }
    const stats = store.windowStats();
    expect(stats.count).toBe(30);
    expect(store.points(0).delays[0]).toBe(71);
    expect(stats.perSecond).toBeCloseTo(50);
    expect(stats.medianMs).toBe(85);
    expect(stats.p99Ms).toBe(100);
    expect(stats.maxMs).toBe(100);
  });

  it('reports a close after open as closed, and one before as unreachable', () => {
    const first = setup();
    first.socket.emit('open');
    first.socket.emit('close', { code: 1001, reason: 'server shutting down', wasClean: true });
    expect(first.store.snapshot).toMatchObject({ state: 'closed', lastClose: { code: 1001, reason: 'server shutting down' } });
    const second = setup();
    second.socket.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(second.store.snapshot.state).toBe('unreachable');
  });
});
