// Predict before you write: with BACKOFF below, what is the longest a
// client can wait before attempt 6? Commit to a number of ms.
const prediction = { longestBeforeAttempt6Ms: null };

const BACKOFF = { firstMs: 500, factor: 2, maxMs: 8000, jitter: 0.3 };

/**
 * How long to wait before reconnection attempt `attempt` (1 = the first
 * retry after a failure): firstMs, multiplied by factor for each attempt
 * after the first, capped at maxMs, then scaled by a random factor
 * between 1 - jitter and 1 + jitter. `random()` is in [0, 1).
 */
function backoffDelay(attempt, options = BACKOFF, random = Math.random) {
  return options.firstMs;
}

// Three clients' waits before their first six attempts, in ms.
for (let client = 1; client <= 3; client++) {
  const attempts = [1, 2, 3, 4, 5, 6];
  display(attempts.map((attempt) => Math.round(backoffDelay(attempt))));
}
