/** Codes after which coming back as is would only repeat what ended the connection. */
const STAY_AWAY = new Set([1000, 1002, 1003, 1007, 1008, 1009, 1010, 1015]);

/**
 * Whether a client that wants to stay connected should come back (with
 * backoff) after a close with `code`.
 */
function shouldReconnect(code) {
  if (STAY_AWAY.has(code)) return false;
  // 4400–4499: the application's client errors, by the 4000 + HTTP status convention.
  if (code >= 4400 && code <= 4499) return false;
  return true;
}
