/**
 * A load-generator worker thread: runs `ws` clients for one command at a
 * time (see load-protocol.ts) and posts the result. Clients use the same
 * `ws` as the servers, with compression off as the servers have it, and mask
 * their frames as browsers do (RFC 6455 §5.3).
 */
import { parentPort } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { LatencyHistogram } from './histogram.ts';
import type { JoinResult, LoadCommand, LoadReply, MembersReport, OpenIdleResult, Pacing, PublishResult, RoundTripResult, ThroughputResult } from './load-protocol.ts';
import { monotonicMs, sleep } from './system.ts';

if (parentPort === null) throw new Error('load-worker.ts runs as a worker thread');
const port = parentPort;

const CLIENT_OPTIONS = { perMessageDeflate: false, skipUTF8Validation: true } as const;
/** Distinct error messages kept per command: enough to say what went wrong. */
const MAX_ERRORS = 5;

class ErrorLog {
  readonly messages: string[] = [];
  add(message: string): void {
    if (this.messages.length < MAX_ERRORS && !this.messages.includes(message)) this.messages.push(message);
  }
}

/**
 * Opens a client and, with `awaitFirstMessage`, waits for its first message
 * too (the chat's welcome). Rejects with the HTTP status or socket error
 * when the handshake fails. The first message can arrive in the same read
 * as the 101 response, before a listener added after `open` would see it,
 * so the listener is there from the start.
 */
function connect(url: string, awaitFirstMessage = false): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, CLIENT_OPTIONS);
    let opened = false;
    socket.once('open', () => {
      opened = true;
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      if (!awaitFirstMessage) resolve(socket);
    });
    if (awaitFirstMessage) {
      socket.once('message', () => resolve(socket));
      socket.once('close', (code, reason) => {
        if (opened) reject(new Error(`closed with ${String(code)} ${reason.toString()} before its first message`));
      });
    }
    socket.once('unexpected-response', (_request, response) => {
      socket.terminate();
      reject(new Error(`HTTP ${String(response.statusCode)} at the handshake`));
    });
    socket.once('error', reject);
  });
}

/** Runs `count` tasks, at most `concurrency` at a time. */
async function withConcurrency(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, lane));
}

/** Every connection this worker holds, dropped by `drop-all`. */
const held: WebSocket[] = [];
/** Connections this worker dropped on purpose: their close is not news. */
const dropped = new WeakSet<WebSocket>();

function dropAll(): void {
  for (const socket of held.splice(0)) {
    dropped.add(socket);
    socket.terminate();
  }
}

async function openClients(url: string, count: number, errors: ErrorLog): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  await withConcurrency(count, 64, async () => {
    try {
      const socket = await connect(url);
      sockets.push(socket);
      held.push(socket);
    } catch (error) {
      errors.add(error instanceof Error ? error.message : String(error));
    }
  });
  return sockets;
}

async function echoThroughput(command: Extract<LoadCommand, { type: 'echo-throughput' }>): Promise<ThroughputResult> {
  const errors = new ErrorLog();
  const sockets = await openClients(command.url, command.clients, errors);
  const payload = Buffer.alloc(command.payloadBytes, 0x61);
  let running = true;
  let measuring = false;
  let messages = 0;
  for (const socket of sockets) {
    socket.on('message', () => {
      if (measuring) messages += 1;
      if (running) socket.send(payload, { binary: true });
    });
    socket.on('close', (code) => {
      if (running) errors.add(`closed with ${String(code)} during the run`);
    });
  }
  await sleep(Math.max(0, command.startAtMs - monotonicMs()));
  for (const socket of sockets) for (let index = 0; index < command.inFlight; index++) socket.send(payload, { binary: true });
  await sleep(command.warmupMs);
  measuring = true;
  const startedAt = monotonicMs();
  await sleep(command.durationMs);
  measuring = false;
  const elapsedMs = monotonicMs() - startedAt;
  running = false;
  dropAll();
  return { messages, bytes: messages * command.payloadBytes, elapsedMs, errors: errors.messages };
}

async function roundTrips(command: Extract<LoadCommand, { type: 'round-trips' }>): Promise<RoundTripResult> {
  const errors = new ErrorLog();
  const sockets = await openClients(command.url, command.clients, errors);
  const payload = Buffer.alloc(command.payloadBytes, 0x62);
  const histogram = new LatencyHistogram();
  const periodMs = (sockets.length * 1000) / command.messagesPerSecond;
  const measureFrom = command.startAtMs + command.warmupMs;
  const endAt = measureFrom + command.durationMs;
  let sent = 0;
  await Promise.all(
    sockets.map(async (socket, index) => {
      // An echo keeps order on one connection, so the oldest send time is this reply's.
      const sentAt: number[] = [];
      socket.on('message', () => {
        const start = sentAt.shift();
        if (start !== undefined && start >= measureFrom) histogram.record(monotonicMs() - start);
      });
      let due = command.startAtMs + (index * periodMs) / sockets.length;
      while (due < endAt) {
        await sleep(due - monotonicMs());
        const now = monotonicMs();
        sentAt.push(now);
        if (now >= measureFrom) sent += 1;
        socket.send(payload, { binary: true });
        due += periodMs;
      }
    }),
  );
  // Let the last replies arrive.
  await sleep(100);
  dropAll();
  return { sent, histogram: histogram.toData(), elapsedMs: command.durationMs, errors: errors.messages };
}

