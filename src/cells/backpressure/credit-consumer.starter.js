const TOTAL = 1000;
const WINDOW = 8;
const query = 'mode=credit&messagesPerSecond=1000&messageBytes=512';
const socket = new WebSocket(`${SERVER}/ws/backpressure?${query}`);
/** The seq of every data message processed, in order. */
const processed = [];

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'hello') {
    // 1. Open the window: grant WINDOW credits.
  }
  if (message.type === 'data') {
    processed.push(message.seq);
    // 2. Give back a credit for the message you processed.
    // 3. After TOTAL messages, ask the server to finish.
  }
  if (message.type === 'finished') {
    // 4. Everything the server sent has arrived: close with 1000.
  }
});
