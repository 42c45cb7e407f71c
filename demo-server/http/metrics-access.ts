import type { IncomingMessage } from 'node:http';
import { addressOf } from '../core/address-buckets.ts';
import { isLoopbackName } from './host-check.ts';

/**
 * Who may read `GET /metrics`. On a classroom LAN the students are the
 * audience and some of them are curious: the metrics show every endpoint's
 * traffic and the process's memory, which helps to time an attack. So the
 * default is this machine only (a loopback address, with no forwarding
 * header: behind a proxy on the same machine every request comes from
 * loopback, so a forwarded one is treated as coming from outside); the
 * teacher opens it to the network with `--metrics-on-lan`. Returns the
 * refusal's text, or `null` when the request may read the metrics.
 */
export function metricsRefusal(request: IncomingMessage, onLan: boolean): string | null {
  if (onLan) return null;
  const address = addressOf(request.socket.remoteAddress);
  if (!isLoopbackName(address)) {
    return `/metrics answers only this machine (your address is ${address}); start the server with --metrics-on-lan to let other machines read it`;
  }
  if (request.headers.forwarded !== undefined || request.headers['x-forwarded-for'] !== undefined) {
    return '/metrics answers only this machine, and this request came through a proxy (it has a Forwarded or X-Forwarded-For header): scrape each instance on its own port, or start it with --metrics-on-lan';
  }
  return null;
}
