const RFC_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
const sha1 = async (text) => new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text)));
const expectedAccept = async (key) => toBase64(await sha1(key + RFC_GUID));

/** acceptFor(key), with a failure that names the usual mistakes. */
const expectAccept = async (key, why) => {
  const call = `acceptFor(${JSON.stringify(key)})`;
  let answer;
  try {
    answer = await acceptFor(key);
  } catch (error) {
    fail(`${call} threw ${error}`);
  }
  const right = await expectedAccept(key);
  if (answer === right) return;
  if (typeof answer !== 'string') fail(`expected ${call} to give a string, got ${describe(answer)}: the header carries the digest in base64`);
  const digest = await sha1(key + RFC_GUID);
  if (answer === toBase64(await sha1(key))) fail(`${call} gave ${JSON.stringify(answer)}, the hash of the key alone: append the GUID to the key before hashing`);
  if (answer === [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('')) {
    fail(`${call} gave the digest in hex; the header carries the 20 digest bytes in base64`);
  }
  if (answer === btoa(key + RFC_GUID)) fail(`${call} gave key + GUID in base64, without hashing it with SHA-1 first`);
  fail(`expected ${call} to be ${JSON.stringify(right)}${why}, got ${JSON.stringify(answer)}`);
};

function describe(value) {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.byteLength})`;
  return value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
}

await check('defines newKey() and acceptFor(key)', () => {
  for (const name of ['newKey', 'acceptFor']) {
    const value = variable(name);
    expectTrue(typeof value === 'function', `expected ${name} to be a function, got ${typeof value}`);
  }
});

await check("acceptFor gives RFC 6455's example: dGhlIHNhbXBsZSBub25jZQ== → s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", async () => {
  await expectAccept('dGhlIHNhbXBsZSBub25jZQ==', ' (RFC 6455 §1.3)');
});

await check('acceptFor agrees with the demo server on a new connection', async () => {
  // The browser picks the key; the server reports it with its answer.
  const socket = new WebSocket(`${SERVER}/ws/inspect`);
  const report = await new Promise((resolve) => socket.addEventListener('message', (event) => resolve(JSON.parse(event.data)), { once: true }));
  socket.close(1000, 'checked');
  const key = report.requestHeaders.find(([name]) => name.toLowerCase() === 'sec-websocket-key')[1];
  const sent = report.responseLines.find((line) => line.startsWith('Sec-WebSocket-Accept:')).split(': ')[1];
  expectEqual(sent, await expectedAccept(key), 'the server to answer');
  await expectAccept(key, ', what the server sent for this key');
});

await check('newKey() gives 16 random bytes in base64, new every time', () => {
  const key = newKey();
  let bytes;
  try {
    bytes = typeof key === 'string' ? atob(key) : null;
  } catch {
    bytes = null; // not base64
  }
  if (bytes === null || bytes.length !== 16) {
    const decoded = bytes === null || bytes.length === 0 ? '' : `, which is ${bytes.length} bytes`;
    fail(`expected newKey() to give 16 bytes in base64 (24 characters, ending in ==), got ${describe(key)}${decoded}`);
  }
  const keys = new Set(Array.from({ length: 5 }, () => newKey()));
  expectTrue(keys.size === 5, `newKey() gave the same key twice in five calls (${[...keys].join(', ')}): a key must be new for every connection, from crypto.getRandomValues`);
});
