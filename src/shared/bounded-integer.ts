/**
 * A whole number someone else chooses (a flag, a query parameter, an option,
 * a lab's form field), declared once per quantity as a `BoundedInteger` and
 * read with `readBoundedInteger()`, so a range such as the credit window's
 * 1–1000 is written in one place and every refusal reads the same way:
 * `--port must be a whole number from 0 to 65535, got "eighty"`.
 */
export interface BoundedInteger {
  /** What the message calls it: `--port`, `latencyMs`, `creditWindow`. */
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Unit in words, for messages: `ms`, `bytes`. */
  readonly unit?: string;
  /** When true, `0` is also accepted and means "off" (below `min`). */
  readonly zeroMeansOff?: boolean;
}

export type IntegerReading = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

/** `0 (off) or 200–60000`, `1–1000`: the allowed values in a few characters, for usage texts and the reference. */
export function integerRange(spec: BoundedInteger): string {
  const range = `${String(spec.min)}–${String(spec.max)}`;
  return spec.zeroMeansOff === true ? `0 (off) or ${range}` : range;
}

/** Whether `value` is a whole number `spec` allows. */
export function isAllowedInteger(spec: BoundedInteger, value: number): boolean {
  return Number.isSafeInteger(value) && ((value >= spec.min && value <= spec.max) || (spec.zeroMeansOff === true && value === 0));
}

/** `must be a whole number from 1 to 1000, got 0`: why `received` (as written) is refused. */
function refusal(spec: BoundedInteger, received: string): string {
  const off = spec.zeroMeansOff === true ? '0 (off) or ' : '';
  const unit = spec.unit === undefined ? '' : ` ${spec.unit}`;
  return `${spec.name} must be ${off}a whole number from ${String(spec.min)} to ${String(spec.max)}${unit}, got ${received}`;
}

/**
 * Reads `input` as `spec` allows: text must be plain decimal digits (no
 * sign, exponent, fraction or spaces), a number must be a whole one.
 * Anything else is a message naming the quantity, its range and what was
 * received (text quoted, cut to 40 characters).
 */
export function readBoundedInteger(spec: BoundedInteger, input: string | number): IntegerReading {
  if (typeof input === 'number') {
    return isAllowedInteger(spec, input) ? { ok: true, value: input } : { ok: false, message: refusal(spec, String(input)) };
  }
  const value = /^\d{1,16}$/.test(input) ? Number(input) : Number.NaN;
  return isAllowedInteger(spec, value) ? { ok: true, value } : { ok: false, message: refusal(spec, JSON.stringify(input.slice(0, 40))) };
}

/** `readBoundedInteger()` for settings given at start-up: the value, or a `TypeError` with the message. */
export function requireBoundedInteger(spec: BoundedInteger, input: string | number): number {
  const read = readBoundedInteger(spec, input);
  if (!read.ok) throw new TypeError(read.message);
  return read.value;
}
