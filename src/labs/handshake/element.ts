import type { FailedHandshake, HandshakeLabSnapshot, HandshakeLabStore } from './store.ts';
import type { InspectProbe } from '../../shared/protocol/inspect.ts';
import { create, part, showConnection, showServer, unreachableText, whenVisible } from '../kit/dom.ts';

/** Headers the chapter talks about, lower-cased, with the one-line reason they matter. */
const HEADER_NOTES: Readonly<Record<string, string>> = {
  upgrade: 'asks to switch this connection from HTTP to WebSocket',
  connection: 'must include "Upgrade": hop-by-hop, so proxies see the request to switch',
  'sec-websocket-key': '16 random bytes in base64, new for every connection',
  'sec-websocket-version': '13: the version RFC 6455 defines, the only one in use',
  origin: 'the page that opened the socket; the server decides whether to allow it',
  'sec-websocket-protocol': 'subprotocols offered (request) or the one chosen (response)',
  'sec-websocket-extensions': 'extensions offered; this server accepts none',
  'sec-websocket-accept': 'proof the server read this key: base64(SHA-1(key + GUID))',
};

function lineItem(text: string): HTMLLIElement {
  const item = create('li');
  const colon = text.indexOf(':');
  const name = colon === -1 ? '' : text.slice(0, colon).toLowerCase();
  const note = HEADER_NOTES[name];
  if (note === undefined) {
    item.textContent = text;
    return item;
  }
  item.dataset.highlight = name;
  const noteElement = create('span', 'sb-hs-note');
  noteElement.append(create('span', 'sr-only', '(note: '), note, create('span', 'sr-only', ')'));
  item.append(create('span', 'sb-hs-name', text.slice(0, colon + 1)), text.slice(colon + 1), noteElement);
  return item;
}

function describeState(snapshot: HandshakeLabSnapshot, url: string): string {
  const close = snapshot.lastClose;
  switch (snapshot.state) {
    case 'idle':
      return 'Waiting to connect…';
    case 'connecting':
      return `Connecting to ${url}…`;
    case 'open':
      return 'Open: the server answered 101 Switching Protocols.';
    case 'closed':
      return `Closed with code ${String(close?.code ?? 1005)}. Press "Connect again" to reconnect.`;
    case 'failed':
      return snapshot.problem === null
        ? `The connection failed before it opened (close ${String(close?.code ?? 1006)}). Checking whether the server is up…`
        : `The connection failed before it opened (close ${String(close?.code ?? 1006)}), though the server is up. Press "Connect again" to retry.`;
    case 'unreachable':
      return unreachableText(url, null, 'Then press "Connect again".');
    case 'refused-by-browser':
      return `Handshake failed: the server answered 101 Switching Protocols but chose none of the subprotocols offered, so your browser failed the connection (close ${String(close?.code ?? 1006)}).`;
  }
}

function fact(list: HTMLDListElement, term: string, value: string): void {
  list.append(create('dt', undefined, term), create('dd', undefined, value));
}

/**
 * `<handshake-lab>`: wires HandshakeLab.astro to a HandshakeLabStore. It
 * connects when scrolled into view, with plain `WebSocket`s: the lab is
 * about one handshake at a time, so it never reconnects by itself.
 */
export class HandshakeLabElement extends HTMLElement {
  #store: HandshakeLabStore | null = null;
  #cancelVisible: (() => void) | null = null;

