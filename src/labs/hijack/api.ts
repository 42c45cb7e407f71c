import { ACCOUNT_HTTP_PATHS, type Account, type SeenHandshake } from '../../shared/protocol/account.ts';
import type { AccountApi } from './store.ts';

async function json(response: Response): Promise<Record<string, unknown>> {
  const body: unknown = await response.json().catch(() => null);
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

function problemOf(path: string, response: Response, body: Record<string, unknown>): Error {
  const error = typeof body.error === 'string' ? `: ${body.error}` : '';
  return new Error(`${path} answered HTTP ${String(response.status)}${error}`);
}

/** `/account/*` on the server that served this page (relative URLs: the session cookie is this host name's). */
export const fetchAccountApi: AccountApi = {
  async attackerPort() {
    const response = await fetch(ACCOUNT_HTTP_PATHS.config).catch(() => null);
    if (response === null || !(response.headers.get('content-type') ?? '').includes('json')) {
      throw new Error('this page was not served by the demo server, which has the account (run "npm start" and open the address it prints)');
    }
    const body = await json(response);
    if (!response.ok) throw problemOf(ACCOUNT_HTTP_PATHS.config, response, body);
    return typeof body.attackerPort === 'number' ? body.attackerPort : null;
  },
  async me() {
    const response = await fetch(ACCOUNT_HTTP_PATHS.me);
    const body = await json(response);
    if (response.status === 401) return null;
    if (!response.ok) throw problemOf(ACCOUNT_HTTP_PATHS.me, response, body);
    return body.account as Account;
  },
  async login(name) {
    const response = await fetch(ACCOUNT_HTTP_PATHS.login, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    const body = await json(response);
    if (response.ok) return { account: body.account as Account };
    return {
      error: typeof body.error === 'string' ? body.error : `HTTP ${String(response.status)}`,
    };
  },
  async logout() {
    const response = await fetch(ACCOUNT_HTTP_PATHS.logout, { method: 'POST' });
    if (!response.ok) throw problemOf(ACCOUNT_HTTP_PATHS.logout, response, await json(response));
  },
  async seen() {
    const response = await fetch(ACCOUNT_HTTP_PATHS.seen);
    const body = await json(response);
    if (response.status === 401) return null;
    if (!response.ok) throw problemOf(ACCOUNT_HTTP_PATHS.seen, response, body);
    return Array.isArray(body.handshakes) ? (body.handshakes as SeenHandshake[]) : [];
  },
};
