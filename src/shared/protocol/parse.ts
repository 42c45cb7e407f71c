import * as v from 'valibot';
import { socketError, type ErrorMessage } from './errors.ts';

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorMessage };

/** `type: expected …` style summary of the first validation issue, for the error message. */
function describeIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  if (issue === undefined) return 'invalid message';
  const path = issue.path?.map((item) => String(item.key)).join('.') ?? '';
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/**
 * Parses a client's text message as JSON and validates it against `schema`
 * (a variant on `type`). Returns the typed value, or the error message to
 * send back, which names the problem: not JSON, no or unknown `type`, or
 * the first field that is wrong.
 */
export function parseClientMessage<TSchema extends v.GenericSchema>(
  schema: TSchema,
  knownTypes: readonly string[],
  raw: string,
): ParseResult<v.InferOutput<TSchema>> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return { ok: false, error: socketError('INVALID_JSON', error instanceof Error ? error.message : String(error)) };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, error: socketError('INVALID_MESSAGE', 'expected a JSON object with a "type" field') };
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return { ok: false, error: socketError('INVALID_MESSAGE', 'missing "type" field') };
  }
  if (!knownTypes.includes(type)) {
    return { ok: false, error: socketError('UNKNOWN_TYPE', `"${type.slice(0, 40)}"; expected one of ${knownTypes.join(', ')}`) };
  }
  const result = v.safeParse(schema, json);
  if (!result.success) return { ok: false, error: socketError('INVALID_MESSAGE', describeIssue(result.issues)) };
  return { ok: true, value: result.output };
}

/**
 * Parses a server's text message for a page's store: the typed value, or
 * null when it is not JSON or not in `schema` (a store ignores what it cannot
 * read rather than answer a server).
 */
export function parseServerMessage<TSchema extends v.GenericSchema>(schema: TSchema, raw: string): v.InferOutput<TSchema> | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const result = v.safeParse(schema, json);
  return result.success ? result.output : null;
}
