/**
 * Opens /ws/inspect offering `protocols`, sends `data`, and resolves with a
 * line saying what the server made of it under the subprotocol it chose:
 * an error, or the echo.
 */
async function tryContract(protocols, data) {
  const socket = new WebSocket(`${SERVER}/ws/inspect`, protocols);
  socket.binaryType = 'arraybuffer';
  await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
  const answer = new Promise((resolve) => {
    let echoIsNext = false;
    socket.addEventListener('message', (event) => {
      if (echoIsNext) return resolve(`echoed ${typeof event.data === 'string' ? event.data : `${event.data.byteLength} bytes`}`);
      const report = JSON.parse(event.data); // /ws/inspect's own messages are always JSON
      if (report.type === 'error') resolve(`${report.error}: ${report.message}`);
      echoIsNext = report.type === 'reply';
    });
  });
  socket.send(data);
  const line = `${socket.protocol || 'no subprotocol'}, sent ${typeof data === 'string' ? `the text ${data}` : `${data.byteLength} bytes`} → ${await answer}`;
  socket.close(1000, 'done');
  return line;
}

console.log(await tryContract(['json.v1'], 'hello'));
console.log(await tryContract(['json.v1'], '{"hello":"json"}'));
console.log(await tryContract(['text.v1'], new Uint8Array([1, 2, 3])));
console.log(await tryContract([], new Uint8Array([1, 2, 3])));
