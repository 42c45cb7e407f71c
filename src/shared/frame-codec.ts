/**
 * RFC 6455 frames: encode, decode and mask them. No DOM and no Node `Buffer`
 * (only `Uint8Array`), so the demo server, the labs and the notebook share it.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |     Extended payload length continued, if payload len == 127  |
 * + - - - - - - - - - - - - - - - +-------------------------------+
 * |                               |Masking-key, if MASK set to 1  |
 * +-------------------------------+-------------------------------+
 * | Masking-key (continued)       |          Payload Data         |
 * +-------------------------------- - - - - - - - - - - - - - - - +
 * ```
 *
 * The decoder is an explicit state machine, like `ws`'s receiver, so it can
 * be fed a TCP byte stream in chunks that do not line up with frames.
 */

/** RFC 6455 §5.2 and §11.8: the opcodes defined today; 0x3–0x7 and 0xB–0xF are reserved. */
export const OPCODES = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export type OpcodeName = keyof typeof OPCODES;

/** Largest payload a control frame may carry (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD_BYTES = 125;
/** Largest payload that fits the 7-bit length field; 126 and 127 announce a 16- or 64-bit length. */
export const MAX_7_BIT_LENGTH = 125;
/** Largest payload that fits the 16-bit extended length. */
export const MAX_16_BIT_LENGTH = 0xffff;

/** The name of `opcode`, or `null` for a reserved one. */
export function opcodeName(opcode: number): OpcodeName | null {
  for (const [name, value] of Object.entries(OPCODES)) {
    if (value === opcode) return name as OpcodeName;
  }
  return null;
}

/** Control frames have the high bit of the opcode set (RFC 6455 §5.5). */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/**
 * Every way a frame can be malformed, with the close code a WebSocket
 * endpoint answers it with (RFC 6455 §7.4.1) and a stable name to match on.
 */
export const FRAME_ERRORS = {
  TRUNCATED_FRAME: { closeCode: 1002, text: 'the bytes end before the frame does' },
  RESERVED_OPCODE: { closeCode: 1002, text: 'reserved opcode' },
  RESERVED_BITS_SET: { closeCode: 1002, text: 'RSV bit set without an extension that defines it' },
  CONTROL_FRAME_TOO_LONG: { closeCode: 1002, text: 'control frame payload over 125 bytes' },
  FRAGMENTED_CONTROL_FRAME: { closeCode: 1002, text: 'control frame with FIN clear' },
  UNEXPECTED_CONTINUATION: { closeCode: 1002, text: 'continuation frame with no message to continue' },
  EXPECTED_CONTINUATION: { closeCode: 1002, text: 'new data frame while a fragmented message is unfinished' },
  MASK_REQUIRED: { closeCode: 1002, text: 'client frame is not masked' },
  MASK_FORBIDDEN: { closeCode: 1002, text: 'server frame is masked' },
  LENGTH_NOT_MINIMAL: { closeCode: 1002, text: 'payload length not in the shortest encoding' },
  LENGTH_TOO_LARGE: { closeCode: 1009, text: '64-bit payload length too large' },
  PAYLOAD_TOO_LARGE: { closeCode: 1009, text: 'payload over the size limit' },
  INVALID_MASKING_KEY: { closeCode: 1002, text: 'masking key must be 4 bytes' },
} as const satisfies Record<string, { closeCode: number; text: string }>;

export type FrameErrorCode = keyof typeof FRAME_ERRORS;

/** A malformed frame: `code` is stable, `closeCode` is what to close the connection with. */
export class FrameError extends Error {
  readonly code: FrameErrorCode;
  readonly closeCode: number;

  constructor(code: FrameErrorCode, detail?: string) {
    const { closeCode, text } = FRAME_ERRORS[code];
    super(detail === undefined ? text : `${text}: ${detail}`);
    this.name = 'FrameError';
    this.code = code;
    this.closeCode = closeCode;
  }
}

/** `[0x81, 0x05]` → `81 05`. */
export function toHex(bytes: Uint8Array, separator = ' '): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(separator);
}

