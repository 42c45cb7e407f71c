// credit and conflate: the page tells the server how much it may send.
const socket = new WebSocket(`${SERVER}/ws/backpressure?mode=credit`);
socket.onopen = () => socket.send(JSON.stringify({ type: 'credit', credits: 16 }));
socket.onmessage = async (event) => {
  const message = JSON.parse(event.data);
  if (message.type !== 'data') return;
  await process(message);
  // One message done: the server may send one more (sent in batches of 4).
  socket.send(JSON.stringify({ type: 'credit', credits: 1 }));
};
// To stop without losing anything: {"type":"finish"}, process what arrives, then close(1000).
