import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { formatBytes, formatDuration } from '../../src/shared/format.ts';
import type { ClientMode } from '../mode.ts';

/**
 * `echo`: every line typed is sent to /ws/echo and the echo is printed with
 * its size and round-trip time. Ends at the end of input, `/exit` or Ctrl+C,
 * after the outstanding echoes have arrived.
 */
export const echoMode: ClientMode = {
  summary: 'send lines to /ws/echo and print each echo with its round-trip time',
  usage: '',
  run(_args, { server, print, warn, signal }) {
    return new Promise((resolve) => {
      const url = `${server}/ws/echo`;
      const socket = new WebSocket(url);
      const pending: number[] = [];
      /** Lines typed before the connection opened. */
      const queued: string[] = [];
      let inputEnded = false;
      const closeWhenDone = () => {
        if (inputEnded && pending.length === 0 && queued.length === 0 && socket.readyState === socket.OPEN) {
          socket.close(1000, 'bye');
        }
      };
      const send = (line: string) => {
        pending.push(performance.now());
        socket.send(line);
      };
      const lines = createInterface({ input: process.stdin, terminal: false });
      lines.on('line', (line) => {
        if (line.trim() === '/exit') {
          inputEnded = true;
          lines.close();
        } else if (socket.readyState === socket.OPEN) send(line);
        else queued.push(line);
      });
      lines.on('close', () => {
        inputEnded = true;
        closeWhenDone();
      });
      signal.addEventListener('abort', () => socket.close(1000, 'bye'));
      socket.on('open', () => {
        print(`connected to ${url}; type a line and press Enter (/exit to quit)`);
        for (const line of queued.splice(0)) send(line);
        closeWhenDone();
      });
      socket.on('message', (data: Buffer) => {
        const sentAt = pending.shift();
        const rtt = sentAt === undefined ? '' : `  ${formatDuration(performance.now() - sentAt)}`;
        print(`echo: ${data.toString()}  (${formatBytes(data.byteLength)}${rtt})`);
        closeWhenDone();
      });
      socket.on('error', (error) => warn(`error: ${error.message}`));
      socket.on('close', (code, reason) => {
        lines.close();
        print(`closed: ${String(code)}${reason.byteLength > 0 ? ` "${reason.toString()}"` : ''}`);
        resolve(code === 1000 || code === 1005 ? 0 : 1);
      });
    });
  },
};
