import { describe, expect, it } from 'vitest';
import { BackpressureRunStore, DEFAULT_RUN_CONFIG, EMPTY_PROGRESS, MAX_SAMPLES, runConfigProblem, type RunConfig } from '../../../src/shared/backpressure/store.ts';
import { DEFAULT_BACKPRESSURE_SETTINGS, type BackpressureEnded, type BackpressureStats } from '../../../src/shared/protocol/backpressure.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

const config: RunConfig = { ...DEFAULT_RUN_CONFIG, settings: DEFAULT_BACKPRESSURE_SETTINGS };

function statsMessage(change: Partial<BackpressureStats>): string {
  const base: BackpressureStats = {
    type: 'stats',
    elapsedMs: 0,
    state: 'streaming',
    produced: 0,
    sent: 0,
    dropped: 0,
    bufferedBytes: 0,
    credits: 0,
    pingsUnanswered: 0,
    oldestPingAgeMs: 0,
    lastPingRttMs: null,
    receivedBytes: 0,
  };
  return JSON.stringify({ ...base, ...change });
}

function ended(change: Partial<BackpressureEnded>): string {
  const base: BackpressureEnded = {
    type: 'ended',
    elapsedMs: 13_000,
    cause: 'pong-timeout',
    detail: 'no pong for 10.0 s (10 pings unanswered)',
    closedBy: 'server',
    serverCloseCode: null,
    clientCloseCode: null,
    produced: 1_300,
    sent: 1_300,
    dropped: 0,
    bufferedBytes: 7_700_000,
    unsentMessages: 750,
  };
  return JSON.stringify({ ...base, ...change });
}

function storeWithStats(runConfig = config): { store: BackpressureRunStore; stats: FakeSocket } {
  const store = new BackpressureRunStore(runConfig);
  const socket = new FakeSocket();
  store.attachStats(socket);
  socket.emit('open');
  return { store, stats: socket };
}