/** `81 05` or `8105` → bytes; throws `TypeError` on anything that is not whole hex bytes. */
export function fromHex(hex: string): Uint8Array {
  const digits = hex.replace(/[\s:]/g, '');
  if (!/^(?:[0-9a-f]{2})*$/i.test(digits)) throw new TypeError(`not a sequence of hex bytes: ${JSON.stringify(hex.slice(0, 40))}`);
  const bytes = new Uint8Array(digits.length / 2);
  for (let index = 0; index < bytes.length; index++) bytes[index] = parseInt(digits.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}

/**
 * XORs `bytes` with the 4-byte masking key (RFC 6455 §5.3) into a new array;
 * the same call masks and unmasks. `offset` is the position of `bytes[0]`
 * within the payload, for payloads processed in pieces.
 */
export function applyMask(bytes: Uint8Array, maskingKey: Uint8Array, offset = 0): Uint8Array {
  if (maskingKey.length !== 4) throw new FrameError('INVALID_MASKING_KEY', `got ${String(maskingKey.length)} bytes`);
  const result = new Uint8Array(bytes.length);
  for (let index = 0; index < bytes.length; index++) {
    result[index] = (bytes[index] ?? 0) ^ (maskingKey[(offset + index) & 3] ?? 0);
  }
  return result;
}

export interface FrameHeaderFields {
  /** Last frame of its message (default true). */
  readonly fin?: boolean;
  readonly rsv1?: boolean;
  readonly rsv2?: boolean;
  readonly rsv3?: boolean;
  readonly opcode: number;
  /** Masks the payload with this key when given (clients must, servers must not: RFC 6455 §5.1). Default: unmasked. */
  readonly maskingKey?: Uint8Array | null;
}

export interface FrameToEncode extends FrameHeaderFields {
  /** Default: empty. */
  readonly payload?: Uint8Array;
}

/** Bits of the length field that `payloadLength` needs: 7, 16 or 64 (RFC 6455 §5.2). */
export function lengthBitsFor(payloadLength: number): 7 | 16 | 64 {
  if (payloadLength <= MAX_7_BIT_LENGTH) return 7;
  if (payloadLength <= MAX_16_BIT_LENGTH) return 16;
  return 64;
}

function checkEncodable(fields: FrameHeaderFields, payloadLength: number): void {
  if (opcodeName(fields.opcode) === null) throw new FrameError('RESERVED_OPCODE', `0x${fields.opcode.toString(16)}`);
  if (isControlOpcode(fields.opcode)) {
    if (payloadLength > MAX_CONTROL_PAYLOAD_BYTES) throw new FrameError('CONTROL_FRAME_TOO_LONG', `${String(payloadLength)} bytes`);
    if (fields.fin === false) throw new FrameError('FRAGMENTED_CONTROL_FRAME');
  }
  if (fields.maskingKey != null && fields.maskingKey.length !== 4) {
    throw new FrameError('INVALID_MASKING_KEY', `got ${String(fields.maskingKey.length)} bytes`);
  }
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) throw new FrameError('LENGTH_TOO_LARGE', String(payloadLength));
}

/**
 * The header of a frame (2 to 14 bytes) carrying `payloadLength` bytes,
 * with the length in its shortest encoding (RFC 6455 §5.2).
 */
export function encodeFrameHeader(fields: FrameHeaderFields, payloadLength: number): Uint8Array {
  checkEncodable(fields, payloadLength);
  const lengthBits = lengthBitsFor(payloadLength);
  const extended = lengthBits === 7 ? 0 : lengthBits === 16 ? 2 : 8;
  const masked = fields.maskingKey != null;
  const header = new Uint8Array(2 + extended + (masked ? 4 : 0));
  header[0] =
    ((fields.fin ?? true) ? 0x80 : 0) |
    (fields.rsv1 === true ? 0x40 : 0) |
    (fields.rsv2 === true ? 0x20 : 0) |
    (fields.rsv3 === true ? 0x10 : 0) |
    fields.opcode;
  header[1] = (masked ? 0x80 : 0) | (lengthBits === 7 ? payloadLength : lengthBits === 16 ? 126 : 127);
  const view = new DataView(header.buffer);
  if (lengthBits === 16) view.setUint16(2, payloadLength);
  if (lengthBits === 64) view.setBigUint64(2, BigInt(payloadLength));
  if (masked) header.set(fields.maskingKey, 2 + extended);
  return header;
}

