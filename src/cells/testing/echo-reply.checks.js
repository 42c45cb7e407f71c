/** What ws would send for `bytes`: the reply's bytes and whether as binary (ws's default for bytes). */
const replyFor = (bytes, isBinary) => {
  const echoReply = variable('echoReply');
  expectTrue(typeof echoReply === 'function', `expected echoReply to be a function, got ${typeof echoReply}`);
  const reply = echoReply(bytes, isBinary);
  expectTrue(reply !== null && typeof reply === 'object', `expected echoReply to give { data, options }, got ${JSON.stringify(reply)}: every message gets its echo, an empty one too`);
  const data = typeof reply.data === 'string' ? new TextEncoder().encode(reply.data) : reply.data;
  expectTrue(data instanceof Uint8Array, `expected reply.data to hold the bytes, got ${typeof reply.data}`);
  return { data, binary: reply.options?.binary ?? true };
};
const hex = (bytes) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');

await check('echoes a text message as text, byte for byte', () => {
  const sent = new TextEncoder().encode('héllo, wörld ✓ 🚀');
  const { data, binary } = replyFor(sent, false);
  if (binary) fail('the text message goes back as binary: ws.send() sends bytes as a binary frame unless options.binary is false. The grader and the panel see "got back a binary … the echo must keep the opcode"');
  expectEqual(hex(data), hex(sent), 'the echoed bytes');
});

await check('echoes a binary message as binary, byte for byte', () => {
  const sent = Uint8Array.from({ length: 256 }, (_, index) => 255 - index);
  const { data, binary } = replyFor(sent, true);
  expectTrue(binary, 'expected the binary message to go back as binary (options.binary true or left out)');
  expectEqual(hex(data), hex(sent), 'the echoed bytes');
});

await check('echoes an empty text message as an empty text message', () => {
  const { data, binary } = replyFor(new Uint8Array(0), false);
  expectEqual(data.length, 0, 'the length of the echo');
  expectTrue(!binary, 'expected the empty text message to go back as text');
});
