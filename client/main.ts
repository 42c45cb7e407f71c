/**
 * The terminal client: `npm run client -- <mode> [args] [--server ws://host:port]`.
 * Covers what the seed demos did in terminals.
 */
import { normaliseServerUrl } from '../src/shared/server-url.ts';
import { modes } from './modes/index.ts';

function usage(): string {
  const lines = Object.entries(modes).map(([name, mode]) => `  ${`${name} ${mode.usage}`.padEnd(28)} ${mode.summary}`);
  return [
    'Usage: npm run client -- <mode> [args] [--server ws://host:port]',
    '',
    'Modes:',
    ...lines,
    '',
    'The server defaults to $SOCKETBOOK_SERVER or ws://localhost:8080.',
  ].join('\n');
}

const argv = process.argv.slice(2);
const serverFlag = argv.findIndex((arg) => arg === '--server' || arg.startsWith('--server='));
let serverText = process.env.SOCKETBOOK_SERVER ?? 'ws://localhost:8080';
if (serverFlag !== -1) {
  const flag = argv[serverFlag] ?? '';
  const inline = flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : undefined;
  serverText = inline ?? argv[serverFlag + 1] ?? '';
  argv.splice(serverFlag, inline === undefined ? 2 : 1);
}
const server = normaliseServerUrl(serverText);
const [modeName, ...args] = argv;
const mode = modeName === undefined ? undefined : modes[modeName];

if (modeName === undefined || modeName === '--help' || modeName === '-h') {
  console.log(usage());
  process.exit(0);
}
if (mode === undefined) {
  console.error(`Unknown mode "${modeName}".\n\n${usage()}`);
  process.exit(2);
}
if (server === null) {
  console.error(`--server must be a ws://, wss://, http:// or https:// address, got ${JSON.stringify(serverText)}`);
  process.exit(2);
}

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});
const code = await mode.run(args, {
  server,
  print: (line) => console.log(line),
  warn: (line) => console.error(line),
  signal: controller.signal,
});
process.exit(code);
