/** Why `url` cannot be checked (by the grader or the browser panel), or `null` when it can. */
export function urlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a URL: ${JSON.stringify(url.slice(0, 80))}; expected ws://host:port/path`;
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return `the URL must start with ws:// or wss://, got ${parsed.protocol}//`;
  if (parsed.username !== '' || parsed.password !== '') return 'the URL must not carry a user name or password';
  return null;
}
