// WebSocketStream: the next message is read from the network only when asked for.
const stream = new WebSocketStream(`${SERVER}/ws/backpressure`);
const { readable } = await stream.opened;
const reader = readable.getReader();
for (;;) {
  const { value, done } = await reader.read();   // pulls one message
  if (done) break;
  await sleep(50);                               // slow, but not blocking
  process(value);
}
