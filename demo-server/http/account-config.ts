/**
 * `GET /account/config`: what chapter 10's labs need to know about this
 * server, `{ attackerPort, ticketTtlMs }`: where the attacker page listens
 * (`null` when it is off) and how long a one-time ticket lasts. Not secret.
 */
import type { ServerResponse } from 'node:http';

/** How long a ticket from `POST /account/ticket` is valid (issue 19 contract: 10 s). */
export const TICKET_TTL_MS = 10_000;

export const ACCOUNT_CONFIG_PATH = '/account/config';

export function sendAccountConfig(response: ServerResponse, attackerPort: number | null, ticketTtlMs = TICKET_TTL_MS): void {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(`${JSON.stringify({ attackerPort, ticketTtlMs })}\n`);
}
