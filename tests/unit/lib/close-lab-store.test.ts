import { describe, expect, it } from 'vitest';
import { CloseLabStore, RATE_LIMIT_PINGS } from '../../../src/labs/close/store.ts';
import type { CloseReport } from '../../../src/shared/protocol/close.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

function report(run: string, overrides: Partial<CloseReport> = {}): CloseReport {
  return {
    run,
    action: 'close',
    serverSent: { description: 'a close frame with code 4401 and reason "token expired"', bytes: '88 0f' },
    clientSent: { code: 4401, reason: 'token expired' },
    closedBy: 'server',
    error: null,
    durationMs: 1,
    logLine: '4401 "token expired" by server',
    ...overrides,
  };
}

function setup() {
  const sockets: { url: string; socket: FakeSocket }[] = [];
  let now = 0;
  const store = new CloseLabStore({
    server: 'ws://demo:8080',
    openSocket: (url) => {
      const socket = new FakeSocket();
      sockets.push({ url, socket });
      return socket;
    },
    now: () => now,
  });
  const advance = (ms: number) => {
    now += ms;
  };
  const observer = () => sockets[0]?.socket ?? new FakeSocket();
  const latest = () => sockets.at(-1) ?? { url: '', socket: new FakeSocket() };
  const ready = () => {
    store.start();
    observer().emit('open');
    observer().emit('message', { data: JSON.stringify({ type: 'observer', observerId: 'obs-1', maxMessageBytes: 100, messagesPerSecond: 10, messageBurst: 20 }) });
  };
  return { store, sockets, advance, observer, latest, ready };
}

