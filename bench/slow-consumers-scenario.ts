/**
 * 200 slow consumers on `/ws/backpressure`: the server's RSS must stay
 * bounded. The scenario lives with the endpoint, in
 * bench/slow-consumers.ts (also `npm run bench:slow-consumers`); this
 * runs it as part of `npm run bench` and keeps what the report needs.
 */
import { describeSlowConsumers, runSlowConsumers } from './slow-consumers.ts';

export interface SlowConsumersOutcome {
  readonly clients: number;
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
  readonly finalRssMiB: number;
  /** The most the RSS may reach: baseline + clients × (send-buffer cap + per-connection overhead) + slack. */
  readonly boundMiB: number;
  readonly held: boolean;
  /** How the server ended each connection (close code and reason), counted. */
  readonly closes: Readonly<Record<string, number>>;
  readonly description: string;
}

const MiB = 1024 * 1024;

export async function runSlowConsumersScenario(clients: number): Promise<SlowConsumersOutcome> {
  const result = await runSlowConsumers({ clients });
  return {
    clients,
    baselineRssMiB: result.baselineRssBytes / MiB,
    peakRssMiB: result.peakRssBytes / MiB,
    finalRssMiB: result.finalRssBytes / MiB,
    boundMiB: (result.baselineRssBytes + result.boundBytes) / MiB,
    held: result.peakRssBytes - result.baselineRssBytes <= result.boundBytes,
    closes: result.closes,
    description: describeSlowConsumers(result),
  };
}
