import { computeAccept, parseTokenList } from '../../src/shared/handshake.ts';
import { defineSuite, expect } from '../check.ts';

/** Subprotocols the grader offers: names no server is likely to pick by accident. */
const OFFERED_PROTOCOLS = ['socketbook.grader.v2', 'socketbook.grader.v1'];

/**
 * The opening handshake, over a raw socket so the grader can also send the
 * requests a well-behaved client never would (RFC 6455 §4).
 */
export const handshakeSuite = defineSuite({
  name: 'handshake',
  summary: 'the opening handshake (RFC 6455 §4)',
  createState: () => ({}),
  checks: [
    {
      name: 'answers 101 with a correct Sec-WebSocket-Accept',
      hint: 'RFC 6455 §4.2.2: answer "HTTP/1.1 101 Switching Protocols" with "Upgrade: websocket", "Connection: Upgrade" and Sec-WebSocket-Accept = base64(SHA-1(Sec-WebSocket-Key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), the key taken exactly as sent.',
      async run(context) {
        const response = await context.handshake();
        expect(response.status === 101, `expected status 101, got "${response.statusLine}"`);
        const upgrade = response.headers.get('upgrade') ?? '';
        expect(upgrade.toLowerCase() === 'websocket', `expected "Upgrade: websocket", got ${upgrade === '' ? 'no Upgrade header' : `"${upgrade}"`}`);
        const connection = parseTokenList(response.headers.get('connection')).map((token) => token.toLowerCase());
        expect(connection.includes('upgrade'), `expected "Connection: Upgrade", got ${connection.length === 0 ? 'no Connection header' : `"${connection.join(', ')}"`}`);
        const expected = (await computeAccept(response.key)).accept;
        const accept = response.headers.get('sec-websocket-accept');
        expect(accept !== undefined, `no Sec-WebSocket-Accept header; for the key ${response.key} it must be ${expected}`);
        expect(accept === expected, `Sec-WebSocket-Accept is "${accept}"; for the key ${response.key} it must be ${expected}`);
      },
    },
    {
      name: 'refuses an unsupported Sec-WebSocket-Version and says which it supports',
      hint: 'RFC 6455 §4.4: when Sec-WebSocket-Version is not one you speak, do not upgrade: answer an HTTP error such as 426 Upgrade Required (or 400) with a "Sec-WebSocket-Version: 13" header listing the versions you do.',
      async run(context) {
        const response = await context.handshake([['Sec-WebSocket-Version', '12']]);
        expect(response.status !== 101, 'the server upgraded a handshake with Sec-WebSocket-Version: 12');
        expect(response.status >= 400 && response.status < 500, `expected a 4xx refusal (426 or 400), got "${response.statusLine}"`);
        const versions = parseTokenList(response.headers.get('sec-websocket-version'));
        expect(versions.length > 0, `the ${String(response.status)} refusal has no Sec-WebSocket-Version header saying which versions the server speaks`);
        expect(versions.includes('13'), `the refusal's Sec-WebSocket-Version header is "${versions.join(', ')}", which does not list 13`);
      },
    },
    {
      name: 'selects a subprotocol only from the offered list',
      hint: 'RFC 6455 §4.2.2: Sec-WebSocket-Protocol in the answer must be one of the values the client offered, or absent; with no offer, send no Sec-WebSocket-Protocol at all.',
      async run(context) {
        const unoffered = await context.handshake();
        expect(unoffered.status === 101, `a plain handshake was refused: "${unoffered.statusLine}"`);
        const chosenUnoffered = unoffered.headers.get('sec-websocket-protocol');
        expect(chosenUnoffered === undefined, `no subprotocol was offered, yet the server answered "Sec-WebSocket-Protocol: ${chosenUnoffered ?? ''}"`);
        const offered = await context.handshake([['Sec-WebSocket-Protocol', OFFERED_PROTOCOLS.join(', ')]]);
        expect(offered.status === 101, `a handshake offering "${OFFERED_PROTOCOLS.join(', ')}" was refused: "${offered.statusLine}"; a server that speaks none of them should upgrade without a Sec-WebSocket-Protocol header`);
        const chosen = offered.headers.get('sec-websocket-protocol');
        expect(
          chosen === undefined || OFFERED_PROTOCOLS.includes(chosen),
          `offered "${OFFERED_PROTOCOLS.join(', ')}", the server chose "${chosen ?? ''}", which is not one of them (a single value from the list, or no header)`,
        );
      },
    },
  ],
});
