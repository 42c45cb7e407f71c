import { describe, expect, it } from 'vitest';
import { HandshakeLabStore, type NegotiatingSocket } from '../../../src/labs/handshake/store.ts';
import { RFC_EXAMPLE_ACCEPT, RFC_EXAMPLE_KEY } from '../../../src/shared/handshake.ts';
import type { InspectHandshakeMessage, InspectProbeMessage } from '../../../src/shared/protocol/inspect.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

class FakeNegotiatingSocket extends FakeSocket implements NegotiatingSocket {
  protocol = '';
  extensions = '';
  readonly url: string;
  readonly protocols: readonly string[];
  constructor(url: string, protocols: readonly string[]) {
    super();
    this.url = url;
    this.protocols = protocols;
  }
}

function setup(reachable = true) {
  const sockets: FakeNegotiatingSocket[] = [];
  const store = new HandshakeLabStore(
    { server: 'ws://lab.test', serverProtocols: ['json.v1', 'text.v1'], unknownProtocol: 'chat.v9' },
    (url, protocols) => {
      const socket = new FakeNegotiatingSocket(url, protocols);
      sockets.push(socket);
      return socket;
    },
    () => Promise.resolve(reachable),
  );
  return { store, sockets };
}

/** Lets the store's reachability check settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const handshake: InspectHandshakeMessage = {
  type: 'handshake',
  requestLine: 'GET /ws/inspect HTTP/1.1',
  requestHeaders: [
    ['Host', 'lab.test'],
    ['Sec-WebSocket-Key', RFC_EXAMPLE_KEY],
  ],
  responseLines: ['HTTP/1.1 101 Switching Protocols', `Sec-WebSocket-Accept: ${RFC_EXAMPLE_ACCEPT}`, 'Sec-WebSocket-Protocol: json.v1'],
  protocol: 'json.v1',
  extensions: '',
  previewBytes: 64,
  maxMessageBytes: 1_048_576,
};

describe('HandshakeLabStore.connect', () => {
  it('opens /ws/inspect offering the chosen subprotocols and records what the browser negotiated', () => {
    const { store, sockets } = setup();
    store.connect(['json.v1', 'chat.v9']);
    const [socket] = sockets;
    expect(socket?.url).toBe('ws://lab.test/ws/inspect');
    expect(socket?.protocols).toEqual(['json.v1', 'chat.v9']);
    expect(store.snapshot).toMatchObject({ state: 'connecting', offered: ['json.v1', 'chat.v9'] });
    if (socket === undefined) return;
    socket.protocol = 'json.v1';
    socket.emit('open');
    expect(store.snapshot).toMatchObject({ state: 'open', browserProtocol: 'json.v1', browserExtensions: '' });
  });

  it('recomputes the Accept value from the reported key and compares it with the one the server sent', async () => {
    const { store, sockets } = setup();
    store.connect([]);
    sockets[0]?.emit('open');
    sockets[0]?.emit('message', { data: JSON.stringify(handshake) });
    await expect.poll(() => store.snapshot.accept?.accept).toBe(RFC_EXAMPLE_ACCEPT);
    expect(store.snapshot.serverAccept).toBe(RFC_EXAMPLE_ACCEPT);
    expect(store.snapshot.handshake).toEqual(handshake);
  });

  it('refuses an invalid subprotocol name without connecting', () => {
    const { store, sockets } = setup();
    store.connect(['has space']);
    expect(sockets).toHaveLength(0);
    expect(store.snapshot.problem).toBe('"has space" is not a valid subprotocol name: use letters, digits and . - _ without spaces or commas.');
  });

  it('explains a failure when none of the offered subprotocols is one the server speaks, and shows the probed exchange', async () => {
    const { store, sockets } = setup();
    store.connect(['chat.v9']);
    sockets[0]?.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot).toMatchObject({ state: 'failed', problem: null });
    await settle();
    expect(store.snapshot.state).toBe('refused-by-browser');
    expect(store.snapshot.problem).toMatch(/^The server speaks none of chat\.v9, so it answered 101 without choosing a subprotocol/);
    expect(sockets[1]?.url).toBe('ws://lab.test/ws/inspect?probe=unknown-subprotocol');
    const exchange: InspectProbeMessage = { type: 'probe', probe: 'unknown-subprotocol', requestLines: ['GET /ws/inspect HTTP/1.1', 'Sec-WebSocket-Protocol: chat.v9'], responseLines: ['HTTP/1.1 101 Switching Protocols'], body: '', problem: null };
    sockets[1]?.emit('message', { data: JSON.stringify(exchange) });
    expect(store.snapshot).toMatchObject({ state: 'refused-by-browser', probedExchange: exchange });
    store.connect(['json.v1']);
    expect(store.snapshot.probedExchange).toBeNull();
    sockets[2]?.emit('close', { code: 1006, reason: '', wasClean: false });
    await settle();
    expect(store.snapshot).toMatchObject({ state: 'failed', problem: 'The server is up, but this handshake failed, and a browser does not tell a page why (DevTools shows it).' });
  });

  it('tells an unreachable server from a failed handshake', async () => {
    const { store, sockets } = setup(false);
    store.connect(['chat.v9']);
    sockets[0]?.emit('close', { code: 1006, reason: '', wasClean: false });
    await settle();
    expect(store.snapshot).toMatchObject({ state: 'unreachable', problem: null });
    expect(sockets).toHaveLength(1);
  });

  it('ignores events from a connection it has replaced', () => {
    const { store, sockets } = setup();
    store.connect([]);
    store.connect(['text.v1']);
    expect(sockets[0]?.closedWith).toEqual({ code: 1000, reason: 'reconnecting' });
    sockets[0]?.emit('close', { code: 1000, reason: '', wasClean: true });
    expect(store.snapshot).toMatchObject({ state: 'connecting', offered: ['text.v1'] });
  });
});

describe('HandshakeLabStore.tryFailure', () => {
  const probe = (kind: InspectProbeMessage['probe']): InspectProbeMessage => ({
    type: 'probe',
    probe: kind,
    requestLines: ['GET /ws/no-such-endpoint HTTP/1.1'],
    responseLines: ['HTTP/1.1 404 Not Found'],
    body: 'no WebSocket endpoint at /ws/no-such-endpoint',
    problem: null,
  });

  it('records the page’s own failed attempt and the raw exchange of a wrong path', () => {
    const { store, sockets } = setup();
    store.tryFailure('wrong-path');
    const [browser, prober] = sockets;
    expect(browser?.url).toBe('ws://lab.test/ws/no-such-endpoint');
    expect(prober?.url).toBe('ws://lab.test/ws/inspect?probe=wrong-path');
    browser?.emit('error');
    browser?.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot.failure).toMatchObject({ state: 'running', browserEvents: ['error', 'close'], browserClose: { code: 1006, wasClean: false } });
    prober?.emit('message', { data: JSON.stringify(probe('wrong-path')) });
    expect(store.snapshot.failure).toMatchObject({ state: 'done', exchange: probe('wrong-path') });
  });

  it('makes no page attempt for a foreign Origin, which a page cannot send', () => {
    const { store, sockets } = setup();
    store.tryFailure('foreign-origin');
    expect(sockets.map((socket) => socket.url)).toEqual(['ws://lab.test/ws/inspect?probe=foreign-origin']);
    sockets[0]?.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot.failure).toMatchObject({ state: 'done', exchange: null, browserEvents: [] });
  });

  it('offers only the unknown subprotocol for that attempt', () => {
    const { store, sockets } = setup();
    store.tryFailure('unknown-subprotocol');
    expect(sockets[0]?.url).toBe('ws://lab.test/ws/inspect');
    expect(sockets[0]?.protocols).toEqual(['chat.v9']);
  });
});
