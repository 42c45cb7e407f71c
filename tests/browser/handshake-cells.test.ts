import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { axeProblems, checkExercise, checkSolution, outputTextsOfKind, replaceCode, runAllCells, shownOutputs, useChapterPages } from '../helpers/notebook-page.ts';

/** RFC 6455 §4.2.2, computed here in Node to check what the page computed in the browser. */
const acceptFor = (key: string) => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

describe('notebook cells on chapter 2 (handshake)', () => {
  const chapter = useChapterPages('handshake');

  it('runs the four cells against the real server: offer, the exchange, the Accept value, refused handshakes', async () => {
    const { page, errors } = await chapter.open();
    const cells = await runAllCells(page);
    expect(await cells.count()).toBe(4);
    const { httpUrl } = chapter.session.running;

    // 1. The server picks the first subprotocol it speaks, and no extension.
    expect(await shownOutputs(cells.nth(0))).toEqual(['display{protocol: "json.v1", extensions: ""}']);

    // 2. The request as the server received it, then the 101.
    const exchange = await outputTextsOfKind(cells.nth(1), 'log');
    expect(exchange[0]).toBe('> GET /ws/inspect HTTP/1.1');
    expect(exchange).toEqual(
      expect.arrayContaining([
        `> Host: ${httpUrl.replace('http://', '')}`,
        '> Upgrade: websocket',
        '> Connection: Upgrade',
        `> Origin: ${httpUrl}`,
        '> Sec-WebSocket-Version: 13',
        '> Sec-WebSocket-Protocol: json.v1, text.v1',
        '> Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits',
      ]),
    );
    const key = exchange.find((line) => line.startsWith('> Sec-WebSocket-Key: '))?.slice('> Sec-WebSocket-Key: '.length) ?? '';
    expect(key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(exchange.slice(-5)).toEqual([
      '< HTTP/1.1 101 Switching Protocols',
      '< Upgrade: websocket',
      '< Connection: Upgrade',
      `< Sec-WebSocket-Accept: ${acceptFor(key)}`,
      '< Sec-WebSocket-Protocol: json.v1',
    ]);

    // 3. The page's own computation on that key agrees with the server's (and with Node's).
    const steps = await outputTextsOfKind(cells.nth(2), 'log');
    expect(steps).toEqual([
      `your key:${key}`,
      expect.stringMatching(/^SHA-1 of key \+ GUID:Uint8Array\(20\) \[([0-9a-f]{2} ){19}[0-9a-f]{2}\]$/),
      `in base64:${acceptFor(key)}`,
      `the server sent:${acceptFor(key)}`,
    ]);
    expect(await outputTextsOfKind(cells.nth(2), 'result')).toEqual(['true']);

    // 4. A 404 and a 101 without a subprotocol look the same to the page; the probe shows the status.
    expect(await shownOutputs(cells.nth(3))).toEqual([
      'display(2) ["error", "close 1006, wasClean false"]',
      'display(2) ["error", "close 1006, wasClean false"]',
      "display'HTTP/1.1 404 Not Found'",
      "display'no WebSocket endpoint at /ws/no-such-endpoint'",
    ]);
    // The server's log has the reason the page was not given.
    expect(chapter.session.running.log).toEqual(
      expect.arrayContaining([expect.stringMatching(/refuse \/ws\/no-such-endpoint .* 404 no WebSocket endpoint at \/ws\/no-such-endpoint/)]),
    );
    expect(errors).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);
  });
});