async function openIdle(command: Extract<LoadCommand, { type: 'open-idle' }>): Promise<OpenIdleResult> {
  const errors = new ErrorLog();
  const histogram = new LatencyHistogram();
  let failed = 0;
  const startedAtMs = monotonicMs();
  await withConcurrency(command.connections, command.concurrency, async () => {
    const start = monotonicMs();
    try {
      held.push(await connect(command.url));
      histogram.record(monotonicMs() - start);
    } catch (error) {
      failed += 1;
      errors.add(error instanceof Error ? error.message : String(error));
    }
  });
  return { opened: histogram.count, failed, histogram: histogram.toData(), startedAtMs, endedAtMs: monotonicMs(), errors: errors.messages };
}

/** What every member of the fan-out counts, for the phase being measured. */
const room = {
  phase: '',
  members: 0,
  delivered: 0,
  disordered: 0,
  lastDeliveryAtMs: 0,
  histogram: new LatencyHistogram(),
  closed: [] as string[],
};

/**
 * Members and the publisher read the chat's `message` events (other events,
 * such as `joined`, are ignored). Text is `phase sequence sentAtMs`.
 */
function parseRoomMessage(data: Buffer): { phase: string; sequence: number; sentAtMs: number } | null {
  const message = JSON.parse(data.toString()) as { type?: string; text?: string };
  if (message.type !== 'message' || message.text === undefined) return null;
  const [phase = '', sequence = '', sentAt = ''] = message.text.split(' ');
  return { phase, sequence: Number(sequence), sentAtMs: Number(sentAt) };
}

async function joinMembers(command: Extract<LoadCommand, { type: 'join-members' }>): Promise<JoinResult> {
  const errors = new ErrorLog();
  let failed = 0;
  await withConcurrency(command.urls.length, command.concurrency, async (index) => {
    try {
      const socket = await connect(command.urls[index] ?? '', command.awaitWelcome);
      held.push(socket);
      room.members += 1;
      let lastSequence = -1;
      let lastPhase = '';
      socket.on('message', (data: Buffer) => {
        const message = parseRoomMessage(data);
        if (message === null || message.phase !== room.phase) return;
        if (lastPhase !== room.phase) {
          lastPhase = room.phase;
          lastSequence = -1;
        }
        const now = monotonicMs();
        room.delivered += 1;
        if (message.sequence !== lastSequence + 1) room.disordered += 1;
        lastSequence = message.sequence;
        room.histogram.record(now - message.sentAtMs);
        room.lastDeliveryAtMs = now;
      });
      socket.on('close', (code) => {
        if (!dropped.has(socket)) room.closed.push(String(code));
      });
    } catch (error) {
      failed += 1;
      errors.add(error instanceof Error ? error.message : String(error));
    }
  });
  return { joined: room.members, failed, errors: errors.messages };
}

let publisher: WebSocket | null = null;

async function publish(command: Extract<LoadCommand, { type: 'publish' }>): Promise<PublishResult> {
  const socket = publisher;
  if (socket === null) throw new Error('open-publisher first');
  const errors = new ErrorLog();
  let published = 0;
  const startedAtMs = monotonicMs();
  const endAt = startedAtMs + command.durationMs;
  const send = () => {
    socket.send(JSON.stringify({ type: 'say', text: `${command.phase} ${String(published)} ${monotonicMs().toFixed(3)}` }));
    published += 1;
  };
  const pacing: Pacing = command.pacing;
  await new Promise<void>((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = parseRoomMessage(data);
      if (message === null || message.phase !== command.phase) return;
      if (pacing.kind === 'window' && monotonicMs() < endAt) send();
    };
    socket.on('message', onMessage);
    socket.once('close', (code, reason) => {
      errors.add(`publisher closed with ${String(code)} ${reason.toString()}`);
      resolve();
    });
    const finish = () => {
      socket.off('message', onMessage);
      resolve();
    };
    if (pacing.kind === 'window') {
      for (let index = 0; index < pacing.inFlight; index++) send();
      setTimeout(finish, command.durationMs);
      return;
    }
    const tick = setInterval(() => {
      const now = monotonicMs();
      const due = Math.min(Math.floor(((Math.min(now, endAt) - startedAtMs) * pacing.messagesPerSecond) / 1000), Math.round((command.durationMs * pacing.messagesPerSecond) / 1000));
      while (published < due) send();
      if (now >= endAt) {
        clearInterval(tick);
        finish();
      }
    }, 2);
  });
  return { published, startedAtMs, endedAtMs: monotonicMs(), errors: errors.messages };
}

async function handle(command: LoadCommand): Promise<unknown> {
  switch (command.type) {
    case 'echo-throughput':
      return echoThroughput(command);
    case 'round-trips':
      return roundTrips(command);
    case 'open-idle':
      return openIdle(command);
    case 'join-members':
      return joinMembers(command);
    case 'open-publisher':
      publisher = await connect(command.url, command.awaitWelcome);
      held.push(publisher);
      return null;
    case 'start-phase':
      Object.assign(room, { phase: command.phase, delivered: 0, disordered: 0, lastDeliveryAtMs: 0, histogram: new LatencyHistogram() });
      return null;
    case 'publish':
      return publish(command);
    case 'members-progress':
      return room.delivered;
    case 'members-report': {
      const report: MembersReport = {
        members: room.members,
        delivered: room.delivered,
        disordered: room.disordered,
        lastDeliveryAtMs: room.lastDeliveryAtMs,
        histogram: room.histogram.toData(),
        closed: room.closed,
      };
      return report;
    }
    case 'drop-all':
      dropAll();
      publisher = null;
      Object.assign(room, { phase: '', members: 0, delivered: 0, disordered: 0, closed: [] });
      return null;
  }
}

port.on('message', ({ id, command }: { id: number; command: LoadCommand }) => {
  handle(command).then(
    (result) => port.postMessage({ id, ok: true, result } satisfies LoadReply),
    (error: unknown) => port.postMessage({ id, ok: false, error: error instanceof Error ? error.message : String(error) } satisfies LoadReply),
  );
});
