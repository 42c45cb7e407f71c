/**
 * The demo server's protocol: every JSON message of every endpoint, declared
 * once with valibot schemas. The server validates with them; cells and labs
 * import the types. One file per endpoint, each exporting its EndpointDoc.
 */
import { chatEndpoint } from './chat.ts';
import { closeEndpoint, closeObserverEndpoint } from './close.ts';
import { backpressureEndpoint, backpressureStatsEndpoint } from './backpressure.ts';
import { echoEndpoint } from './echo.ts';
import type { EndpointDoc } from './endpoint-doc.ts';
import { heartbeatEndpoint } from './heartbeat.ts';
import { realtimeEndpoint } from './realtime.ts';
import { inspectEndpoint } from './inspect.ts';
import { tickerEndpoint } from './ticker.ts';

export * from './chat.ts';
export * from './close.ts';
export * from './backpressure.ts';
export * from './echo.ts';
export * from './endpoint-doc.ts';
export * from './errors.ts';
export * from './error-message.ts';
export * from './heartbeat.ts';
export * from './integer-parameter.ts';
export * from './realtime.ts';
export * from './inspect.ts';
export * from './parse.ts';
export * from './ticker.ts';

/** Every endpoint, for the reference page. */
export const endpointDocs: readonly EndpointDoc[] = [
  echoEndpoint,
  inspectEndpoint,
  tickerEndpoint,
  realtimeEndpoint,
  chatEndpoint,
  heartbeatEndpoint,
  closeEndpoint,
  closeObserverEndpoint,
  backpressureEndpoint,
  backpressureStatsEndpoint,
];
