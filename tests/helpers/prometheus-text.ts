/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4), for
 * tests: it throws on any line a Prometheus server would reject, so a test
 * that parses a scrape also checks its format.
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
/** A label value: any characters, with `\\`, `\"` and `\n` escaped. */
const LABEL = `(${LABEL_NAME})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL}(?:,${LABEL})*)?,?)\\})? (\\S+)(?: (-?\\d+))?$`);
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * A sample value as Prometheus reads it (Go's strconv.ParseFloat): special
 * values in any case, so prom-client's `Nan` (an event-loop mean before any
 * sample) is NaN.
 */
function parseValue(text: string, line: string): number {
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a sample value: ${JSON.stringify(text)} in ${JSON.stringify(line)}`);
  return value;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(new RegExp(LABEL, 'g'))) {
    const [, name = '', raw = ''] = match;
    if (name in labels) throw new Error(`label ${name} given twice in {${text}}`);
    labels[name] = raw.replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
  }
  return labels;
}

/** The family a sample belongs to: `x_bucket`, `x_sum`, `x_count` belong to histogram `x`. */
function familyOf(sampleName: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  const exact = families.get(sampleName);
  if (exact !== undefined) return exact;
  const base = sampleName.replace(/_(bucket|sum|count)$/, '');
  const family = families.get(base);
  return family !== undefined && (family.type === 'histogram' || family.type === 'summary') ? family : undefined;
}

/** Parses a scrape; throws, naming the line, on anything outside the format. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, MetricFamily>();
  const help = new Map<string, string>();
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (comment !== null) {
      const [, kind, name = '', rest = ''] = comment;
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`bad metric name in ${JSON.stringify(line)}`);
      if (kind === 'HELP') {
        help.set(name, rest);
        continue;
      }
      if (families.has(name)) throw new Error(`a second TYPE line for ${name}`);
      if (!TYPES.has(rest as MetricType)) throw new Error(`unknown type in ${JSON.stringify(line)}`);
      families.set(name, { name, help: help.get(name) ?? '', type: rest as MetricType, samples: [] });
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const name = match[1] ?? '';
    const family = familyOf(name, families);
    if (family === undefined) throw new Error(`sample ${name} comes before (or without) the TYPE line of its metric`);
    const valueText = match.at(-2) ?? '';
    family.samples.push({ name, labels: parseLabels(match[2] ?? ''), value: parseValue(valueText, line) });
  }
  return families;
}

/**
 * The value of the one sample named `name` whose labels include `labels`;
 * throws when there is none or more than one.
 */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Readonly<Record<string, string>> = {}): number {
  const family = familyOf(name, families);
  const matching = (family?.samples ?? []).filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  if (matching.length !== 1) throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${String(matching.length)}`);
  return matching[0]?.value ?? NaN;
}
