import { loadOnFirstUse } from './load-on-use.ts';
import type { Counter, Histogram, Registry } from 'prom-client';
import type { CloseInitiator, Connection } from './connection.ts';
import type { MemoryBudget } from './memory-budget.ts';
import { METRIC_DOCS, type MetricDoc } from './metric-docs.ts';

/** What a chat broker call was doing, for `socketbook_chat_broker_seconds`. */
export type BrokerOperation = 'join' | 'say';

/** What routes may record (`RouteContext.metrics`). */
export interface RouteMetrics {
  /**
   * Starts timing one call to a chat broker (`memory` or `redis`); the
   * returned function stops it and records the duration.
   */
  timeBroker(broker: string, operation: BrokerOperation): () => void;
}

/** Counts of connections that have closed, per endpoint pattern. */
interface ClosedTotals {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** prom-client's name, help and label names for `doc`. */
function described<const Labels extends readonly string[]>(doc: { readonly name: string; readonly help: string; readonly labels: Labels }) {
  return { name: doc.name, help: doc.help, labelNames: doc.labels };
}

/**
 * Broker calls take from tens of microseconds (in memory) to milliseconds
 * (a round trip to Redis, more when it is loaded), so the buckets start
 * below a millisecond.
 */
const BROKER_BUCKETS_SECONDS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * The label of a close code: codes the server sends are few and exact;
 * a client may pick any code of 3000–4999 (RFC 6455 §7.4.2), so those are
 * counted by range, and a client cannot grow the number of series.
 */
function closeCodeLabel(code: number, by: CloseInitiator): string {
  if (by !== 'client' || code < 3000) return String(code);
  return code < 4000 ? '3000-3999' : '4000-4999';
}

/**
 * prom-client, loaded on first use (a scrape of /metrics, a timed chat
 * broker call), not with the server: its modules and registries are about
 * 0.8 MB of heap for a server nobody scrapes.
 */
const loadPromClient = loadOnFirstUse<typeof import('prom-client')>('prom-client');

/**
 * Metrics common to every demo server in this process (memory, CPU, event
 * loop delay, open file descriptors): made once, on the first scrape, since
 * prom-client's collectors start process-wide monitors that never stop.
 */
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (processRegistry === null) {
    const { collectDefaultMetrics, Registry } = loadPromClient();
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The prom-client side of one server's metrics, made on first use. */
interface PromMetrics {
  readonly registry: Registry;
  readonly brokerSeconds: Histogram<'broker' | 'operation'>;
}

/**
 * One demo server's metrics for `GET /metrics`, in Prometheus' text format
 * (prom-client). Nothing is counted per message: a connection already counts
 * its messages and bytes, so a scrape sums the open connections and adds
 * what closed ones had when they closed. The server reports each connection
 * once when it opens (`opened`) and once when it closes (`closed`); labels
 * are route patterns (`/ws/chat/:room`), never client-chosen paths, so a
 * client cannot create series.
 */
export class ServerMetrics implements RouteMetrics {
  readonly #budget: MemoryBudget;
  readonly #endpoints: readonly string[];
  /** Open connections and the route pattern each came in on. */
  readonly #open = new Map<Connection, string>();
  readonly #closed = new Map<string, ClosedTotals>();
  /** Closes per endpoint, code label and initiator, kept here until a scrape reads them. */
  readonly #closes = new Map<string, { readonly endpoint: string; readonly code: string; readonly by: CloseInitiator; count: number }>();
  #prom: PromMetrics | null = null;

  constructor(budget: MemoryBudget, endpoints: readonly string[]) {
    this.#budget = budget;
    this.#endpoints = endpoints;
  }

  /** Makes the registry and its metrics the first time they are needed; each reads this object's counts when scraped. */
  #promMetrics(): PromMetrics {
    if (this.#prom !== null) return this.#prom;
    const { Counter, Gauge, Histogram, Registry } = loadPromClient();
    const registry = new Registry();
    const registers = [registry];
    const budget = this.#budget;
    const endpoints = this.#endpoints;
    const open = this.#open;
    const closed = this.#closed;
    const closes = this.#closes;
    /** Sums a connection field over open and closed connections, per endpoint. */
    const totals = (field: keyof ClosedTotals): Map<string, number> => {
      const sums = new Map<string, number>(endpoints.map((endpoint) => [endpoint, closed.get(endpoint)?.[field] ?? 0]));
      for (const [connection, endpoint] of open) sums.set(endpoint, (sums.get(endpoint) ?? 0) + connection[field]);
      return sums;
    };
    new Gauge({
      ...described(METRIC_DOCS.connections),
      registers,
      collect() {
        const counts = new Map<string, number>(endpoints.map((endpoint) => [endpoint, 0]));
        for (const endpoint of open.values()) counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);
        for (const [endpoint, count] of counts) this.set({ endpoint }, count);
      },
    });
    const counterOfTotals = (doc: MetricDoc, field: keyof ClosedTotals): void => {
      new Counter({
        ...described(doc),
        registers,
        collect() {
          // The sum only grows: a closing connection's counts move into `closed` at once.
          this.reset();
          for (const [endpoint, sum] of totals(field)) this.inc({ endpoint }, sum);
        },
      });
    };
    counterOfTotals(METRIC_DOCS.messagesReceived, 'messagesIn');
    counterOfTotals(METRIC_DOCS.messagesSent, 'messagesOut');
    counterOfTotals(METRIC_DOCS.bytesReceived, 'bytesIn');
    counterOfTotals(METRIC_DOCS.bytesSent, 'bytesOut');
    new Gauge({
      ...described(METRIC_DOCS.bufferedBytes),
      registers,
      collect() {
        this.set(budget.totalBytes);
      },
    });
    new Gauge({
      ...described(METRIC_DOCS.bufferedBytesLimit),
      registers,
      collect() {
        this.set(budget.limitBytes);
      },
    });
    new Counter({
      ...described(METRIC_DOCS.shedConnections),
      registers,
      collect() {
        this.reset();
        this.inc(budget.shedCount);
      },
    });
    new Counter({
      ...described(METRIC_DOCS.closes),
      registers,
      collect(this: Counter<'endpoint' | 'code' | 'by'>) {
        this.reset();
        for (const { endpoint, code, by, count } of closes.values()) this.inc({ endpoint, code, by }, count);
      },
    });
    const brokerSeconds = new Histogram({
      ...described(METRIC_DOCS.chatBrokerSeconds),
      buckets: BROKER_BUCKETS_SECONDS,
      registers,
    });
    this.#prom = { registry, brokerSeconds };
    return this.#prom;
  }

  /** Records a connection accepted on the route whose pattern is `endpoint`. */
  opened(connection: Connection, endpoint: string): void {
    this.#open.set(connection, endpoint);
  }

  /** Records how `connection` closed (`receivedCode` as ws reported it) and keeps its counts. */
  closed(connection: Connection, receivedCode: number): void {
    const endpoint = this.#open.get(connection);
    if (endpoint === undefined) return;
    this.#open.delete(connection);
    const totals = this.#closed.get(endpoint) ?? { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
    totals.messagesIn += connection.messagesIn;
    totals.messagesOut += connection.messagesOut;
    totals.bytesIn += connection.bytesIn;
    totals.bytesOut += connection.bytesOut;
    this.#closed.set(endpoint, totals);
    const { code, by } = connection.closeOutcome(receivedCode);
    const label = closeCodeLabel(code, by);
    const key = `${endpoint} ${label} ${by}`;
    const entry = this.#closes.get(key);
    if (entry === undefined) this.#closes.set(key, { endpoint, code: label, by, count: 1 });
    else entry.count += 1;
  }

  timeBroker(broker: string, operation: BrokerOperation): () => void {
    const stop = this.#promMetrics().brokerSeconds.startTimer({ broker, operation });
    return () => {
      stop();
    };
  }

  /** The Content-Type of `text()`. */
  get contentType(): string {
    return this.#promMetrics().registry.contentType;
  }

  /** Every metric of this server and of the process, in Prometheus' text format. */
  text(): Promise<string> {
    const { Registry } = loadPromClient();
    return Registry.merge([this.#promMetrics().registry, processMetrics()]).metrics();
  }
}
