const socket = new WebSocket(`${SERVER}/ws/echo`);
socket.binaryType = 'arraybuffer';

socket.addEventListener('open', () => {
  socket.send(new Uint8Array([1, 2, 3, 255]));
});

let echoedBytes = [];
socket.addEventListener('message', (event) => {
  echoedBytes = [...new Uint8Array(event.data)];
});
