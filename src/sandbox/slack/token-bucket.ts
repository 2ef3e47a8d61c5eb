/**
 * A token bucket driven by an injected clock. Slack describes its limits as "per minute, with
 * occasional bursts" (https://api.slack.com/apis/rate-limits); a bucket models exactly that:
 * `burst` calls may arrive together, then one call per `1 / perSecond` seconds.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: () => number,
  ) {
    this.tokens = burst;
    this.last = clock();
  }

  /** Takes one token. Returns 0 when allowed, else the whole seconds to wait (Retry-After, >= 1). */
  take(): number {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }
}
