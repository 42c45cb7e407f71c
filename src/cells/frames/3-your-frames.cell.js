/** '7f 9f 4d' → Uint8Array [0x7f, 0x9f, 0x4d] */
const fromHex = (hex) => Uint8Array.from(hex.split(' '), (pair) => parseInt(pair, 16));

// The same five letters, twice: the server reports each frame as it arrived, still masked.
const helloFrames = nextFrames('text', 2);
inspect.send('Hello');
inspect.send('Hello');

for (const frame of await helloFrames) {
  // Unmask it as in cell 2: payload byte i XOR key byte i % 4.
  const key = fromHex(frame.maskingKey);
  const text = new TextDecoder().decode(fromHex(frame.payloadAsSent).map((byte, i) => byte ^ key[i % 4]));
  console.log(`header ${frame.header}, payload as sent ${frame.payloadAsSent}, unmasked by you: ${text}`);
}
