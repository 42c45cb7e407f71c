/**
 * Reading numbers and choices from a handshake's query string. Each reader
 * returns the value or a refusal whose message names the parameter, what it
 * received and what is allowed, for `Route.check()` to send as HTTP 400.
 */
import type { HandshakeRefusal } from './route.ts';

export type ParamResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: HandshakeRefusal };

function refuse(message: string): { ok: false; refusal: HandshakeRefusal } {
  return { ok: false, refusal: { status: 400, message } };
}

/**
 * A whole number from `min` to `max` (or exactly one of `also`, e.g. `0`
 * for "off"); `bounds.default` when the parameter is absent.
 */
export function integerParam(
  url: URL,
  name: string,
  bounds: { readonly min: number; readonly max: number; readonly default: number; readonly also?: readonly number[] },
): ParamResult<number> {
  const text = url.searchParams.get(name);
  if (text === null) return { ok: true, value: bounds.default };
  const value = Number(text);
  const allowed = `${(bounds.also ?? []).map((extra) => `${String(extra)} or `).join('')}${String(bounds.min)}–${String(bounds.max)}`;
  if (!/^\d+$/.test(text) || !((value >= bounds.min && value <= bounds.max) || (bounds.also ?? []).includes(value))) {
    return refuse(`${name} must be a whole number ${allowed}, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return { ok: true, value };
}

/** One of `choices`; `bounds.default` when the parameter is absent. */
export function choiceParam<T extends string>(url: URL, name: string, choices: readonly T[], fallback: T): ParamResult<T> {
  const text = url.searchParams.get(name);
  if (text === null) return { ok: true, value: fallback };
  if (!(choices as readonly string[]).includes(text)) {
    return refuse(`${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return { ok: true, value: text as T };
}
