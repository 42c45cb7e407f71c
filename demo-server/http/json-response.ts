import type { ServerResponse } from 'node:http';

/** Answers with `body` as JSON, never cached, never sniffed as another type. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  response.end(`${JSON.stringify(body)}\n`);
}

/** Answers `{ "error": … }` with `status`. */
export function sendError(response: ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
  sendJson(response, status, { error }, headers);
}
