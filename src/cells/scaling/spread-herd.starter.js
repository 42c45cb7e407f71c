const DRAIN = { firstMs: 1000, maxMs: 30_000 };

/**
 * How long a client waits before reconnection attempt `attempt` (1 is the
 * first, right after its server closed with 1012), with "full jitter": a
 * random wait between 0 and min(maxMs, firstMs × 2^(attempt − 1)).
 * `random()` is in [0, 1).
 */
function reconnectDelay(attempt, options = DRAIN, random = Math.random) {
  return Math.min(options.maxMs, options.firstMs * 2 ** (attempt - 1));
}

// 1,000 clients closed at once: their first attempts, counted per 100 ms.
const firstAttempts = new Array(12).fill(0);
for (let client = 0; client < 1000; client++) firstAttempts[Math.min(11, Math.floor(reconnectDelay(1) / 100))] += 1;
firstAttempts;
