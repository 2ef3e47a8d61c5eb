/**
 * A token bucket as SP-API usage plans describe it: `burst` requests may arrive at once, and
 * the bucket refills at `ratePerSecond`. Time comes from the caller so tests can use a fake
 * clock. https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.last = nowMs;
  }

  /** Takes one token if available; returns whether the request may proceed. */
  tryTake(nowMs: number): boolean {
    // A clock that steps backwards (fake clocks in tests) must not drain the bucket.
    const elapsed = Math.max(0, nowMs - this.last) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerSecond);
    this.last = Math.max(this.last, nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Whole tokens left right now (for diagnostics). */
  available(nowMs: number): number {
    const elapsed = Math.max(0, nowMs - this.last) / 1000;
    return Math.floor(Math.min(this.burst, this.tokens + elapsed * this.ratePerSecond));
  }
}
