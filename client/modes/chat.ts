import { createInterface } from 'node:readline';
import ReconnectingWebSocket from 'partysocket/ws';
import { chatShouldReconnect, ChatStore, type ChatEntry, type ChatSnapshot } from '../../src/shared/chat-store.ts';
import { clockTime, formatDuration } from '../../src/shared/format.ts';
import { parseChatServerMessage, roomNameProblem, type AckMessage } from '../../src/shared/protocol/chat.ts';
import { partysocketOptions } from '../../src/shared/reconnect.ts';
import type { ClientContext, ClientMode } from '../mode.ts';

export const CHAT_HELP = `Commands:
  <text>              say <text> to the room
  /broadcast <text>   the same, and report how many members the server delivered it to.
                      In a room every message is broadcast: the server sends one copy
                      to each member, you included ("fan-out").
  /ping               application-level ping; prints the round-trip time
  /nick <name>        rename yourself (2 to 24 letters, digits, - or _; unique in the room)
  /who                list the members of the room
  /rooms              list the rooms on the server and their member counts
  /help               this help
  /exit               leave (so does the end of input, or Ctrl+C)`;

/** Connection attempts that never open before the client gives up, when it has never been in the room. */
const ATTEMPTS_BEFORE_GIVING_UP = 3;

/** One line for a timeline entry, as the terminal shows it. */
export function formatChatEntry(entry: ChatEntry): string {
  if (entry.kind === 'notice') return `${entry.tone === 'info' ? '--' : '!!'} ${entry.text}`;
  const { event } = entry;
  const time = `[${clockTime(new Date(event.at))}]`;
  switch (event.type) {
    case 'message':
      return `${time} ${event.from}: ${event.text}`;
    case 'joined':
      return `${time} * ${event.name} joined`;
    case 'left':
      return `${time} * ${event.name} left`;
    case 'renamed':
      return `${time} * ${event.from} is now ${event.to}`;
  }
}

/**
 * Waits until `ready()` holds, re-checking on every store change and every
 * message; resolves `false` if the client is stopped first.
 */
function until(store: ChatStore, socket: EventTarget, signal: AbortSignal, ready: () => boolean): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const check = () => {
      if (ready()) done(true);
    };
    const abort = () => {
      done(false);
    };
    const unsubscribe = store.subscribe(check);
    socket.addEventListener('message', check);
    signal.addEventListener('abort', abort);
    function done(value: boolean) {
      unsubscribe();
      socket.removeEventListener('message', check);
      signal.removeEventListener('abort', abort);
      resolve(value);
    }
  });
}

/**
 * `chat [room]`: an interactive member of `/ws/chat/<room>` (default
 * `lobby`), built on the same ChatStore as the chapter's lab, so it
 * reconnects with backoff and resumes from the last id it saw. Lines are
 * handled one at a time: each waits for the server's answer (ack, pong,
 * rename) before the next, so piped input runs as a script.
 */
export const chatMode: ClientMode = {
  summary: 'join a chat room; /broadcast, /ping, /nick, /who, /rooms, /exit',
  usage: '[room]',
  async run(args, context) {
    const room = args[0] ?? 'lobby';
    const problem = roomNameProblem(room);
    if (problem !== null) {
      context.warn(problem);
      return 2;
    }
    return runChat(room, context);
  },
};

