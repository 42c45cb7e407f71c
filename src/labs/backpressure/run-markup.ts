/**
 * What a run of the backpressure lab shows, as data for BackpressureRun.astro:
 * the charts with their legends, and the numbers of the readout. The keys
 * match the series in backpressure-charts.ts and the readout cells in
 * backpressure-run-view.ts.
 */
import type { ChartId } from './charts.ts';

/** `when`: the entry is shown only in conflate runs, or only while the server's heartbeat is on. */
export type Legend = { key: string; label: string; dashed?: boolean; when?: 'conflate' | 'heartbeat' };
export type Chart = { id: ChartId; caption: string; description: string; legend: Legend[] };
export const RUN_CHARTS: readonly Chart[] = [
  {
    id: 'bytes',
    caption: 'Bytes waiting, and where',
    description: 'The server\'s send buffer, the bytes in TCP between the two programs, and the page\'s own queue, over time.',
    legend: [
      { key: 'server', label: 'server send buffer (bufferedAmount)' },
      { key: 'tcp', label: 'in TCP: kernels and browser' },
      { key: 'page', label: 'page backlog' },
      { key: 'limit', label: 'server cap (1008)', dashed: true },
    ],
  },
  {
    id: 'messages',
    caption: 'Messages sent, received, processed',
    description: 'Running totals: sent by the server, received by the page, processed by the page.',
    legend: [
      { key: 'server', label: 'sent' },
      { key: 'page', label: 'received' },
      { key: 'processed', label: 'processed' },
    ],
  },
  {
    id: 'waiting',
    caption: 'Waiting time',
    description: 'How old each message was when processed, and how long the server\'s oldest ping has waited for its pong.',
    legend: [
      { key: 'page', label: 'message age at processing' },
      { key: 'server', label: 'oldest unanswered ping', when: 'heartbeat' },
      { key: 'limit', label: 'pong timeout', dashed: true, when: 'heartbeat' },
    ],
  },
  {
    id: 'rates',
    caption: 'Throughput',
    description: 'Messages per second sent by the server, processed by the page, and dropped by conflation.',
    legend: [
      { key: 'server', label: 'sent/s' },
      { key: 'processed', label: 'processed/s' },
      { key: 'tcp', label: 'dropped/s (conflate)', when: 'conflate' },
    ],
  },
];
/** The compact runs of the comparison show these charts. */
export const COMPARE_CHART_IDS: readonly ChartId[] = ['bytes', 'rates'];

export type Readout = { key: string; label: string };
export const RUN_READOUT: readonly Readout[] = [
  { key: 'elapsed', label: 'Time' },
  { key: 'sent', label: 'Sent by the server' },
  { key: 'received', label: 'Received by the page' },
  { key: 'processed', label: 'Processed' },
  { key: 'unprocessed', label: 'Sent, not processed' },
  { key: 'serverBuffer', label: 'Server send buffer' },
  { key: 'backlog', label: 'Page backlog' },
  { key: 'age', label: 'Age at processing' },
  { key: 'ping', label: 'Oldest ping' },
  { key: 'credits', label: 'Credit at the server' },
  { key: 'dropped', label: 'Dropped (conflate)' },
];
export const COMPARE_READOUT: readonly Readout[] = [
  { key: 'sent', label: 'Sent' },
  { key: 'processed', label: 'Processed' },
  { key: 'dropped', label: 'Dropped on purpose' },
  { key: 'peakServerBuffer', label: 'Peak server buffer' },
  { key: 'maxAge', label: 'Oldest at processing' },
];

