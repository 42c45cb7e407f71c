import { describe, expect, it } from 'vitest';
import { axeProblems, checkExercise, checkSolution, outputTextsOfKind, replaceCode, runAllCells, shownOutputs, useChapterPages } from '../helpers/notebook-page.ts';

/** A masking key as the server reports it: 4 bytes in hex. */
const KEY = '[0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}';

describe('notebook cells on chapter 3 (frames)', () => {
  const chapter = useChapterPages('frames');

  it('runs the four cells against the real server: three lengths, the RFC frame by hand, your own masked frames, pings across prices', async () => {
    const { page, errors } = await chapter.open();
    const cells = await runAllCells(page);
    expect(await cells.count()).toBe(4);

    // 1. 7-, 16- and 64-bit lengths, each followed by a fresh masking key.
    const lengths = await outputTextsOfKind(cells.nth(0), 'log');
    expect(lengths).toHaveLength(3);
    expect(lengths[0]).toMatch(new RegExp(`^125 bytes: 7-bit length, header 82 fd ${KEY} \\(6 bytes\\)$`));
    expect(lengths[1]).toMatch(new RegExp(`^126 bytes: 16-bit length, header 82 fe 00 7e ${KEY} \\(8 bytes\\)$`));
    expect(lengths[2]).toMatch(new RegExp(`^65536 bytes: 64-bit length, header 82 ff 00 00 00 00 00 01 00 00 ${KEY} \\(14 bytes\\)$`));

    // 2. RFC 6455 §5.7's masked "Hello", decoded field by field.
    expect(await shownOutputs(cells.nth(1))).toEqual([
      'display{fin: true, opcode: 1, masked: true, payloadLength: 5}',
      'displayUint8Array(4) [37 fa 21 3d]',
      'displayUint8Array(5) [48 65 6c 6c 6f]',
      "Out[2]'Hello'",
    ]);

    // 3. The same text twice: two keys, two byte sequences, one text once unmasked.
    const hellos = await outputTextsOfKind(cells.nth(2), 'log');
    const pattern = new RegExp(`^header 81 85 (${KEY}), payload as sent ((?:[0-9a-f]{2} ){4}[0-9a-f]{2}), unmasked by you: Hello$`);
    expect(hellos).toEqual([expect.stringMatching(pattern), expect.stringMatching(pattern)]);
    const [first, second] = hellos.map((line) => pattern.exec(line)?.slice(1));
    // Two random 32-bit keys are equal once in 4 billion runs.
    expect(first?.[0]).not.toBe(second?.[0]);
    expect(first?.[1]).not.toBe(second?.[1]);

    // 4. Pings go up while prices come down; each pong comes back a round trip (2 × 400 ms) later.
    const timeline = await outputTextsOfKind(cells.nth(3), 'log');
    const timeOf = (pattern: RegExp) => {
      const line = timeline.find((entry) => pattern.test(entry));
      expect(line, `${String(pattern)} in\n${timeline.join('\n')}`).toBeDefined();
      return Number(/^(\d+) ms/.exec(line ?? '')?.[1]);
    };
    for (const id of [1, 2, 3]) {
      const pong = timeline.find((entry) => entry.includes(`↓ pong ${String(id)},`)) ?? '';
      const [, arrived, sent] = /^(\d+) ms {2}↓ pong \d, to the ping sent at (\d+) ms$/.exec(pong) ?? [];
      expect(Number(arrived) - Number(sent), pong).toBeGreaterThanOrEqual(790);
      expect(timeOf(new RegExp(`↑ ping ${String(id)}$`))).toBeLessThanOrEqual(Number(sent) + 1);
    }
    expect(timeOf(/↓ pong 1,/)).toBeLessThan(timeOf(/↓ pong 2,/));
    expect(timeOf(/↓ pong 2,/)).toBeLessThan(timeOf(/↓ pong 3,/));
    // The subscription's first prices came down before the first ping went up.
    expect(timeOf(/↓ (SPY|BTC-USD) /)).toBeLessThan(timeOf(/↑ ping 1$/));
    expect((await outputTextsOfKind(cells.nth(3), 'socket')).at(-1)).toBe('close 1000 "seen enough" · clean · Normal Closure');
    expect(errors).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);
  });
});

