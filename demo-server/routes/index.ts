import { chatRoute } from './chat.ts';
import { echoRoute } from './echo.ts';
import { inspectRoute } from './inspect.ts';
import type { RouteFactory } from './route.ts';
import { tickerRoute } from './ticker.ts';

/** Every WebSocket endpoint, in the order they are matched. */
export const routeFactories: readonly RouteFactory[] = [echoRoute, chatRoute, inspectRoute, tickerRoute];
