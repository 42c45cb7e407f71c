import { gzipSync } from 'node:zlib';
import type { Page, Response } from 'playwright-core';

export interface ScriptWeight {
  readonly url: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
}

/**
 * Records every JavaScript file a page loads (modules, chunks, workers),
 * with its size raw and gzipped (level 9, as the budget is stated in gzip).
 */
export function recordScripts(page: Page): { scripts: ScriptWeight[]; settled(): Promise<void> } {
  const scripts: ScriptWeight[] = [];
  const pending: Promise<void>[] = [];
  const seen = new Set<string>();
  const onResponse = (response: Response) => {
    if (!/\.m?js(\?|$)/.test(new URL(response.url()).pathname) || seen.has(response.url())) return;
    seen.add(response.url());
    pending.push(
      response.body().then(
        (body) => {
          scripts.push({ url: response.url(), rawBytes: body.byteLength, gzipBytes: gzipSync(body, { level: 9 }).byteLength });
        },
        () => undefined,
      ),
    );
  };
  page.on('response', onResponse);
  // Workers' scripts are fetched by the worker, not the page.
  page.on('worker', (worker) => {
    if (seen.has(worker.url())) return;
    seen.add(worker.url());
    pending.push(
      fetch(worker.url()).then(async (response) => {
        const body = Buffer.from(await response.arrayBuffer());
        scripts.push({ url: worker.url(), rawBytes: body.byteLength, gzipBytes: gzipSync(body, { level: 9 }).byteLength });
      }),
    );
  });
  return {
    scripts,
    async settled() {
      await Promise.all(pending);
    },
  };
}

export function total(scripts: readonly ScriptWeight[], key: 'rawBytes' | 'gzipBytes'): number {
  return scripts.reduce((sum, script) => sum + script[key], 0);
}
