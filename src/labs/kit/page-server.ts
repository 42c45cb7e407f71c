import { chooseServer, mixedContentText, type KeyValueStorage, type ServerChoice } from '../../shared/server-url.ts';

let cached: ServerChoice | null = null;

function browserStorage(): KeyValueStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * The server every cell on this page uses (decided once per page load). An
 * https page pointed at a ws:// server cannot connect at all (mixed content):
 * `serverLabel()` and `unreachableText()` in dom.ts say so with
 * `mixedContentText()`, and the console says it once here for the cells.
 */
export function pageServer(): ServerChoice {
  if (cached === null) {
    cached = chooseServer(window.location.href, browserStorage());
    const problem = mixedContentText(window.location.href, cached.url);
    if (problem !== null) console.warn(problem);
  }
  return cached;
}
