/**
 * Where cells connect. By default the page's own origin (the demo server
 * serves both); `?server=ws://host:port` points every cell at another demo
 * server (a teacher's machine, or a static deployment) and is remembered in
 * the browser until `?server=` (empty) resets it.
 */

export const SERVER_STORAGE_KEY = 'socketbook:server';

export interface ServerChoice {
  /** `ws://host:port` or `wss://host:port`, no path. */
  readonly url: string;
  /** `page` when it is the page's own origin, `setting` when chosen with `?server=`. */
  readonly source: 'page' | 'setting';
}

/** Minimal storage, so tests pass a Map-backed fake and private modes without storage still work. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Normalises a user-entered server address to `ws(s)://host[:port]`.
 * Accepts `ws:`, `wss:`, `http:` and `https:` URLs and bare `host:port`.
 * Returns `null` for anything else.
 */
export function normaliseServerUrl(input: string): string | null {
  const trimmed = input.trim();
  if (trimmed === '') return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `ws://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  const scheme = { 'ws:': 'ws:', 'http:': 'ws:', 'wss:': 'wss:', 'https:': 'wss:' }[url.protocol];
  if (scheme === undefined || url.host === '') return null;
  return `${scheme}//${url.host}`;
}

/** The WebSocket origin of a page: `https://x` → `wss://x`. */
export function pageServerUrl(pageUrl: string): string {
  const url = new URL(pageUrl);
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
}

/** Runs `action` on `storage`; storage can throw (quota, privacy settings), and then the choice lasts for this page only. */
function safeStorage<T>(storage: KeyValueStorage | null, action: (storage: KeyValueStorage) => T): T | null {
  if (storage === null) return null;
  try {
    return action(storage);
  } catch {
    return null;
  }
}

/**
 * Decides which server cells use on a page at `pageUrl`, applying and
 * remembering a `?server=` parameter when present.
 */
export function chooseServer(pageUrl: string, storage: KeyValueStorage | null): ServerChoice {
  const parameter = new URL(pageUrl).searchParams.get('server');
  if (parameter !== null) {
    const chosen = normaliseServerUrl(parameter);
    if (chosen === null) {
      safeStorage(storage, (store) => store.removeItem(SERVER_STORAGE_KEY));
      return { url: pageServerUrl(pageUrl), source: 'page' };
    }
    safeStorage(storage, (store) => store.setItem(SERVER_STORAGE_KEY, chosen));
    return { url: chosen, source: 'setting' };
  }
  const stored = safeStorage(storage, (store) => store.getItem(SERVER_STORAGE_KEY));
  const remembered = stored === null ? null : normaliseServerUrl(stored);
  if (remembered !== null) return { url: remembered, source: 'setting' };
  return { url: pageServerUrl(pageUrl), source: 'page' };
}

/**
 * True when a page at `pageUrl` cannot open `server` at all: an `https:`
 * page may not open `ws://` (mixed content, WHATWG WebSocket standard: the
 * constructor throws `SecurityError`). That happens with a static copy of the
 * site served over https and `?server=ws://…` pointing at a teacher's machine.
 * A loopback server is the exception.
 */
export function isMixedContent(pageUrl: string, server: string): boolean {
  if (new URL(pageUrl).protocol !== 'https:' || !server.startsWith('ws:')) return false;
  // Loopback is "potentially trustworthy" (W3C Secure Contexts §3.2): Chromium lets an
  // https page open ws://localhost and ws://127.0.0.1 (tests/browser/attacker-page.test.ts).
  return !LOOPBACK_HOSTS.has(new URL(server).hostname);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** What to tell a reader whose https page was pointed at a `ws://` server; `null` when the page may connect. */
export function mixedContentText(pageUrl: string, server: string): string | null {
  if (!isMixedContent(pageUrl, server)) return null;
  const host = new URL(server).host;
  return (
    `This page was served over https, so the browser refuses to open ${server} (mixed content: an https page may only open wss://). ` +
    `Open the page from the demo server itself (http://${host}/), ` +
    `or start that server with TLS (npm start -- --tls, see chapter 10) and use ?server=wss://${host}.`
  );
}

/** `ws://host:port` + `/ws/echo` → `ws://host:port/ws/echo`. */
export function endpointUrl(server: string, path: string): string {
  return `${server}${path.startsWith('/') ? path : `/${path}`}`;
}
