// Offer xml.v3 first and json.v1 second.
const socket = new WebSocket(`${SERVER}/ws/inspect`);
let chosen = null;
let echoed = null;

socket.addEventListener('open', () => {
  // 1. Store the subprotocol the server chose in `chosen`.
  // 2. Send the object {hello: 'json'} as JSON text.
});

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  // 3. The server's reports all have a `type`; the message right after the
  //    {type: 'reply'} report is your echo. Store it, parsed, in `echoed`,
  //    then close the socket with code 1000.
});
