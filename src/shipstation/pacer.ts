/**
 * The one place where ShipStation call pacing and retry timing live.
 *
 * ShipStation v1 allows 40 requests per minute per API key and reports the window on every
 * response (https://www.shipstation.com/docs/api/requirements/#api-rate-limits):
 *   X-Rate-Limit-Limit      requests allowed per window
 *   X-Rate-Limit-Remaining  requests left in the current window
 *   X-Rate-Limit-Reset      seconds until the next window begins
 * Over the limit it answers 429. We send freely while the server says requests remain, and
 * once it says none remain we wait for the reset instead of finding out with a 429. The key
 * may be shared with other tools, so the server's numbers win over our own counting.
 */

export interface RateBudget {
  /** X-Rate-Limit-Limit from the last response; undefined before the first call. */
  limit: number | undefined;
  /** Requests left in the current window as far as we know (server value minus calls in flight). */
  remaining: number | undefined;
  /** Epoch ms (from the pacer's clock) when the current window ends; undefined when unknown. */
  resetAt: number | undefined;
}

export interface PacerOptions {
  /** Epoch ms. Injected in tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Calls in flight at once. ShipStation counts per key, so more than 2 gains nothing. */
  maxConcurrent?: number;
  /** Extra wait after the announced reset, for clock skew and rounding. */
  resetMarginMs?: number;
  /** Wait used after a 429 that names no reset (one ShipStation window). */
  fallbackWindowMs?: number;
}

export type HeaderBag = Record<string, unknown> | { get?: unknown };

export interface Pacer {
  /** Runs `fn` when a slot is free and the window has budget left. */
  schedule<T>(fn: () => Promise<T>): Promise<T>;
  /** Feeds the rate-limit headers (and status) of every response, errors included. */
  observe(headers: HeaderBag, status: number): void;
  budget(): RateBudget;
}

export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function header(headers: HeaderBag, name: string): string | undefined {
  const h = headers as Record<string, unknown> & { get?: (n: string) => unknown };
  let raw: unknown;
  if (typeof h.get === 'function') raw = h.get(name);
  else {
    const key = Object.keys(h).find((k) => k.toLowerCase() === name);
    raw = key === undefined ? undefined : h[key];
  }
  if (raw === undefined || raw === null) return undefined;
  return Array.isArray(raw) ? String(raw[0]) : String(raw);
}

function numberHeader(headers: HeaderBag, name: string): number | undefined {
  const v = header(headers, name);
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Parsed rate-limit headers of one response. Pure. */
export function readRateHeaders(headers: HeaderBag): { limit?: number; remaining?: number; resetSeconds?: number; retryAfterSeconds?: number } {
  const out: { limit?: number; remaining?: number; resetSeconds?: number; retryAfterSeconds?: number } = {};
  const limit = numberHeader(headers, 'x-rate-limit-limit');
  const remaining = numberHeader(headers, 'x-rate-limit-remaining');
  const reset = numberHeader(headers, 'x-rate-limit-reset');
  const retryAfter = numberHeader(headers, 'retry-after');
  if (limit !== undefined) out.limit = limit;
  if (remaining !== undefined) out.remaining = remaining;
  if (reset !== undefined) out.resetSeconds = reset;
  if (retryAfter !== undefined) out.retryAfterSeconds = retryAfter;
  return out;
}

/**
 * Backoff before retry number `attempt` (0-based): exponential from `baseMs`, capped, with
 * "equal jitter" (half fixed, half random) so parallel clients do not retry in step. Pure.
 */
export function retryDelayMs(attempt: number, baseMs: number, capMs: number, random: number): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(exp / 2 + (exp / 2) * Math.min(1, Math.max(0, random)));
}

/** Creates a pacer for one ShipStation API key. */
export function createPacer(opts: PacerOptions = {}): Pacer {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const maxConcurrent = Math.max(1, opts.maxConcurrent ?? 1);
  const margin = opts.resetMarginMs ?? 100;
  const fallbackWindowMs = opts.fallbackWindowMs ?? 60_000;

  let limit: number | undefined;
  /** Server's remaining count minus the calls we started since it was reported. */
  let remaining: number | undefined;
  let resetAt: number | undefined;
  let inFlight = 0;
  let pumping = false;
  const waiting: Array<() => void> = [];

  function waitMs(): number {
    if (remaining === undefined || remaining > 0) return 0;
    if (resetAt === undefined) return 0;
    const left = resetAt + margin - now();
    if (left > 0) return left;
    // The window is over; the next response tells us the new numbers.
    remaining = undefined;
    resetAt = undefined;
    return 0;
  }

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (waiting.length > 0 && inFlight < maxConcurrent) {
        const wait = waitMs();
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        inFlight += 1;
        if (remaining !== undefined) remaining -= 1;
        waiting.shift()!();
      }
    } finally {
      pumping = false;
    }
  }

  return {
    async schedule<T>(fn: () => Promise<T>): Promise<T> {
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        void pump();
      });
      try {
        return await fn();
      } finally {
        inFlight -= 1;
        void pump();
      }
    },

    observe(headers: HeaderBag, status: number): void {
      const h = readRateHeaders(headers);
      const t = now();
      if (h.limit !== undefined) limit = h.limit;
      if (status === 429) {
        const seconds = h.resetSeconds ?? h.retryAfterSeconds;
        remaining = 0;
        resetAt = t + (seconds !== undefined ? seconds * 1000 : fallbackWindowMs);
        return;
      }
      if (h.remaining === undefined) return;
      const newResetAt = h.resetSeconds !== undefined ? t + h.resetSeconds * 1000 : resetAt;
      // Other calls still in flight will each use one more request of this window.
      const server = Math.max(0, h.remaining - (inFlight - 1));
      const sameWindow =
        resetAt !== undefined && resetAt > t && newResetAt !== undefined && Math.abs(newResetAt - resetAt) < 1_500;
      // A late answer from earlier in the same window must not raise what is left.
      remaining = sameWindow && remaining !== undefined ? Math.min(remaining, server) : server;
      resetAt = newResetAt;
    },

    budget(): RateBudget {
      return { limit, remaining, resetAt };
    },
  };
}
