import type { Preview } from './protocol.ts';

export interface PreviewOptions {
  /** Levels of nested objects expanded; deeper ones become `ref`s. */
  readonly maxDepth: number;
  /** Entries listed per object before the rest are counted as omitted. */
  readonly maxEntries: number;
  /** Characters of a string kept. */
  readonly maxStringChars: number;
  /** Bytes shown in hex for binary data. */
  readonly maxHexBytes: number;
}

export const PREVIEW_DEFAULTS: PreviewOptions = {
  maxDepth: 3,
  maxEntries: 50,
  maxStringChars: 10_000,
  maxHexBytes: 64,
};

/**
 * Platform objects keep their state in prototype getters, so listing own
 * properties shows nothing useful. These are the properties worth showing.
 */
const GETTERS_BY_CLASS: Readonly<Record<string, readonly string[]>> = {
  WebSocket: ['url', 'readyState', 'protocol', 'extensions', 'bufferedAmount', 'binaryType'],
  ReconnectingWebSocket: ['url', 'readyState', 'protocol', 'bufferedAmount', 'retryCount'],
  CloseEvent: ['type', 'code', 'reason', 'wasClean'],
  MessageEvent: ['type', 'data', 'origin'],
  ErrorEvent: ['type', 'message'],
  Event: ['type'],
  Blob: ['size', 'type'],
  URL: ['href'],
};

const READY_STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

function className(value: object): string {
  const constructor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof constructor?.name === 'string' && constructor.name !== '' ? constructor.name : 'Object';
}

/** The nearest class in the prototype chain that has a getter table. */
function getterTable(value: object): readonly string[] | undefined {
  for (let proto: object | null = value; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const table = GETTERS_BY_CLASS[className(proto)];
    if (table !== undefined) return table;
  }
  return undefined;
}

function hex(bytes: Uint8Array, max: number): string {
  const shown = [...bytes.subarray(0, max)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return bytes.byteLength > max ? `${shown} …` : shown;
}

function safeGet(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch (error) {
    return error;
  }
}

/** One-line rendering of a preview, as in a console: `"hi"`, `42`, `{a: 1, b: "x"}`. */
export function summarise(preview: Preview, budget = 80): string {
  switch (preview.kind) {
    case 'undefined':
    case 'null':
      return preview.kind;
    case 'boolean':
      return String(preview.value);
    case 'number':
    case 'bigint':
    case 'symbol':
      return preview.value;
    case 'string': {
      const text = JSON.stringify(preview.value);
      return text.length > budget ? `${text.slice(0, budget - 2)}…"` : text;
    }
    case 'function':
      return `ƒ ${preview.name}()`;
    case 'error':
      return `${preview.name}: ${preview.message}`;
    case 'bytes':
      return `${preview.className}(${String(preview.byteLength)}) [${preview.hex}]`;
    case 'object':
    case 'ref':
      return preview.summary;
  }
}

function objectSummary(name: string, entries: readonly (readonly [string, Preview])[], omitted: number, isArray: boolean): string {
  const parts: string[] = [];
  let length = 0;
  for (const [key, value] of entries) {
    const part = isArray ? summarise(value, 30) : `${key}: ${summarise(value, 30)}`;
    length += part.length + 2;
    if (length > 70) {
      parts.push('…');
      break;
    }
    parts.push(part);
  }
  if (omitted > 0 && parts.at(-1) !== '…') parts.push('…');
  const body = parts.join(', ');
  if (isArray) return `${name === 'Array' ? '' : name}(${String(entries.length + omitted)}) [${body}]`;
  return `${name === 'Object' ? '' : `${name} `}{${body}}`;
}

/**
 * Summarises any value for display in a cell's output: primitives as they
 * are, binary data as hex, sockets and events by their useful properties,
 * objects as a tree to the preview depth, with cycles cut.
 */
export function preview(value: unknown, options: PreviewOptions = PREVIEW_DEFAULTS): Preview {
  const seen = new WeakSet<object>();

  function visit(current: unknown, depth: number): Preview {
    switch (typeof current) {
      case 'undefined':
        return { kind: 'undefined' };
      case 'boolean':
        return { kind: 'boolean', value: current };
      case 'number':
        return { kind: 'number', value: Object.is(current, -0) ? '-0' : String(current) };
      case 'bigint':
        return { kind: 'bigint', value: `${current.toString()}n` };
      case 'string':
        return current.length > options.maxStringChars
          ? { kind: 'string', value: current.slice(0, options.maxStringChars), truncated: true }
          : { kind: 'string', value: current, truncated: false };
      case 'symbol':
        return { kind: 'symbol', value: current.toString() };
      case 'function':
        return { kind: 'function', name: current.name === '' ? '(anonymous)' : current.name };
      case 'object':
        break;
    }
    if (current === null) return { kind: 'null' };
    const object = current;
    if (object instanceof Error) return { kind: 'error', name: object.name, message: object.message };
    if (object instanceof ArrayBuffer) {
      return { kind: 'bytes', className: 'ArrayBuffer', byteLength: object.byteLength, hex: hex(new Uint8Array(object), options.maxHexBytes) };
    }
    if (ArrayBuffer.isView(object)) {
      const bytes = new Uint8Array(object.buffer, object.byteOffset, object.byteLength);
      return { kind: 'bytes', className: className(object), byteLength: object.byteLength, hex: hex(bytes, options.maxHexBytes) };
    }
    const name = className(object);
    if (object instanceof Date) {
      const text = Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
      return { kind: 'object', className: 'Date', summary: text, entries: [], omitted: 0 };
    }
    if (object instanceof Promise) return { kind: 'object', className: 'Promise', summary: 'Promise {…}', entries: [], omitted: 0 };
    if (seen.has(object)) return { kind: 'ref', className: name, summary: `${name} [circular]` };
    if (depth >= options.maxDepth) {
      return { kind: 'ref', className: name, summary: Array.isArray(object) ? `Array(${String(object.length)})` : `${name} {…}` };
    }
    seen.add(object);
    const entries: [string, Preview][] = [];
    let total = 0;
    const addPreview = (key: string, entry: Preview) => {
      total += 1;
      if (entries.length < options.maxEntries) entries.push([key, entry]);
    };
    const add = (key: string, entryValue: unknown) => {
      addPreview(key, visit(entryValue, depth + 1));
    };
    const getters = getterTable(object);
    if (Array.isArray(object)) {
      object.forEach((item, index) => add(String(index), item));
    } else if (object instanceof Map) {
      for (const [key, entryValue] of object) add(summarise(visit(key, options.maxDepth)), entryValue);
    } else if (object instanceof Set) {
      let index = 0;
      for (const item of object) add(String(index++), item);
    } else if (getters !== undefined) {
      for (const key of getters) {
        const entryValue = safeGet(object, key);
        if (key === 'readyState' && typeof entryValue === 'number') {
          addPreview(key, { kind: 'number', value: `${String(entryValue)} (${READY_STATES[entryValue] ?? '?'})` });
        } else {
          add(key, entryValue);
        }
      }
    } else {
      for (const key of Object.keys(object)) add(key, safeGet(object, key));
    }
    seen.delete(object);
    const omitted = total - entries.length;
    const displayName = object instanceof Map ? `Map(${String(object.size)})` : object instanceof Set ? `Set(${String(object.size)})` : name;
    return {
      kind: 'object',
      className: name,
      summary: objectSummary(displayName, entries, omitted, Array.isArray(object)),
      entries,
      omitted,
    };
  }

  return visit(value, 0);
}
