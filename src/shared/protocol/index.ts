/**
 * The demo server's protocol: every JSON message of every endpoint, declared
 * once with valibot schemas. The server validates with them; cells and labs
 * import the types. One file per endpoint, each exporting the EndpointDoc
 * its route carries (`demo-server/routes/index.ts` lists the routes).
 */
export * from './account.ts';
export * from './chat.ts';
export * from './classroom.ts';
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

