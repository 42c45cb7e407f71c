import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RealtimeServerMessage } from '../../src/shared/protocol/realtime.ts';
import { closed, refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';
import { openJsonClient } from '../helpers/json-client.ts';

type Sample = Extract<RealtimeServerMessage, { type: 'sample' }>;

function samplesOf(messages: readonly RealtimeServerMessage[]): Sample[] {
  return messages.filter((message): message is Sample => message.type === 'sample');
}

const open = (url: string) => openJsonClient<RealtimeServerMessage>(url);

describe('/ws/realtime', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer();
  });
  afterEach(async () => {
    await running.close();
  });

  it('refuses settings out of range with HTTP 400 naming the parameter and its range', async () => {
    const refusal = (query: string) => refusedHandshake(`${running.wsUrl}/ws/realtime?${query}`);
    expect(await refusal('rate=0')).toEqual({ status: 400, body: 'query parameter rate must be an integer from 1 to 100 (messages per second), got 0\n' });
    expect(await refusal('rate=101')).toEqual({ status: 400, body: 'query parameter rate must be an integer from 1 to 100 (messages per second), got 101\n' });
    expect((await refusal('delay=fast')).body).toBe('query parameter delay must be an integer from 0 to 2000 (milliseconds), got "fast"\n');
    expect((await refusal('jitter=2.5')).body).toBe('query parameter jitter must be an integer from 0 to 1000 (milliseconds), got "2.5"\n');
    expect((await refusal('stallEvery=100')).body).toBe(
      'query parameter stallEvery must be 0 (off) or an integer from 500 to 60000 (milliseconds), got 100\n',
    );
    expect(await refusal('stallEvery=1000&stallFor=1000')).toEqual({
      status: 400,
      body: 'query parameter stallFor (1000) must be less than stallEvery (1000)\n',
    });
  });

  it('sends its settings, then samples in order on a fixed schedule, each sent no earlier than produced', async () => {
    const { socket: client, messages } = await open(`${running.wsUrl}/ws/realtime?rate=50`);
    await expect.poll(() => samplesOf(messages).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(20);
    expect(messages[0]).toEqual({ type: 'settings', ratePerSecond: 50, delayMs: 0, jitterMs: 0, stallEveryMs: 0, stallForMs: 0, fromSeq: 1 });
    const samples = samplesOf(messages);
    expect(samples.map((sample) => sample.seq)).toEqual(samples.map((_, index) => index + 1));
    for (const [index, sample] of samples.entries()) {
      expect(sample.sentAt).toBeGreaterThanOrEqual(sample.producedAt);
      // The schedule is exact: 50 per second is one every 20 ms, whenever the timers fire.
      if (index > 0) expect(sample.producedAt - (samples[index - 1]?.producedAt ?? 0)).toBeCloseTo(20, 1);
    }
    client.close();
  });

  it('holds every sample back by at least the added delay and never reorders them under jitter', async () => {
    const { socket: client, messages } = await open(`${running.wsUrl}/ws/realtime?rate=50&delay=120&jitter=60`);
    await expect.poll(() => samplesOf(messages).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(30);
    const samples = samplesOf(messages);
    for (const [index, sample] of samples.entries()) {
      expect(sample.sentAt - sample.producedAt).toBeGreaterThanOrEqual(119.9);
      if (index > 0) expect(sample.sentAt).toBeGreaterThanOrEqual(samples[index - 1]?.sentAt ?? 0);
    }
    client.close();
  });

  it('stalls: samples produced during a stall leave together when it ends', async () => {
    const { socket: client, messages } = await open(`${running.wsUrl}/ws/realtime?rate=50&stallEvery=1000&stallFor=400`);
    await expect.poll(() => samplesOf(messages).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(60);
    const held = samplesOf(messages).filter((sample) => sample.sentAt - sample.producedAt >= 300);
    // The first stall covers 600–1000 ms of the stream: the samples produced in its first 100 ms wait at least 300 ms.
    expect(held.length).toBeGreaterThanOrEqual(3);
    client.close();
  });

  it('changes settings with configure, answering with the settings in force', async () => {
    const { socket: client, messages } = await open(`${running.wsUrl}/ws/realtime?rate=10`);
    client.send(JSON.stringify({ type: 'configure', delayMs: 200, ratePerSecond: 40 }));
    await expect.poll(() => messages.filter((message) => message.type === 'settings').length).toBe(2);
    expect(messages.filter((message) => message.type === 'settings')[1]).toEqual({
      type: 'settings',
      ratePerSecond: 40,
      delayMs: 200,
      jitterMs: 0,
      stallEveryMs: 0,
      stallForMs: 0,
      fromSeq: expect.any(Number) as unknown,
    });
    const settings = messages.filter((message) => message.type === 'settings')[1] as { fromSeq: number };
    const settingsIndex = messages.findLastIndex((message) => message.type === 'settings');
    await expect.poll(() => samplesOf(messages.slice(settingsIndex + 1)).length, { timeout: 10_000 }).toBeGreaterThan(10);
    // Samples made under the old settings may still come first; from fromSeq on, every one waits the new delay.
    const newSamples = samplesOf(messages.slice(settingsIndex + 1)).filter((sample) => sample.seq >= settings.fromSeq);
    expect(newSamples.length).toBeGreaterThan(5);
    expect(newSamples.every((sample) => sample.sentAt - sample.producedAt >= 199.9)).toBe(true);
    client.close();
  });

  it('refuses a configure out of range or contradictory with an error naming it, and stays up', async () => {
    const { socket: client, ofType } = await open(`${running.wsUrl}/ws/realtime?rate=1`);
    const errors = () => ofType('error');
    client.send(JSON.stringify({ type: 'configure', delayMs: 5000 }));
    client.send(JSON.stringify({ type: 'configure', stallEveryMs: 1000, stallForMs: 1000 }));
    client.send(JSON.stringify({ type: 'configure', delay: 10 }));
    await expect.poll(() => errors().length).toBe(3);
    expect(errors()).toEqual([
      {
        type: 'error',
        error: 'INVALID_MESSAGE',
        message: 'message does not match the protocol: delayMs: must be an integer from 0 to 2000 (milliseconds), got 5000',
      },
      { type: 'error', error: 'INVALID_MESSAGE', message: 'message does not match the protocol: stallForMs (1000) must be less than stallEveryMs (1000)' },
      { type: 'error', error: 'INVALID_MESSAGE', message: expect.stringMatching(/^message does not match the protocol: delay: /) as unknown },
    ]);
    expect(client.readyState).toBe(client.OPEN);
    client.close();
  });

  it('answers a clock probe at once, outside the impairment, with the server time', async () => {
    const { socket: client, ofType } = await open(`${running.wsUrl}/ws/realtime?rate=1&delay=2000`);
    const before = performance.timeOrigin + performance.now();
    client.send(JSON.stringify({ type: 'clock', id: 7, clientTime: 123.5 }));
    await expect.poll(() => ofType('clock').length).toBe(1);
    const after = performance.timeOrigin + performance.now();
    const [reply] = ofType('clock');
    expect(reply).toMatchObject({ type: 'clock', id: 7, clientTime: 123.5 });
    expect(ofType('sample')).toEqual([]);
    // Same machine, same clock: the server's time lies between our send and our receipt.
    const serverTime = reply?.serverTime ?? 0;
    expect(serverTime).toBeGreaterThanOrEqual(before - 1);
    expect(serverTime).toBeLessThanOrEqual(after + 1);
    client.close();
  });

  it('closes with 1008 after a stream of invalid messages, and the server keeps serving', async () => {
    const { socket: client } = await open(`${running.wsUrl}/ws/realtime?rate=1`);
    const closing = closed(client);
    for (let index = 0; index < 30; index++) client.send('not json');
    const { code, reason } = await closing;
    expect(code).toBe(1008);
    expect(reason).toMatch(/^too many invalid messages/);
    const again = await open(`${running.wsUrl}/ws/realtime?rate=1`);
    await expect.poll(() => again.ofType('settings').length).toBe(1);
    again.socket.close();
  });
});
