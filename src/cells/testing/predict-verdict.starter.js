// The server (Node, ws 8), graded with: npm run grade -- ws://127.0.0.1:9001 --suite echo
//
//   const wss = new WebSocketServer({ port: 9001, maxPayload: 65_535 });
//   wss.on('connection', (ws) => {
//     ws.on('error', () => {});
//     ws.on('message', (data) => ws.send(data)); // data is a Buffer
//   });
//
// The echo suite's whole-message checks:
//   'echoes a text message as text, byte for byte'
//   'echoes a binary message as binary, byte for byte'
//   'echoes empty text and binary messages'
//   'echoes 125- and 126-byte messages (7-bit and 16-bit lengths)'
//   'echoes 65,535- and 65,536-byte messages (16-bit and 64-bit lengths)'
//
// Put the names of the checks this server fails in `failing`.
const failing = [];
