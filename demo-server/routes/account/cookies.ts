/**
 * The cookies of a `Cookie` request header (RFC 6265 §5.4: `a=1; b=2`), by
 * name; the first of a repeated name wins. Values are kept as sent: they are
 * looked up, never logged or shown.
 */
export function readCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined) return cookies;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    const name = pair.slice(0, equals).trim();
    if (!cookies.has(name)) cookies.set(name, pair.slice(equals + 1).trim());
  }
  return cookies;
}