/** One whole frame: header then payload, masked when a masking key is given. */
export function encodeFrame(frame: FrameToEncode): Uint8Array {
  const payload = frame.payload ?? new Uint8Array(0);
  const header = encodeFrameHeader(frame, payload.length);
  const bytes = new Uint8Array(header.length + payload.length);
  bytes.set(header);
  bytes.set(frame.maskingKey == null ? payload : applyMask(payload, frame.maskingKey), header.length);
  return bytes;
}

/**
 * Splits a message into frames of at most `fragmentBytes` payload bytes
 * (RFC 6455 §5.4): the first carries the message's opcode, the rest are
 * continuation frames, and only the last has FIN set. `maskingKeys` gives
 * each frame its key (clients pick a fresh one per frame).
 */
export function fragmentMessage(
  opcode: typeof OPCODES.text | typeof OPCODES.binary,
  payload: Uint8Array,
  fragmentBytes: number,
  maskingKeys: readonly Uint8Array[] = [],
): Uint8Array[] {
  if (!Number.isInteger(fragmentBytes) || fragmentBytes < 1) {
    throw new RangeError(`fragmentBytes must be a whole number of at least 1, got ${String(fragmentBytes)}`);
  }
  const frames: Uint8Array[] = [];
  let start = 0;
  do {
    const end = Math.min(payload.length, start + fragmentBytes);
    frames.push(
      encodeFrame({
        fin: end === payload.length,
        opcode: start === 0 ? opcode : OPCODES.continuation,
        payload: payload.subarray(start, end),
        maskingKey: maskingKeys[frames.length] ?? null,
      }),
    );
    start = end;
  } while (start < payload.length);
  return frames;
}

/** A frame as decoded, with the bytes it arrived in. */
export interface DecodedFrame {
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly rsv2: boolean;
  readonly rsv3: boolean;
  readonly opcode: number;
  readonly opcodeName: OpcodeName;
  /** The opcode of the message this frame belongs to: for a continuation frame, that of the frame that started it. */
  readonly messageOpcodeName: OpcodeName;
  readonly masked: boolean;
  readonly maskingKey: Uint8Array | null;
  /** Payload length as announced in the header. */
  readonly payloadLength: number;
  /** Size of the length field used: 7 bits (0–125), or 7 + 16 or 7 + 64 (RFC 6455 §5.2). */
  readonly lengthBits: 7 | 16 | 64;
  /** The header exactly as it arrived: 2 to 14 bytes. */
  readonly headerBytes: Uint8Array;
  /** The first `keepPayloadBytes` of the payload exactly as it arrived (still masked). */
  readonly payloadAsSent: Uint8Array;
  /** The same bytes unmasked. */
  readonly payload: Uint8Array;
  /** Whether `payload` holds the whole payload (false when it was cut at `keepPayloadBytes`). */
  readonly payloadComplete: boolean;
}

/** Where the decoder is in a frame; the names follow `ws`'s receiver. */
export type FrameDecoderState = 'header' | 'extended-length-16' | 'extended-length-64' | 'masking-key' | 'payload' | 'failed';

export interface FrameDecoderOptions {
  /**
   * Who sent the bytes: `client` frames must be masked and `server` frames
   * must not be (RFC 6455 §5.1); `either` accepts both.
   */
  readonly sender: 'client' | 'server' | 'either';
  /** Largest payload accepted; a bigger one fails with `PAYLOAD_TOO_LARGE`. */
  readonly maxPayloadBytes: number;
  /** Payload bytes kept per frame; the rest are counted and skipped, so a huge frame costs no memory. */
  readonly keepPayloadBytes: number;
  /** RSV bits a negotiated extension uses (`0b100` for RSV1, as permessage-deflate does); others must be 0. */
  readonly allowedRsvBits: number;
  /** Reject lengths not in their shortest encoding (RFC 6455 §5.2 says "MUST"; `ws` does not check). */
  readonly requireMinimalLength: boolean;
}

