const socket = new WebSocket(`${SERVER}/ws/echo`);
const echoes = [];

socket.addEventListener('open', () => {
  for (const word of ['one', 'two', 'three']) socket.send(word);
});
socket.addEventListener('message', (event) => {
  echoes.push(event.data);
  if (echoes.length === 3) socket.close(1000, 'got all three');
});
