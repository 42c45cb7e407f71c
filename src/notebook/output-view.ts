import { closeCodeName } from '../shared/close-policy.ts';
import { clockTimeMs, formatBytes, formatDuration } from '../shared/format.ts';
import type { OutputItem, Preview } from './kernel/protocol.ts';
import type { Notice, OutputRow } from './cell-store.ts';
import { summarise } from './kernel/preview.ts';

/**
 * Renders a cell's output rows as DOM, structured rather than as raw text:
 * objects expand, socket events name their code and size, errors their line.
 * Every piece of text goes in with `textContent`: output is the reader's
 * data and the server's, never markup.
 */

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Quotes a string as a console does: single quotes unless it contains one. */
function quote(text: string): string {
  return text.includes("'") ? JSON.stringify(text) : `'${text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}'`;
}

function primitiveText(value: Preview, quoteStrings: boolean): string | null {
  if (value.kind === 'object') return null;
  if (value.kind === 'string') return quoteStrings ? quote(value.value) + (value.truncated ? ' (truncated)' : '') : value.value;
  return summarise(value);
}

/**
 * A value: primitives inline, objects as a disclosure whose children are
 * built the first time it opens (a large object costs nothing until then).
 */
export function renderPreview(value: Preview, quoteStrings = true): HTMLElement {
  const text = primitiveText(value, quoteStrings);
  if (text !== null || value.kind !== 'object') return element('span', `sb-value sb-value-${value.kind}`, text ?? '');
  if (value.entries.length === 0) return element('span', 'sb-value sb-value-object', value.summary);
  const details = element('details', 'sb-value sb-value-object');
  details.append(element('summary', '', value.summary));
  details.addEventListener(
    'toggle',
    () => {
      const list = element('ul', 'sb-value-entries');
      for (const [key, entry] of value.entries) {
        const item = element('li', '');
        item.append(element('span', 'sb-value-key', `${key}: `), renderPreview(entry));
        list.append(item);
      }
      if (value.omitted > 0) list.append(element('li', 'sb-value-omitted', `… ${String(value.omitted)} more`));
      details.append(list);
    },
    { once: true },
  );
  return details;
}

function closeLine(code: number, reason: string, wasClean: boolean): string {
  const quoted = reason === '' ? '' : ` "${reason}"`;
  return `close ${String(code)}${quoted} · ${wasClean ? 'clean' : 'not clean'} · ${closeCodeName(code)}`;
}

/** Label and body of one output item. */
function describeItem(item: OutputItem | Notice, executionCount: number | null): { label: string; tone: string; body: HTMLElement[] } {
  switch (item.kind) {
    case 'log':
      return {
        label: item.level === 'log' ? 'log' : item.level,
        tone: item.level === 'error' ? 'error' : item.level === 'warn' ? 'warning' : 'log',
        body: item.values.map((value) => renderPreview(value, false)),
      };
    case 'display':
      return { label: 'display', tone: 'log', body: [renderPreview(item.value)] };
    case 'result':
      return { label: `Out[${executionCount === null ? ' ' : String(executionCount)}]`, tone: 'result', body: [renderPreview(item.value)] };
    case 'exception': {
      const where = item.line === null ? '' : ` (line ${String(item.line)}${item.column === null ? '' : `, column ${String(item.column)}`})`;
      const when = item.async ? ' in a callback, after the cell finished' : '';
      return { label: 'error', tone: 'error', body: [element('span', 'sb-exception', `${item.name}: ${item.message}${where}${when}`)] };
    }
    case 'notice':
      return { label: item.tone === 'warning' ? 'kernel' : 'note', tone: item.tone === 'warning' ? 'warning' : 'note', body: [element('span', '', item.text)] };
    case 'socket':
      switch (item.event) {
        case 'connecting':
          return { label: `socket ${String(item.socketId)}`, tone: 'socket', body: [element('span', '', `connecting to ${item.url}`)] };
        case 'open': {
          const protocol = item.protocol === '' ? '' : ` · subprotocol ${item.protocol}`;
          return { label: `socket ${String(item.socketId)}`, tone: 'socket', body: [element('span', '', `open${protocol}`)] };
        }
        case 'sent':
        case 'received': {
          const arrow = item.event === 'sent' ? '↑ sent' : '↓ received';
          return {
            label: `socket ${String(item.socketId)}`,
            tone: item.event,
            body: [
              element('span', 'sb-direction', arrow),
              renderPreview(item.data),
              element('span', 'sb-size', `${formatBytes(item.bytes)}${item.binary ? ' binary' : ''}`),
            ],
          };
        }
        case 'error':
          return {
            label: `socket ${String(item.socketId)}`,
            tone: 'error',
            body: [element('span', '', 'error event (browsers give no details here; the close event that follows has the code)')],
          };
        case 'close':
          return { label: `socket ${String(item.socketId)}`, tone: item.wasClean ? 'socket' : 'error', body: [element('span', '', closeLine(item.code, item.reason, item.wasClean))] };
      }
  }
}

/** One row: time since the run started, what it is, and its content. */
export function renderOutputRow(row: OutputRow, runStartedAt: number | null, executionCount: number | null): HTMLLIElement {
  const { label, tone, body } = describeItem(row.item, executionCount);
  const item = element('li', `sb-out sb-out-${tone}`);
  item.dataset.id = String(row.id);
  item.dataset.kind = row.item.kind;
  if (row.item.kind === 'socket') item.dataset.event = row.item.event;
  const time = element('time', 'sb-out-time', runStartedAt === null ? clockTimeMs(new Date(row.at)) : `+${formatDuration(Math.max(0, row.at - runStartedAt))}`);
  time.dateTime = new Date(row.at).toISOString();
  time.title = clockTimeMs(new Date(row.at));
  const content = element('div', 'sb-out-body');
  content.append(...body);
  item.append(time, element('span', 'sb-out-label', label), content);
  return item;
}
