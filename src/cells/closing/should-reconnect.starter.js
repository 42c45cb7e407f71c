/**
 * Whether a client that wants to stay connected should come back (with
 * backoff) after a close with `code`. Like the demos this book replaces,
 * this one always comes back: fix that.
 */
function shouldReconnect(code) {
  return true;
}
