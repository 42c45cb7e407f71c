/**
 * The demo server's process: reads flags and environment, listens, prints
 * where to point a browser, logs one line per connection, and shuts down
 * gracefully (close 1001 to every client) on SIGINT and SIGTERM.
 */
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { parseCliOptions, USAGE } from './flags.ts';
import { createDemoServer } from './http/server.ts';

/** Hard deadline for shutdown: clients that have not finished their close handshake are cut. */
const SHUTDOWN_DEADLINE_MS = 1_800;

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry?.address ?? '');
}

let options;
try {
  options = parseCliOptions(process.argv.slice(2), process.env);
} catch (error) {
  // parseArgs errors (unknown flag, missing value) and bad values are all one line; no stack trace.
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const server = createDemoServer({
  ...options.server,
  staticDir: resolve(options.siteDir),
  log: options.quiet ? null : (line) => console.log(line),
});

try {
  const address = await server.listen(options.port, options.host);
  const port = String(address.port);
  const wildcard = options.host === '0.0.0.0' || options.host === '::';
  console.log(`Socketbook is running at http://localhost:${port}/`);
  if (wildcard) {
    const lan = lanAddresses();
    if (lan.length === 0) console.log('No LAN address found: students can only connect from this machine.');
    for (const ip of lan) console.log(`Share with your class:  http://${ip}:${port}/`);
  } else if (options.host !== '127.0.0.1' && options.host !== 'localhost') {
    console.log(`Listening on http://${options.host}:${port}/`);
  } else {
    console.log('Only this machine can connect. For a classroom, start with --host 0.0.0.0.');
  }
  console.log('Press Ctrl+C to stop.');
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    console.error(`Port ${String(options.port)} is already in use. Stop the other program or choose another port: npm start -- --port 8081`);
  } else {
    console.error(`Could not listen on ${options.host}:${String(options.port)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}

let shuttingDown = false;
function shutDown(signal: string): void {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`${signal}: closing ${String(server.connections.size)} connection(s) with 1001 and stopping.`);
  const deadline = setTimeout(() => {
    console.error('Shutdown took too long; exiting.');
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  server.close().then(
    () => {
      clearTimeout(deadline);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
process.on('SIGINT', () => shutDown('SIGINT'));
process.on('SIGTERM', () => shutDown('SIGTERM'));
