import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClient, startServer, type RunningServer } from '../helpers/demo-server.ts';

/** A raw GET, so paths like `/../` reach the server unnormalised. */
function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('demo server HTTP', () => {
  let site: string;
  let running: RunningServer;
  beforeAll(async () => {
    site = await mkdtemp(join(tmpdir(), 'socketbook-site-'));
    await mkdir(join(site, 'chapter'));
    await mkdir(join(site, '_astro'));
    await writeFile(join(site, 'index.html'), '<!doctype html><title>home</title>');
    await writeFile(join(site, 'chapter', 'index.html'), '<!doctype html><title>chapter</title>');
    await writeFile(join(site, '404.html'), '<!doctype html><title>missing</title>');
    await writeFile(join(site, '_astro', 'app.1234.js'), 'console.log("x");'.repeat(100));
    await writeFile(join(tmpdir(), 'socketbook-secret.txt'), 'secret');
    running = await startServer({ staticDir: site });
  });
  afterAll(async () => {
    await running.close();
    await rm(site, { recursive: true, force: true });
  });

  it('GET /healthz reports status, uptime and connections as JSON', async () => {
    const client = await openClient(`${running.wsUrl}/ws/echo`);
    const response = await get(running.httpUrl, '/healthz');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const health = JSON.parse(response.body.toString()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', connections: 1, connectionsByEndpoint: { '/ws/echo': 1 }, chatBroker: 'memory' });
    expect(health.uptimeSeconds).toEqual(expect.any(Number));
    client.close();
  });

  it('serves index.html for / and for a folder with or without the trailing slash', async () => {
    expect((await get(running.httpUrl, '/')).body.toString()).toContain('<title>home</title>');
    expect((await get(running.httpUrl, '/chapter/')).body.toString()).toContain('<title>chapter</title>');
    expect((await get(running.httpUrl, '/chapter')).body.toString()).toContain('<title>chapter</title>');
  });

  it('sends HTML with a Content-Security-Policy that keeps scripts on this origin', async () => {
    const response = await get(running.httpUrl, '/');
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('answers a miss with 404.html and status 404', async () => {
    const response = await get(running.httpUrl, '/no/such/page');
    expect(response.status).toBe(404);
    expect(response.body.toString()).toContain('<title>missing</title>');
  });

  it('never serves files outside the site folder', async () => {
    for (const path of ['/../socketbook-secret.txt', '/%2e%2e/socketbook-secret.txt', '/chapter/..%2f..%2fsocketbook-secret.txt']) {
      const response = await get(running.httpUrl, path);
      expect(response.status).toBe(404);
      expect(response.body.toString()).not.toContain('secret');
    }
  });

  it('compresses text when the client accepts gzip, and caches hashed assets for a year', async () => {
    const response = await get(running.httpUrl, '/_astro/app.1234.js', { 'accept-encoding': 'gzip' });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(gunzipSync(response.body).toString()).toBe('console.log("x");'.repeat(100));
  });

  it('answers a matching If-None-Match with 304', async () => {
    const first = await get(running.httpUrl, '/');
    const second = await get(running.httpUrl, '/', { 'if-none-match': String(first.headers.etag) });
    expect(second.status).toBe(304);
    expect(second.body.byteLength).toBe(0);
  });

  it('answers a plain GET to an endpoint with 426 and how to connect', async () => {
    const response = await get(running.httpUrl, '/ws/echo');
    expect(response.status).toBe(426);
    expect(response.body.toString()).toContain('new WebSocket("ws://');
  });

  it('answers a plain GET to an unknown endpoint with 404', async () => {
    expect((await get(running.httpUrl, '/ws/nope')).status).toBe(404);
  });

  it('refuses methods other than GET and HEAD with 405', async () => {
    const response = await get(running.httpUrl, '/', {}, 'POST');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });
});
