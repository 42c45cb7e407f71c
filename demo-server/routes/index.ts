import { chatRoute } from './chat.ts';
import { closeObserverRoute, closeRoute } from './close.ts';
import { echoRoute } from './echo.ts';
import { heartbeatRoute } from './heartbeat.ts';
import { realtimeRoute } from './realtime.ts';
import type { RouteFactory } from './route.ts';

/** Every WebSocket endpoint, in the order they are matched. */
export const routeFactories: readonly RouteFactory[] = [echoRoute, chatRoute, closeRoute, closeObserverRoute, realtimeRoute, heartbeatRoute];
