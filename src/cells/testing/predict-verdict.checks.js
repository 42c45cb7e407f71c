const WHY = {
  'echoes a text message as text, byte for byte': 'ws.send(data) with a Buffer sends a binary frame (opcode 0x2) unless given { binary: false }, so the text comes back as binary',
  'echoes a binary message as binary, byte for byte': 'a Buffer is sent as binary, which is what a binary message needs',
  'echoes empty text and binary messages': 'ws delivers an empty message as an empty Buffer and sends it back; this check does not judge the type',
  'echoes 125- and 126-byte messages (7-bit and 16-bit lengths)': 'ws writes both lengths right, and the type is not judged here',
  'echoes 65,535- and 65,536-byte messages (16-bit and 64-bit lengths)': 'maxPayload is 65,535, so ws closes the 65,536-byte message with 1009 Message Too Big',
};
const FAILS = ['echoes a text message as text, byte for byte', 'echoes 65,535- and 65,536-byte messages (16-bit and 64-bit lengths)'];

const predicted = () => {
  const value = variable('failing');
  expectTrue(Array.isArray(value), `expected failing to be an array of check names, got ${typeof value}`);
  for (const name of value) {
    expectTrue(Object.hasOwn(WHY, name), `${JSON.stringify(name)} is not one of the five checks: copy a name exactly from the list`);
  }
  return value;
};

await check('names only checks this server fails', () => {
  for (const name of predicted()) {
    if (!FAILS.includes(name)) fail(`"${name}" passes: ${WHY[name]}`);
  }
});

await check('names every check this server fails', () => {
  const names = predicted();
  for (const name of FAILS) {
    if (!names.includes(name)) fail(`"${name}" fails too: ${WHY[name]}`);
  }
});
