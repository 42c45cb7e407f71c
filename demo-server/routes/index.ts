import { chatRoute } from './chat.ts';
import { closeObserverRoute, closeRoute } from './close.ts';
import { backpressureRoute, backpressureStatsRoute } from './backpressure.ts';
import { echoRoute } from './echo.ts';
import { heartbeatRoute } from './heartbeat.ts';
import { realtimeRoute } from './realtime.ts';
import { inspectRoute } from './inspect.ts';
import type { RouteFactory } from './route.ts';
import { tickerRoute } from './ticker.ts';

/** Every WebSocket endpoint, in the order they are matched. */
export const routeFactories: readonly RouteFactory[] = [
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
