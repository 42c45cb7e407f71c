/**
 * The header fields of the frame at the start of `bytes` (a Uint8Array):
 * { fin, opcode, masked, payloadLength, headerLength }, or null while
 * `bytes` is too short to hold the whole header.
 */
function decodeHeader(bytes) {
  const fin = (bytes[0] & 0x80) !== 0;
  const opcode = bytes[0] & 0x0f;
  const masked = (bytes[1] & 0x80) !== 0;
  const payloadLength = bytes[1] & 0x7f;
  // Still to do: 126 and 127 announce a 16- or 64-bit length; a masked frame
  // has a 4-byte key after the length; and the bytes may end mid-header.
  return { fin, opcode, masked, payloadLength, headerLength: 2 };
}

decodeHeader(new Uint8Array([0x82, 0x7e, 0x01, 0x00]));
