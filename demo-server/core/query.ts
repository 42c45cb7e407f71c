import type { HandshakeRefusal } from './route.ts';

/** A query parameter read and checked: its value, or the HTTP 400 that refuses the handshake. */
export type QueryValue<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: HandshakeRefusal };

function refuse(message: string): { ok: false; refusal: HandshakeRefusal } {
  return { ok: false, refusal: { status: 400, message } };
}

/**
 * Reads `?name=` as a whole number within `min`–`max`; `fallback` when
 * absent. Anything else is a 400 naming the parameter, the range and what
 * was received.
 */
export function integerParam<T extends number | null>(url: URL, name: string, min: number, max: number, fallback: T): QueryValue<number | T> {
  const text = url.searchParams.get(name);
  if (text === null) return { ok: true, value: fallback };
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    return refuse(`${name} must be a whole number from ${String(min)} to ${String(max)}, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return { ok: true, value };
}

/** Reads `?name=` as one of `allowed`; `null` when absent, a 400 when not allowed. */
export function choiceParam<T extends string>(url: URL, name: string, allowed: readonly T[]): QueryValue<T | null> {
  const text = url.searchParams.get(name);
  if (text === null) return { ok: true, value: null };
  if (!(allowed as readonly string[]).includes(text)) {
    return refuse(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return { ok: true, value: text as T };
}