describe('exercises on chapter 3 (frames)', () => {
  const chapter = useChapterPages('frames');

  it('"Decode a frame header": the starter reads only 7-bit lengths and never waits; the solution passes', async () => {
    const exercise = await chapter.exercise('decode-header');
    const starter = await checkExercise(exercise);
    expect(starter.summary).toMatch(/^5 of 6 checks failed/);
    expect(starter.failures).toEqual({
      "decodes RFC 6455 §5.7's frames with 7-bit lengths": 'expected headerLength 6 for 81 85 37 fa 21 3d 7f 9f 4d 51 58, got 2',
      'reads 16-bit lengths (126)': 'expected payloadLength 256 for 82 7e 01 00, got 126',
      'reads 64-bit lengths (127), also above 32 bits': 'expected payloadLength 65536 for 82 7f 00 00 00 00 00 01 00 00, got 127',
      'reads a frame that starts partway into its buffer': 'expected payloadLength 256 for 82 7e 01 00 at index 1 of a chunk (chunk.subarray(1)), got 126',
      'returns null until the whole header has arrived':
        'expected decodeHeader(no bytes) to be null (no bytes yet), got {"fin":false,"opcode":0,"masked":false,"payloadLength":0,"headerLength":2}',
    });
    expect((await checkSolution(exercise)).summary).toBe('All 6 checks passed: exercise solved.');
  });

  it('"Decode a frame header": 32-bit arithmetic and a DataView from the start of the buffer get their own reasons', async () => {
    const exercise = await chapter.exercise('decode-header');
    await replaceCode(
      exercise,
      [
        'function decodeHeader(bytes) {',
        '  if (bytes.length < 2) return null;',
        '  const view = new DataView(bytes.buffer);',
        '  let payloadLength = bytes[1] & 0x7f;',
        '  let headerLength = 2;',
        '  if (payloadLength === 126) { if (bytes.length < 4) return null; payloadLength = view.getUint16(2); headerLength = 4; }',
        '  if (payloadLength === 127) { if (bytes.length < 10) return null; payloadLength = (bytes[6] << 24) | (bytes[7] << 16) | (bytes[8] << 8) | bytes[9]; headerLength = 10; }',
        '  const masked = (bytes[1] & 0x80) !== 0;',
        '  if (masked) headerLength += 4;',
        '  if (bytes.length < headerLength) return null;',
        '  return { fin: (bytes[0] & 0x80) !== 0, opcode: bytes[0] & 0x0f, masked, payloadLength, headerLength };',
        '}',
      ].join('\n'),
    );
    const outcome = await checkExercise(exercise);
    expect(outcome.failures).toEqual({
      'reads 64-bit lengths (127), also above 32 bits':
        "expected payloadLength 4294967296 for 82 7f 00 00 00 01 00 00 00 00, got 0: JavaScript's bitwise operators work on 32 bits; DataView's getBigUint64 reads all 64",
      'reads a frame that starts partway into its buffer':
        'expected payloadLength 256 for 82 7e 01 00 at index 1 of a chunk (chunk.subarray(1)), got 32257: a DataView over bytes.buffer starts at the start of the whole chunk; pass bytes.byteOffset too',
    });
  });

  it('"Count the prices that cross your ping": the starter never pings; counting the first price is named; the solution passes', async () => {
    const exercise = await chapter.exercise('in-flight');
    const starter = await checkExercise(exercise);
    expect(starter.summary).toMatch(/^3 of 5 checks failed/);
    expect(starter.failures).toEqual({
      'sends one ping, {type: "ping", id: 1, sent}, once prices arrive': 'timed out after 1 s waiting for a ping to be sent after the first price',
      '`crossed` counts the prices that arrived after the ping left, before its pong': 'no ping was sent, so nothing can cross it: fix the check above first',
      'closes with 1000 once the pong is in': 'no pong came, and the socket is still open: close it with 1000 when the pong arrives',
    });

    // Counting every price until the pong includes the one that sent the ping.
    await replaceCode(
      exercise,
      [
        'const socket = new WebSocket(`${SERVER}/ws/ticker?latencyMs=300`);',
        'let crossed = 0;',
        "socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'subscribe', symbols: ['SPY', 'BTC-USD'] })));",
        'let pinged = false;',
        "socket.addEventListener('message', (event) => {",
        '  const message = JSON.parse(event.data);',
        "  if (message.type === 'price') crossed += 1;",
        "  if (message.type === 'price' && !pinged) { pinged = true; socket.send(JSON.stringify({ type: 'ping', id: 1, sent: Date.now() })); }",
        "  if (message.type === 'pong') socket.close(1000);",
        '});',
      ].join('\n'),
    );
    const overcounted = await checkExercise(exercise);
    expect(overcounted.summary).toMatch(/^1 of 5 checks failed/);
    expect(overcounted.failures['`crossed` counts the prices that arrived after the ping left, before its pong']).toMatch(
      /^expected crossed (\d+), got (\d+): the first price, which sent the ping, arrived before the ping left; do not count it$/,
    );

    const solution = await checkSolution(exercise);
    expect(solution.summary).toBe('All 5 checks passed: exercise solved.');
    const [crossedLine] = await outputTextsOfKind(exercise, 'display');
    expect(Number(/^'(\d+) prices crossed the ping; round trip (\d+) ms'$/.exec(crossedLine ?? '')?.[1])).toBeGreaterThanOrEqual(1);
  });
});