async function runChat(room: string, { server, print, warn, signal }: ClientContext): Promise<number> {
  let store: ChatStore | null = null;
  const socket = new ReconnectingWebSocket(() => store?.connectUrl(server) ?? `${server}/ws/chat/${room}`, undefined, {
    ...partysocketOptions({}, Math.random, chatShouldReconnect),
    // The store keeps its own outbox; partysocket must not replay sends on reconnect.
    maxEnqueuedMessages: 0,
  });
  const chat = new ChatStore(socket, { room });
  store = chat;

  const printed = new Set<string>();
  let reportedAttempts = 0;
  let lastRooms: ChatSnapshot['rooms'] = null;
  chat.subscribe((snapshot) => {
    for (const entry of snapshot.entries) {
      if (printed.has(entry.key)) continue;
      printed.add(entry.key);
      print(formatChatEntry(entry));
    }
    if (snapshot.state === 'unreachable' && snapshot.failedAttempts > reportedAttempts) {
      reportedAttempts = snapshot.failedAttempts;
      warn(`cannot reach ${server}/ws/chat/${room} (attempt ${String(snapshot.failedAttempts)}); is the demo server running? (npm start)`);
    }
    if (snapshot.rooms !== lastRooms && snapshot.rooms !== null) {
      lastRooms = snapshot.rooms;
      print(`rooms: ${snapshot.rooms.map((each) => `${each.name} (${String(each.members)})`).join(', ') || 'none'}`);
    }
  });

  const acks = new Map<string, AckMessage>();
  const pongs = new Map<string, number>();
  socket.addEventListener('message', (event: MessageEvent) => {
    const message = typeof event.data === 'string' ? parseChatServerMessage(event.data) : null;
    if (message?.type === 'ack') acks.set(message.clientId, message);
    if (message?.type === 'pong' && message.token !== null) pongs.set(message.token, performance.now());
  });
  const wait = (ready: () => boolean) => until(chat, socket, signal, ready);

  /** Runs one input line; resolves `false` when the client should stop. */
  async function runLine(line: string): Promise<boolean> {
    const [command = ''] = line.trim().split(/\s+/);
    const argument = line.trim().slice(command.length).trim();
    if (command === '') return true;
    if (command === '/exit') return false;
    if (command === '/help') {
      print(CHAT_HELP);
      return true;
    }
    if (command === '/who') {
      print(`members: ${chat.snapshot.members.join(', ')}`);
      return true;
    }
    if (command === '/ping') {
      const token = `ping-${String(performance.now())}`;
      const sentAt = performance.now();
      if (!chat.sendRaw(JSON.stringify({ type: 'ping', token }))) warn(chat.snapshot.sendError ?? 'not sent');
      else if (await wait(() => pongs.has(token))) print(`pong: ${formatDuration((pongs.get(token) ?? sentAt) - sentAt)} round trip`);
      return true;
    }
    if (command === '/nick') {
      const before = chat.snapshot.entries.length;
      const you = chat.snapshot.you;
      if (!chat.nick(argument)) warn(chat.snapshot.sendError ?? 'not sent');
      else await wait(() => chat.snapshot.you !== you || chat.snapshot.entries.slice(before).some((entry) => entry.kind === 'notice' && entry.tone === 'error'));
      return true;
    }
    if (command === '/rooms') {
      const before = chat.snapshot.rooms;
      if (!chat.requestRooms()) warn(chat.snapshot.sendError ?? 'not sent');
      else await wait(() => chat.snapshot.rooms !== before);
      return true;
    }
    const broadcast = command === '/broadcast';
    if (command.startsWith('/') && !broadcast) {
      warn(`unknown command ${command}; /help lists them`);
      return true;
    }
    const text = broadcast ? argument : line;
    if (!chat.say(text)) {
      warn(chat.snapshot.sendError ?? 'not sent');
      return true;
    }
    const clientId = chat.snapshot.outbox.at(-1)?.clientId ?? '';
    if (await wait(() => acks.has(clientId)) && broadcast) {
      const ack = acks.get(clientId);
      if (ack !== undefined) print(`broadcast #${String(ack.id)} delivered to ${String(ack.recipients)} member${ack.recipients === 1 ? '' : 's'} (you included)`);
    }
    return true;
  }

  const joined = await wait(() => chat.snapshot.state === 'open' || chat.snapshot.failedAttempts >= ATTEMPTS_BEFORE_GIVING_UP);
  if (!joined || chat.snapshot.state !== 'open') {
    chat.leave();
    if (joined) warn(`giving up after ${String(ATTEMPTS_BEFORE_GIVING_UP)} attempts`);
    return joined ? 1 : 0;
  }
  print(`type a message and press Enter; /help lists the commands`);

  const input = createInterface({ input: process.stdin, terminal: false });
  const abort = () => {
    input.close();
  };
  signal.addEventListener('abort', abort);
  try {
    for await (const line of input) {
      if (!(await runLine(line)) || signal.aborted) break;
    }
  } finally {
    signal.removeEventListener('abort', abort);
    input.close();
  }
  const unconfirmed = chat.snapshot.outbox.length;
  chat.leave();
  print('closed: 1000 "bye"');
  if (unconfirmed > 0) {
    warn(`${String(unconfirmed)} messages were not confirmed by the server`);
    return 1;
  }
  return 0;
}
