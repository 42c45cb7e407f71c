/**
 * Draws RFC 6455 frames as the frame lab shows them: the bytes, coloured by
 * field; a table of the fields with their bits and meaning; and the payload
 * unmasked byte by byte. Loaded only when the lab is used.
 */
import { fromHex } from '../../shared/frame-codec.ts';
import type { FrameLabEntry, FrameLabMessage, FrameLabSnapshot } from './store.ts';
import { formatBytes } from '../../shared/format.ts';
import type { FrameReport } from '../../shared/protocol/inspect.ts';
import { create } from '../kit/dom.ts';

type Field = 'b0' | 'b1' | 'length' | 'key' | 'payload';
type Direction = 'up' | 'down';

const OPCODE_MEANINGS: Readonly<Record<string, string>> = {
  continuation: 'continuation: more of the message the previous frame started',
  text: 'text: a UTF-8 message starts here',
  binary: 'binary: a binary message starts here',
  close: 'close: the closing handshake (control frame)',
  ping: 'ping: "are you there?" (control frame)',
  pong: 'pong: the answer to a ping (control frame)',
};

const bits = (byte: number, from: number, count: number) => ((byte >> (8 - from - count)) & ((1 << count) - 1)).toString(2).padStart(count, '0');

/** Which field each header byte belongs to. */
function headerFields(report: FrameReport): Field[] {
  const extended = report.lengthBits === 7 ? 0 : report.lengthBits === 16 ? 2 : 8;
  return ['b0', 'b1', ...Array<Field>(extended).fill('length'), ...Array<Field>(report.masked ? 4 : 0).fill('key')];
}

function byteStrip(report: FrameReport): HTMLElement {
  const strip = create('p', 'sb-frame-bytes');
  const header = fromHex(report.header);
  const fields = headerFields(report);
  header.forEach((byte, index) => {
    const span = create('span', 'sb-byte', byte.toString(16).padStart(2, '0'));
    span.dataset.field = fields[index] ?? 'payload';
    strip.append(span, ' ');
  });
  for (const byte of fromHex(report.payloadAsSent)) {
    const span = create('span', 'sb-byte', byte.toString(16).padStart(2, '0'));
    span.dataset.field = 'payload';
    strip.append(span, ' ');
  }
  const shown = report.payloadAsSent === '' ? 0 : report.payloadAsSent.split(' ').length;
  if (!report.payloadComplete) strip.append(create('span', 'sb-frame-more', `… and ${(report.payloadLength - shown).toLocaleString('en')} more payload bytes`));
  return strip;
}

function fieldRow(table: HTMLTableSectionElement, field: Field, name: string, wire: string, value: string, meaning: string): void {
  const row = table.insertRow();
  row.dataset.field = field;
  const header = create('th', undefined, name);
  header.scope = 'row';
  row.append(header, create('td', 'sb-mono', wire), create('td', 'sb-mono', value), create('td', undefined, meaning));
}

function lengthMeaning(report: FrameReport): string {
  if (report.lengthBits === 7) return 'fits in the 7-bit field (0–125)';
  if (report.lengthBits === 16) return '126 in the 7-bit field: the real length is in the next 2 bytes (126–65,535)';
  return '127 in the 7-bit field: the real length is in the next 8 bytes (over 65,535)';
}

function fieldTable(report: FrameReport, direction: Direction): HTMLTableElement {
  const header = fromHex(report.header);
  const [first = 0, second = 0] = header;
  const table = create('table', 'sb-frame-fields');
  table.createCaption().textContent = 'Header fields';
  const head = table.createTHead().insertRow();
  for (const title of ['Field', 'Bits on the wire', 'Value', 'Meaning']) {
    const cell = create('th', undefined, title);
    cell.scope = 'col';
    head.append(cell);
  }
  const body = table.createTBody();
  fieldRow(body, 'b0', 'FIN', bits(first, 0, 1), report.fin ? '1' : '0', report.fin ? 'the last frame of its message' : 'more frames of this message follow');
  const rsv = [report.rsv1, report.rsv2, report.rsv3].map((bit) => (bit ? '1' : '0')).join(' ');
  fieldRow(body, 'b0', 'RSV1 RSV2 RSV3', bits(first, 1, 3), rsv, rsv === '0 0 0' ? 'no extension uses them' : 'set by a negotiated extension');
  fieldRow(body, 'b0', 'Opcode', bits(first, 4, 4), `0x${report.opcode.toString(16)}`, OPCODE_MEANINGS[report.opcodeName] ?? report.opcodeName);
  fieldRow(
    body,
    'b1',
    'MASK',
    bits(second, 0, 1),
    report.masked ? '1' : '0',
    report.masked ? 'payload masked: every frame from a browser is' : direction === 'down' ? 'not masked: servers never mask' : 'not masked',
  );
  const extended = Array.from(header.subarray(2, report.lengthBits === 16 ? 4 : report.lengthBits === 64 ? 10 : 2), (byte) => byte.toString(2).padStart(8, '0'));
  fieldRow(body, 'b1', 'Payload length', [bits(second, 1, 7), ...extended].join(' '), report.payloadLength.toLocaleString('en'), lengthMeaning(report));
  if (report.maskingKey !== null) {
    fieldRow(body, 'key', 'Masking key', report.maskingKey, '', 'four random bytes the browser chose for this frame');
  }
  return table;
}

