// A room of your own for this exercise: Check joins it too, as another member.
const room = `practice-${crypto.randomUUID().slice(0, 8)}`;
const socket = new WebSocket(`${SERVER}/ws/chat/${room}`);

// Everyone in the room, yourself included, kept up to date.
let members = [];

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  // 1. When the welcome arrives, take the member list from it and say "hello".
  // 2. When someone joins or leaves, update `members`.
});
