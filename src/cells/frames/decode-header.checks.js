const hex = (bytes) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
const FIELDS = ['fin', 'opcode', 'masked', 'payloadLength', 'headerLength'];

/** Fails unless decodeHeader(bytes) gives `expected`, naming the first field that differs. */
const expectHeader = (bytes, expected, what = hex(bytes)) => {
  let header;
  try {
    header = decodeHeader(bytes);
  } catch (error) {
    fail(`decodeHeader(${what}) threw ${error}`);
  }
  if (typeof header !== 'object' || header === null) {
    fail(`expected decodeHeader(${what}) to return { ${FIELDS.join(', ')} }, got ${JSON.stringify(header) ?? 'undefined'}`);
  }
  for (const field of FIELDS) {
    if (header[field] === expected[field]) continue;
    const hint =
      field === 'payloadLength' && expected.payloadLength >= 2 ** 32 && header.payloadLength !== undefined
        ? ": JavaScript's bitwise operators work on 32 bits; DataView's getBigUint64 reads all 64"
        : '';
    fail(`expected ${field} ${JSON.stringify(expected[field])} for ${what}, got ${JSON.stringify(header[field]) ?? 'undefined'}${hint}`);
  }
};

/** Fails unless decodeHeader(bytes) is null: the header is not all there yet. */
const expectIncomplete = (bytes, why) => {
  let header;
  try {
    header = decodeHeader(bytes);
  } catch (error) {
    fail(`decodeHeader(${hex(bytes) || 'no bytes'}) threw ${error}; return null while the header is incomplete (${why})`);
  }
  if (header !== null) fail(`expected decodeHeader(${hex(bytes) || 'no bytes'}) to be null (${why}), got ${JSON.stringify(header)}`);
};

const frame = (...bytes) => new Uint8Array(bytes);

await check('defines decodeHeader(bytes)', () => {
  const value = variable('decodeHeader');
  expectTrue(typeof value === 'function', `expected decodeHeader to be a function, got ${typeof value}`);
});

await check("decodes RFC 6455 §5.7's frames with 7-bit lengths", () => {
  expectHeader(frame(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f), { fin: true, opcode: 1, masked: false, payloadLength: 5, headerLength: 2 });
  expectHeader(frame(0x01, 0x03, 0x48, 0x65, 0x6c), { fin: false, opcode: 1, masked: false, payloadLength: 3, headerLength: 2 });
  expectHeader(frame(0x80, 0x02, 0x6c, 0x6f), { fin: true, opcode: 0, masked: false, payloadLength: 2, headerLength: 2 });
  expectHeader(frame(0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f), { fin: true, opcode: 9, masked: false, payloadLength: 5, headerLength: 2 });
  expectHeader(frame(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58), { fin: true, opcode: 1, masked: true, payloadLength: 5, headerLength: 6 });
});

await check('reads 16-bit lengths (126)', () => {
  expectHeader(frame(0x82, 0x7e, 0x01, 0x00), { fin: true, opcode: 2, masked: false, payloadLength: 256, headerLength: 4 });
  expectHeader(frame(0x82, 0x7e, 0xff, 0xff), { fin: true, opcode: 2, masked: false, payloadLength: 65_535, headerLength: 4 });
  expectHeader(frame(0x82, 0xfe, 0x01, 0x00, 0x12, 0x34, 0x56, 0x78), { fin: true, opcode: 2, masked: true, payloadLength: 256, headerLength: 8 });
});

await check('reads 64-bit lengths (127), also above 32 bits', () => {
  expectHeader(frame(0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0, 0), { fin: true, opcode: 2, masked: false, payloadLength: 65_536, headerLength: 10 });
  expectHeader(frame(0x82, 0x7f, 0, 0, 0, 0x01, 0, 0, 0, 0), { fin: true, opcode: 2, masked: false, payloadLength: 2 ** 32, headerLength: 10 });
  expectHeader(frame(0x82, 0xff, 0, 0, 0, 0, 0, 0x01, 0, 0, 0x12, 0x34, 0x56, 0x78), { fin: true, opcode: 2, masked: true, payloadLength: 65_536, headerLength: 14 });
});

await check('reads a frame that starts partway into its buffer', () => {
  // What a receiver gets when a frame begins in the middle of a TCP chunk.
  const chunk = frame(0x6f, 0x82, 0x7e, 0x01, 0x00);
  const bytes = chunk.subarray(1);
  let header = null;
  try {
    header = decodeHeader(bytes);
  } catch {
    // expectHeader below reports what was thrown.
  }
  if (header?.payloadLength === new DataView(chunk.buffer).getUint16(2)) {
    fail(`expected payloadLength 256 for 82 7e 01 00 at index 1 of a chunk (chunk.subarray(1)), got ${header.payloadLength}: a DataView over bytes.buffer starts at the start of the whole chunk; pass bytes.byteOffset too`);
  }
  expectHeader(bytes, { fin: true, opcode: 2, masked: false, payloadLength: 256, headerLength: 4 }, '82 7e 01 00 at index 1 of a chunk (chunk.subarray(1))');
});

await check('returns null until the whole header has arrived', () => {
  expectIncomplete(frame(), 'no bytes yet');
  expectIncomplete(frame(0x81), 'the second byte is still to come');
  expectIncomplete(frame(0x82, 0x7e, 0x01), 'the 16-bit length needs 2 bytes after 7e');
  expectIncomplete(frame(0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0), 'the 64-bit length needs 8 bytes after 7f');
  expectIncomplete(frame(0x81, 0x85, 0x37, 0xfa, 0x21), 'the masking key needs 4 bytes');
  // The payload does not have to be there: the header is complete.
  expectHeader(frame(0x81, 0x05), { fin: true, opcode: 1, masked: false, payloadLength: 5, headerLength: 2 });
});
