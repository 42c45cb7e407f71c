import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { TokenBucket } from '../../src/shared/token-bucket.ts';
import { readBoundedInteger } from '../../src/shared/bounded-integer.ts';
import { formatDuration } from '../../src/shared/format.ts';
import { summarizeLatencies } from '../../src/shared/percentiles.ts';
import { CHAT_DEFAULTS, chatUrl, roomNameProblem, type ChatLimits, type ChatServerMessage } from '../../src/shared/protocol/chat.ts';
import type { ClientMode } from '../mode.ts';

/** Defaults keep a run to a second or two against 127.0.0.1; flags raise them within the bounds. */
export const STRESS_DEFAULTS = {
  clients: 20,
  messages: 10,
  timeoutMs: 30_000,
} as const;

const BOUNDS = {
  clients: { min: 1, max: CHAT_DEFAULTS.maxMembersPerRoom },
  messages: { min: 1, max: 1_000 },
  timeoutMs: { min: 1_000, max: 600_000 },
} as const;

export const STRESS_USAGE = '[--clients N] [--messages M] [--room name] [--timeout-ms T]';

interface StressOptions {
  readonly clients: number;
  readonly messages: number;
  readonly room: string;
  readonly timeoutMs: number;
}

/** Reads the flags; a string says what is wrong. */
function readOptions(args: readonly string[]): StressOptions | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { clients: { type: 'string' }, messages: { type: 'string' }, room: { type: 'string' }, 'timeout-ms': { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    return `${error instanceof Error ? error.message : String(error)}\nUsage: npm run client -- stress ${STRESS_USAGE}`;
  }
  const integer = (flag: string, text: string | undefined, fallback: number, bounds: { min: number; max: number }): number | string => {
    if (text === undefined) return fallback;
    const read = readBoundedInteger({ name: `--${flag}`, ...bounds }, text);
    return read.ok ? read.value : read.message;
  };
  const clients = integer('clients', values.clients, STRESS_DEFAULTS.clients, BOUNDS.clients);
  const messages = integer('messages', values.messages, STRESS_DEFAULTS.messages, BOUNDS.messages);
  const timeoutMs = integer('timeout-ms', values['timeout-ms'], STRESS_DEFAULTS.timeoutMs, BOUNDS.timeoutMs);
  for (const value of [clients, messages, timeoutMs]) if (typeof value === 'string') return value;
  const room = values.room ?? `stress-${Math.random().toString(36).slice(2, 8)}`;
  const problem = roomNameProblem(room);
  if (problem !== null) return problem;
  return { clients: clients as number, messages: messages as number, room, timeoutMs: timeoutMs as number };
}

