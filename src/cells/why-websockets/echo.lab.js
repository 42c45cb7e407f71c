import ReconnectingWebSocket from 'partysocket/ws';

// SERVER is this page's origin as ws://host:port (or ?server=…).
const socket = new ReconnectingWebSocket(`${SERVER}__ENDPOINT__`);
socket.binaryType = 'arraybuffer';

socket.addEventListener('open', () => show('open'));
socket.addEventListener('message', (event) => log('received', event.data));
socket.addEventListener('close', (event) => show('closed', event.code, event.reason));

form.addEventListener('submit', () => {
  const text = input.value;
  socket.send(asBinary.checked ? new TextEncoder().encode(text) : text);
});
