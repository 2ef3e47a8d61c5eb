/**
 * ShipStation v1 allows 40 requests per minute per API key and reports the window in
 * `X-Rate-Limit-Limit` / `-Remaining` / `-Reset` (seconds until the next window begins)
 * on every response (https://www.shipstation.com/docs/api/requirements/#api-rate-limits).
 *
 * The window is fixed: it opens with the first request after the previous one ended.
 * To speed tests and the sandbox up we keep the 40-request limit and shrink the window
 * (60 s / scale) so the header values a client sees stay realistic.
 */

export interface RateWindowState {
  limit: number;
  remaining: number;
  /** Whole seconds until the window resets; ShipStation sends integers, so this rounds up. */
  resetSeconds: number;
}

export interface RateDecision extends RateWindowState {
  allowed: boolean;
}

interface Window {
  startedAt: number;
  used: number;
}

/** Fixed-window counter per key, with an injected clock (epoch ms). */
export class FixedRateWindow {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: () => number,
  ) {}

  /** Counts one request for `key` and says whether it is within the limit. */
  take(key: string): RateDecision {
    const now = this.clock();
    const w = this.current(key, now, true)!;
    const allowed = w.used < this.limit;
    if (allowed) w.used += 1;
    return { allowed, ...this.describe(w, now) };
  }

  /** The state of `key`'s window without counting a request. */
  peek(key: string): RateWindowState {
    const now = this.clock();
    const w = this.current(key, now, false);
    if (!w) return { limit: this.limit, remaining: this.limit, resetSeconds: Math.ceil(this.windowMs / 1000) };
    return this.describe(w, now);
  }

  reset(): void {
    this.windows.clear();
  }

  private current(key: string, now: number, open: boolean): Window | undefined {
    let w = this.windows.get(key);
    if (w && now - w.startedAt >= this.windowMs) {
      this.windows.delete(key);
      w = undefined;
    }
    if (!w && open) {
      w = { startedAt: now, used: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  private describe(w: Window, now: number): RateWindowState {
    const leftMs = Math.max(0, w.startedAt + this.windowMs - now);
    return {
      limit: this.limit,
      remaining: Math.max(0, this.limit - w.used),
      resetSeconds: Math.max(1, Math.ceil(leftMs / 1000)),
    };
  }
}
