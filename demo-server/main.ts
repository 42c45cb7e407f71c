/**
 * The demo server's process: reads flags and environment, listens, prints
 * where to point a browser, logs one line per connection, and shuts down
 * gracefully (close 1001 to every client) on SIGINT and SIGTERM.
 */
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { parseCliOptions, USAGE } from './flags.ts';
import type { DemoServer } from './http/server.ts';
import type { TlsCredentials } from './options.ts';
import { CLASSROOM_PATHS } from '../src/shared/protocol/classroom-paths.ts';
import { teacherTokenIn } from './routes/classroom/options.ts';

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

// The server's modules load only once the flags are good: a typo is refused at once.
const [{ createDemoServer }, { loadCertificate, makeSelfSignedCertificate }, { clusterAdminFromEnv }] = await Promise.all([
  import('./http/server.ts'),
  import('./http/tls.ts'),
  import('./http/cluster-admin.ts'),
]);

let server: DemoServer;
let tls: TlsCredentials | null = null;
try {
  tls = options.tls === null ? null : options.tls.kind === 'files' ? await loadCertificate(options.tls.cert, options.tls.key) : await makeSelfSignedCertificate();
} catch (error) {
  // openssl missing or failing, an unreadable file, a key that does not match its certificate: one line, no stack.
  console.error(`TLS: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const classroomDir = options.classroom === null ? null : resolve(options.classroom.dataDir);
let teacherToken = '';
try {
  // Class mode: the token is kept in the data folder, so an open dashboard survives a restart.
  if (classroomDir !== null) teacherToken = teacherTokenIn(classroomDir);
  const classroom = options.classroom === null || classroomDir === null ? null : { dataDir: classroomDir, teacherToken, hideSolutions: options.classroom.hideSolutions };
  server = createDemoServer({
    ...options.server,
    tls,
    classroom,
    // Set only by npm run cluster (chapter 11's stop and drain actions).
    clusterAdmin: clusterAdminFromEnv(process.env),
    staticDir: resolve(options.siteDir),
    log: options.quiet ? null : (line) => console.log(line),
  });
} catch (error) {
  // An unusable data folder, or one another server holds: one line, no stack.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
const scheme = options.tls === null ? 'http' : 'https';

try {
  const address = await server.listen(options.port, options.host);
  const port = String(address.port);
  const wildcard = options.host === '0.0.0.0' || options.host === '::';
  console.log(`Socketbook is running at ${scheme}://localhost:${port}/`);
  if (wildcard) {
    const lan = lanAddresses();
    if (lan.length === 0) console.log('No LAN address found: students can only connect from this machine.');
    for (const ip of lan) console.log(`Share with your class:  ${scheme}://${ip}:${port}/`);
  } else if (options.host !== '127.0.0.1' && options.host !== 'localhost') {
    console.log(`Listening on ${scheme}://${options.host}:${port}/`);
  } else {
    console.log('Only this machine can connect. For a classroom, start with --host 0.0.0.0.');
  }
  if (classroomDir !== null) {
    const teacherHost = wildcard ? 'localhost' : options.host.includes(':') ? `[${options.host}]` : options.host;
    console.log(`Class mode: progress is kept in ${classroomDir} (--data-dir).`);
    console.log(`Teacher dashboard: ${scheme}://${teacherHost}:${port}${CLASSROOM_PATHS.dashboard}#token=${teacherToken}`);
    console.log('Keep that link to yourself: it opens every student\'s progress.');
  }
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    console.error(`Port ${String(options.port)} is already in use. Stop the other program or choose another port: npm start -- --port 8081`);
  } else {
    console.error(`Could not listen on ${options.host}:${String(options.port)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}

// Chapter 10's attacker page, on its own port (another origin). The default
// port (site + 1) is skipped with a warning when busy, so `npm start` still
// runs; a port asked for with --attacker-port must be free.
if (options.attacker === null) {
  const lan = options.host !== '127.0.0.1' && options.host !== 'localhost' && !options.attackerOnLan;
  if (lan) console.log('Attacker page (chapter 10) off: --host is not loopback; add --attacker-on-lan to serve it to the LAN too.');
} else {
  try {
    const attacker = String((await server.listenAttacker(options.attacker.port, options.host, { onLan: options.attackerOnLan })).port);
    const ipv4Loopback = options.host === 'localhost' || /^127\./.test(options.host);
    const wildcard = options.host === '0.0.0.0' || options.host === '::';
    if (ipv4Loopback || wildcard) console.log(`Attacker page (chapter 10, demo): http://localhost:${attacker}/ and http://127.0.0.1:${attacker}/`);
    else console.log(`Attacker page (chapter 10, demo): http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${attacker}/`);
    if (wildcard) for (const ip of lanAddresses()) console.log(`Attacker page on the LAN (--attacker-on-lan): http://${ip}:${attacker}/`);
  } catch (error) {
    const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    const why = busy ? `port ${String(options.attacker.port)} is already in use` : error instanceof Error ? error.message : String(error);
    if (options.attacker.explicit) {
      console.error(`Could not serve the attacker page: ${why}. Choose another with --attacker-port <n>, or 0 to turn it off.`);
      await server.close();
      process.exit(1);
    }
    console.warn(`Attacker page (chapter 10) off: ${why}; choose a port with --attacker-port <n>.`);
  }
}
console.log('Press Ctrl+C to stop.');

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
