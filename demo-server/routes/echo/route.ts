import type { Connection } from '../../core/connection.ts';
import type { RouteFactory } from '../../core/route.ts';
import { echoEndpoint } from '../../../src/shared/protocol/echo.ts';

function echoBack(data: Buffer, isBinary: boolean, connection: Connection): void {
  connection.send(data, isBinary);
}

/**
 * `/ws/echo`: sends every message straight back, text as text and binary as
 * binary, byte for byte. The payload is never decoded, so what comes back is
 * exactly what arrived.
 */
export const echoRoute: RouteFactory = {
  doc: echoEndpoint,
  create: () => ({
    open(connection) {
      connection.onMessage(echoBack);
    },
  }),
};
