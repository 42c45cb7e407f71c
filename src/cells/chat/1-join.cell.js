// A room of our own: a random name keeps this notebook's messages apart from
// everyone else's (room names are 1 to 32 of a-z, 0-9, "-" and "_").
const room = `notebook-${crypto.randomUUID().slice(0, 8)}`;
const socket = new WebSocket(`${SERVER}/ws/chat/${room}`);

// Every message from the server is one JSON object with a `type`; keep them all.
const inbox = [];
socket.addEventListener('message', (event) => inbox.push(JSON.parse(event.data)));

/** Resolves with the next message of `type` that `chat` receives. */
function nextOfType(type, chat = socket) {
  return new Promise((resolve) => {
    chat.addEventListener('message', function listener(event) {
      const message = JSON.parse(event.data);
      if (message.type !== type) return;
      chat.removeEventListener('message', listener);
      resolve(message);
    });
  });
}

const welcome = await nextOfType('welcome');
display(`you are ${welcome.you} in ${welcome.room}; last event #${welcome.lastId}, epoch ${welcome.epoch}`);
display(welcome.members);
welcome.limits;
