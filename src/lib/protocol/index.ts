/**
 * The demo server's protocol: every JSON message of every endpoint, declared
 * once with valibot schemas. The server validates with them; cells and labs
 * import the types. One file per endpoint, each exporting its EndpointDoc.
 */
import { backpressureEndpoint, backpressureStatsEndpoint } from './backpressure.ts';
import { echoEndpoint } from './echo.ts';
import type { EndpointDoc } from './endpoint-doc.ts';

export * from './backpressure.ts';
export * from './echo.ts';
export * from './endpoint-doc.ts';
export * from './errors.ts';
export * from './parse.ts';

/** Every endpoint, for the reference page. */
export const endpointDocs: readonly EndpointDoc[] = [echoEndpoint, backpressureEndpoint, backpressureStatsEndpoint];
