// RFC 6455 §5.7: a masked text frame carrying "Hello", as a client sends it.
const rfcFrame = new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);

const fin = (rfcFrame[0] & 0x80) !== 0; // the top bit of byte 0
const opcode = rfcFrame[0] & 0x0f; // its low 4 bits: 1 is text
const masked = (rfcFrame[1] & 0x80) !== 0; // the top bit of byte 1
const payloadLength = rfcFrame[1] & 0x7f; // its low 7 bits: 5 fits, so no extended length
const maskingKey = rfcFrame.slice(2, 6);
// §5.3: payload byte i is XORed with key byte i % 4.
const unmasked = rfcFrame.slice(6, 6 + payloadLength).map((byte, i) => byte ^ maskingKey[i % 4]);

display({ fin, opcode, masked, payloadLength });
display(maskingKey, unmasked);
new TextDecoder().decode(unmasked);