export const FRAME_DECODER_DEFAULTS: Readonly<FrameDecoderOptions> = {
  sender: 'either',
  maxPayloadBytes: Number.MAX_SAFE_INTEGER,
  keepPayloadBytes: Number.MAX_SAFE_INTEGER,
  allowedRsvBits: 0,
  requireMinimalLength: true,
};

/**
 * Decodes a stream of frames fed in chunks of any size. `push()` returns
 * the frames completed by each chunk. It checks what RFC 6455 §5 requires of
 * a single connection's frames, including the order of fragments; after an
 * error it stays `failed`, as a connection that must be closed.
 */
export class FrameDecoder {
  readonly #options: FrameDecoderOptions;
  #state: FrameDecoderState = 'header';
  /** Header bytes collected so far (at most 14). */
  readonly #header = new Uint8Array(14);
  #headerLength = 0;
  #fin = false;
  #rsv = 0;
  #opcode = 0;
  #masked = false;
  #payloadLength = 0;
  #lengthBits: 7 | 16 | 64 = 7;
  #kept = new Uint8Array(0);
  #payloadReceived = 0;
  /** Opcode of the unfinished fragmented message, if any. */
  #messageOpcode: number | null = null;
  #error: FrameError | null = null;

  constructor(options: Partial<FrameDecoderOptions> = {}) {
    this.#options = { ...FRAME_DECODER_DEFAULTS, ...options };
    const { keepPayloadBytes, maxPayloadBytes } = this.#options;
    if (!(keepPayloadBytes >= 0) || !(maxPayloadBytes >= 0)) {
      throw new TypeError(`keepPayloadBytes and maxPayloadBytes must be 0 or more, got ${String(keepPayloadBytes)} and ${String(maxPayloadBytes)}`);
    }
  }

  get state(): FrameDecoderState {
    return this.#state;
  }

  /** The error that stopped the decoder, if any. */
  get error(): FrameError | null {
    return this.#error;
  }

  /** Whether the bytes so far end exactly at a frame boundary. */
  get atFrameBoundary(): boolean {
    return this.#state === 'header' && this.#headerLength === 0;
  }

  /** Bytes still needed to finish the current frame, as far as the header read so far tells. */
  get bytesMissing(): number {
    switch (this.#state) {
      case 'header':
        return 2 - this.#headerLength;
      case 'extended-length-16':
      case 'extended-length-64':
      case 'masking-key':
        return this.#headerSize() - this.#headerLength + this.#payloadLength;
      case 'payload':
        return this.#payloadLength - this.#payloadReceived;
      case 'failed':
        return 0;
    }
  }

