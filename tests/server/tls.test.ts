import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createDemoServer, type DemoServer } from '../../demo-server/http/server.ts';
import { loadCertificate, makeSelfSignedCertificate } from '../../demo-server/http/tls.ts';
import type { TlsCredentials } from '../../demo-server/options.ts';
import { startNodeProcess, type WatchedProcess } from '../helpers/child-process.ts';

/** A GET over https trusting only `ca` (or nothing, with `rejectUnauthorized: false`). */
async function httpsGet(url: string, trust: { ca: string } | { rejectUnauthorized: false }): Promise<{ status: number; body: string }> {
  const request = httpsRequest(url, trust);
  request.end();
  const [response] = (await once(request, 'response')) as [import('node:http').IncomingMessage];
  let body = '';
  for await (const chunk of response) body += String(chunk);
  return { status: response.statusCode ?? 0, body };
}

let credentials: TlsCredentials;
beforeAll(async () => {
  credentials = await makeSelfSignedCertificate();
});

describe('--tls: the self-signed certificate', () => {
  it('is a PEM pair made by openssl, for localhost and 127.0.0.1', async () => {
    expect(credentials.cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(credentials.key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const { X509Certificate } = await import('node:crypto');
    const certificate = new X509Certificate(credentials.cert);
    expect(certificate.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('says what to do when openssl is missing', async () => {
    await expect(makeSelfSignedCertificate('/nonexistent/openssl')).rejects.toThrow(
      '--tls needs openssl to make a certificate, and "/nonexistent/openssl" was not found; install openssl, or pass your own with --tls-cert <file> --tls-key <file>',
    );
  });

  it('names a certificate file that cannot be read or is not PEM', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'socketbook-tls-test-'));
    try {
      await writeFile(join(folder, 'junk.pem'), 'not a certificate');
      await expect(loadCertificate(join(folder, 'missing.pem'), join(folder, 'junk.pem'))).rejects.toThrow(`--tls-cert ${join(folder, 'missing.pem')}: cannot read it (ENOENT)`);
      await writeFile(join(folder, 'cert.pem'), credentials.cert);
      await expect(loadCertificate(join(folder, 'cert.pem'), join(folder, 'junk.pem'))).rejects.toThrow(`--tls-key ${join(folder, 'junk.pem')}: not a PEM file (no -----BEGIN line)`);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('a demo server with tls', () => {
  let server: DemoServer;
  let port: number;
  beforeAll(async () => {
    server = createDemoServer({ tls: credentials });
    port = (await server.listen(0, '127.0.0.1')).port;
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers /healthz over https, with a certificate valid for 127.0.0.1 and localhost', async () => {
    const trusted = await httpsGet(`https://127.0.0.1:${String(port)}/healthz`, { ca: credentials.cert });
    expect(trusted.status).toBe(200);
    expect(JSON.parse(trusted.body)).toMatchObject({ status: 'ok' });
    expect((await httpsGet(`https://localhost:${String(port)}/healthz`, { rejectUnauthorized: false })).status).toBe(200);
  });

  it('tells a plain http request to /ws/… to use wss://', async () => {
    const { status, body } = await httpsGet(`https://127.0.0.1:${String(port)}/ws/echo`, { ca: credentials.cert });
    expect(status).toBe(426);
    expect(body).toBe(`/ws/echo is a WebSocket endpoint. Connect with new WebSocket("wss://127.0.0.1:${String(port)}/ws/echo").\n`);
  });

  it('echoes over wss', async () => {
    const client = new WebSocket(`wss://127.0.0.1:${String(port)}/ws/echo`, { ca: credentials.cert });
    await once(client, 'open');
    client.send('over TLS');
    const [data] = (await once(client, 'message')) as [Buffer];
    expect(data.toString()).toBe('over TLS');
    client.close(1000);
    const [code] = (await once(client, 'close')) as [number];
    expect(code).toBe(1000);
  });

  it('refuses a plain ws:// client on the TLS port without crashing', async () => {
    const client = new WebSocket(`ws://127.0.0.1:${String(port)}/ws/echo`);
    const [error] = (await once(client, 'error')) as [Error];
    expect(error.message).toMatch(/socket hang up|Unexpected server response: 400|ECONNRESET/);
    expect((await httpsGet(`https://127.0.0.1:${String(port)}/healthz`, { ca: credentials.cert })).status).toBe(200);
  });

  it('refuses a key that does not belong to the certificate, naming the cause', async () => {
    const other = await makeSelfSignedCertificate();
    expect(() => createDemoServer({ tls: { cert: credentials.cert, key: other.key } })).toThrow(/^the certificate and key were refused \(.*key values mismatch\)$/);
  });
});

/** Waits for a line of output matching `pattern`. */
async function lineOf(cli: WatchedProcess, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const line = [...cli.stdout, ...cli.stderr].find((each) => pattern.test(each));
    if (line !== undefined) return line;
    if (cli.child.exitCode !== null || Date.now() > deadline) throw new Error(`no line matching ${String(pattern)}:\n${[...cli.stdout, ...cli.stderr].join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm start -- --tls', () => {
  it('prints the https address, serves https and wss, and keeps the attacker page on http', async () => {
    const cli = startNodeProcess('demo-server/main.ts', ['--port', '0', '--tls', '--quiet']);
    try {
      const port = Number(/^Socketbook is running at https:\/\/localhost:(\d+)\/$/.exec(await lineOf(cli, /running at/))?.[1]);
      expect(port).toBeGreaterThan(0);
      expect((await httpsGet(`https://127.0.0.1:${String(port)}/healthz`, { rejectUnauthorized: false })).status).toBe(200);
      const client = new WebSocket(`wss://localhost:${String(port)}/ws/echo`, { rejectUnauthorized: false });
      await once(client, 'open');
      client.send('ping');
      const [data] = (await once(client, 'message')) as [Buffer];
      expect(data.toString()).toBe('ping');
      client.terminate();
      const attacker = Number(/http:\/\/localhost:(\d+)\//.exec(await lineOf(cli, /^Attacker page/))?.[1]);
      const page = await (await fetch(`http://127.0.0.1:${String(attacker)}/`)).text();
      expect(page).toContain('<meta name="socketbook-victim-scheme" content="https:">');
    } finally {
      await cli.kill();
    }
  });

  it('stops with one line when the certificate files cannot be read', async () => {
    const cli = startNodeProcess('demo-server/main.ts', ['--port', '0', '--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem']);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr.filter((line) => line !== '')).toEqual(['TLS: --tls-cert /nonexistent/cert.pem: cannot read it (ENOENT)']);
  });
});
