// An echo server and a chat server in one process, with the `ws` library.
// The parts marked TODO are yours to write; solution.js is one answer.
// Run it and grade it, from the repository's folder:
//   node examples/node-echo-chat/starter.js 9001
//   npm run grade -- ws://127.0.0.1:9001 --suite handshake,echo
//   npm run grade -- ws://127.0.0.1:9001/chat/lobby --suite chat
//   npm run grade -- ws://127.0.0.1:9001/heartbeat --suite heartbeat
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? process.env.PORT ?? 9001);
const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_TEXT_CHARS = 1000;
const HISTORY_ON_JOIN = 50;

// `ws` does the protocol: the handshake (RFC 6455 §4), masking, fragments,
// pings, the closing handshake, 1002 and 1007. maxPayload bounds a message.
const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

const http = createServer((request, response) => {
  // RFC 9110 §15.5.22: a 426 names the protocol to switch to.
  response.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' }).end('WebSocket only: / or /echo, /chat/<room> and /heartbeat\n');
});

// Route by path before upgrading: an unknown path is refused with 404, not upgraded.
http.on('upgrade', (request, socket, head) => {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  const room = /^\/chat(?:\/([a-z0-9-]{1,32}))?$/.exec(pathname);
  const isEcho = pathname === '/' || pathname === '/echo';
  if (!isEcho && pathname !== '/heartbeat' && room === null) {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => {
    // ws closes with 1002 or 1007 on a protocol error and then emits 'error':
    // without a listener, that error would crash the whole process.
    ws.on('error', (error) => console.warn(`closed a connection: ${error.message}`));
    if (isEcho) echo(ws);
    else if (pathname === '/heartbeat') heartbeat(ws);
    else chat(ws, room?.[1] ?? 'lobby');
  });
});

/** Sends every message back as it came: text as text, binary as binary. */
function echo(ws) {
  ws.on('message', (data, isBinary) => {
    // TODO: the grader says text comes back as binary. `data` is a Buffer,
    // and ws sends a Buffer as a binary frame unless told otherwise.
    ws.send(data);
  });
}

/** A text message parsed as JSON, or null for a binary one or one that is not JSON. */
function jsonOf(data, isBinary) {
  if (isBinary) return null;
  try {
    return JSON.parse(data.toString());
  } catch {
    return null;
  }
}

/** The heartbeat this server states in its welcome and keeps to. */
const HEARTBEAT = { intervalMs: 1000, timeoutMs: 1000 };

/**
 * /heartbeat: states the interval and timeout, answers application pings,
 * and pings the client every interval (a protocol ping, RFC 6455 §5.5.2);
 * a client that does not answer within the timeout is closed with 4000.
 */
function heartbeat(ws) {
  ws.send(JSON.stringify({ type: 'welcome', ...HEARTBEAT }));
  let pongTimer = null;
  const answered = () => {
    clearTimeout(pongTimer);
    pongTimer = null;
  };
  ws.on('pong', answered);
  ws.on('message', (data, isBinary) => {
    const message = jsonOf(data, isBinary);
    if (message?.type === 'ping') ws.send(JSON.stringify({ type: 'pong', id: message.id, sent: message.sent }));
  });
  const beat = setInterval(() => {
    if (pongTimer !== null) return; // the last ping is still waiting for its pong
    ws.ping();
    // TODO: the grader says a silent client is never dropped. Start a timer
    // here that closes the connection with 4000 unless a pong comes within
    // HEARTBEAT.timeoutMs (answered() clears it).
    pongTimer = 0;
  }, HEARTBEAT.intervalMs);
  ws.on('close', () => {
    clearInterval(beat);
    clearTimeout(pongTimer);
  });
}

/** Rooms by name: members (socket → name) and the events kept for history. */
const rooms = new Map();
let nextGuest = 1;

function roomNamed(name) {
  let room = rooms.get(name);
  if (room === undefined) {
    room = { members: new Map(), history: [], nextId: 1 };
    rooms.set(name, room);
  }
  return room;
}

/** Logs an event in the room's history and sends it to every member, the sender included. */
function broadcast(room, event) {
  const logged = { ...event, id: room.nextId++, at: Date.now() };
  room.history.push(logged);
  if (room.history.length > 500) room.history.shift();
  const text = JSON.stringify(logged);
  for (const member of room.members.keys()) member.send(text);
}

function chat(ws, roomName) {
  const room = roomNamed(roomName);
  const name = `guest-${nextGuest++}`;
  ws.send(
    JSON.stringify({
      type: 'welcome',
      room: roomName,
      you: name,
      members: [...room.members.values(), name],
      // TODO: send the room's recent events (the last HISTORY_ON_JOIN), oldest first.
      history: [],
    }),
  );
  // Tell the others first, then join: the newcomer learns who is here from the welcome.
  broadcast(room, { type: 'joined', name });
  room.members.set(ws, name);

  ws.on('message', (data, isBinary) => {
    const message = jsonOf(data, isBinary);
    if (message?.type !== 'say' || typeof message.text !== 'string') {
      ws.send(JSON.stringify({ type: 'error', error: 'INVALID_MESSAGE', message: 'expected {"type":"say","text":"…"}' }));
      return;
    }
    const text = message.text.trim();
    if (text === '' || [...text].length > MAX_TEXT_CHARS) {
      ws.send(JSON.stringify({ type: 'error', error: 'TEXT_INVALID', message: `text must be 1 to ${MAX_TEXT_CHARS} characters` }));
      return;
    }
    // TODO: send {"type":"message","from":<the sender's name>,"text":…} to
    // every member of the room, the sender included, and keep it in history
    // (broadcast() above does both).
  });

  ws.on('close', () => {
    room.members.delete(ws);
    // TODO: tell the members still here: {"type":"left","name":…}.
  });
}

http.listen(port, '127.0.0.1', () => {
  console.log(`listening on ws://127.0.0.1:${http.address().port} (echo on / and /echo, chat on /chat/<room>, heartbeat on /heartbeat)`);
});
