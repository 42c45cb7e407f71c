const inspect = new WebSocket(`${SERVER}/ws/inspect`);
inspect.binaryType = 'arraybuffer'; // the echoes of binary messages, as bytes rather than Blobs
await new Promise((resolve) => inspect.addEventListener('open', resolve, { once: true }));

/** Resolves with the server's reports of the next `count` frames this page sends with opcode `opcodeName`. */
function nextFrames(opcodeName, count) {
  return new Promise((resolve) => {
    const frames = [];
    inspect.addEventListener('message', function collect(event) {
      if (typeof event.data !== 'string') return; // an echo of a binary message
      const report = JSON.parse(event.data);
      if (report.type !== 'frame' || report.frame.opcodeName !== opcodeName) return;
      frames.push(report.frame);
      if (frames.length < count) return;
      inspect.removeEventListener('message', collect);
      resolve(frames);
    });
  });
}

// Binary messages of 125, 126 and 65,536 zero bytes: three length encodings (RFC 6455 §5.2).
const sizeFrames = nextFrames('binary', 3);
for (const size of [125, 126, 65_536]) inspect.send(new Uint8Array(size));

for (const frame of await sizeFrames) {
  const headerBytes = frame.header.split(' ').length;
  console.log(`${frame.payloadLength} bytes: ${frame.lengthBits}-bit length, header ${frame.header} (${headerBytes} bytes)`);
}
