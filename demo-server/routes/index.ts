import { chatRoute } from './chat/route.ts';
import { closeObserverRoute, closeRoute } from './close/route.ts';
import { backpressureRoute, backpressureStatsRoute } from './backpressure/route.ts';
import { echoRoute } from './echo/route.ts';
import { heartbeatRoute } from './heartbeat/route.ts';
import { realtimeRoute } from './realtime/route.ts';
import { inspectRoute } from './inspect/route.ts';
import type { RouteFactory } from '../core/route.ts';
import { tickerRoute } from './ticker/route.ts';

/**
 * Every WebSocket endpoint, in the order they are matched. Each route's
 * `check()` result goes only to its own `open()`, so the list holds them as
 * routes of any checked type.
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
];
