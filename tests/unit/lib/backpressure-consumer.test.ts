import { describe, expect, it } from 'vitest';
import { busyWait, ConsumerLedger } from '../../../src/shared/backpressure/consumer.ts';

const hello = (serverTime: number, mode = 'credit') =>
  JSON.stringify({
    type: 'hello',
    statsId: '3f2b8c1e-5a7d-4e9b-9c61-0d4f2a8b7e15',
    mode,
    messagesPerSecond: 100,
    messageBytes: 200,
    pingIntervalMs: 1000,
    pongTimeoutMs: 10_000,
    uploadBytesPerSecond: 0,
    maxBufferedBytes: 16_777_216,
    serverTime,
  });
const data = (seq: number, producedAt: number, dropped = 0) =>
  `{"type":"data","seq":${String(seq)},"producedAt":${String(producedAt)},"value":100,"dropped":${String(dropped)},"pad":"xxxx"}`;

describe('ConsumerLedger', () => {
  it('grants the credit window on hello, then credit back in batches of a quarter window', () => {
    const sent: string[] = [];
    const ledger = new ConsumerLedger({ mode: 'credit', creditWindow: 8 }, (text) => sent.push(text), () => 1_000);
    expect(ledger.receive(hello(1_000))).toBe('hello');
    expect(sent).toEqual(['{"type":"credit","credits":8}']);
    for (let seq = 1; seq <= 5; seq++) {
      expect(ledger.receive(data(seq, 1_000))).toBe('data');
      ledger.processed(data(seq, 1_000));
    }
    // Two batches of 2; the fifth is owed until the next batch is full.
    expect(sent.slice(1)).toEqual(['{"type":"credit","credits":2}', '{"type":"credit","credits":2}']);
    expect(ledger.progress().creditsGranted).toBe(12);
  });

  it('grants nothing in naive mode', () => {
    const sent: string[] = [];
    const ledger = new ConsumerLedger({ mode: 'naive' }, (text) => sent.push(text));
    ledger.receive(hello(Date.now(), 'naive'));
    ledger.receive(data(1, Date.now()));
    ledger.processed(data(1, Date.now()));
    expect(sent).toEqual([]);
  });

  it('counts the backlog between receiving and processing, in messages and bytes', () => {
    const ledger = new ConsumerLedger({ mode: 'naive' }, () => undefined);
    ledger.receive(data(1, 0));
    ledger.receive(data(2, 0));
    ledger.receive(data(3, 0));
    ledger.processed(data(1, 0));
    expect(ledger.progress()).toMatchObject({ received: 3, processed: 1, backlogMessages: 2, backlogBytes: 2 * data(2, 0).length });
  });

  it('measures message age on the server clock, whatever the skew between the clocks', () => {
    let now = 5_000;
    // This clock is 60 s behind the server's.
    const ledger = new ConsumerLedger({ mode: 'naive' }, () => undefined, () => now);
    ledger.receive(hello(65_000, 'naive'));
    ledger.receive(data(1, 64_500));
    now = 6_000;
    ledger.processed(data(1, 64_500));
    expect(ledger.progress()).toMatchObject({ lastAgeMs: 1_500, maxAgeMs: 1_500 });
  });

  it('sums the drops conflation reports, and knows when it has drained after finish', () => {
    const sent: string[] = [];
    const ledger = new ConsumerLedger({ mode: 'conflate', creditWindow: 1 }, (text) => sent.push(text));
    ledger.receive(hello(Date.now(), 'conflate'));
    ledger.receive(data(5, Date.now(), 4));
    ledger.finish();
    ledger.finish();
    expect(sent.filter((text) => text.includes('finish'))).toEqual(['{"type":"finish"}']);
    expect(ledger.receive('{"type":"finished","produced":9,"sent":1,"dropped":8}')).toBe('finished');
    expect(ledger.drained).toBe(false);
    ledger.processed(data(5, Date.now(), 4));
    expect(ledger.drained).toBe(true);
    // No credit after finish.
    expect(sent.at(-1)).toBe('{"type":"finish"}');
    expect(ledger.progress().droppedReported).toBe(4);
  });

  it('keeps the server\'s last error message and ignores what it does not know', () => {
    const ledger = new ConsumerLedger({}, () => undefined);
    expect(ledger.receive('{"type":"error","error":"CREDIT_LIMIT","message":"credit balance over the limit"}')).toBe('error');
    expect(ledger.lastError).toBe('credit balance over the limit');
    expect(ledger.receive('not json')).toBe('other');
    expect(ledger.receive('{"type":"surprise"}')).toBe('other');
  });

  it('rejects a credit window out of range', () => {
    expect(() => new ConsumerLedger({ creditWindow: 0 }, () => undefined)).toThrow('creditWindow must be a whole number from 1 to 1000, got 0');
  });
});

describe('busyWait', () => {
  it('blocks the thread for at least the time asked', () => {
    const start = performance.now();
    let timerRan = false;
    setTimeout(() => {
      timerRan = true;
    }, 0);
    busyWait(20);
    expect(performance.now() - start).toBeGreaterThanOrEqual(20);
    expect(timerRan).toBe(false);
  });
});
