import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoServer, type DemoServer } from '../../demo-server/http/server.ts';
import { makeSelfSignedCertificate } from '../../demo-server/http/tls.ts';
import { runGrader } from '../helpers/cli.ts';

describe('npm run grade over wss://', () => {
  let server: DemoServer;
  let url: string;
  let folder: string;
  let certFile: string;
  beforeAll(async () => {
    const credentials = await makeSelfSignedCertificate();
    folder = await mkdtemp(join(tmpdir(), 'grader-wss-'));
    certFile = join(folder, 'cert.pem');
    await writeFile(certFile, credentials.cert);
    server = createDemoServer({ tls: credentials });
    url = `wss://127.0.0.1:${String((await server.listen(0, '127.0.0.1')).port)}/ws/echo`;
  });
  afterAll(async () => {
    await server.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('grades a server with a self-signed certificate when --ca trusts it', async () => {
    const result = await runGrader([url, '--ca', certFile]);
    expect(result.stdout).toMatch(/^all checks passed \(13\/13 passed/m);
    expect(result.code).toBe(0);
  });

  it('says the certificate is not trusted without --ca', async () => {
    const result = await runGrader([url, '--suite', 'handshake', '--json']);
    const report = JSON.parse(result.stdout) as { results: { detail: string | null }[] };
    expect(report.results[0]?.detail).toMatch(/^cannot connect to 127\.0\.0\.1:\d+: self[- ]signed certificate/);
    expect(result.code).toBe(1);
  });

  it('refuses a --ca file that holds no certificate, with exit code 2', async () => {
    const result = await runGrader([url, '--ca', join(folder, 'missing.pem')]);
    expect(result.stderr).toContain('--ca: cannot read');
    expect(result.code).toBe(2);
  });
});
