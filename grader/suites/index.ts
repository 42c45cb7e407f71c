import type { AnySuite, SuiteName } from '../check.ts';
import { chatSuite } from './chat.ts';
import { echoSuite } from './echo.ts';
import { handshakeSuite } from './handshake.ts';
import { heartbeatSuite } from './heartbeat.ts';

/** Every suite by name, in the order they run: the registry the CLI, the report and the docs read. */
export const SUITES: Readonly<Record<SuiteName, AnySuite>> = {
  handshake: handshakeSuite,
  echo: echoSuite,
  chat: chatSuite,
  heartbeat: heartbeatSuite,
};
