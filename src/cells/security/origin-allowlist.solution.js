/** The origins whose pages may open this server's WebSockets with the user's cookies. */
const ALLOWED_ORIGINS = ['https://app.example.com', 'http://localhost:8080'];

/**
 * Whether a handshake whose Origin header is `origin` may go on: only an
 * exact match of a whole origin (scheme, host and port) counts. Browsers
 * send Origin already serialized (lower case, no path, no trailing slash),
 * so there is nothing to normalize, and nothing partial to match.
 */
function isAllowedOrigin(origin) {
  return typeof origin === 'string' && ALLOWED_ORIGINS.includes(origin);
}
