const TOTAL = 1000;
const WINDOW = 8;
const query = 'mode=credit&messagesPerSecond=1000&messageBytes=512';
const socket = new WebSocket(`${SERVER}/ws/backpressure?${query}`);
/** The seq of every data message processed, in order. */
const processed = [];
const grant = (credits) => socket.send(JSON.stringify({ type: 'credit', credits }));

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'hello') grant(WINDOW);
  if (message.type === 'data') {
    processed.push(message.seq);
    if (processed.length === TOTAL) {
      socket.send(JSON.stringify({ type: 'finish' }));
    } else if (processed.length < TOTAL) {
      grant(1);
    }
    // Past TOTAL: messages the window let through before the finish.
    // They are processed too; nothing more is granted.
  }
  if (message.type === 'finished') {
    // It comes after every message the server sent, so none is lost.
    socket.close(1000, `processed ${processed.length}`);
  }
});
