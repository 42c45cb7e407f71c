import { chooseServer, type KeyValueStorage, type ServerChoice } from '../../shared/server-url.ts';

let cached: ServerChoice | null = null;

function browserStorage(): KeyValueStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The server every cell on this page uses (decided once per page load). */
export function pageServer(): ServerChoice {
  cached ??= chooseServer(window.location.href, browserStorage());
  return cached;
}
