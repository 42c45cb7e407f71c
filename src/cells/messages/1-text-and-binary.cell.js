// A string's length counts UTF-16 code units; the wire carries UTF-8 bytes.
for (const text of ['hello', 'héllo', '😀']) {
  display({ text, length: text.length, utf8Bytes: new TextEncoder().encode(text).byteLength });
}

// The same text as a text message and as a binary message, through the echo server.
const echo = new WebSocket(`${SERVER}/ws/echo`);
echo.binaryType = 'arraybuffer'; // binary arrives as ArrayBuffer, not Blob
await new Promise((resolve) => echo.addEventListener('open', resolve, { once: true }));

const twoEchoes = new Promise((resolve) => {
  const received = [];
  echo.addEventListener('message', (event) => {
    received.push(event.data);
    if (received.length === 2) resolve(received);
  });
});
echo.send('héllo');
echo.send(new TextEncoder().encode('héllo'));

for (const data of await twoEchoes) {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data.byteLength;
  console.log(`${typeof data === 'string' ? 'a text' : 'a binary'} message of ${bytes} bytes:`, data);
}
echo.close(1000, 'done');
