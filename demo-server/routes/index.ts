import { backpressureRoute, backpressureStatsRoute } from './backpressure.ts';
import { echoRoute } from './echo.ts';
import type { RouteFactory } from './route.ts';

/** Every WebSocket endpoint, in the order they are matched. */
export const routeFactories: readonly RouteFactory[] = [echoRoute, backpressureRoute, backpressureStatsRoute];
