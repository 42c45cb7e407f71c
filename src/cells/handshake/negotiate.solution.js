// Offer xml.v3 first and json.v1 second.
const socket = new WebSocket(`${SERVER}/ws/inspect`, ['xml.v3', 'json.v1']);
let chosen = null;
let echoed = null;

socket.addEventListener('open', () => {
  chosen = socket.protocol;
  socket.send(JSON.stringify({ hello: 'json' }));
});

let echoIsNext = false;
socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (echoIsNext) {
    echoed = message;
    socket.close(1000, 'got my echo');
  }
  echoIsNext = message.type === 'reply';
});