/** Bytes per unmasking table: narrow enough for a half-width column. */
const BYTES_PER_ROW = 8;

const printable = (byte: number) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '·');

/** The payload shown 16 bytes per table: as sent, the key, the XOR, and as characters. */
function unmaskTables(report: FrameReport): HTMLElement {
  const wrap = create('div', 'sb-unmask');
  const sent = fromHex(report.payloadAsSent);
  const plain = fromHex(report.payload);
  const key = report.maskingKey === null ? null : fromHex(report.maskingKey);
  if (sent.length === 0) {
    wrap.append(create('p', 'sb-frame-note', 'No payload.'));
    return wrap;
  }
  for (let start = 0; start < sent.length; start += BYTES_PER_ROW) {
    const table = create('table', 'sb-unmask-table');
    const last = Math.min(sent.length, start + BYTES_PER_ROW) - 1;
    table.createCaption().textContent =
      key === null
        ? `Payload bytes ${String(start)}–${String(last)}, and as characters`
        : `Payload bytes ${String(start)}–${String(last)}: as sent, the key repeated, their XOR (the payload), and as characters`;
    const rows: [string, string[]][] = [];
    const slice = (bytes: Uint8Array) => Array.from(bytes.subarray(start, start + BYTES_PER_ROW));
    if (key === null) {
      rows.push(['Payload', slice(plain).map((byte) => byte.toString(16).padStart(2, '0'))]);
    } else {
      rows.push(['Sent', slice(sent).map((byte) => byte.toString(16).padStart(2, '0'))]);
      rows.push(['Key', slice(sent).map((_, index) => (key[(start + index) % 4] ?? 0).toString(16).padStart(2, '0'))]);
      rows.push(['XOR', slice(plain).map((byte) => byte.toString(16).padStart(2, '0'))]);
    }
    rows.push(['Char', slice(plain).map(printable)]);
    const body = table.createTBody();
    for (const [label, cells] of rows) {
      const row = body.insertRow();
      const header = create('th', undefined, label);
      header.scope = 'row';
      row.append(header, ...cells.map((text) => create('td', undefined, text)));
    }
    wrap.append(table);
  }
  return wrap;
}

/** One frame: title, bytes, fields and payload. */
export function renderFrame(report: FrameReport, direction: Direction, title: string): HTMLElement {
  const box = create('div', 'sb-frame');
  box.dataset.direction = direction;
  box.dataset.opcode = report.opcodeName;
  box.append(create('p', 'sb-frame-title', title), byteStrip(report), fieldTable(report, direction), unmaskTables(report));
  if (report.messageOpcodeName === 'text' && report.payload !== '') {
    const text = new TextDecoder().decode(fromHex(report.payload));
    box.append(create('p', 'sb-frame-note', `Payload as text: ${report.payloadComplete ? text : `${text}…`}`));
  }
  return box;
}

function frameTitle(report: FrameReport, index: number, count: number, direction: Direction): string {
  const who = direction === 'up' ? 'browser → server' : 'server → browser';
  const position = count > 1 ? `, frame ${String(index + 1)} of ${String(count)}` : '';
  const headerBytes = report.header.split(' ').length;
  return `${who}: ${report.opcodeName}${position}, ${String(headerBytes)}-byte header + ${report.payloadLength.toLocaleString('en')}-byte payload`;
}

