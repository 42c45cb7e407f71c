import type { EchoEntry, EchoSnapshot, EchoStore } from './store.ts';
import { clockTimeMs, formatBytes, formatDuration } from '../../shared/format.ts';
import { pageServer } from '../kit/page-server.ts';
import { endpointUrl } from '../../shared/server-url.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, kibLabel } from '../../shared/message-limits.ts';
import { serverCloseSentence, shouldReconnectAfter } from '../../shared/close-policy.ts';
import { create, describeConnection, part, serverLabel, showConnection, whenVisible } from '../kit/dom.ts';
import { KeyedList } from '../kit/keyed-list.ts';

function logRow(entry: EchoEntry): HTMLTableRowElement {
  const row = document.createElement('tr');
  row.dataset.id = String(entry.id);
  row.dataset.direction = entry.direction;
  row.append(
    create('td', 'sb-direction', entry.direction === 'sent' ? '↑ sent' : '↓ received'),
    create('td', 'sb-time', clockTimeMs(new Date(entry.at))),
    create('td', 'sb-kind', entry.kind),
    create('td', 'sb-payload', entry.preview),
    create('td', 'sb-size', formatBytes(entry.bytes)),
    create('td', 'sb-rtt', entry.roundTripMs === null ? '' : formatDuration(entry.roundTripMs)),
  );
  return row;
}

/** What the box holds, in the bytes the limit counts: UTF-8, as text or as binary. */
function sizeText(bytes: number): string {
  const size = `${bytes.toLocaleString('en')} bytes`;
  if (bytes <= DEFAULT_MAX_MESSAGE_BYTES) return '';
  return `${size}: over the ${kibLabel(DEFAULT_MAX_MESSAGE_BYTES)} this endpoint accepts (the demo server's --max-message-bytes default). Sending it makes the server close the connection with 1009 Message Too Big.`;
}

/** The status line; after a 1009 it names the limit that caused it and points at the Reconnect button. */
function describeEcho(snapshot: EchoSnapshot, url: string): string {
  const close = snapshot.lastClose;
  if (snapshot.state === 'closed' && close?.code === 1009) {
    const sent = snapshot.entries.findLast((entry) => entry.direction === 'sent');
    const what = sent === undefined ? 'A message' : `The last message, ${sent.bytes.toLocaleString('en')} bytes,`;
    // A server started with a smaller --max-message-bytes refuses less than the default the page knows.
    const limit =
      sent !== undefined && sent.bytes <= DEFAULT_MAX_MESSAGE_BYTES
        ? "this server's message size limit (lower than the default, so it was started with --max-message-bytes)"
        : `the ${kibLabel(DEFAULT_MAX_MESSAGE_BYTES)} this endpoint accepts`;
    return `${serverCloseSentence(close)}. ${what} was over ${limit}. Not reconnecting: sending it again would close again. Press Reconnect to connect again.`;
  }
  return describeConnection(snapshot, url, undefined, 'Press Reconnect to connect again.');
}

/**
 * `<echo-cell>`: wires EchoCell.astro's markup to an EchoStore. It connects
 * only when scrolled into view, loading partysocket then, so a page that is
 * only read downloads no socket code.
 */
export class EchoCellElement extends HTMLElement {
  #store: EchoStore | null = null;
  #socket: { close(code?: number, reason?: string): void; reconnect(): void } | null = null;
  #cancelVisible: (() => void) | null = null;
  readonly #log = new KeyedList<EchoEntry>((entry) => entry.id);

  connectedCallback(): void {
    part<HTMLElement>(this, '.sb-server').textContent = serverLabel();
    this.#cancelVisible = whenVisible(this, () => void this.#connect());
    part<HTMLFormElement>(this, 'form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.#send();
    });
    part<HTMLButtonElement>(this, '[data-action="clear"]').addEventListener('click', () => {
      this.#store?.clear();
    });
    part<HTMLButtonElement>(this, '[data-action="reconnect"]').addEventListener('click', () => {
      this.#socket?.reconnect();
    });
    const input = part<HTMLInputElement>(this, '.sb-echo-input');
    input.addEventListener('input', () => this.#showSize());
    this.#showSize();
  }

  disconnectedCallback(): void {
    this.#cancelVisible?.();
    // Scripts may only close with 1000 or 3000–4999; 1001 is the browser's own.
    this.#socket?.close(1000, 'cell removed');
  }

  async #connect(): Promise<void> {
    const [{ default: ReconnectingWebSocket }, { EchoStore }, { partysocketOptions }] = await Promise.all([
      import('partysocket/ws'),
      import('./store.ts'),
      import('../../shared/reconnect.ts'),
    ]);
    const server = pageServer().url;
    const url = endpointUrl(server, this.dataset.endpoint ?? '/ws/echo');
    const socket = new ReconnectingWebSocket(url, undefined, partysocketOptions());
    this.#socket = socket;
    this.#store = new EchoStore(socket);
    this.#store.subscribe((snapshot) => {
      this.#render(snapshot, url);
    });
  }

  #send(): void {
    const input = part<HTMLInputElement>(this, '.sb-echo-input');
    const binary = part<HTMLInputElement>(this, 'input[name="binary"]');
    if (this.#store === null) return;
    if (this.#store.send(input.value, binary.checked)) input.select();
  }

  /** Says, before sending, when the box holds more than the endpoint accepts. */
  #showSize(): void {
    const bytes = new TextEncoder().encode(part<HTMLInputElement>(this, '.sb-echo-input').value).byteLength;
    const hint = part<HTMLElement>(this, '.sb-echo-size');
    const text = sizeText(bytes);
    hint.hidden = text === '';
    hint.toggleAttribute('data-over', text !== '');
    hint.textContent = text;
  }

  #render(snapshot: EchoSnapshot, url: string): void {
    showConnection(this, 'echo-cell', snapshot.state, describeEcho(snapshot, url), snapshot.sendError);
    const close = snapshot.lastClose;
    part<HTMLElement>(this, '.sb-echo-reconnect').hidden = !(snapshot.state === 'closed' && close !== null && !shouldReconnectAfter(close.code));
    this.#renderLog(snapshot.entries);
  }

  #renderLog(entries: readonly EchoEntry[]): void {
    this.#log.update(part<HTMLTableSectionElement>(this, 'tbody'), entries, logRow);
    part<HTMLElement>(this, '.sb-echo-empty').hidden = entries.length > 0;
    const wrap = part<HTMLElement>(this, '.sb-echo-log-wrap');
    wrap.scrollTop = wrap.scrollHeight;
  }
}
