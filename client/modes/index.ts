import type { ClientMode } from '../mode.ts';
import { closeMode } from './close.ts';
import { echoMode } from './echo.ts';

/** Every mode of `npm run client -- <mode>`, by name. */
export const modes: Readonly<Record<string, ClientMode>> = {
  echo: echoMode,
  close: closeMode,
};
