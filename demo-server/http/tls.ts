/**
 * Certificates for `--tls`: a throwaway self-signed one made with `openssl`
 * at start, or a pair of PEM files (`--tls-cert`, `--tls-key`). Errors are
 * one line that says what to do, for main.ts to print.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TlsCredentials } from '../options.ts';

const run = promisify(execFile);

/** The certificate `--tls` makes: P-256, one day, for localhost and 127.0.0.1 only. */
export const SELF_SIGNED_ARGS = [
  'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
  '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
] as const;

/**
 * Makes a self-signed certificate in a temporary folder, reads it and
 * deletes the folder (the key lives only in this process's memory).
 */
export async function makeSelfSignedCertificate(openssl = 'openssl'): Promise<TlsCredentials> {
  const folder = await mkdtemp(join(tmpdir(), 'socketbook-tls-'));
  const certFile = join(folder, 'cert.pem');
  const keyFile = join(folder, 'key.pem');
  try {
    await run(openssl, [...SELF_SIGNED_ARGS, '-keyout', keyFile, '-out', certFile], { timeout: 30_000 });
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error(`--tls needs openssl to make a certificate, and "${openssl}" was not found; install openssl, or pass your own with --tls-cert <file> --tls-key <file>`, { cause: error });
    }
    const detail = (failure.stderr ?? failure.message).trim().split('\n')[0] ?? '';
    throw new Error(`--tls: openssl could not make a certificate (${detail}); pass your own with --tls-cert <file> --tls-key <file>`, { cause: error });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Reads a PEM certificate and key; a file that cannot be read, or is not PEM, is named in the error. */
export async function loadCertificate(certFile: string, keyFile: string): Promise<TlsCredentials> {
  async function pem(flag: string, file: string): Promise<string> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new Error(`${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
    }
    if (!text.includes('-----BEGIN ')) throw new Error(`${flag} ${file}: not a PEM file (no -----BEGIN line)`);
    return text;
  }
  return { cert: await pem('--tls-cert', certFile), key: await pem('--tls-key', keyFile) };
}
