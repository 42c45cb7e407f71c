const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** base64 of raw bytes: btoa() takes a string with one character per byte. */
const base64 = (bytes) => btoa(String.fromCharCode(...bytes));

/** A fresh Sec-WebSocket-Key: 16 random bytes in base64. */
function newKey() {
  return base64(crypto.getRandomValues(new Uint8Array(16)));
}

/** The Sec-WebSocket-Accept a server must answer to `key`. */
async function acceptFor(key) {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(key + GUID));
  return base64(new Uint8Array(digest));
}

// Try them: the RFC's example key should give s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
display(newKey());
await acceptFor('dGhlIHNhbXBsZSBub25jZQ==');
