import type { ClientMode } from '../mode.ts';
import { echoMode } from './echo.ts';
import { slowMode } from './slow.ts';

/** Every mode of `npm run client -- <mode>`, by name. */
export const modes: Readonly<Record<string, ClientMode>> = {
  echo: echoMode,
  slow: slowMode,
};
