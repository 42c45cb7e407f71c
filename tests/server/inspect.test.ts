import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { OPCODES, encodeFrame, fromHex, toHex } from '../../src/shared/frame-codec.ts';
import { computeAccept } from '../../src/shared/handshake.ts';
import {
  RFC_EXAMPLE_FRAME_REPORT,
  type InspectFrameMessage,
  type InspectHandshakeMessage,
  type InspectProbeMessage,
  type InspectReplyMessage,
  type InspectServerMessage,
} from '../../src/shared/protocol/inspect.ts';
import { closed, nextJson, nextMessage, openClient, refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';
import { RawWebSocketClient } from '../../grader/raw-client.ts';

/** Collects every JSON message a `ws` client receives, in order. */
function collect(client: WebSocket): InspectServerMessage[] {
  const messages: InspectServerMessage[] = [];
  client.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) return;
    try {
      messages.push(JSON.parse(data.toString()) as InspectServerMessage);
    } catch {
      // an echo of non-JSON text
    }
  });
  return messages;
}

function framesIn(messages: readonly InspectServerMessage[]): InspectFrameMessage[] {
  return messages.filter((message): message is InspectFrameMessage => message.type === 'frame');
}

describe('/ws/inspect', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer();
  });
  afterEach(async () => {
    await running.close();
  });

  it('reports the request line and headers in the order and case they arrived, and the 101 response it sent', async () => {
    const raw = await RawWebSocketClient.connect(`${running.wsUrl}/ws/inspect?x=1`, [
      ['host', `127.0.0.1:${String(running.port)}`],
      ['X-Zebra', 'first'],
      ['upgrade', 'WebSocket'],
      ['CONNECTION', 'keep-alive, Upgrade'],
      ['Sec-WebSocket-Version', '13'],
      ['x-alpha', 'last'],
    ]);
    const handshake = await raw.nextJson<InspectHandshakeMessage>();
    expect(handshake.type).toBe('handshake');
    expect(handshake.requestLine).toBe('GET /ws/inspect?x=1 HTTP/1.1');
    expect(handshake.requestHeaders.map(([name]) => name)).toEqual(['Sec-WebSocket-Key', 'host', 'X-Zebra', 'upgrade', 'CONNECTION', 'Sec-WebSocket-Version', 'x-alpha']);
    expect(handshake.requestHeaders).toContainEqual(['Sec-WebSocket-Key', raw.key]);
    const accept = (await computeAccept(raw.key)).accept;
    expect(handshake.responseLines).toEqual(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`]);
    expect(raw.responseLines).toEqual(handshake.responseLines);
    expect(handshake).toMatchObject({ protocol: '', extensions: '', previewBytes: 64, maxMessageBytes: 1024 * 1024 });
    raw.close();
  });

  it('reports a masked frame with its bytes as received, before unmasking (RFC 6455 §5.7 example)', async () => {
    const raw = await RawWebSocketClient.connect(`${running.wsUrl}/ws/inspect`);
    await raw.nextJson();
    raw.write(fromHex('818537fa213d7f9f4d5158'));
    const report = await raw.nextJson<InspectFrameMessage>();
    expect(report).toMatchObject({ type: 'frame', index: 1, unreported: 0 });
    expect(report.frame).toEqual(RFC_EXAMPLE_FRAME_REPORT);
    raw.close();
  });

  it('decodes frames that arrive split across TCP chunks at any byte', async () => {
    const raw = await RawWebSocketClient.connect(`${running.wsUrl}/ws/inspect`);
    await raw.nextJson();
    const bytes = encodeFrame({ opcode: OPCODES.text, payload: new TextEncoder().encode('x'.repeat(300)), maskingKey: fromHex('01020304') });
    for (const byte of bytes.subarray(0, 12)) {
      raw.write(new Uint8Array([byte]));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    raw.write(bytes.subarray(12));
    const report = await raw.nextJson<InspectFrameMessage>();
    expect(report.frame).toMatchObject({ payloadLength: 300, lengthBits: 16, header: '81 fe 01 2c 01 02 03 04', payloadComplete: false });
    expect(report.frame.payload).toBe(Array(64).fill('78').join(' '));
    raw.close();
  });

  it('announces each echo with the exact frame header that then arrives on the wire', async () => {
    const raw = await RawWebSocketClient.connect(`${running.wsUrl}/ws/inspect`);
    await raw.nextJson();
    raw.sendText('Hello');
    await raw.nextJson<InspectFrameMessage>();
    const reply = await raw.nextJson<InspectReplyMessage>();
    const echo = await raw.nextFrame();
    expect(reply).toMatchObject({ type: 'reply', kind: 'text', bytes: 5 });
    expect(reply.frames).toHaveLength(1);
    expect(reply.frames[0]).toMatchObject({ header: toHex(echo.headerBytes), masked: false, maskingKey: null, payload: '48 65 6c 6c 6f' });
    expect(toHex(echo.headerBytes)).toBe('81 05');
    raw.close();
  });

  it('sends the echo in fragments with ?fragment=, and a ws client still gets one message', async () => {
    const raw = await RawWebSocketClient.connect(`${running.wsUrl}/ws/inspect?fragment=3`);
    await raw.nextJson();
    raw.sendText('Hello');
    await raw.nextJson<InspectFrameMessage>();
    const reply = await raw.nextJson<InspectReplyMessage>();
    const fragments = [await raw.nextFrame(), await raw.nextFrame()];
    expect(reply.frames.map((frame) => frame.header)).toEqual(['01 03', '80 02']);
    expect(fragments.map((frame) => toHex(frame.headerBytes))).toEqual(['01 03', '80 02']);
    expect(fragments.map((frame) => frame.messageOpcodeName)).toEqual(['text', 'text']);
    raw.close();

    const client = await openClient(`${running.wsUrl}/ws/inspect?fragment=2`);
    const messages: string[] = [];
    client.on('message', (data: Buffer) => messages.push(data.toString()));
    client.send('Hello');
    await expect.poll(() => messages.includes('Hello')).toBe(true);
    client.close();
  });

  it('reports a fragmented client message and a ping between its fragments', async () => {
    const raw = await RawWebSocketClient.connect(`${running.wsUrl}/ws/inspect`);
    await raw.nextJson();
    const key = fromHex('00000000');
    raw.write(encodeFrame({ fin: false, opcode: OPCODES.text, payload: new TextEncoder().encode('Hel'), maskingKey: key }));
    raw.write(encodeFrame({ opcode: OPCODES.ping, payload: new TextEncoder().encode('?'), maskingKey: key }));
    raw.write(encodeFrame({ opcode: OPCODES.continuation, payload: new TextEncoder().encode('lo'), maskingKey: key }));
    const reports = [await raw.nextJson<InspectFrameMessage>(), await raw.nextJson<InspectFrameMessage>(), await raw.nextJson<InspectFrameMessage>()];
    expect(reports.map(({ frame }) => `${String(frame.fin)} ${frame.opcodeName}/${frame.messageOpcodeName}`)).toEqual([
      'false text/text',
      'true ping/ping',
      'true continuation/text',
    ]);
    const reply = await raw.nextJson<InspectReplyMessage>();
    expect(reply.bytes).toBe(5);
    raw.close();
  });

  it("reports the client's automatic pong to the ping it sends on connect", async () => {
    const client = await openClient(`${running.wsUrl}/ws/inspect`);
    const messages = collect(client);
    await expect.poll(() => framesIn(messages).length).toBe(1);
    expect(framesIn(messages)[0]?.frame).toMatchObject({ opcodeName: 'pong', masked: true, payloadLength: 7, payload: toHex(new TextEncoder().encode('inspect')) });
    client.close();
  });

  it('accepts a 1 MiB message although the server limit is 64 KiB, reporting its 64-bit length and only 64 payload bytes', async () => {
    const client = await openClient(`${running.wsUrl}/ws/inspect`);
    const messages = collect(client);
    const echoes: Buffer[] = [];
    client.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) echoes.push(data);
    });
    const payload = Buffer.alloc(1024 * 1024, 0xab);
    client.send(payload);
    await expect.poll(() => echoes.length, { timeout: 10_000 }).toBe(1);
    expect(echoes[0]?.equals(payload)).toBe(true);
    const report = framesIn(messages).find(({ frame }) => frame.opcodeName === 'binary');
    expect(report?.frame).toMatchObject({ payloadLength: 1024 * 1024, lengthBits: 64, payloadComplete: false });
    expect(report?.frame.payload.split(' ')).toHaveLength(64);
    const reply = messages.find((message): message is InspectReplyMessage => message.type === 'reply');
    expect(reply?.frames[0]?.header).toBe('82 7f 00 00 00 00 00 10 00 00');
    client.close();
  });

  it('closes with 1009 above its own limit, while /ws/echo keeps the server limit', async () => {
    const client = await openClient(`${running.wsUrl}/ws/inspect`);
    const closing = closed(client);
    client.send(Buffer.alloc(1024 * 1024 + 1));
    expect((await closing).code).toBe(1009);
    const echo = await openClient(`${running.wsUrl}/ws/echo`);
    const echoClosing = closed(echo);
    echo.send(Buffer.alloc(64 * 1024 + 1));
    expect((await echoClosing).code).toBe(1009);
  });

  it('reports at most a burst of frames, then counts the frames it skipped', async () => {
    const raw = await RawWebSocketClient.connect(`${running.wsUrl}/ws/inspect`);
    await raw.nextJson();
    const key = fromHex('00000000');
    const fragments = [encodeFrame({ fin: false, opcode: OPCODES.text, payload: new Uint8Array([0x61]), maskingKey: key })];
    for (let index = 0; index < 1_200; index++) fragments.push(encodeFrame({ fin: false, opcode: OPCODES.continuation, payload: new Uint8Array([0x61]), maskingKey: key }));
    fragments.push(encodeFrame({ opcode: OPCODES.continuation, payload: new Uint8Array([0x61]), maskingKey: key }));
    raw.write(new Uint8Array(Buffer.concat(fragments)));
    const reports: InspectFrameMessage[] = [];
    for (;;) {
      const message = await raw.nextJson<InspectServerMessage>();
      if (message.type === 'reply') break;
      if (message.type === 'frame') reports.push(message);
    }
    // 1,202 frames arrived at once: the first 1,000 are reported; the rest are skipped (a few may be reported as tokens refill).
    expect(reports.length).toBeGreaterThanOrEqual(1_000);
    expect(reports.length).toBeLessThan(1_202);
    expect(reports.slice(0, 1_000).every((report, index) => report.index === index + 1 && report.unreported === 0)).toBe(true);
    raw.close();
  });

  it('closes with 1002 on a reserved opcode and keeps serving others', async () => {
    const raw = await RawWebSocketClient.connect(`${running.wsUrl}/ws/inspect`);
    await raw.nextJson();
    raw.write(fromHex('8380 00000000'));
    let close = await raw.nextFrame();
    while (close.opcodeName !== 'close') close = await raw.nextFrame();
    expect(toHex(close.payload.subarray(0, 2), '')).toBe('03ea');
    raw.close();
    // Listen before 'open': the handshake report can arrive in the same chunk as the 101.
    const client = new WebSocket(`${running.wsUrl}/ws/inspect`);
    expect((await nextJson(client)).type).toBe('handshake');
    client.close();
  });
});

describe('/ws/inspect subprotocols', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer();
  });
  afterEach(async () => {
    await running.close();
  });

  it("picks the first protocol the client offered that it speaks, and reports it", async () => {
    const offered = new WebSocket(`${running.wsUrl}/ws/inspect`, ['chat.v9', 'text.v1', 'json.v1']);
    const handshake = await nextJson<InspectHandshakeMessage>(offered);
    expect(offered.protocol).toBe('text.v1');
    expect(handshake.protocol).toBe('text.v1');
    expect(handshake.responseLines).toContain('Sec-WebSocket-Protocol: text.v1');
    expect(handshake.requestHeaders).toContainEqual(['Sec-WebSocket-Protocol', 'chat.v9,text.v1,json.v1']);
    offered.close();
  });

  it('opens with no subprotocol when the client offers only unknown ones (RFC 6455 §4.2.2)', async () => {
    const raw = await RawWebSocketClient.connect(`${running.wsUrl}/ws/inspect`, [['Sec-WebSocket-Protocol', 'chat.v9, chat.v8']]);
    const handshake = await raw.nextJson<InspectHandshakeMessage>();
    expect(handshake.protocol).toBe('');
    expect(raw.responseLines.some((line) => line.toLowerCase().startsWith('sec-websocket-protocol'))).toBe(false);
    raw.close();
    // Node's ws client is stricter than browsers: it fails a connection whose server picked none of its offers.
    const strict = new WebSocket(`${running.wsUrl}/ws/inspect`, ['chat.v9']);
    const error = await new Promise<Error>((resolve) => strict.once('error', resolve));
    expect(error.message).toBe('Server sent no subprotocol');
  });

  it('under json.v1 answers text that is not JSON with INVALID_JSON and stays open; echoes JSON', async () => {
    const client = new WebSocket(`${running.wsUrl}/ws/inspect`, ['json.v1']);
    const messages = collect(client);
    await expect.poll(() => messages.length).toBeGreaterThan(0);
    client.send('hello');
    await expect.poll(() => messages.find((message) => message.type === 'error')).toEqual({
      type: 'error',
      error: 'INVALID_JSON',
      message: 'message is not valid JSON: Unexpected token \'h\', "hello" is not valid JSON',
    });
    client.send('{"a":1}');
    await expect.poll(() => messages.some((message) => (message as unknown as { a?: number }).a === 1)).toBe(true);
    client.send(Buffer.from([1, 2]));
    await expect.poll(() => messages.filter((message) => message.type === 'error').at(-1)).toMatchObject({
      error: 'BINARY_NOT_ACCEPTED',
      message: 'this endpoint accepts text messages only: json.v1 carries JSON text; connect without a subprotocol to send binary',
    });
    expect(client.readyState).toBe(WebSocket.OPEN);
    client.close();
  });

  it('under text.v1 refuses binary but echoes any text', async () => {
    const client = new WebSocket(`${running.wsUrl}/ws/inspect`, ['text.v1']);
    const messages = collect(client);
    const texts: string[] = [];
    client.on('message', (data: Buffer) => texts.push(data.toString()));
    await expect.poll(() => messages.length).toBeGreaterThan(0);
    client.send('not json at all');
    await expect.poll(() => texts.includes('not json at all')).toBe(true);
    client.send(Buffer.from([1]));
    await expect.poll(() => messages.find((message) => message.type === 'error')).toMatchObject({ error: 'BINARY_NOT_ACCEPTED' });
    client.close();
  });

  it('closes with 1008 after more than 5 invalid messages in a burst', async () => {
    const client = new WebSocket(`${running.wsUrl}/ws/inspect`, ['json.v1']);
    await nextMessage(client);
    const closing = closed(client);
    for (let index = 0; index < 6; index++) client.send('garbage');
    expect(await closing).toEqual({ code: 1008, reason: 'too many invalid messages: over 5 invalid messages in a burst' });
  });
});

describe('/ws/inspect query parameters and probes', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer();
  });
  afterEach(async () => {
    await running.close();
  });

  it('refuses bad parameters with HTTP 400 naming the problem', async () => {
    expect(await refusedHandshake(`${running.wsUrl}/ws/inspect?fragment=0`)).toEqual({
      status: 400,
      body: 'fragment must be a whole number from 1 to 65536, got "0"\n',
    });
    expect(await refusedHandshake(`${running.wsUrl}/ws/inspect?probe=teapot`)).toEqual({
      status: 400,
      body: 'probe must be one of wrong-path, foreign-origin, unknown-subprotocol, got "teapot"\n',
    });
  });

  it('shows the raw exchange of a handshake to a wrong path: 404, then closes with 1000', async () => {
    const client = new WebSocket(`${running.wsUrl}/ws/inspect?probe=wrong-path`, { origin: running.httpUrl });
    const closing = closed(client);
    const probe = await nextJson<InspectProbeMessage>(client);
    expect(probe.probe).toBe('wrong-path');
    expect(probe.requestLines[0]).toBe('GET /ws/no-such-endpoint HTTP/1.1');
    expect(probe.requestLines).toContain(`Origin: ${running.httpUrl}`);
    expect(probe.responseLines[0]).toBe('HTTP/1.1 404 Not Found');
    expect(probe.body).toBe('no WebSocket endpoint at /ws/no-such-endpoint');
    expect(probe.problem).toBeNull();
    expect(await closing).toEqual({ code: 1000, reason: 'probe done' });
  });

  it('shows a foreign Origin refused with 403', async () => {
    const client = new WebSocket(`${running.wsUrl}/ws/inspect?probe=foreign-origin`);
    const probe = await nextJson<InspectProbeMessage>(client);
    expect(probe.requestLines).toContain('Origin: http://evil.example');
    expect(probe.responseLines[0]).toBe('HTTP/1.1 403 Forbidden');
    expect(probe.body).toBe('origin http://evil.example is not allowed; start the server with --allowed-origins to allow it');
  });

  it('shows an offer of only an unknown subprotocol accepted with 101 and no Sec-WebSocket-Protocol', async () => {
    const client = new WebSocket(`${running.wsUrl}/ws/inspect?probe=unknown-subprotocol`);
    const probe = await nextJson<InspectProbeMessage>(client);
    expect(probe.requestLines).toContain('Sec-WebSocket-Protocol: chat.v9');
    expect(probe.responseLines[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(probe.responseLines.some((line) => line.toLowerCase().startsWith('sec-websocket-protocol'))).toBe(false);
    expect(probe.body).toBe('');
  });

  it('shows the foreign Origin accepted (101) when the server allows every origin', async () => {
    const open = await startServer({ allowedOrigins: ['*'] });
    try {
      const client = new WebSocket(`${open.wsUrl}/ws/inspect?probe=foreign-origin`);
      const probe = await nextJson<InspectProbeMessage>(client);
      expect(probe.responseLines[0]).toBe('HTTP/1.1 101 Switching Protocols');
    } finally {
      await open.close();
    }
  });
});
