const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A fresh Sec-WebSocket-Key: 16 random bytes in base64. */
function newKey() {
  return '';
}

/** The Sec-WebSocket-Accept a server must answer to `key`. */
async function acceptFor(key) {
  return '';
}

// Try them: the RFC's example key should give s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
display(newKey());
await acceptFor('dGhlIHNhbXBsZSBub25jZQ==');