  connectedCallback(): void {
    const server = showServer(this, 'handshake-lab');
    this.#cancelVisible = whenVisible(this, () => void this.#start(server.url));
    part<HTMLFormElement>(this, '.sb-hs-offer', 'handshake-lab').addEventListener('submit', (event) => {
      event.preventDefault();
      this.#store?.connect(this.#offered());
    });
    part<HTMLFormElement>(this, '.sb-hs-try', 'handshake-lab').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#tryKey();
    });
    for (const button of this.querySelectorAll<HTMLButtonElement>('[data-probe]')) {
      button.addEventListener('click', () => this.#store?.tryFailure(button.dataset.probe as InspectProbe));
    }
  }

  disconnectedCallback(): void {
    this.#cancelVisible?.();
    this.#store?.disconnect();
  }

  #offered(): string[] {
    return [...this.querySelectorAll<HTMLInputElement>('input[name="protocol"]:checked')].map((box) => box.value);
  }

  async #start(server: string): Promise<void> {
    const { HandshakeLabStore } = await import('./store.ts');
    const options = {
      server,
      serverProtocols: (this.dataset.serverProtocols ?? '').split(' ').filter((name) => name !== ''),
      unknownProtocol: this.dataset.unknownProtocol ?? 'chat.v9',
    };
    // no-cors: an opaque answer still proves the server is there, whatever its CORS headers (?server= may be another origin).
    const health = new URL('/healthz', server.replace(/^ws/, 'http'));
    const reachable = () => fetch(health, { mode: 'no-cors', cache: 'no-store' }).then(() => true, () => false);
    const store = new HandshakeLabStore(options, (url, protocols) => new WebSocket(url, [...protocols]), reachable);
    this.#store = store;
    store.subscribe((snapshot) => this.#render(snapshot, `${server}/ws/inspect`));
    store.connect(this.#offered());
    void this.#tryKey();
  }

  async #tryKey(): Promise<void> {
    const { computeAccept, isValidWebSocketKey, RFC_EXAMPLE_ACCEPT, RFC_EXAMPLE_KEY } = await import('../../shared/handshake.ts');
    const key = part<HTMLInputElement>(this, '.sb-hs-try input', 'handshake-lab').value.trim();
    const output = part<HTMLOutputElement>(this, '.sb-hs-try-result', 'handshake-lab');
    const { accept } = await computeAccept(key);
    const validity = isValidWebSocketKey(key) ? '' : ' (not a valid key: a browser always sends 16 random bytes in base64, 24 characters ending in ==)';
    const rfc = key === RFC_EXAMPLE_KEY ? (accept === RFC_EXAMPLE_ACCEPT ? ': the value RFC 6455 §1.3 gives ✓' : ': differs from RFC 6455 §1.3 ✗') : '';
    output.dataset.match = key === RFC_EXAMPLE_KEY ? (accept === RFC_EXAMPLE_ACCEPT ? 'yes' : 'no') : '';
    output.textContent = `Sec-WebSocket-Accept: ${accept}${rfc}${validity}`;
  }

  #render(snapshot: HandshakeLabSnapshot, url: string): void {
    const failed = snapshot.state === 'failed' || snapshot.state === 'unreachable' || snapshot.state === 'refused-by-browser';
    const state = failed ? 'unreachable' : snapshot.state === 'idle' ? 'connecting' : snapshot.state;
    showConnection(this, 'handshake-lab', state, describeState(snapshot, url));
    const problem = part<HTMLElement>(this, '.sb-hs-problem', 'handshake-lab');
    problem.hidden = snapshot.problem === null;
    problem.textContent = snapshot.problem ?? '';
    this.#renderExchange(snapshot);
    this.#renderNegotiated(snapshot);
    this.#renderAccept(snapshot);
    this.#renderFailure(snapshot.failure);
  }

  #renderExchange({ handshake, probedExchange, state }: HandshakeLabSnapshot): void {
    const request = part<HTMLOListElement>(this, '[data-part="request"]', 'handshake-lab');
    const response = part<HTMLOListElement>(this, '[data-part="response"]', 'handshake-lab');
    const note = part<HTMLElement>(this, '[data-part="exchange-note"]', 'handshake-lab');
    const probed = handshake === null && probedExchange !== null;
    part<HTMLElement>(this, '[data-part="request-title"]', 'handshake-lab').textContent = probed ? 'The same request, made by the server to itself' : 'Request your browser sent';
    part<HTMLElement>(this, '[data-part="response-title"]', 'handshake-lab').textContent = probed ? 'Response the server sent to it' : 'Response the server sent';
    note.hidden = !probed;
    note.textContent = probed
      ? 'The server answered your browser too, but the browser failed the connection before the server could report your request to this page. Below is the same request (this page\'s Origin, the same subprotocol), which the server made to itself: its 101 carries no Sec-WebSocket-Protocol.'
      : '';
    if (probed) {
      const [requestLine = '', ...requestHeaders] = probedExchange.requestLines;
      request.replaceChildren(lineItem(requestLine), ...requestHeaders.map(lineItem));
      response.replaceChildren(...(probedExchange.responseLines.length === 0 ? [create('li', 'sb-hs-empty', probedExchange.problem ?? 'No answer.')] : probedExchange.responseLines.map(lineItem)));
      return;
    }
    if (handshake === null) {
      if (state !== 'connecting' && state !== 'idle') {
        const text = state === 'unreachable' ? 'No answer: the server is not reachable.' : state === 'open' ? 'Waiting for the handshake…' : 'Not reported: the connection never opened.';
        request.replaceChildren(create('li', 'sb-hs-empty', text));
        response.replaceChildren(create('li', 'sb-hs-empty', text));
        return;
      }
      request.replaceChildren(create('li', 'sb-hs-empty', 'Waiting for the handshake…'));
      response.replaceChildren(create('li', 'sb-hs-empty', 'Waiting for the handshake…'));
      return;
    }
    request.replaceChildren(lineItem(handshake.requestLine), ...handshake.requestHeaders.map(([name, value]) => lineItem(`${name}: ${value}`)));
    response.replaceChildren(...handshake.responseLines.map(lineItem));
  }

  #renderNegotiated(snapshot: HandshakeLabSnapshot): void {
    const list = part<HTMLDListElement>(this, '[data-part="negotiated"]', 'handshake-lab');
    list.replaceChildren();
    const { handshake } = snapshot;
    fact(list, 'Subprotocols offered', snapshot.offered.length === 0 ? 'none' : snapshot.offered.join(', '));
    if (handshake === null) return;
    fact(list, 'Server chose', handshake.protocol === '' ? 'none (no Sec-WebSocket-Protocol in the response)' : handshake.protocol);
    fact(list, 'socket.protocol in this page', JSON.stringify(snapshot.browserProtocol ?? ''));
    const offeredExtensions = handshake.requestHeaders.find(([name]) => name.toLowerCase() === 'sec-websocket-extensions')?.[1];
    fact(list, 'Extensions your browser offered', offeredExtensions ?? 'none');
    fact(list, 'Extensions accepted', handshake.extensions === '' ? 'none: this server turns compression off so the frames stay readable' : handshake.extensions);
  }

  #renderAccept({ accept, serverAccept }: HandshakeLabSnapshot): void {
    const steps = part<HTMLOListElement>(this, '[data-part="accept"]', 'handshake-lab');
    if (accept === null) {
      steps.replaceChildren(create('li', undefined, 'Waiting for the handshake…'));
      return;
    }
    const step = (label: string, value: string) => {
      const item = create('li');
      item.append(create('span', 'sb-hs-step-label', label), value);
      return item;
    };
    const verdict = create('li');
    const matches = accept.accept === serverAccept;
    verdict.dataset.match = matches ? 'yes' : 'no';
    verdict.append(
      create('span', 'sb-hs-step-label', '5. The server sent'),
      `${serverAccept ?? '(no Sec-WebSocket-Accept)'}  ${matches ? '✓ matches' : '✗ does not match'}`,
    );
    steps.replaceChildren(
      step('1. The key your browser sent (Sec-WebSocket-Key)', accept.key),
      step('2. Key + the GUID from RFC 6455: the text that is hashed', accept.concatenated),
      step('3. SHA-1 of that text: 20 bytes', accept.sha1Hex),
      step('4. Those 20 bytes in base64: the Accept value', accept.accept),
      verdict,
    );
  }

  #renderFailure(failure: FailedHandshake | null): void {
    const area = part<HTMLElement>(this, '[data-part="failure"]', 'handshake-lab');
    if (failure === null) {
      area.replaceChildren(create('p', 'sb-hs-empty', 'Press a button to see a handshake fail.'));
      return;
    }
    const browser = create('div');
    browser.append(create('p', 'sb-hs-subtitle', 'What this page saw'));
    if (failure.probe !== 'foreign-origin') {
      const events = failure.browserEvents.length === 0 ? 'nothing yet' : failure.browserEvents.join(', then ');
      const call =
        failure.probe === 'wrong-path'
          ? 'new WebSocket(".../ws/no-such-endpoint")'
          : `new WebSocket(".../ws/inspect", ["${this.dataset.unknownProtocol ?? ''}"])`;
      browser.append(create('p', undefined, `${call} fired: ${events}.`));
      if (failure.browserClose !== null) {
        const { code, wasClean } = failure.browserClose;
        const why =
          failure.probe === 'wrong-path'
            ? 'No status code, no body: a page cannot tell a 404 from a refused Origin or a server that is down.'
            : 'The server accepted, but chose no subprotocol; a browser that offered some fails such a connection, and says why only in DevTools.';
        browser.append(create('p', 'sb-hs-close', `close event: code ${String(code)}, wasClean ${String(wasClean)}. ${why}`));
      }
    } else {
      browser.append(create('p', undefined, 'Nothing: a page cannot choose its Origin. The browser always sends the real one, which is exactly what lets a server refuse other sites.'));
    }
    const wire = create('div');
    wire.append(create('p', 'sb-hs-subtitle', 'On the wire (the server sent the same request to itself)'));
    const { exchange } = failure;
    if (exchange === null) {
      wire.append(create('p', undefined, failure.state === 'running' ? 'Trying…' : 'The server did not report the exchange.'));
    } else {
      const transcript = [...exchange.requestLines, '', ...exchange.responseLines, '', exchange.body].join('\n');
      wire.append(create('pre', 'sb-hs-transcript', transcript));
      if (exchange.problem !== null) wire.append(create('p', undefined, `Problem: ${exchange.problem}`));
    }
    const columns = create('div', 'sb-hs-columns');
    columns.append(browser, wire);
    area.replaceChildren(columns);
  }
}