function messageStatus(message: FrameLabMessage): string {
  switch (message.status) {
    case 'sending':
      return 'Waiting for the echo…';
    case 'lost':
      return 'The connection closed before the echo came back.';
    case 'echoed':
      return message.echoMatches === true ? 'Echo received: identical to what was sent ✓' : 'Echo received, but it differs from what was sent ✗';
  }
}

function renderMessage(message: FrameLabMessage): HTMLElement {
  const article = create('article', 'sb-frame-entry');
  article.dataset.id = String(message.id);
  article.dataset.status = message.status;
  const sentFrames = message.clientFrames.length;
  const summary = `You sent ${message.kind} (${formatBytes(message.bytes)}): ${message.preview}${message.bytes > message.preview.length ? '…' : ''}`;
  article.append(create('p', 'sb-frame-entry-title', summary));
  const columns = create('div', 'sb-frame-columns');
  const up = create('div', 'sb-frame-column');
  up.append(create('p', 'sb-frame-column-title', sentFrames === 1 ? 'Your browser sent 1 frame' : `Your browser sent ${String(sentFrames)} frames`));
  message.clientFrames.forEach((report, index) => up.append(renderFrame(report.frame, 'up', frameTitle(report.frame, index, sentFrames, 'up'))));
  const down = create('div', 'sb-frame-column');
  const replyFrames = message.reply?.frames ?? [];
  down.append(create('p', 'sb-frame-column-title', message.reply === null ? 'The server has not replied yet' : `The server replied in ${String(replyFrames.length)} frame${replyFrames.length === 1 ? '' : 's'}`));
  replyFrames.forEach((frame, index) => down.append(renderFrame(frame, 'down', frameTitle(frame, index, replyFrames.length, 'down'))));
  columns.append(up, down);
  article.append(columns, create('p', 'sb-frame-status', messageStatus(message)));
  return article;
}

function renderEntry(entry: FrameLabEntry): HTMLElement {
  if (entry.type === 'message') return renderMessage(entry);
  const article = create('article', 'sb-frame-entry');
  article.dataset.id = String(entry.id);
  const { frame } = entry.report;
  const what =
    frame.opcodeName === 'pong'
      ? 'Your browser sent a pong by itself: it answered the ping the server sent when you connected. Your JavaScript never saw the ping.'
      : `Your browser sent a ${frame.opcodeName} frame by itself.`;
  article.append(create('p', 'sb-frame-entry-title', what), renderFrame(frame, 'up', frameTitle(frame, 0, 1, 'up')));
  return article;
}

/** Renders the lab's list, newest first, re-rendering only entries that changed. */
export class FrameLabView {
  readonly #list: HTMLElement;
  readonly #summary: HTMLElement;
  readonly #rendered = new Map<number, { entry: FrameLabEntry; element: HTMLElement }>();

  constructor(list: HTMLElement, summary: HTMLElement) {
    this.#list = list;
    this.#summary = summary;
  }

  render(snapshot: FrameLabSnapshot): void {
    const present = new Set(snapshot.entries.map((entry) => entry.id));
    for (const [id, { element }] of this.#rendered) {
      if (!present.has(id)) {
        element.remove();
        this.#rendered.delete(id);
      }
    }
    let previous: HTMLElement | null = null;
    for (const entry of [...snapshot.entries].reverse()) {
      const known = this.#rendered.get(entry.id);
      let element = known?.element;
      if (known === undefined || known.entry !== entry) {
        const fresh = renderEntry(entry);
        known?.element.replaceWith(fresh);
        element = fresh;
        this.#rendered.set(entry.id, { entry, element });
      }
      if (element === undefined) continue;
      if (previous === null) {
        if (this.#list.firstElementChild !== element) this.#list.prepend(element);
      } else if (previous.nextElementSibling !== element) {
        previous.after(element);
      }
      previous = element;
    }
    this.#summary.textContent = this.#describeLatest(snapshot);
  }

  /** About the reader's latest message: control frames the browser sends by itself may arrive before or after it. */
  #describeLatest(snapshot: FrameLabSnapshot): string {
    const latest = snapshot.entries.findLast((entry): entry is FrameLabMessage => entry.type === 'message');
    if (latest === undefined) return snapshot.entries.length === 0 ? 'No frames yet. Send a message.' : 'No message yet; your browser has sent a control frame by itself.';
    const frames = latest.clientFrames.length;
    return `Latest: your ${formatBytes(latest.bytes)} ${latest.kind} message went out in ${String(frames)} frame${frames === 1 ? '' : 's'}. ${messageStatus(latest)}`;
  }
}
