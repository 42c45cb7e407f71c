/**
 * `npm run bench:site`: the site's budgets, page by page, on the built site
 * served by the demo server in its own process (its compression and caching
 * are part of what is measured):
 *
 * - JavaScript loaded before the reader interacts, raw and gzip (≤ 20 KB gzip);
 * - everything transferred, and any request that leaves the origin (none allowed);
 * - axe-core violations in the light and dark themes (none allowed);
 * - Lighthouse in Debian's Chromium: performance, accessibility, best
 *   practices and SEO (100 each), with every audit that cost points.
 *
 *   npm run bench:site
 *   npm run bench:site -- --pages /,/chat/ --preset desktop
 *   npm run bench:site -- --no-lighthouse     weights and axe only, in seconds
 */
import { constants } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import type { Browser } from 'playwright-core';
import { ensureSiteBuilt } from '../demo-server/site-build.ts';
import { axeViolations } from '../tests/helpers/axe.ts';
import { CHROMIUM_ENV, CHROMIUM_FLAGS, chromiumPath, launchBrowser, newPage, SITE_DIR } from '../tests/helpers/browser.ts';
import { recordScripts, total } from '../tests/helpers/page-weight.ts';
import { sitePages } from '../tests/helpers/site-pages.ts';
import { formatNumber, markdownTable } from './report.ts';
import { SITE_BUDGETS } from './site-budgets.ts';
import { describeMachine } from './system.ts';
import { socketbookTarget, startTarget } from './targets.ts';


const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
type Category = (typeof CATEGORIES)[number];

export interface PageWeight {
  readonly scriptRawBytes: number;
  readonly scriptGzipBytes: number;
  /** Bytes on the wire (headers and encoded bodies) for everything the page loaded before interaction, on a cold cache. */
  readonly transferBytes: number;
  readonly requests: number;
  readonly offOriginRequests: readonly string[];
}

export interface LighthouseResult {
  /** 0–100 as Lighthouse shows them. */
  readonly scores: Readonly<Record<Category, number>>;
  /** The performance score of every run (see LIGHTHOUSE_RUNS); `scores` come from the median one. */
  readonly performanceRuns: readonly number[];
  /** Audits that cost points: category, id, score (0–1), and what Lighthouse says. */
  readonly shortfalls: readonly { readonly category: Category; readonly audit: string; readonly score: number; readonly detail: string }[];
  readonly metrics: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
}

export interface PageReport {
  readonly path: string;
  readonly weight: PageWeight;
  readonly axe: { readonly light: readonly string[]; readonly dark: readonly string[] };
  readonly lighthouse: LighthouseResult | null;
  /** Why Lighthouse gave no result for this page after a second try (`null` when it did, or was off). */
  readonly lighthouseError?: string | null;
}

async function measureWeight(browser: Browser, url: string, origin: string): Promise<PageWeight> {
  const { page, requests } = await newPage(browser);
  const recorder = recordScripts(page);
  const sizes: Promise<number>[] = [];
  page.on('requestfinished', (request) => {
    sizes.push(request.sizes().then((size) => size.responseHeadersSize + size.responseBodySize, () => 0));
  });
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  await recorder.settled();
  const transferBytes = (await Promise.all(sizes)).reduce((sum, size) => sum + size, 0);
  await page.context().close();
  const offOrigin = requests.filter((request) => !request.startsWith(origin) && !/^(data|blob):/.test(request));
  return {
    scriptRawBytes: total(recorder.scripts, 'rawBytes'),
    scriptGzipBytes: total(recorder.scripts, 'gzipBytes'),
    transferBytes,
    requests: requests.length,
    offOriginRequests: offOrigin,
  };
}

async function axeInTheme(browser: Browser, url: string, theme: 'light' | 'dark'): Promise<string[]> {
  const { page } = await newPage(browser);
  await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
  await page.goto(url);
  // Let lazy cells connect and render their live state before checking it.
  await page.waitForLoadState('networkidle');
  const violations = await axeViolations(page);
  await page.context().close();
  return violations.map((violation) => `${violation.id}: ${violation.help} at ${violation.targets.slice(0, 3).join(', ')}`);
}

/**
 * Lighthouse times the page's main-thread work on this machine and scales
 * it, so a busy CPU costs performance points the page did not lose. A page
 * under 100 is run twice more and the median run is reported, as
 * Lighthouse's documentation on variability advises.
 */
const LIGHTHOUSE_RUNS = 3;

const KEY_METRICS = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'];

