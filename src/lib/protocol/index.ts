/**
 * The demo server's protocol: every JSON message of every endpoint, declared
 * once with valibot schemas. The server validates with them; cells and labs
 * import the types. One file per endpoint.
 */
export * from './errors.ts';
export * from './parse.ts';
