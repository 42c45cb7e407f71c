// The server (Node, ws 8), graded with: npm run grade -- ws://127.0.0.1:9001 --suite echo
//
//   const wss = new WebSocketServer({ port: 9001, maxPayload: 65_535 });
//   wss.on('connection', (ws) => {
//     ws.on('error', () => {});
//     ws.on('message', (data) => ws.send(data)); // data is a Buffer
//   });
//
// ws.send(buffer) sends a binary frame unless told { binary: false }, so
// text comes back as binary. maxPayload 65,535 closes a 65,536-byte message
// with 1009. Empty and 125/126-byte echoes keep their bytes, which is all
// those checks ask.
const failing = [
  'echoes a text message as text, byte for byte',
  'echoes 65,535- and 65,536-byte messages (16-bit and 64-bit lengths)',
];