async function runLighthouseOnce(url: string, port: number, preset: 'mobile' | 'desktop'): Promise<Omit<LighthouseResult, 'performanceRuns'>> {
  const config = preset === 'desktop' ? (await import('lighthouse/core/config/desktop-config.js')).default : undefined;
  const result = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] }, config);
  if (result === undefined) throw new Error(`Lighthouse returned nothing for ${url}`);
  const { lhr } = result;
  if (lhr.runtimeError !== undefined) throw new Error(`Lighthouse could not load ${url}: ${lhr.runtimeError.code} (${lhr.runtimeError.message})`);
  const scores = {} as Record<Category, number>;
  const shortfalls: LighthouseResult['shortfalls'][number][] = [];
  for (const category of CATEGORIES) {
    const entry = lhr.categories[category];
    if (entry === undefined) throw new Error(`Lighthouse did not score ${category} for ${url}`);
    scores[category] = Math.round((entry.score ?? 0) * 100);
    for (const reference of entry.auditRefs) {
      const audit = lhr.audits[reference.id];
      if (audit === undefined || reference.weight === 0 || audit.score === null || audit.score >= 1) continue;
      shortfalls.push({ category, audit: reference.id, score: audit.score, detail: [audit.title, audit.displayValue].filter(Boolean).join(': ') });
    }
  }
  const metrics: Record<string, string> = {};
  for (const id of KEY_METRICS) metrics[id] = lhr.audits[id]?.displayValue ?? '–';
  return { scores, shortfalls, metrics, warnings: lhr.runWarnings };
}

/**
 * One Lighthouse run, tried once more when the page did not load: on a
 * machine whose load average is many times its cores, Chromium has been
 * seen to abort a navigation (CHROME_INTERSTITIAL_ERROR) that the next
 * attempt loads.
 */
async function runLighthouseRetrying(url: string, port: number, preset: 'mobile' | 'desktop'): Promise<Omit<LighthouseResult, 'performanceRuns'>> {
  try {
    return await runLighthouseOnce(url, port, preset);
  } catch (error) {
    console.log(`  ${url}: ${error instanceof Error ? error.message : String(error)}; trying once more`);
    return runLighthouseOnce(url, port, preset);
  }
}

async function runLighthouse(url: string, port: number, preset: 'mobile' | 'desktop'): Promise<LighthouseResult> {
  const runs = [await runLighthouseRetrying(url, port, preset)];
  if ((runs[0]?.scores.performance ?? 100) < 100) {
    for (let run = 1; run < LIGHTHOUSE_RUNS; run++) runs.push(await runLighthouseRetrying(url, port, preset));
  }
  const sorted = [...runs].sort((a, b) => a.scores.performance - b.scores.performance);
  const median = sorted[Math.floor(sorted.length / 2)] ?? runs[0];
  if (median === undefined) throw new Error(`no Lighthouse run for ${url}`);
  return { ...median, performanceRuns: runs.map((run) => run.scores.performance) };
}

function kilobytes(bytes: number): string {
  return formatNumber(bytes / 1024, 1);
}

/**
 * Lighthouse needs a full Chromium: in the headless-only build that npm
 * install brings, every page load it starts is aborted (net::ERR_ABORTED).
 * CHROMIUM_PATH when set, else Debian's, else a message saying what to do.
 */
async function lighthouseChromiumPath(): Promise<string> {
  if (process.env.CHROMIUM_PATH !== undefined && process.env.CHROMIUM_PATH !== '') return chromiumPath();
  try {
    await access(DEBIAN_CHROMIUM, constants.X_OK);
    process.env.CHROMIUM_PATH = DEBIAN_CHROMIUM;
    return await chromiumPath();
  } catch {
    throw new Error(`Lighthouse needs a full Chromium, and the headless build that npm install brings cannot run it (every page load is aborted). Install one (apt-get install chromium) and run again, or set CHROMIUM_PATH to another; --no-lighthouse measures the rest with the packaged build.`);
  }
}

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** One row per page; the budgets below it. */
export function siteTable(pages: readonly PageReport[]): string {
  const rows = pages.map((page) => {
    const axeCount = page.axe.light.length + page.axe.dark.length;
    const scores = page.lighthouse?.scores;
    return [
      page.path,
      kilobytes(page.weight.scriptRawBytes),
      kilobytes(page.weight.scriptGzipBytes),
      kilobytes(page.weight.transferBytes),
      String(page.weight.requests),
      String(page.weight.offOriginRequests.length),
      String(axeCount),
      ...CATEGORIES.map((category) => (scores === undefined ? '' : String(scores[category]))),
    ];
  });
  return markdownTable(['Page', 'JS raw KB', 'JS gzip KB', 'Transfer KB', 'Requests', 'Off-origin', 'axe', 'Perf', 'A11y', 'Best pr.', 'SEO'], rows);
}

