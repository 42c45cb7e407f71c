const handshake = await handshakeReport;

// The request as the server received it ("> "), and its answer ("< "), as curl -v shows them.
// Only the headers that make it a WebSocket handshake; the rest is ordinary HTTP.
console.log(`> ${handshake.requestLine}`);
for (const [name, value] of handshake.requestHeaders) {
  if (/^(host|upgrade|connection|origin|sec-websocket-)/i.test(name)) console.log(`> ${name}: ${value}`);
}
for (const line of handshake.responseLines) console.log(`< ${line}`);
