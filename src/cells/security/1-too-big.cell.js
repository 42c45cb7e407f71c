// One byte over the demo server's default --max-message-bytes (64 KiB).
const LIMIT = 64 * 1024;
const tooBig = new WebSocket(`${SERVER}/ws/echo`);
await new Promise((resolve) => tooBig.addEventListener('open', resolve, { once: true }));
const tooBigClosed = new Promise((resolve) => tooBig.addEventListener('close', resolve, { once: true }));
tooBig.send('x'.repeat(LIMIT + 1));
const { code, reason, wasClean } = await tooBigClosed;
display(`closed with ${code} "${reason}", ${wasClean ? 'clean' : 'not clean'}`);
