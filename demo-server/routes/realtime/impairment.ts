/**
 * A network impairment the demo server plays for `/ws/realtime`: each
 * sample is held back by a fixed delay plus random jitter, and periodic
 * stalls hold back everything. Pure functions of time, so they are tested
 * without waiting.
 */

export interface Impairment {
  /** Added to every sample. */
  readonly delayMs: number;
  /** Up to this much more, uniformly at random, per sample. */
  readonly jitterMs: number;
  /** A stall starts every this many ms; `0` means no stalls. */
  readonly stallEveryMs: number;
  /** Each stall lasts this long; less than `stallEveryMs`. */
  readonly stallForMs: number;
}

/**
 * The stall holding time `at`, as `[start, end)`, or `null` when `at` is not
 * in one. Stalls take the last `stallForMs` of each `stallEveryMs` period
 * counted from `originAt`, so the first starts `stallEveryMs - stallForMs`
 * after the origin and each ends on a whole period.
 */
export function stallAt(at: number, impairment: Impairment, originAt: number): readonly [number, number] | null {
  const { stallEveryMs, stallForMs } = impairment;
  if (stallEveryMs === 0 || stallForMs === 0 || at < originAt) return null;
  const periodEnd = originAt + (Math.floor((at - originAt) / stallEveryMs) + 1) * stallEveryMs;
  const stallStart = periodEnd - stallForMs;
  return at >= stallStart ? [stallStart, periodEnd] : null;
}

/**
 * When a sample produced at `producedAt` may leave: after the delay and a
 * random share of the jitter; never before the previous sample
 * (`previousReleaseAt`), because one TCP connection delivers in order and a
 * late segment holds up those behind it; and, if that falls in a stall, when
 * the stall ends. `random` returns a number in [0, 1).
 */
export function releaseTime(
  producedAt: number,
  previousReleaseAt: number,
  impairment: Impairment,
  stallOriginAt: number,
  random: () => number = Math.random,
): number {
  const jittered = producedAt + impairment.delayMs + random() * impairment.jitterMs;
  const inOrder = Math.max(jittered, previousReleaseAt);
  return stallAt(inOrder, impairment, stallOriginAt)?.[1] ?? inOrder;
}
