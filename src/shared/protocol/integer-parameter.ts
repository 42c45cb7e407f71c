import * as v from 'valibot';
import type { QueryParamDoc } from './endpoint-doc.ts';
import { integerRange, isAllowedInteger } from '../bounded-integer.ts';

/**
 * A whole-number setting a client may choose, either as a query parameter at
 * the handshake or as a field of a control message: a `BoundedInteger`
 * (`../bounded-integer.ts`) with its names, default and description. One table entry drives
 * both checks, the error texts, the lab's input bounds and the reference
 * page, so the allowed range is written once.
 */
export interface IntegerParameter {
  /** Name in the query string, e.g. `delay`; absent for settings only messages carry. */
  readonly query?: string;
  /** Name in JSON messages, with its unit, e.g. `delayMs`. */
  readonly field: string;
  readonly min: number;
  readonly max: number;
  readonly defaultValue: number;
  /** Unit in words, for messages: `milliseconds`, `messages per second`. */
  readonly unit: string;
  /** When true, `0` is also accepted and means "off" (below `min`). */
  readonly zeroMeansOff?: boolean;
  readonly description: string;
}

/** `0 (off) or 1000–60000`, `1–100`: the allowed values in words. */
export function allowedRange(parameter: IntegerParameter): string {
  return integerRange({ ...parameter, name: parameter.field });
}

/**
 * Why `value` is not allowed for `parameter` (e.g. `must be an integer from
 * 1 to 100 (messages per second), got 500`), or `null` when it is.
 */
export function integerParameterProblem(parameter: IntegerParameter, value: unknown): string | null {
  if (typeof value === 'number' && isAllowedInteger({ ...parameter, name: parameter.field }, value)) return null;
  const range = parameter.zeroMeansOff === true ? `0 (off) or an integer from ${String(parameter.min)}` : `an integer from ${String(parameter.min)}`;
  return `must be ${range} to ${String(parameter.max)} (${parameter.unit}), got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
}

export type QueryValue = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

/**
 * Reads `parameter` from a query string: absent gives the default; anything
 * but a plain decimal integer in range gives a message naming the parameter
 * and its range, for an HTTP 400 at the handshake.
 */
export function readIntegerQuery(parameter: IntegerParameter & { readonly query: string }, searchParams: URLSearchParams): QueryValue {
  const raw = searchParams.get(parameter.query);
  if (raw === null) return { ok: true, value: parameter.defaultValue };
  const value = /^-?\d{1,9}$/.test(raw) ? Number(raw) : raw;
  const problem = integerParameterProblem(parameter, value);
  if (problem !== null) return { ok: false, message: `query parameter ${parameter.query} ${problem}` };
  return { ok: true, value: value as number };
}

/** The valibot schema of `parameter` as a message field; its error names the range. */
export function integerParameterSchema(parameter: IntegerParameter) {
  return v.pipe(
    v.number(),
    v.check(
      (value) => integerParameterProblem(parameter, value) === null,
      (issue) => integerParameterProblem(parameter, issue.input) ?? 'invalid value',
    ),
  );
}

/** The reference page's row for `parameter`. */
export function integerQueryDoc(parameter: IntegerParameter & { readonly query: string }): QueryParamDoc {
  return {
    name: parameter.query,
    description: `${parameter.description} (${parameter.unit}).`,
    default: String(parameter.defaultValue),
    allowed: allowedRange(parameter),
  };
}
