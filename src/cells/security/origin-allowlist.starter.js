/** The origins whose pages may open this server's WebSockets with the user's cookies. */
const ALLOWED_ORIGINS = ['https://app.example.com', 'http://localhost:8080'];

/**
 * Whether a handshake whose Origin header is `origin` may go on. Like many
 * checks in real servers, this one looks right and is not: fix it.
 */
function isAllowedOrigin(origin) {
  return origin.includes('app.example.com') || origin.startsWith('http://localhost');
}
