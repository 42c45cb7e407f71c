/**
 * Reading numbers and choices from a handshake's query string. Each reader
 * returns the value or a refusal whose message names the parameter, what it
 * received and what is allowed, for `Route.check()` to send as HTTP 400.
 */
import { readBoundedInteger, type BoundedInteger } from '../../src/shared/bounded-integer.ts';
import { refuse, type Checked } from './route.ts';

/**
 * `?<spec.name>=` as a whole number `spec` allows (see
 * `src/shared/bounded-integer.ts`); `fallback` when the parameter is absent.
 */
export function integerParam<T extends number | null>(url: URL, spec: BoundedInteger, fallback: T): Checked<number | T> {
  const text = url.searchParams.get(spec.name);
  if (text === null) return { ok: true, value: fallback };
  const read = readBoundedInteger(spec, text);
  return read.ok ? { ok: true, value: read.value } : refuse(read.message);
}

/** `?name=` as one of `choices`; `fallback` when absent. */
export function choiceParam<T extends string, F extends T | null>(url: URL, name: string, choices: readonly T[], fallback: F): Checked<T | F> {
  const text = url.searchParams.get(name);
  if (text === null) return { ok: true, value: fallback };
  if (!(choices as readonly string[]).includes(text)) {
    return refuse(`${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return { ok: true, value: text as T };
}