  /**
   * Feeds the next bytes of the stream and returns the frames they complete.
   * Throws a `FrameError` on a malformed frame (and every later call throws it again).
   */
  push(chunk: Uint8Array): DecodedFrame[] {
    const frames: DecodedFrame[] = [];
    let offset = 0;
    while (offset < chunk.length || this.#frameDoneWithoutPayload()) {
      if (this.#error !== null) throw this.#error;
      offset = this.#step(chunk, offset);
      const frame = this.#takeFinishedFrame();
      if (frame !== null) frames.push(frame);
    }
    if (this.#error !== null) throw this.#error;
    return frames;
  }

  /** A frame whose header is complete and whose payload is empty ends without needing another byte. */
  #frameDoneWithoutPayload(): boolean {
    return this.#state === 'payload' && this.#payloadLength === 0;
  }

  #headerSize(): number {
    const extended = this.#lengthBits === 7 ? 0 : this.#lengthBits === 16 ? 2 : 8;
    return 2 + extended + (this.#masked ? 4 : 0);
  }

  /** Consumes bytes from `offset` for the current state; returns the new offset. */
  #step(chunk: Uint8Array, offset: number): number {
    switch (this.#state) {
      case 'header':
        offset = this.#collectHeader(chunk, offset, 2);
        if (this.#headerLength === 2) this.#readFirstTwoBytes();
        return offset;
      case 'extended-length-16':
      case 'extended-length-64':
        offset = this.#collectHeader(chunk, offset, this.#state === 'extended-length-16' ? 4 : 10);
        if (this.#headerLength === (this.#state === 'extended-length-16' ? 4 : 10)) this.#readExtendedLength();
        return offset;
      case 'masking-key':
        offset = this.#collectHeader(chunk, offset, this.#headerSize());
        if (this.#headerLength === this.#headerSize()) this.#state = 'payload';
        return offset;
      case 'payload': {
        const take = Math.min(chunk.length - offset, this.#payloadLength - this.#payloadReceived);
        const keepUntil = Math.min(this.#kept.length, this.#payloadReceived + take);
        if (this.#payloadReceived < keepUntil) {
          this.#kept.set(chunk.subarray(offset, offset + keepUntil - this.#payloadReceived), this.#payloadReceived);
        }
        this.#payloadReceived += take;
        return offset + take;
      }
      case 'failed':
        return chunk.length;
    }
  }

  #collectHeader(chunk: Uint8Array, offset: number, until: number): number {
    while (this.#headerLength < until && offset < chunk.length) {
      this.#header[this.#headerLength++] = chunk[offset++] ?? 0;
    }
    return offset;
  }

  #fail(code: FrameErrorCode, detail?: string): void {
    this.#error = new FrameError(code, detail);
    this.#state = 'failed';
  }

  /** RFC 6455 §5.2: FIN, RSV1–3, opcode; MASK and the 7-bit length. */
  #readFirstTwoBytes(): void {
    const first = this.#header[0] ?? 0;
    const second = this.#header[1] ?? 0;
    this.#fin = (first & 0x80) !== 0;
    this.#rsv = (first & 0x70) >> 4;
    this.#opcode = first & 0x0f;
    this.#masked = (second & 0x80) !== 0;
    const length7 = second & 0x7f;
    const name = opcodeName(this.#opcode);
    if (name === null) return this.#fail('RESERVED_OPCODE', `0x${this.#opcode.toString(16)}`);
    if ((this.#rsv & ~this.#options.allowedRsvBits) !== 0) {
      return this.#fail('RESERVED_BITS_SET', `RSV bits ${this.#rsv.toString(2).padStart(3, '0')}`);
    }
    if (this.#options.sender === 'client' && !this.#masked) return this.#fail('MASK_REQUIRED');
    if (this.#options.sender === 'server' && this.#masked) return this.#fail('MASK_FORBIDDEN');
    if (isControlOpcode(this.#opcode)) {
      // RFC 6455 §5.5: control frames are short and never fragmented, so they can sit between the fragments of a message.
      if (!this.#fin) return this.#fail('FRAGMENTED_CONTROL_FRAME', name);
      if (length7 > MAX_CONTROL_PAYLOAD_BYTES) return this.#fail('CONTROL_FRAME_TOO_LONG', name);
    } else if (this.#opcode === OPCODES.continuation) {
      if (this.#messageOpcode === null) return this.#fail('UNEXPECTED_CONTINUATION');
    } else if (this.#messageOpcode !== null) {
      return this.#fail('EXPECTED_CONTINUATION', `got a ${name} frame`);
    }
    this.#payloadLength = 0;
    if (length7 === 126) {
      this.#lengthBits = 16;
      this.#state = 'extended-length-16';
    } else if (length7 === 127) {
      this.#lengthBits = 64;
      this.#state = 'extended-length-64';
    } else {
      this.#lengthBits = 7;
      this.#startPayload(length7);
    }
  }

  #readExtendedLength(): void {
    const view = new DataView(this.#header.buffer, 2, this.#lengthBits === 16 ? 2 : 8);
    let length: number;
    if (this.#lengthBits === 16) {
      length = view.getUint16(0);
      if (this.#options.requireMinimalLength && length <= MAX_7_BIT_LENGTH) {
        return this.#fail('LENGTH_NOT_MINIMAL', `${String(length)} in a 16-bit field`);
      }
    } else {
      const big = view.getBigUint64(0);
      // RFC 6455 §5.2: the most significant bit MUST be 0; JavaScript numbers stop being exact at 2^53.
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) return this.#fail('LENGTH_TOO_LARGE', big.toString());
      length = Number(big);
      if (this.#options.requireMinimalLength && length <= MAX_16_BIT_LENGTH) {
        return this.#fail('LENGTH_NOT_MINIMAL', `${String(length)} in a 64-bit field`);
      }
    }
    this.#startPayload(length);
  }

  #startPayload(length: number): void {
    if (length > this.#options.maxPayloadBytes) {
      return this.#fail('PAYLOAD_TOO_LARGE', `${String(length)} bytes, limit ${String(this.#options.maxPayloadBytes)}`);
    }
    this.#payloadLength = length;
    this.#payloadReceived = 0;
    this.#kept = new Uint8Array(Math.min(length, this.#options.keepPayloadBytes));
    this.#state = this.#masked ? 'masking-key' : 'payload';
  }

  #takeFinishedFrame(): DecodedFrame | null {
    if (this.#state !== 'payload' || this.#payloadReceived < this.#payloadLength) return null;
    const headerBytes = this.#header.slice(0, this.#headerSize());
    const maskingKey = this.#masked ? headerBytes.slice(-4) : null;
    const name = opcodeName(this.#opcode) ?? 'continuation';
    const messageOpcode = this.#opcode === OPCODES.continuation ? (this.#messageOpcode ?? OPCODES.continuation) : this.#opcode;
    if (!isControlOpcode(this.#opcode)) this.#messageOpcode = this.#fin ? null : messageOpcode;
    const frame: DecodedFrame = {
      fin: this.#fin,
      rsv1: (this.#rsv & 0b100) !== 0,
      rsv2: (this.#rsv & 0b010) !== 0,
      rsv3: (this.#rsv & 0b001) !== 0,
      opcode: this.#opcode,
      opcodeName: name,
      messageOpcodeName: opcodeName(messageOpcode) ?? name,
      masked: this.#masked,
      maskingKey,
      payloadLength: this.#payloadLength,
      lengthBits: this.#lengthBits,
      headerBytes,
      payloadAsSent: this.#kept,
      payload: maskingKey === null ? this.#kept : applyMask(this.#kept, maskingKey),
      payloadComplete: this.#kept.length === this.#payloadLength,
    };
    this.#state = 'header';
    this.#headerLength = 0;
    this.#kept = new Uint8Array(0);
    return frame;
  }
}

/**
 * Decodes the frames in `bytes`, which must end at a frame boundary;
 * otherwise throws `TRUNCATED_FRAME` saying how many bytes are missing.
 */
export function decodeFrames(bytes: Uint8Array, options: Partial<FrameDecoderOptions> = {}): DecodedFrame[] {
  const decoder = new FrameDecoder(options);
  const frames = decoder.push(bytes);
  if (!decoder.atFrameBoundary) {
    throw new FrameError('TRUNCATED_FRAME', `${String(decoder.bytesMissing)} more byte(s) needed after byte ${String(bytes.length)}`);
  }
  return frames;
}

/** Decodes exactly one frame; throws `TRUNCATED_FRAME` when `bytes` hold less, and `RangeError` when they hold more. */
export function decodeFrame(bytes: Uint8Array, options: Partial<FrameDecoderOptions> = {}): DecodedFrame {
  const frames = decodeFrames(bytes, options);
  const [frame] = frames;
  if (frame === undefined) throw new FrameError('TRUNCATED_FRAME', 'no bytes');
  if (frames.length > 1) throw new RangeError(`expected one frame, found ${String(frames.length)}`);
  return frame;
}
