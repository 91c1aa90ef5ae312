/** A per-key token bucket: `perMinute` commands, refilled evenly, bursting up to `perMinute`. */
export interface RateLimiter {
  /** Takes one token for `key`; returns 0 when allowed, else how many ms until one is available. */
  take(key: string, nowMs: number): number;
}

/** Creates a rate limiter that forgets idle keys, so memory stays bounded by the number of active users. */
export function createRateLimiter(perMinute: number): RateLimiter {
  const refillPerMs = perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return {
    take(key, nowMs) {
      if (buckets.size > 10_000) {
        for (const [k, b] of buckets) if (b.tokens + (nowMs - b.atMs) * refillPerMs >= perMinute) buckets.delete(k);
      }
      const bucket = buckets.get(key) ?? { tokens: perMinute, atMs: nowMs };
      bucket.tokens = Math.min(perMinute, bucket.tokens + (nowMs - bucket.atMs) * refillPerMs);
      bucket.atMs = nowMs;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - bucket.tokens) / refillPerMs);
    },
  };
}
