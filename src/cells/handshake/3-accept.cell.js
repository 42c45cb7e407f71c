// RFC 6455 §4.2.2: Accept = base64(SHA-1(key + this GUID)).
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const key = handshake.requestHeaders.find(([name]) => name.toLowerCase() === 'sec-websocket-key')[1];

const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(key + GUID)));
// btoa() encodes a string of byte values, so turn the 20 digest bytes into one first.
const computed = btoa(String.fromCharCode(...digest));
const fromServer = handshake.responseLines.find((line) => line.startsWith('Sec-WebSocket-Accept:')).split(': ')[1];

console.log('your key:', key);
console.log('SHA-1 of key + GUID:', digest);
console.log('in base64:', computed);
console.log('the server sent:', fromServer);
computed === fromServer;