describe('CloseLabStore', () => {
  it('opens the observer on start and keeps the server limits it announces', () => {
    const { store, sockets, ready } = setup();
    expect(store.snapshot.observer).toBe('idle');
    ready();
    expect(sockets[0]?.url).toBe('ws://demo:8080/ws/close/observe');
    expect(store.snapshot).toMatchObject({ observer: 'ready', limits: { maxMessageBytes: 100, messagesPerSecond: 10, messageBurst: 20 } });
  });

  it("runs a server close: sends the request on open, records the page's CloseEvent and the time since the request", () => {
    const { store, latest, advance, ready } = setup();
    ready();
    store.run('close-4401');
    const { url, socket } = latest();
    expect(url).toBe('ws://demo:8080/ws/close?observer=obs-1&run=close-4401-1');
    expect(store.snapshot.runs['close-4401']?.state).toBe('running');
    socket.emit('open');
    expect(socket.sent).toEqual([JSON.stringify({ type: 'close-request', action: 'close', code: 4401, reason: 'token expired' })]);
    advance(12);
    socket.emit('close', { code: 4401, reason: 'token expired', wasClean: true });
    expect(store.snapshot.runs['close-4401']).toMatchObject({
      state: 'running',
      page: { code: 4401, reason: 'token expired', wasClean: true },
      errorEvent: false,
      elapsedMs: 12,
    });
  });

  it("completes a run when the server's report arrives on the observer, before or after the page's close", () => {
    const { store, latest, observer, ready } = setup();
    ready();
    store.run('close-4401');
    latest().socket.emit('open');
    latest().socket.emit('close', { code: 4401, reason: 'token expired', wasClean: true });
    observer().emit('message', { data: JSON.stringify({ type: 'report', run: 'close-4401-1', report: report('close-4401-1') }) });
    expect(store.snapshot.runs['close-4401']).toMatchObject({ state: 'done', server: { logLine: '4401 "token expired" by server' } });

    store.run('drop');
    const drop = latest().socket;
    drop.emit('open');
    observer().emit('message', { data: JSON.stringify({ type: 'report', run: 'drop-2', report: report('drop-2', { clientSent: null }) }) });
    expect(store.snapshot.runs.drop?.state).toBe('running');
    drop.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot.runs.drop).toMatchObject({ state: 'done', page: { code: 1006 }, server: { clientSent: null } });
  });

  it('records an error event before the close', () => {
    const { store, latest, ready } = setup();
    ready();
    store.run('invalid-utf8');
    latest().socket.emit('open');
    latest().socket.emit('error');
    latest().socket.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot.runs['invalid-utf8']).toMatchObject({ errorEvent: true, page: { code: 1006, wasClean: false } });
  });

  it('ignores events of a run that a newer run of the same scenario replaced', () => {
    const { store, sockets, ready } = setup();
    ready();
    store.run('close-1000');
    store.run('close-1000');
    sockets[1]?.socket.emit('close', { code: 1000, reason: 'bye', wasClean: true });
    expect(store.snapshot.runs['close-1000']).toMatchObject({ run: 'close-1000-2', page: null });
  });

  it('runs without an observer, and then finishes on the page close alone', () => {
    const { store, latest } = setup();
    store.run('close-1012');
    expect(latest().url).toBe('ws://demo:8080/ws/close');
    latest().socket.emit('open');
    latest().socket.emit('close', { code: 1012, reason: 'restarting', wasClean: true });
    expect(store.snapshot.runs['close-1012']).toMatchObject({ state: 'done', server: null });
  });

  it('finishes waiting runs with the page side only when the observer goes away', () => {
    const { store, latest, observer, ready } = setup();
    ready();
    store.run('close-1000');
    latest().socket.emit('open');
    latest().socket.emit('close', { code: 1000, reason: 'bye', wasClean: true });
    observer().emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot.observer).toBe('unavailable');
    expect(store.snapshot.runs['close-1000']?.state).toBe('done');
  });

  it('sends twice the burst of pings for the rate-limit scenario', () => {
    const { store, latest, ready } = setup();
    ready();
    store.run('rate-limit');
    latest().socket.emit('open');
    expect(latest().socket.sent).toHaveLength(RATE_LIMIT_PINGS);
    expect(latest().socket.sent[0]).toBe('{"type":"ping"}');
  });

  it("sends one byte more than the server's announced limit for the oversize scenario", () => {
    const { store, latest, ready } = setup();
    ready();
    store.run('oversize');
    latest().socket.emit('open');
    expect(latest().socket.sent).toEqual(['x'.repeat(101)]);
  });

  describe("the reader's own close()", () => {
    it('checks the code before calling close(), which would throw', () => {
      const { store, sockets, ready } = setup();
      ready();
      store.run('client-close', { code: '1001', reason: '' });
      expect(store.snapshot.runs['client-close']).toMatchObject({
        state: 'refused',
        refusal:
          'Not sent: close code 1001 is not allowed from a page: WebSocket.close() accepts only 1000 or 3000–4999 (it throws InvalidAccessError otherwise).',
      });
      store.run('client-close', { code: 'abc' });
      expect(store.snapshot.runs['client-close']?.refusal).toBe('Not sent: the close code must be a whole number, got "abc".');
      store.run('client-close', { code: '4000', reason: 'é'.repeat(62) });
      expect(store.snapshot.runs['client-close']?.refusal).toBe(
        'Not sent: close reason is 124 bytes of UTF-8; at most 123 fit in a close frame (WebSocket.close() throws SyntaxError).',
      );
      expect(sockets).toHaveLength(1);
    });

    it('calls close(code, reason) once open, or close() with no code when the box is empty', () => {
      const { store, latest, ready } = setup();
      ready();
      store.run('client-close', { code: '4000', reason: 'done here' });
      latest().socket.emit('open');
      expect(latest().socket.closedWith).toEqual({ code: 4000, reason: 'done here' });
      store.run('client-close', { code: ' ', reason: '' });
      latest().socket.emit('open');
      expect(latest().socket.closedWith).toEqual({});
    });
  });

  describe('a code for the server', () => {
    it('sends it unchecked, and shows the refusal the server answers with', () => {
      const { store, latest, ready } = setup();
      ready();
      store.run('server-custom', { code: '1005', reason: '' });
      const { socket } = latest();
      socket.emit('open');
      expect(socket.sent).toEqual([JSON.stringify({ type: 'close-request', action: 'close', code: 1005, reason: '' })]);
      socket.emit('message', { data: JSON.stringify({ type: 'error', error: 'INVALID_CLOSE_REQUEST', message: 'invalid close request: close code 1005 cannot be sent' }) });
      expect(socket.closedWith).toEqual({ code: 1000, reason: 'request refused' });
      socket.emit('close', { code: 1000, reason: 'request refused', wasClean: true });
      expect(store.snapshot.runs['server-custom']).toMatchObject({
        state: 'refused',
        refusal: 'The server refused: invalid close request: close code 1005 cannot be sent',
        page: null,
      });
    });

    it('needs a whole number', () => {
      const { store, ready } = setup();
      ready();
      store.run('server-custom', { code: '' });
      expect(store.snapshot.runs['server-custom']?.refusal).toBe('Not sent: type a close code for the server to use.');
    });
  });

  describe('navigating away', () => {
    it('opens the socket in the frame, navigates it once open, and finishes on the server report alone', () => {
      const { store, observer, ready } = setup();
      ready();
      const frameSocket = new FakeSocket();
      let frameUrl = '';
      let navigated = 0;
      store.run('navigate-away', {
        openInFrame: (url) => {
          frameUrl = url;
          return frameSocket;
        },
        navigateFrame: () => {
          navigated += 1;
        },
      });
      expect(frameUrl).toBe('ws://demo:8080/ws/close?observer=obs-1&run=navigate-away-1');
      frameSocket.emit('open');
      expect(navigated).toBe(1);
      const seen = report('navigate-away-1', { action: 'wait', clientSent: { code: 1001, reason: '' }, closedBy: 'client' });
      observer().emit('message', { data: JSON.stringify({ type: 'report', run: 'navigate-away-1', report: seen }) });
      expect(store.snapshot.runs['navigate-away']).toMatchObject({ state: 'done', page: null, server: { clientSent: { code: 1001 } } });
    });

    it('is refused without the observer, the only one who can see it', () => {
      const { store } = setup();
      store.run('navigate-away', { openInFrame: () => new FakeSocket(), navigateFrame: () => undefined });
      expect(store.snapshot.runs['navigate-away']).toMatchObject({ state: 'refused' });
    });
  });

  it('throws on an unknown scenario id, naming the known ones', () => {
    const { store } = setup();
    expect(() => store.run('nope')).toThrow(/^no close scenario "nope"; expected one of close-1000, /);
  });
});
