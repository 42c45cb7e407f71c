import { describe, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { axeProblems, checkExercise, checkSolution, openExercise, outputTextsOfKind, replaceCode, runAllCells, runCell, shownOutputs } from '../helpers/notebook-page.ts';

/**
 * One Chromium and one server for the whole file. Each test runs in its own page and waits mostly on
 * the server's clocks (the ticker's prices, 500 ms of latency each way, 3 s check timeouts), so both
 * blocks run their tests at the same time; each test closes its own page.
 */
const session = useSiteInBrowser();
const CHAPTER = () => `${session.running.httpUrl}/messages/`;

/** Chapter 5 in a new page. */
async function openChapter(): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await newPage(session.browser);
  await page.goto(CHAPTER());
  return { page, errors };
}

/** Chapter 5 in a new page, and its exercise `id`. */
const openMessagesExercise = (id: string) => openExercise(session.browser, CHAPTER(), 'messages', id);

describe.concurrent('notebook cells on chapter 5 (messages)', () => {
  it('runs the five cells against the real echo, ticker and inspect endpoints', async ({ expect }) => {
    const { page, errors } = await openChapter();
    const cells = await runAllCells(page, undefined, expect);
    expect(await cells.count()).toBe(5);

    // 1. Characters and bytes; the same 6 bytes echoed as text and as binary.
    expect(await shownOutputs(cells.nth(0))).toEqual([
      'display{text: "hello", length: 5, utf8Bytes: 5}',
      'display{text: "héllo", length: 5, utf8Bytes: 6}',
      'display{text: "😀", length: 2, utf8Bytes: 4}',
    ]);
    expect(await outputTextsOfKind(cells.nth(0), 'log')).toEqual([
      'a text message of 6 bytes:héllo',
      'a binary message of 6 bytes:ArrayBuffer(6) [68 c3 a9 6c 6c 6f]',
    ]);

    // 2. Six messages through one switch: welcome, subscribed, then AAPL prices.
    const lines = await outputTextsOfKind(cells.nth(1), 'log');
    expect(lines.slice(0, 2)).toEqual(['welcome: 8 symbols, a price may change every 250 ms', 'subscribed AAPL; now subscribed to: AAPL']);
    expect(lines).toHaveLength(6);
    for (const line of lines.slice(2)) expect(line).toMatch(/^AAPL \d+\.\d\d \([+-]\d+\.\d\d\)$/);
    expect(lines[2]).toMatch(/\(\+0\.00\)$/); // the current price, sent at once, is no change

    // 3. One error per step of validation, and the socket stays open.
    expect(await outputTextsOfKind(cells.nth(2), 'log')).toEqual([
      `INVALID_JSON: message is not valid JSON: Unexpected token 'o', "not json" is not valid JSON`,
      'UNKNOWN_TYPE: unknown message type: "buy"; expected one of subscribe, unsubscribe, ping',
      'INVALID_MESSAGE: message does not match the protocol: symbols: Invalid type: Expected Array but received "AAPL"',
      'UNKNOWN_SYMBOL: unknown symbol: ACME; known symbols are AAPL, SPY, MSFT, GOOG, AMZN, TSLA, NVDA, BTC-USD',
    ]);
    expect(await outputTextsOfKind(cells.nth(2), 'result')).toEqual(['1']);

    // 4. What each subprotocol accepts.
    expect(await outputTextsOfKind(cells.nth(3), 'log')).toEqual([
      `json.v1, sent the text hello → INVALID_JSON: message is not valid JSON: Unexpected token 'h', "hello" is not valid JSON`,
      'json.v1, sent the text {"hello":"json"} → echoed {"hello":"json"}',
      'text.v1, sent 3 bytes → BINARY_NOT_ACCEPTED: this endpoint accepts text messages only: text.v1 carries text; connect without a subprotocol to send binary',
      'no subprotocol, sent 3 bytes → echoed 3 bytes',
    ]);

    // 5. Three requests in flight, each matched to its reply by id.
    const replies = await shownOutputs(cells.nth(4));
    expect(replies).toEqual([
      expect.stringMatching(/^display\{id: 1, roundTripMs: [\d.]+\}$/),
      expect.stringMatching(/^display\{id: 2, roundTripMs: [\d.]+\}$/),
      expect.stringMatching(/^display\{id: 3, roundTripMs: [\d.]+\}$/),
      'Out[5]0',
    ]);
    expect(errors).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('cell 3 run twice in a row reports the 1008 close instead of waiting for ever', async ({ expect }) => {
    const { page } = await openChapter();
    await runAllCells(page, undefined, expect);
    const errorsCell = page.locator('code-cell').nth(2);
    await runCell(errorsCell, 'done', undefined, expect);
    const lines = await outputTextsOfKind(errorsCell, 'log');
    expect(lines.at(-1)).toBe('closed with 1008: too many invalid messages: over 5 invalid messages in a burst');
    expect(await outputTextsOfKind(errorsCell, 'result')).toEqual(['3']);
    await page.context().close();
  });
});

describe.concurrent('exercises on chapter 5 (messages)', () => {
  it('"Five updates, then stop": the starter subscribes to nothing; keeping the subscribed message is named; the solution passes', async ({ expect }) => {
    const { page, exercise } = await openMessagesExercise('five-updates');
    const starter = await checkExercise(exercise, undefined, expect);
    expect(starter.summary).toMatch(/^4 of 5 checks failed/);
    expect(starter.failures).toEqual({
      'subscribes to AAPL and SPY': 'expected your code to send a subscribe message when the socket opens, but it sent nothing',
      'keeps the first 5 price updates as {symbol, price} in `prices`': 'your code subscribed to nothing, so no prices came: fix the check above first',
      'stops after the fifth: closes with 1000': 'fewer than 5 prices came in, and the socket is still open: close it with 1000 after the fifth',
      'your prediction matches what arrived before the first price':
        'commit to a prediction first: set prediction.typesBeforeFirstPrice to an array of type names',
    });

    // Every message counted as an update, and no close.
    await replaceCode(
      exercise,
      [
        "const prediction = { typesBeforeFirstPrice: ['subscribed'] };",
        'const socket = new WebSocket(`${SERVER}/ws/ticker`);',
        'const prices = [];',
        "socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'subscribe', symbols: ['AAPL', 'SPY'] })));",
        "socket.addEventListener('message', (event) => prices.push(JSON.parse(event.data)));",
      ].join('\n'),
    );
    const everything = await checkExercise(exercise, undefined, expect);
    expect(everything.failures['keeps the first 5 price updates as {symbol, price} in `prices`']).toBe(
      'prices[0] is a {type: "welcome"} message: only messages with type "price" are price updates',
    );
    expect(everything.failures['stops after the fifth: closes with 1000']).toBe('timed out after 3 s waiting for the socket to close');
    expect(everything.failures['your prediction matches what arrived before the first price']).toBe(
      'you predicted ["subscribed"]; before the first price came ["welcome","subscribed"]',
    );

    expect((await checkSolution(exercise, undefined, expect)).summary).toBe('All 5 checks passed: exercise solved.');
    await page.context().close();
  });

  it('"Validate what the server sends": the starter throws on bad JSON and trusts any JSON; the solution passes', async ({ expect }) => {
    const { page, exercise } = await openMessagesExercise('parse-message');
    const starter = await checkExercise(exercise, undefined, expect);
    expect(starter.summary).toMatch(/^3 of 7 checks failed/);
    expect(starter.failures).toEqual({
      'returns null for text that is not JSON, without throwing': `parseMessage("not json") threw SyntaxError: Unexpected token 'o', "not json" is not valid JSON: return null instead, so one bad message cannot stop the client`,
      'returns null for JSON that is not an object with a known type': 'expected parseMessage("[]") to be null (an array is not a message), got []',
      'returns null when a field is missing or of the wrong type':
        'expected parseMessage("{\\"type\\":\\"price\\",\\"symbol\\":\\"AAPL\\",\\"price\\":\\"190.12\\",\\"change\\":0.05,\\"time\\":1700000000250}") to be null (price is a string), got {"type":"price","symbol":"AAPL","price":"190.12","change":0.05,"time":1700000000250}',
    });
    expect((await checkSolution(exercise, undefined, expect)).summary).toBe('All 7 checks passed: exercise solved.');
    await page.context().close();
  });
});

// This exercise's checks time round trips ("about 1000 ms"): beside the other tests on a busy machine
// the starter passed one of them once. It runs after them, alone.
describe('exercises on chapter 5 (messages), timed', () => {
  it('"A request with an id and a timeout": the starter resolves on any message and never times out; the solution passes', async ({ expect }) => {
    const { page, exercise } = await openMessagesExercise('ping-timeout');
    const starter = await checkExercise(exercise, undefined, expect);
    expect(starter.summary).toMatch(/^4 of 5 checks failed/);
    expect(starter.failures['sends {type: "ping", id, sent} and resolves with the round trip when its pong comes']).toMatch(
      /^expected about 1000 ms \(500 ms each way\), got \d+: resolve when the pong arrives, not on the first message \(prices arrive all the time\)$/,
    );
    expect(starter.failures['gives each ping its own id, so two can be in flight at once']).toBe(
      'ping sent id 1 more than once (ids sent: 1, 1, 1): the first pong with that id would answer every ping that used it',
    );
    expect(starter.failures["ignores the pong to somebody else's ping"]).toMatch(
      /^expected about 1000 ms, got \d+: that was the pong to ping -1, sent 400 ms before yours; wait for the pong that carries your ping's id$/,
    );
    expect(starter.failures['rejects with an Error after timeoutMs when no pong comes']).toMatch(
      /^expected ping\(echoSocket, 300\) to reject, because \/ws\/echo never sends a pong; it resolved with \d+$/,
    );
    expect((await checkSolution(exercise, undefined, expect)).summary).toBe('All 5 checks passed: exercise solved.');
    await page.context().close();
  });
});