/** One simulated member and what it observed. */
interface StressClient {
  readonly index: number;
  readonly socket: WebSocket;
  limits: ChatLimits | null;
  received: number;
  lastId: number;
  outOfOrder: number;
  errors: string[];
  closedWith: number | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `stress`: N members join one room and each sends M messages, paced to
 * the rate the server announces (a client over it would be warned, then
 * cut off). Every member should receive all N × M messages, in id order.
 * Reports send rate, delivery rate (fan-out), send-to-receive latency
 * percentiles over every delivery, and whether anything was lost.
 */
export const chatStressMode: ClientMode = {
  summary: 'N clients × M messages in one room: messages/s, latency p50/p90/p99/max, loss check',
  usage: STRESS_USAGE,
  async run(args, { server, print, warn, signal }) {
    const options = readOptions(args);
    if (typeof options === 'string') {
      warn(options);
      return 2;
    }
    const { clients: clientCount, messages, room, timeoutMs } = options;
    const expectedPerClient = clientCount * messages;
    const sentAt = new Map<string, number>();
    const latenciesMs: number[] = [];
    let lastDeliveryAt = 0;
    const clients: StressClient[] = [];
    print(`stress: ${String(clientCount)} clients × ${String(messages)} messages in room ${room} on ${server}`);

    try {
      for (let index = 0; index < clientCount; index++) {
        const socket = new WebSocket(chatUrl(server, room));
        const client: StressClient = { index, socket, limits: null, received: 0, lastId: 0, outOfOrder: 0, errors: [], closedWith: null };
        clients.push(client);
        socket.on('message', (data: Buffer) => {
          const message = JSON.parse(data.toString()) as ChatServerMessage;
          if (message.type === 'welcome') {
            client.limits = message.limits;
            client.lastId = message.lastId;
          } else if (message.type === 'message') {
            const at = performance.now();
            if (message.id <= client.lastId) client.outOfOrder += 1;
            client.lastId = message.id;
            const start = message.clientId === undefined ? undefined : sentAt.get(message.clientId);
            if (start !== undefined) {
              client.received += 1;
              latenciesMs.push(at - start);
              lastDeliveryAt = at;
            }
          } else if (message.type === 'error') {
            client.errors.push(message.error);
          }
        });
        socket.on('close', (code: number) => {
          client.closedWith = code;
        });
        socket.on('error', () => undefined);
        await once(socket, 'open');
      }
      if (!(await waitFor(() => clients.every((client) => client.limits !== null || client.closedWith !== null), timeoutMs, signal))) {
        throw new Error(`not every client joined within ${formatDuration(timeoutMs)}`);
      }
      const refused = clients.find((client) => client.closedWith !== null);
      if (refused !== undefined) throw new Error(`client ${String(refused.index)} was closed with ${String(refused.closedWith)} before the run: ${refused.errors.join(', ') || 'no error message'}`);

      const startedAt = performance.now();
      await Promise.all(clients.map((client) => sendPaced(client, messages, sentAt, signal)));
      const sentIn = performance.now() - startedAt;
      const complete = await waitFor(() => clients.every((client) => client.received >= expectedPerClient), timeoutMs, signal);
      const deliveredIn = (complete ? lastDeliveryAt : performance.now()) - startedAt;

      const sent = clientCount * messages;
      const delivered = clients.reduce((sum, client) => sum + client.received, 0);
      const expected = clientCount * expectedPerClient;
      const latency = summarizeLatencies(latenciesMs);
      const perSecond = (count: number, ms: number) => Math.round((count / Math.max(ms, 0.001)) * 1000).toLocaleString('en');
      const disordered = clients.reduce((sum, client) => sum + client.outOfOrder, 0);
      const errors = clients.flatMap((client) => client.errors);
      const cutOff = clients.filter((client) => client.closedWith !== null).length;
      print(`sent ${String(sent)} messages in ${formatDuration(sentIn)} (${perSecond(sent, sentIn)} messages/s); each is broadcast to ${String(clientCount)} members`);
      print(`delivered ${delivered.toLocaleString('en')} of ${expected.toLocaleString('en')} in ${formatDuration(deliveredIn)} (${perSecond(delivered, deliveredIn)} deliveries/s)`);
      if (latency.count > 0) {
        print(`latency, send to receive, over ${latency.count.toLocaleString('en')} deliveries: p50 ${formatDuration(latency.p50)}  p90 ${formatDuration(latency.p90)}  p99 ${formatDuration(latency.p99)}  max ${formatDuration(latency.max)}`);
      }
      print(`order: ${disordered === 0 ? 'ids strictly increasing at every client' : `${String(disordered)} messages arrived out of id order`}`);
      if (errors.length > 0) print(`errors from the server: ${[...new Set(errors)].join(', ')} (${String(errors.length)})`);
      if (cutOff > 0) print(`${String(cutOff)} clients were disconnected during the run`);
      const lost = expected - delivered;
      print(lost === 0 ? 'zero loss: yes' : `zero loss: NO, ${lost.toLocaleString('en')} deliveries missing after ${formatDuration(timeoutMs)}`);
      return lost === 0 && disordered === 0 ? 0 : 1;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      warn(`stress stopped: ${reason}${reason.includes('ECONNREFUSED') ? `; is the demo server running at ${server}? (npm start)` : ''}`);
      return 1;
    } finally {
      await Promise.all(
        clients.map(async ({ socket }) => {
          if (socket.readyState === socket.OPEN) {
            socket.close(1000, 'done');
            await once(socket, 'close');
          } else if (socket.readyState === socket.CONNECTING) socket.terminate();
        }),
      );
    }
  },
};

/**
 * Sends `count` messages from `client`, as fast as the server's announced
 * rate allows: most of the burst at once, then a message per token.
 */
async function sendPaced(client: StressClient, count: number, sentAt: Map<string, number>, signal: AbortSignal): Promise<void> {
  const limits = client.limits ?? CHAT_DEFAULTS;
  // The server's bucket counts from when each message is processed, not sent: a burst that waits in
  // its queue while a later message does not makes the two look closer together. Keeping one token
  // in hand and refilling a little slower absorbs up to a token's worth (200 ms) of that jitter.
  const bucket = new TokenBucket(limits.messagesPerSecond * 0.9, Math.max(1, limits.burstMessages - 1));
  for (let sent = 0; sent < count && !signal.aborted; ) {
    if (!bucket.take()) {
      await sleep(1000 / limits.messagesPerSecond / 2);
      continue;
    }
    const clientId = `s${String(client.index)}-${String(sent)}`;
    sentAt.set(clientId, performance.now());
    client.socket.send(JSON.stringify({ type: 'say', text: `stress ${String(sent)} from client ${String(client.index)}`, clientId }));
    sent += 1;
  }
}

/** Polls `done` until it holds (true) or `timeoutMs` passes or the run is stopped (false). */
async function waitFor(done: () => boolean, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline || signal.aborted) return false;
    await sleep(5);
  }
  return true;
}
