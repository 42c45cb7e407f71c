import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { describeCloseCode } from '../../src/shared/close-codes.ts';
import { CLOSE_ACTIONS } from '../../src/shared/protocol/close.ts';
import type { ClientMode } from '../mode.ts';

/** `4401 token expired` → `code=4401&reason=token%20expired`; `drop` → `action=drop`. */
function queryFor(args: readonly string[]): string {
  const [first = '1000', ...rest] = args;
  if ((CLOSE_ACTIONS as readonly string[]).includes(first)) return `action=${encodeURIComponent(first)}`;
  const reason = rest.join(' ');
  return `code=${encodeURIComponent(first)}${reason === '' ? '' : `&reason=${encodeURIComponent(reason)}`}`;
}

/**
 * `close`: asks /ws/close to end the connection a given way and prints what
 * this client saw: the close code and reason, or the error that failed the
 * connection. A refused request prints the server's HTTP 400 message, which
 * a browser never shows.
 */
export const closeMode: ClientMode = {
  summary: 'ask /ws/close to end the connection with a code, or drop/no-status/invalid-utf8/…, and print the close',
  usage: '[code reason…|action]',
  run(args, { server, print, warn, signal }) {
    return new Promise((resolve) => {
      const url = `${server}/ws/close?${queryFor(args)}`;
      const socket = new WebSocket(url);
      let opened = false;
      signal.addEventListener('abort', () => socket.terminate());
      socket.on('unexpected-response', (_request, response: IncomingMessage) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on('end', () => {
          warn(`refused: HTTP ${String(response.statusCode ?? 0)}: ${body.trim()}`);
          socket.terminate();
          resolve(1);
        });
      });
      socket.on('open', () => {
        opened = true;
        print(`connected to ${url}`);
      });
      socket.on('message', (data: Buffer) => print(`message: ${data.toString()}`));
      socket.on('error', (error) => warn(`error: ${error.message}`));
      socket.on('close', (code, reason) => {
        if (!opened) {
          resolve(1);
          return;
        }
        const text = reason.byteLength > 0 ? ` "${reason.toString()}"` : '';
        print(`closed: ${String(code)}${text} (${describeCloseCode(code).name})`);
        resolve(0);
      });
    });
  },
};