/** Every budget a page misses, in words. */
export function siteMisses(pages: readonly PageReport[]): string[] {
  const misses: string[] = [];
  for (const page of pages) {
    if (page.weight.scriptGzipBytes > SITE_BUDGETS.scriptGzipBytes) misses.push(`${page.path}: ${kilobytes(page.weight.scriptGzipBytes)} KB of gzipped JavaScript before interaction (budget 20 KB)`);
    for (const request of page.weight.offOriginRequests) misses.push(`${page.path}: a request left the origin: ${request}`);
    for (const violation of page.axe.light) misses.push(`${page.path} (light): axe ${violation}`);
    for (const violation of page.axe.dark) misses.push(`${page.path} (dark): axe ${violation}`);
    const lighthouseResult = page.lighthouse;
    if (page.lighthouseError !== undefined && page.lighthouseError !== null) misses.push(`${page.path}: Lighthouse gave no result: ${page.lighthouseError}`);
    if (lighthouseResult === null) continue;
    for (const category of CATEGORIES) {
      const score = lighthouseResult.scores[category];
      if (score >= SITE_BUDGETS.lighthouseScore) continue;
      const why = lighthouseResult.shortfalls.filter((shortfall) => shortfall.category === category).map((shortfall) => `${shortfall.audit} scored ${shortfall.score.toFixed(2)} (${shortfall.detail})`);
      misses.push(`${page.path}: Lighthouse ${category} ${String(score)}${why.length === 0 ? '' : `: ${why.join('; ')}`}`);
    }
  }
  return misses;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      pages: { type: 'string' },
      preset: { type: 'string', default: 'mobile' },
      'no-lighthouse': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench-results' },
    },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: npm run bench:site -- [--pages /,/chat/] [--preset mobile|desktop] [--no-lighthouse] [--out bench-results]');
    process.exit(0);
  }
  if (values.preset !== 'mobile' && values.preset !== 'desktop') throw new TypeError(`--preset must be mobile or desktop, got ${JSON.stringify(values.preset)}`);
  const preset = values.preset;
  const outDir = resolve(values.out);
  await ensureSiteBuilt(process.cwd());
  const allPages = await sitePages(SITE_DIR);
  const wanted = values.pages?.split(',').map((path) => path.trim());
  for (const path of wanted ?? []) if (!allPages.includes(path)) throw new TypeError(`--pages: no page ${JSON.stringify(path)}; the site has ${allPages.join(', ')}`);
  const paths = wanted ?? allPages;
  const machine = describeMachine();
  const startedAt = new Date();
  const chromePath = await (values['no-lighthouse'] ? chromiumPath() : lighthouseChromiumPath()).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
  console.log(`Site budgets for ${String(paths.length)} page(s) of ${SITE_DIR}; Lighthouse ${values['no-lighthouse'] ? 'off' : `${preset}, in ${chromePath}`}; load average ${String(machine.loadAverageAtStart)}`);

  const server = await startTarget(socketbookTarget(['--site', SITE_DIR]), { openFileLimit: null, profileDir: null });
  const browser = await launchBrowser();
  const chrome = values['no-lighthouse'] ? null : await chromeLauncher.launch({ chromePath, chromeFlags: [...CHROMIUM_FLAGS, '--disable-quic'], envVars: CHROMIUM_ENV });
  const pages: PageReport[] = [];
  try {
    for (const path of paths) {
      const url = `${server.httpOrigin}${path}`;
      const started = performance.now();
      const weight = await measureWeight(browser, url, server.httpOrigin);
      const axe = { light: await axeInTheme(browser, url, 'light'), dark: await axeInTheme(browser, url, 'dark') };
      let lighthouseResult: LighthouseResult | null = null;
      let lighthouseError: string | null = null;
      if (chrome !== null) {
        // One page Lighthouse cannot load is a miss to report, not a reason to lose the other pages' results.
        lighthouseResult = await runLighthouse(url, chrome.port, preset).catch((error: unknown) => {
          lighthouseError = error instanceof Error ? error.message : String(error);
          return null;
        });
      }
      pages.push({ path, weight, axe, lighthouse: lighthouseResult, lighthouseError });
      console.log(`  ${path.padEnd(20)} ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await browser.close();
    chrome?.kill();
    await server.stop();
  }

  const misses = siteMisses(pages);
  const report = {
    kind: 'socketbook-site-bench',
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),

    lighthousePreset: values['no-lighthouse'] ? null : preset,
    machine: { ...machine, loadAverageAtEnd: Number((loadavg()[0] ?? 0).toFixed(2)) },
    budgets: SITE_BUDGETS,
    pages,
    misses,
  };
  await mkdir(outDir, { recursive: true });
  const jsonPath = join(outDir, `site-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, 'site-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${siteTable(pages)}\n`);
  for (const page of pages) {
    const runs = page.lighthouse?.performanceRuns ?? [];
    if (runs.length > 1) console.log(`  ${page.path}: performance ${runs.join(', ')} in ${String(runs.length)} runs; the median run is reported`);
    for (const shortfall of page.lighthouse?.shortfalls ?? []) console.log(`  ${page.path}: ${shortfall.category} / ${shortfall.audit} ${shortfall.score.toFixed(2)}: ${shortfall.detail}`);
  }
  console.log(misses.length === 0 ? '\nBudgets: all met.' : `\nBudgets missed:\n  ${misses.join('\n  ')}`);
  console.log(`JSON: ${jsonPath}`);
}
