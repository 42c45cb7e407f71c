/**
 * The header fields of the frame at the start of `bytes` (a Uint8Array):
 * { fin, opcode, masked, payloadLength, headerLength }, or null while
 * `bytes` is too short to hold the whole header.
 */
function decodeHeader(bytes) {
  if (bytes.length < 2) return null;
  const fin = (bytes[0] & 0x80) !== 0;
  const opcode = bytes[0] & 0x0f;
  const masked = (bytes[1] & 0x80) !== 0;
  let payloadLength = bytes[1] & 0x7f;
  let headerLength = 2;
  // A view of these bytes, wherever they start in their buffer; multi-byte lengths are big-endian.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (payloadLength === 126) {
    if (bytes.length < 4) return null;
    payloadLength = view.getUint16(2);
    headerLength = 4;
  } else if (payloadLength === 127) {
    if (bytes.length < 10) return null;
    payloadLength = Number(view.getBigUint64(2));
    headerLength = 10;
  }
  if (masked) headerLength += 4;
  if (bytes.length < headerLength) return null;
  return { fin, opcode, masked, payloadLength, headerLength };
}

decodeHeader(new Uint8Array([0x82, 0x7e, 0x01, 0x00]));
