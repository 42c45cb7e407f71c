import { connect } from 'node:net';
import { generateWebSocketKey } from '../../../src/shared/handshake.ts';

/** What a raw HTTP exchange looked like, line by line. */
export interface ProbeExchange {
  readonly requestLines: readonly string[];
  /** Status line and headers of the answer; empty when none came. */
  readonly responseLines: readonly string[];
  readonly body: string;
  /** Why the exchange did not complete (timeout, refused), or `null`. */
  readonly problem: string | null;
}

export interface ProbeOptions {
  /** Address and port to connect to: the server's own, as the client reached it. */
  readonly host: string;
  readonly port: number;
  /** Value of the `Host` header. */
  readonly hostHeader: string;
  readonly path: string;
  /** `Origin` header; omitted when `null`. */
  readonly origin: string | null;
  /** `Sec-WebSocket-Protocol` header; omitted when `null`. */
  readonly protocols: string | null;
  /** Give up after this long. */
  readonly timeoutMs: number;
}

/** Most response bytes kept: a refusal is a few hundred bytes; anything bigger is cut. */
const MAX_RESPONSE_BYTES = 4096;

/**
 * Sends a browser-like WebSocket handshake over a raw TCP connection and
 * records the exact answer, so a page can show what a refused handshake
 * looks like on the wire. Browsers hide this: a failed handshake is only an
 * `error` event and close code 1006 (RFC 6455 §4.1, "_Fail the WebSocket
 * Connection_"). Never rejects; problems are reported in `problem`.
 */
export function probeHandshake(options: ProbeOptions): Promise<ProbeExchange> {
  const requestLines = [
    `GET ${options.path} HTTP/1.1`,
    `Host: ${options.hostHeader}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${generateWebSocketKey()}`,
    'Sec-WebSocket-Version: 13',
    ...(options.origin === null ? [] : [`Origin: ${options.origin}`]),
    ...(options.protocols === null ? [] : [`Sec-WebSocket-Protocol: ${options.protocols}`]),
  ];
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const socket = connect({ host: options.host, port: options.port });
    const finish = (problem: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      // After a 101 come WebSocket frames, not a body.
      const upgraded = head.startsWith('HTTP/1.1 101');
      resolve({
        requestLines,
        responseLines: head === '' ? [] : head.split('\r\n'),
        body: split === -1 || upgraded ? '' : text.slice(split + 4).trimEnd(),
        problem,
      });
    };
    const timer = setTimeout(() => finish(`no complete answer within ${String(options.timeoutMs)} ms`), options.timeoutMs);
    socket.on('connect', () => socket.write(`${requestLines.join('\r\n')}\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - received));
      received += chunk.length;
      const text = Buffer.concat(chunks).toString('latin1');
      // A 101 keeps the connection open: stop once its headers are in.
      if (received >= MAX_RESPONSE_BYTES || (text.startsWith('HTTP/1.1 101') && text.includes('\r\n\r\n'))) finish(null);
    });
    socket.on('end', () => finish(null));
    socket.on('error', (error) => finish(error.message));
  });
}
