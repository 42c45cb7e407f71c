import ReconnectingWebSocket from 'partysocket/ws';

// Where this client is in the room's log. After the first
// welcome, every (re)connect asks for what came after lastId.
let lastId = 0, epoch = null, you = null;
const url = () => {
  const base = `${SERVER}/ws/chat/${room}`;
  if (epoch === null) return base;
  return `${base}?since=${lastId}&epoch=${epoch}&name=${you}`;
};
// partysocket calls url() before every attempt.
const socket = new ReconnectingWebSocket(url);

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  switch (message.type) {
    case 'welcome': // recent history, or exactly what we missed
      ({ epoch, you } = message);
      message.history.forEach(show);
      break;
    case 'message': case 'joined': case 'left': case 'renamed':
      show(message);
      break;
    case 'typing':
      showTyping(message.name, message.typing);
      break;
    case 'error': // e.g. TEXT_TOO_LONG, RATE_WARNING
      showNotice(message.message);
      break;
  }
});

function show(event) {
  if (event.id <= lastId) return; // seen already: never twice
  lastId = event.id;
  const line = document.createElement('li');
  // Text, never innerHTML: a message cannot become markup.
  line.textContent = `${event.from}: ${event.text}`;
  log.append(line);
}

form.addEventListener('submit', () => {
  // The clientId lets the server ack the message, and drop
  // a copy resent after a reconnect.
  const clientId = crypto.randomUUID();
  const text = input.value;
  socket.send(JSON.stringify({ type: 'say', text, clientId }));
});
