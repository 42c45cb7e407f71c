// The same room name on two servers: one pane each.
const panes = { A: serverA, B: serverB };
for (const [pane, server] of Object.entries(panes)) {
  const socket = new WebSocket(`${server}/ws/chat/${room}`);
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    // One room has one epoch, whichever instance you reached.
    // Two epochs: each process made its own room under that name.
    if (message.type === 'welcome') log(pane, 'epoch', message.epoch);
    if (message.type === 'message') log(pane, `#${message.id}`, message.from, message.text);
  });
  say[pane] = (text) => socket.send(JSON.stringify({ type: 'say', text }));
}
