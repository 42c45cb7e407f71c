import { chatRoute } from './chat/route.ts';
import { closeObserverRoute, closeRoute } from './close/route.ts';
import { backpressureRoute, backpressureStatsRoute } from './backpressure/route.ts';
import { echoRoute } from './echo/route.ts';
import { heartbeatRoute } from './heartbeat/route.ts';
import { realtimeRoute } from './realtime/route.ts';
import { inspectRoute } from './inspect/route.ts';
import type { RouteFactory } from '../core/route.ts';
import type { EndpointDoc } from '../../src/shared/protocol/endpoint-doc.ts';
import { tickerRoute } from './ticker/route.ts';
import { accountSafeRoute, accountTicketRoute, accountUnsafeRoute } from './account/route.ts';
import { classroomStudentRoute, classroomTeacherRoute } from './classroom/route.ts';

/**
 * Every WebSocket endpoint, in the order they are matched: the one registry.
 * The server makes its routes from it and the reference page reads each
 * entry's doc. Each route's `check()` result goes only to its own `open()`,
 * so the list holds them as routes of any checked type.
 */
export const routeFactories: readonly RouteFactory<unknown>[] = [
  echoRoute,
  inspectRoute,
  tickerRoute,
  realtimeRoute,
  chatRoute,
  heartbeatRoute,
  closeRoute,
  closeObserverRoute,
  backpressureRoute,
  backpressureStatsRoute,
  accountUnsafeRoute,
  accountSafeRoute,
  accountTicketRoute,
  classroomStudentRoute,
  classroomTeacherRoute,
];

/** Every endpoint's doc, read from the route list, for the reference page and its tests. */
export const endpointDocs: readonly EndpointDoc[] = routeFactories.map((factory) => factory.doc);
