import type { DrainChart } from './chart.ts';
import type { DrainResult, DrainSnapshot, DrainStore } from './store.ts';
import type { HerdMode } from '../../shared/herd.ts';
import { part } from '../kit/dom.ts';

const NAMES: Record<HerdMode, string> = { 'no-jitter': 'No jitter', 'full-jitter': 'Full jitter' };
const WAITS: Record<HerdMode, string> = { 'no-jitter': 'each waited 1000 ms', 'full-jitter': 'each waited a random 0 to 1000 ms (full jitter)' };

function resultLine(mode: HerdMode, result: DrainResult | undefined): string {
  if (result === undefined) return `${NAMES[mode]}: not run yet.`;
  // The drain closes every client of the instance: the herd's, and any other (a chat pane of this page, say).
  const others = result.closed > result.clients ? ` (and ${String(result.closed - result.clients)} other clients of that instance)` : '';
  const closed = result.closed >= result.clients ? `${String(result.clients)} clients closed with 1012${others}` : `only ${String(result.closed)} of ${String(result.clients)} clients closed with 1012`;
  return `${NAMES[mode]}: ${closed}, ${WAITS[mode]}; ${String(result.total)} handshakes came back; busiest 100 ms: ${String(result.peak)}.`;
}

/**
 * What `<drain-lab>` does on a Run button (loaded then): finds the cluster (kit/cluster-admin.ts),
 * has it run a herd from another instance to this page's and draws this
 * instance's handshakes per 100 ms as they come.
 */
export class DrainController {
  readonly #root: HTMLElement;
  #store: DrainStore | null = null;
  #chart: DrainChart | null = null;
  #names: { from: string; to: string } | null = null;

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  /** Removes the chart (the element left the page). */
  stop(): void {
    this.#chart?.destroy();
  }

  #status(state: string, text: string): void {
    part<HTMLElement>(this.#root, '.sb-status').dataset.state = state;
    part<HTMLElement>(this.#root, '.sb-status-text').textContent = text;
  }

  async run(mode: HerdMode): Promise<void> {
    if (this.#store?.running === true) return;
    const clients = part<HTMLInputElement>(this.#root, 'input[name="clients"]').value.trim();
    this.#status('connecting', 'Asking this page’s server for the cluster…');
    const [{ openClusterAdmin }, { DrainStore, clientsProblem }, { createDrainChart }] = await Promise.all([import('../kit/cluster-admin.ts'), import('./store.ts'), import('./chart.ts')]);
    const problem = clientsProblem(clients);
    if (problem !== null) return this.#status('error', `Not run: ${problem}.`);
    const access = await openClusterAdmin();
    if (access.kind === 'unavailable') return this.#status('error', `${access.reason} The chapter shows a recorded run below.`);
    const { admin } = access;
    let view;
    try {
      view = await admin.view();
    } catch (error) {
      return this.#status('error', `The cluster did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    const running = view.instances.filter((each) => each.state === 'running');
    // The survivor is this page's own instance; another one drains.
    const to = running.find((each) => each.name === admin.self) ?? running[0];
    const from = running.find((each) => each !== to);
    if (to === undefined || from === undefined) return this.#status('error', `This lab needs two running instances; the cluster has ${running.map((each) => each.name).join(', ') || 'none'} running.`);
    this.#names = { from: from.name, to: to.name };
    this.#chart ??= createDrainChart(part<HTMLElement>(this.#root, '[data-chart]'));
    if (this.#store === null) {
      const store = new DrainStore();
      store.subscribe((snapshot) => {
        this.#render(snapshot);
      });
      this.#store = store;
    }
    await this.#store.run(mode, clients, {
      herd: (herdMode, count) => admin.herd(from.name, to.name, herdMode, count),
      handshakes: (sinceMs) => admin.handshakes(to.name, sinceMs),
    });
  }

  #render(snapshot: DrainSnapshot): void {
    this.#chart?.update(snapshot.results);
    for (const mode of ['no-jitter', 'full-jitter'] as const) {
      const item = part<HTMLElement>(this.#root, `[data-result="${mode}"]`);
      const result = snapshot.results[mode];
      item.textContent = resultLine(mode, result);
      if (result === undefined) continue;
      item.dataset.peak = String(result.peak);
      item.dataset.buckets = result.perBucket.join(' ');
    }
    const names = this.#names ?? { from: '?', to: '?' };
    const mode = snapshot.mode ?? 'no-jitter';
    const result = snapshot.results[mode];
    switch (snapshot.phase) {
      case 'idle':
        return;
      case 'draining':
        return this.#status('connecting', `npm run cluster opens ${String(snapshot.clients)} WebSockets to ${names.from}, then ${names.from} closes them all with 1012 (Service Restart)…`);
      case 'reconnecting':
      case 'done': {
        const counts = result === undefined ? '' : ` ${names.to} counted ${String(result.total)} handshakes so far, ${String(result.peak)} in its busiest 100 ms.`;
        const over = snapshot.phase === 'done' ? ' Done: the clients were closed (1000).' : '';
        return this.#status(snapshot.phase === 'done' ? 'open' : 'connecting', `${names.from} closed ${String(result?.closed ?? snapshot.clients)} clients with 1012 (Service Restart); ${WAITS[mode]}, then reconnected to ${names.to}.${counts}${over}`);
      }
      case 'failed':
        return this.#status('error', `Not run: ${snapshot.problem ?? 'unknown'}.`);
    }
  }
}
