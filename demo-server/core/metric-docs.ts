/**
 * What `GET /metrics` exposes besides the process's own metrics, declared
 * once: `ServerMetrics` (metrics.ts) makes its metrics from this table and
 * the reference page lists it. No import of prom-client here, so the page
 * reads it at build time without the library.
 */

/** One metric of `GET /metrics`, as the reference page lists it. */
export interface MetricDoc {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly labels: readonly string[];
  readonly help: string;
}

/**
 * The server's own metrics, declared once: `ServerMetrics` makes them from
 * this table and the reference page lists it. Names follow Prometheus'
 * conventions (base units, `_total` on counters).
 */
export const METRIC_DOCS = {
  connections: { name: 'socketbook_connections', type: 'gauge', labels: ['endpoint'], help: 'Open WebSocket connections, by endpoint.' },
  messagesReceived: { name: 'socketbook_messages_received_total', type: 'counter', labels: ['endpoint'], help: 'WebSocket messages received from clients, by endpoint.' },
  messagesSent: { name: 'socketbook_messages_sent_total', type: 'counter', labels: ['endpoint'], help: 'WebSocket messages sent to clients, by endpoint.' },
  bytesReceived: { name: 'socketbook_received_bytes_total', type: 'counter', labels: ['endpoint'], help: 'Payload bytes received from clients, by endpoint.' },
  bytesSent: { name: 'socketbook_sent_bytes_total', type: 'counter', labels: ['endpoint'], help: 'Payload bytes sent to clients, by endpoint.' },
  bufferedBytes: {
    name: 'socketbook_buffered_bytes',
    type: 'gauge',
    labels: [],
    help: 'Bytes queued for all clients, as the server-wide send budget counts them (payload plus per-message overhead).',
  },
  bufferedBytesLimit: {
    name: 'socketbook_buffered_bytes_limit',
    type: 'gauge',
    labels: [],
    help: 'The server-wide send budget (--max-total-buffered-bytes): past it, the client holding the most is dropped.',
  },
  shedConnections: { name: 'socketbook_shed_connections_total', type: 'counter', labels: [], help: 'Clients dropped because the server-wide send budget was reached.' },
  closes: {
    name: 'socketbook_closes_total',
    type: 'counter',
    labels: ['endpoint', 'code', 'by'],
    help: 'Closed WebSocket connections, by endpoint, close code and who closed first (server, client, or network: no close frame). A client\'s own codes count as 3000-3999 or 4000-4999.',
  },
  chatBrokerSeconds: {
    name: 'socketbook_chat_broker_seconds',
    type: 'histogram',
    labels: ['broker', 'operation'],
    help: 'Time the chat broker (memory or redis) takes to answer a join or a say; for Redis, the round trips to Redis.',
  },
} as const satisfies Record<string, MetricDoc>;