describe('BackpressureRunStore', () => {
  it('follows the server through the stats channel and records its peak send buffer', () => {
    const { store, stats } = storeWithStats();
    stats.emit('message', { data: statsMessage({ sent: 100, bufferedBytes: 2_000_000 }) });
    stats.emit('message', { data: statsMessage({ sent: 200, bufferedBytes: 1_000_000 }) });
    stats.emit('message', { data: 'not json' });
    stats.emit('message', { data: '{"type":"stats"}' });
    expect(store.snapshot.server?.sent).toBe(200);
    expect(store.snapshot.peakServerBufferedBytes).toBe(2_000_000);
  });

  it('samples the server and the consumer into bounded columns, with bytes in TCP and rates over the last second', () => {
    const { store, stats } = storeWithStats();
    for (let index = 0; index <= 20; index++) {
      stats.emit('message', { data: statsMessage({ sent: index * 10, bufferedBytes: index * 1000, oldestPingAgeMs: index * 100 }) });
      store.progress({ ...EMPTY_PROGRESS, received: index * 4, processed: index * 2, backlogBytes: index * 2 * 10_240, lastAgeMs: index * 50 });
      store.sample(index * 100);
    }
    const { series } = store.snapshot;
    expect(series.t.at(-1)).toBe(2);
    expect(series.sent.at(-1)).toBe(200);
    expect(series.pageBacklogBytes.at(-1)).toBe(40 * 10_240);
    // (200 sent − 80 received) frames of 10,244 bytes, less the 20,000 still in the server.
    expect(series.inTransitBytes.at(-1)).toBe(120 * 10_244 - 20_000);
    expect(series.sentPerSecond.at(-1)).toBeCloseTo(100);
    expect(series.processedPerSecond.at(-1)).toBeCloseTo(20);
    expect(series.ageSeconds.at(-1)).toBe(1);
    expect(series.pingWaitSeconds.at(-1)).toBe(2);
    for (let index = 21; index < MAX_SAMPLES + 50; index++) store.sample(index * 100);
    expect(series.t.length).toBe(MAX_SAMPLES);
    expect(series.droppedPerSecond.length).toBe(MAX_SAMPLES);
  });

  it('shows the server\'s verdict as soon as it arrives, then the full ending when the page sees the close', () => {
    const { store, stats } = storeWithStats();
    store.hello({ type: 'hello', statsId: 'x', mode: 'naive', messagesPerSecond: 100, messageBytes: 10_240, pingIntervalMs: 1000, pongTimeoutMs: 10_000, uploadBytesPerSecond: 0, maxBufferedBytes: 16_777_216, serverTime: 0 });
    expect(store.snapshot.state).toBe('running');
    store.progress({ ...EMPTY_PROGRESS, received: 300, processed: 300 });
    store.sample(13_100);
    stats.emit('message', { data: ended({}) });
    expect(store.snapshot.state).toBe('running');
    // The plots mark when the page learnt of it.
    expect(store.snapshot.serverEndedAtSeconds).toBe(13.1);
    expect(store.snapshot.ending?.verdict).toBe('pending');
    expect(store.snapshot.ending?.closeLine).toBe('The page has not seen the close yet: it is still busy with messages that arrived before the server gave up.');
    store.pageClosed({ code: 1006, reason: '', wasClean: false, initiatedBy: 'remote', elapsedMs: 14_500 });
    const ending = store.snapshot.ending;
    expect(store.snapshot.state).toBe('ended');
    expect(ending).toMatchObject({ verdict: 'failure', sent: 1_300, processed: 300, lost: 1_000, neverLeftServer: 750, inTcpBuffers: 250, receivedNotProcessed: 0 });
    expect(ending?.headline).toBe(
      'The server gave up after 13.0 s: no pong for 10.0 s (10 pings unanswered), so it dropped the TCP connection. Its pings were waiting behind data the page had not read.',
    );
    expect(ending?.closeLine).toBe(
      'The page saw close code 1006 (Abnormal Closure), not a clean close (wasClean is false). The server sent no close frame: it dropped the TCP connection, and 1006 is the code a side reports when no close frame arrived.',
    );
    expect(ending?.explanation).toEqual([
      '750 messages never left the server: they were still in its send buffer when the connection ended.',
      '250 messages had left the server: TCP held them in the socket buffers between the two programs, and the page never read them.',
      'TCP delivered 250 messages that the application never processed. TCP promises to deliver bytes to a socket, not that anyone processes them, and nothing told the server.',
    ]);
  });

  it('explains a 1008 from the send-buffer cap that the page saw as 1006', () => {
    const { store, stats } = storeWithStats();
    stats.emit('message', {
      data: ended({ elapsedMs: 21_000, cause: 'send-buffer-full', detail: 'send buffer full: client is not reading: 16.0 MiB queued, limit 16.0 MiB', serverCloseCode: 1008 }),
    });
    store.pageClosed({ code: 1006, reason: '', wasClean: false, initiatedBy: 'remote', elapsedMs: 22_000 });
    expect(store.snapshot.ending?.headline).toBe(
      'The server cut this client off after 21.0 s with close code 1008: send buffer full: client is not reading: 16.0 MiB queued, limit 16.0 MiB.',
    );
    expect(store.snapshot.ending?.closeLine).toContain(
      'The server did send 1008 (Policy Violation), but that close frame was queued behind the data the page never read',
    );
  });

  it('explains a page that gave up on its own backlog while the server saw nothing wrong', () => {
    const { store, stats } = storeWithStats({ ...config, consumer: 'queued' });
    stats.emit('message', { data: statsMessage({ sent: 2_000, lastPingRttMs: 2 }) });
    store.progress({ ...EMPTY_PROGRESS, received: 2_000, processed: 400, backlogMessages: 1_600, backlogBytes: 16_400_000 });
    store.pageClosed({ code: 4008, reason: 'page backlog over 16.0 MiB', wasClean: true, initiatedBy: 'page', elapsedMs: 20_000 });
    stats.emit('message', { data: ended({ cause: 'client-closed', detail: 'the client closed with 4008', closedBy: 'client', clientCloseCode: 4008, sent: 2_000, unsentMessages: 0 }) });
    const ending = store.snapshot.ending;
    expect(ending?.headline).toBe(
      'The page gave up after 20.0 s: its backlog passed its 16.0 MiB budget, with 1,600 messages received and waiting. The server saw nothing wrong. Its last ping came back in 2.00 ms, because the browser kept reading the socket.',
    );
    expect(ending?.closeLine).toBe('The page closed with 4008 (Private use) "page backlog over 16.0 MiB". The server received it.');
    expect(ending).toMatchObject({ lost: 1_600, receivedNotProcessed: 1_600, inTcpBuffers: 0, neverLeftServer: 0 });
    expect(ending?.explanation).toContain('1,600 messages had reached the page but were never processed.');
  });

  it('reports a drained credit run as clean, with nothing lost', () => {
    const { store, stats } = storeWithStats({ ...config, settings: { ...config.settings, mode: 'credit' } });
    stats.emit('message', { data: statsMessage({ sent: 300, bufferedBytes: 40_000 }) });
    store.draining();
    expect(store.snapshot.state).toBe('draining');
    store.progress({ ...EMPTY_PROGRESS, received: 300, processed: 300, finished: { type: 'finished', produced: 300, sent: 300, dropped: 0 } });
    store.pageClosed({ code: 1000, reason: 'finished', wasClean: true, initiatedBy: 'page', elapsedMs: 15_000 });
    const ending = store.snapshot.ending;
    expect(ending).toMatchObject({ verdict: 'clean', sent: 300, processed: 300, lost: 0 });
    expect(ending?.headline).toBe('The run finished after 15.0 s: the page asked the server to stop, processed every message already sent, and closed with 1000.');
    expect(ending?.explanation).toEqual([
      'Nothing lost. The server never ran more than the credit window (16) ahead of the page, so its send buffer peaked at 39.1 KiB.',
    ]);
  });

  it('counts conflation drops as intended, not lost', () => {
    const { store } = storeWithStats({ ...config, settings: { ...config.settings, mode: 'conflate' } });
    store.progress({ ...EMPTY_PROGRESS, received: 300, processed: 300, droppedReported: 1_190, finished: { type: 'finished', produced: 1_500, sent: 300, dropped: 1_200 } });
    store.pageClosed({ code: 1000, reason: 'finished', wasClean: true, initiatedBy: 'page', elapsedMs: 15_000 });
    expect(store.snapshot.ending).toMatchObject({ verdict: 'clean', lost: 0, dropped: 1_200 });
    expect(store.snapshot.ending?.explanation.at(-1)).toMatch(/^The server dropped 1,200 values on purpose/);
  });

  it('says when the stats channel could not connect', () => {
    const store = new BackpressureRunStore(config);
    const socket = new FakeSocket();
    store.attachStats(socket);
    socket.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot.statsProblem).toBe('The stats channel could not connect, so the server\'s side is not shown.');
  });
});

describe('runConfigProblem', () => {
  it('accepts the defaults and names the field that is out of range', () => {
    expect(runConfigProblem(config)).toBeNull();
    expect(runConfigProblem({ ...config, workPerMessageMs: 0 })).toBe('Work per message must be a whole number of milliseconds from 1 to 1000, got 0.');
    expect(runConfigProblem({ ...config, creditWindow: 5000 })).toBe('The credit window must be a whole number from 1 to 1000, got 5000.');
    expect(runConfigProblem({ ...config, pageBudgetBytes: 1 })).toBe('The page backlog budget must be from 1 to 256 MiB.');
  });
});