describe('exercises on chapter 2 (handshake)', () => {
  const chapter = useChapterPages('handshake');

  it('"Make a key, and compute its Accept": the starter returns empty strings; the solution passes', async () => {
    const exercise = await chapter.exercise('accept-key');
    const starter = await checkExercise(exercise);
    expect(starter.summary).toMatch(/^3 of 4 checks failed/);
    expect(Object.keys(starter.failures)).toEqual([
      "acceptFor gives RFC 6455's example: dGhlIHNhbXBsZSBub25jZQ== → s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
      'acceptFor agrees with the demo server on a new connection',
      'newKey() gives 16 random bytes in base64, new every time',
    ]);
    expect(starter.failures["acceptFor gives RFC 6455's example: dGhlIHNhbXBsZSBub25jZQ== → s3pPLMBiTxaQ9kYGzzhZRbK+xOo="]).toBe(
      'expected acceptFor("dGhlIHNhbXBsZSBub25jZQ==") to be "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" (RFC 6455 §1.3), got ""',
    );
    expect(starter.failures['acceptFor agrees with the demo server on a new connection']).toMatch(
      /^expected acceptFor\("[A-Za-z0-9+/]{22}=="\) to be "[A-Za-z0-9+/]{27}=", what the server sent for this key, got ""$/,
    );
    expect(starter.failures['newKey() gives 16 random bytes in base64, new every time']).toBe(
      'expected newKey() to give 16 bytes in base64 (24 characters, ending in ==), got ""',
    );

    expect((await checkSolution(exercise)).summary).toBe('All 4 checks passed: exercise solved.');
  });

  it('"Make a key, and compute its Accept": hashing the key without the GUID, or a key of 8 bytes, get their own reasons', async () => {
    const exercise = await chapter.exercise('accept-key');
    await replaceCode(
      exercise,
      [
        'const base64 = (bytes) => btoa(String.fromCharCode(...bytes));',
        'function newKey() { return base64(crypto.getRandomValues(new Uint8Array(8))); }',
        "async function acceptFor(key) { return base64(new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(key)))); }",
      ].join('\n'),
    );
    const outcome = await checkExercise(exercise);
    expect(outcome.failures["acceptFor gives RFC 6455's example: dGhlIHNhbXBsZSBub25jZQ== → s3pPLMBiTxaQ9kYGzzhZRbK+xOo="]).toMatch(
      /^acceptFor\("dGhlIHNhbXBsZSBub25jZQ=="\) gave "[A-Za-z0-9+/]{27}=", the hash of the key alone: append the GUID to the key before hashing$/,
    );
    expect(outcome.failures['newKey() gives 16 random bytes in base64, new every time']).toMatch(
      /^expected newKey\(\) to give 16 bytes in base64 \(24 characters, ending in ==\), got "[A-Za-z0-9+/]{11}=", which is 8 bytes$/,
    );
  });

  it('"Negotiate json.v1, and find your echo": the starter offers nothing and sends nothing; a report taken for the echo is named; the solution passes', async () => {
    const exercise = await chapter.exercise('negotiate');
    const starter = await checkExercise(exercise);
    expect(starter.summary).toMatch(/^5 of 5 checks failed/);
    expect(starter.failures).toEqual({
      'offers xml.v3, then json.v1': "your socket offered no subprotocol: pass them as the second argument, new WebSocket(url, ['xml.v3', 'json.v1'])",
      'the server chose json.v1, and `chosen` says so': 'expected the negotiated subprotocol "json.v1", got ""',
      'sends {"hello":"json"} as JSON text': 'timed out after 1 s waiting for your message to be sent',
      'stores the echo, parsed, in `echoed`': 'your code sent nothing, so nothing came back to store: fix the check above first',
      'closes with code 1000 once the echo is in': 'the socket is still open and `echoed` is not set: close the socket with 1000 once the echo is in',
    });

    // Taking the first message after sending: the report of the frame just sent.
    await replaceCode(
      exercise,
      [
        "const socket = new WebSocket(`${SERVER}/ws/inspect`, ['xml.v3', 'json.v1']);",
        'let chosen = null;',
        'let echoed = null;',
        "socket.addEventListener('open', () => {",
        '  chosen = socket.protocol;',
        "  socket.send(JSON.stringify({ hello: 'json' }));",
        "  socket.addEventListener('message', (event) => { echoed ??= JSON.parse(event.data); socket.close(1000); });",
        '});',
      ].join('\n'),
    );
    const mistaken = await checkExercise(exercise);
    expect(mistaken.summary).toMatch(/^1 of 5 checks failed/);
    expect(mistaken.failures['stores the echo, parsed, in `echoed`']).toMatch(
      /^echoed is the server's \{type: "(frame|handshake)"\} report, not your echo: the echo is the message right after the \{type: "reply"\} report$/,
    );

    expect((await checkSolution(exercise)).summary).toBe('All 5 checks passed: exercise solved.');
  });

  it('"Tell a refused handshake from an open socket": the starter waits for ever on refusals; the solution passes', async () => {
    const exercise = await chapter.exercise('can-connect');
    const starter = await checkExercise(exercise);
    expect(starter.summary).toMatch(/^3 of 6 checks failed/);
    expect(starter.failures).toEqual({
      'false for a path with no endpoint (404)':
        'canConnect(`${SERVER}/ws/no-such-endpoint`) never settled, and its socket has closed: a refused handshake never fires open; listen for close (or error) too',
      'false for a query parameter out of range (400)':
        'canConnect(`${SERVER}/ws/ticker?latencyMs=5000`) never settled, and its socket has closed: a refused handshake never fires open; listen for close (or error) too',
      'false when the server chose none of the subprotocols offered':
        'canConnect(`${SERVER}/ws/inspect`, ["chat.v9"]) never settled, and its socket has closed: a refused handshake never fires open; listen for close (or error) too',
    });

    const solution = await checkSolution(exercise);
    expect(solution.summary).toBe('All 6 checks passed: exercise solved.');
    // The refusals show under the exercise as the page saw them.
    expect((await outputTextsOfKind(exercise, 'socket')).filter((text) => text.startsWith('close 1006')).length).toBeGreaterThanOrEqual(3);
  });
});
