import type { ClientMode } from '../mode.ts';
import { chatDemoMode } from './chat-demo.ts';
import { chatStressMode } from './chat-stress.ts';
import { chatMode } from './chat.ts';
import { closeMode } from './close.ts';
import { echoMode } from './echo.ts';
import { tickerMode } from './ticker.ts';
import { slowMode } from './slow.ts';

/** Every mode of `npm run client -- <mode>`, by name. */
export const modes: Readonly<Record<string, ClientMode>> = {
  echo: echoMode,
  chat: chatMode,
  demo: chatDemoMode,
  stress: chatStressMode,
  close: closeMode,
  ticker: tickerMode,
  slow: slowMode,
};
