/**
 * 200 slow consumers on `/ws/backpressure`: the server's RSS must stay
 * bounded. The scenario belongs with the endpoint (issue 7), which brings
 * it as `tests/bench/slow-consumers.ts` (`runSlowConsumers`); this runs that
 * module when it is in the tree and says plainly when it is not, so the
 * bench needs no change when the endpoint lands.
 */
import { access } from 'node:fs/promises';

const MODULE_URL = new URL('../../tests/bench/slow-consumers.ts', import.meta.url);

/** The part of issue 7's module the bench uses. */
interface SlowConsumersModule {
  runSlowConsumers(options: { clients: number }): Promise<{ peakRssBytes: number; baselineRssBytes: number; finalRssBytes: number; boundBytes: number; closes: Record<string, number>; durationMs: number }>;
  describeSlowConsumers(result: unknown): string;
}

export type SlowConsumersOutcome =
  | { readonly status: 'skipped'; readonly reason: string }
  | {
      readonly status: 'ran';
      readonly clients: number;
      readonly baselineRssMiB: number;
      readonly peakRssMiB: number;
      readonly finalRssMiB: number;
      readonly boundMiB: number;
      readonly held: boolean;
      readonly closes: Readonly<Record<string, number>>;
      readonly description: string;
    };

const MiB = 1024 * 1024;

export async function runSlowConsumersIfAvailable(clients: number): Promise<SlowConsumersOutcome> {
  try {
    await access(MODULE_URL);
  } catch {
    return {
      status: 'skipped',
      reason: '/ws/backpressure is not on this branch yet (issue 7); when it lands, its tests/bench/slow-consumers.ts runs here unchanged',
    };
  }
  const module = (await import(MODULE_URL.href)) as SlowConsumersModule;
  const result = await module.runSlowConsumers({ clients });
  return {
    status: 'ran',
    clients,
    baselineRssMiB: result.baselineRssBytes / MiB,
    peakRssMiB: result.peakRssBytes / MiB,
    finalRssMiB: result.finalRssBytes / MiB,
    boundMiB: (result.baselineRssBytes + result.boundBytes) / MiB,
    held: result.peakRssBytes - result.baselineRssBytes <= result.boundBytes,
    closes: result.closes,
    description: module.describeSlowConsumers(result),
  };
}
