/**
 * The terminal grader: `npm run grade -- <ws-url> [--suite handshake,echo,chat,heartbeat] [--json]`.
 * Checks a WebSocket server a student wrote, in any language, from the
 * outside; exits 0 when every check passed, 1 when one failed, 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { SUITE_NAMES, type SuiteName } from './check.ts';
import { GRADE_DEFAULTS, grade, urlProblem, type GradeReport } from './grade.ts';
import { formatJson, formatResult, formatSummary } from './report.ts';
import { SUITES } from './suites/index.ts';

function usage(): string {
  return [
    'Usage: npm run grade -- <ws-url> [--suite handshake,echo,chat,heartbeat] [--json] [--ca cert.pem]',
    '',
    'Suites:',
    ...SUITE_NAMES.map((name) => `  ${name.padEnd(10)} ${SUITES[name].summary} (${String(SUITES[name].checkNames.length)} checks)`),
    '',
    `Default suites: ${GRADE_DEFAULTS.suites.join(',')}. Each answer is awaited ${String(GRADE_DEFAULTS.answerTimeoutMs / 1000)} s at most, the whole run ${String(GRADE_DEFAULTS.overallTimeoutMs / 1000)} s;`,
    `at most ${String(GRADE_DEFAULTS.maxConnections)} connections are open at once, to the given URL only.`,
    'For wss:// with a self-signed certificate, --ca <file> trusts it (PEM).',
    'Exit code: 0 when every check passed, 1 when one failed, 2 on bad usage.',
    '',
    'Examples:',
    '  npm run grade -- ws://127.0.0.1:9001 --suite echo',
    '  npm run grade -- ws://127.0.0.1:8080/ws/chat/grader --suite chat --json',
  ].join('\n');
}

interface Parsed {
  readonly url: string;
  readonly suites: readonly SuiteName[];
  readonly json: boolean;
  readonly ca: string | null;
}

function parse(argv: readonly string[]): Parsed | string {
  let url: string | null = null;
  let suites: readonly SuiteName[] = GRADE_DEFAULTS.suites;
  let json = false;
  let ca: string | null = null;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '--json') {
      json = true;
    } else if (arg === '--suite' || arg.startsWith('--suite=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++index];
      if (value === undefined || value === '') return '--suite needs a list such as handshake,echo';
      const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
      const unknown = names.filter((name) => !(SUITE_NAMES as readonly string[]).includes(name));
      if (unknown.length > 0) return `unknown suite ${unknown.map((name) => `"${name}"`).join(', ')}; expected some of ${SUITE_NAMES.join(', ')}`;
      suites = names as SuiteName[];
    } else if (arg === '--ca' || arg.startsWith('--ca=')) {
      const file = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++index];
      if (file === undefined || file === '') return '--ca needs the file of a PEM certificate';
      try {
        ca = readFileSync(file, 'utf8');
      } catch (error) {
        return `--ca: cannot read ${file}: ${(error as Error).message}`;
      }
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) return `--ca: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`;
    } else if (arg.startsWith('-')) {
      return `unknown option ${arg}`;
    } else if (url === null) {
      url = arg;
    } else {
      return `one URL only, got ${url} and ${arg}`;
    }
  }
  if (url === null) return 'give the URL of your server, e.g. ws://127.0.0.1:9001';
  const problem = urlProblem(url);
  if (problem !== null) return problem;
  return { url, suites, json, ca };
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(usage());
  process.exit(0);
}
const parsed = parse(argv);
if (typeof parsed === 'string') {
  console.error(`${parsed}\n\n${usage()}`);
  process.exit(2);
}

let currentSuite: string | null = null;
if (!parsed.json) console.log(`Grading ${parsed.url}: ${parsed.suites.join(', ')}`);
const report: GradeReport = await grade({
  url: parsed.url,
  suites: parsed.suites,
  ca: parsed.ca,
  onResult(result) {
    if (parsed.json) return;
    if (result.suite !== currentSuite) {
      currentSuite = result.suite;
      console.log(`\n${result.suite}: ${SUITES[result.suite].summary}`);
    }
    for (const line of formatResult(result)) console.log(line);
  },
});
console.log(parsed.json ? formatJson(report) : `\n${formatSummary(report)}`);
process.exit(report.failed === 0 ? 0 : 1);
