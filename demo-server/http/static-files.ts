import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

/*
 * zlib's callback forms compress on libuv's thread pool: the first request
 * for the 389 KiB editor script used to spend ~640 ms in brotliCompressSync
 * on the event loop, stalling every WebSocket (issue 16).
 */
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  // Pagefind's search index.
  '.pf_fragment': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pf_meta': 'application/octet-stream',
  '.pagefind': 'application/octet-stream',
};

const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.mjs', '.json', '.svg', '.txt', '.xml', '.webmanifest']);

/**
 * Pages may talk to any WebSocket server (a teacher's machine, `?server=`),
 * but load code, styles and images only from this origin.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss: http: https:",
  "worker-src 'self' blob:",
  "frame-ancestors 'self'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

interface CompressedVariants {
  readonly mtimeMs: number;
  readonly identity: Buffer;
  readonly gzip: Buffer;
  readonly br: Buffer;
}

/**
 * Serves the built site from `root`: `index.html` for folders, `404.html`
 * for misses, compressed text (cached in memory, the site is small), long
 * caching for Astro's hashed `/_astro/` assets and revalidation for the rest.
 */
export class StaticSite {
  readonly #root: string;
  /** Per file; a promise, so requests that arrive while a file is being compressed wait for that one compression. */
  readonly #compressed = new Map<string, Promise<CompressedVariants>>();

  constructor(root: string) {
    this.#root = resolve(root);
  }

  async serve(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    const file = await this.#locate(pathname);
    if (file === null) {
      await this.#sendNotFound(request, response);
      return;
    }
    await this.#sendFile(request, response, file.path, file.mtimeMs, file.size, 200, pathname.startsWith('/_astro/'));
  }

  async #locate(pathname: string): Promise<{ path: string; mtimeMs: number; size: number } | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes('\0')) return null;
    const candidate = resolve(join(this.#root, decoded));
    // Refuse anything that resolves outside the site folder (`/../`).
    if (candidate !== this.#root && !candidate.startsWith(this.#root + sep)) return null;
    for (const path of [candidate, join(candidate, 'index.html'), `${candidate}.html`]) {
      try {
        const info = await stat(path);
        if (info.isFile()) return { path, mtimeMs: info.mtimeMs, size: info.size };
      } catch {
        // try the next candidate
      }
    }
    return null;
  }

  async #sendNotFound(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const page = join(this.#root, '404.html');
    try {
      const info = await stat(page);
      await this.#sendFile(request, response, page, info.mtimeMs, info.size, 404, false);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Not found\n');
    }
  }

  async #sendFile(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    mtimeMs: number,
    size: number,
    status: number,
    immutable: boolean,
  ): Promise<void> {
    const extension = extname(path).toLowerCase();
    const etag = `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag,
      'x-content-type-options': 'nosniff',
    };
    if (extension === '.html') {
      headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
      headers['referrer-policy'] = 'no-referrer';
    }
    if (status === 200 && request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    const isHead = request.method === 'HEAD';
    if (!COMPRESSIBLE.has(extension)) {
      headers['content-length'] = String(size);
      response.writeHead(status, headers);
      if (isHead) response.end();
      else createReadStream(path).pipe(response);
      return;
    }
    const variants = await this.#variants(path, mtimeMs);
    const accepted = request.headers['accept-encoding'] ?? '';
    let body = variants.identity;
    if (/\bbr\b/.test(accepted)) {
      body = variants.br;
      headers['content-encoding'] = 'br';
    } else if (/\bgzip\b/.test(accepted)) {
      body = variants.gzip;
      headers['content-encoding'] = 'gzip';
    }
    headers.vary = 'accept-encoding';
    headers['content-length'] = String(body.byteLength);
    response.writeHead(status, headers);
    response.end(isHead ? undefined : body);
  }

  async #variants(path: string, mtimeMs: number): Promise<CompressedVariants> {
    const cached = this.#compressed.get(path);
    if (cached !== undefined && (await cached).mtimeMs === mtimeMs) return cached;
    const compressing = compress(path, mtimeMs);
    this.#compressed.set(path, compressing);
    // A failed read is not cached: the next request tries again.
    compressing.catch(() => {
      if (this.#compressed.get(path) === compressing) this.#compressed.delete(path);
    });
    return compressing;
  }
}

/** Reads `path` and compresses it with gzip and brotli at their best levels, off the event loop. */
async function compress(path: string, mtimeMs: number): Promise<CompressedVariants> {
  const identity = await readFile(path);
  const [gzipped, br] = await Promise.all([
    gzipAsync(identity, { level: 9 }),
    brotliAsync(identity, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: identity.byteLength } }),
  ]);
  return { mtimeMs, identity, gzip: gzipped, br };
}
