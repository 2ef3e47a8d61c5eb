import Bottleneck from 'bottleneck';

/** The SP-API operations Dockhand calls; each has its own usage plan at Amazon. */
export type AmazonOperation = 'searchOrders' | 'getOrder' | 'confirmShipment';
export const AMAZON_OPERATIONS: readonly AmazonOperation[] = ['searchOrders', 'getOrder', 'confirmShipment'];

/** Amazon's token-bucket usage plan: `burst` tokens, refilled at `ratePerSecond`. */
export interface UsagePlan {
  ratePerSecond: number;
  burst: number;
}

/**
 * Published defaults ("Usage Plan" tables): searchOrders and getOrder in
 * orders_2026-01-01.json, confirmShipment in ordersV0.json. A seller may get more; the
 * x-amzn-RateLimit-Limit header on each response tells us the rate actually applied.
 */
export const DEFAULT_USAGE_PLANS: Readonly<Record<AmazonOperation, UsagePlan>> = {
  searchOrders: { ratePerSecond: 0.0056, burst: 20 },
  getOrder: { ratePerSecond: 0.5, burst: 30 },
  confirmShipment: { ratePerSecond: 2, burst: 10 },
};

/** What is left of an operation's budget, for progress display. */
export interface Budget {
  /** Whole tokens left in the bucket, as of the last look (may lag by one refill tick). */
  tokens: number;
  ratePerSecond: number;
  burst: number;
}

/**
 * Parses `x-amzn-RateLimit-Limit` (requests per second, e.g. "0.0056"). Returns undefined for
 * absent, non-numeric or non-positive values, which must not change our pacing.
 */
export function parseRateLimitHeader(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(v)) return undefined;
  const rate = Number(v);
  return rate > 0 && Number.isFinite(rate) ? rate : undefined;
}

/**
 * One refill step of a token bucket: `elapsedMs` at `ratePerSecond` earns fractional credit;
 * whole tokens are added up to `burst`, and credit earned while the bucket is full is lost (as
 * at Amazon). Pure, so the refill maths is table-tested apart from any timer.
 */
export function refillStep(input: {
  tokens: number;
  burst: number;
  credit: number;
  ratePerSecond: number;
  elapsedMs: number;
}): { add: number; credit: number } {
  const room = Math.max(0, input.burst - input.tokens);
  if (room === 0) return { add: 0, credit: 0 };
  const credit = input.credit + (input.ratePerSecond * Math.max(0, input.elapsedMs)) / 1000;
  const whole = Math.floor(credit);
  const add = Math.min(whole, room);
  return { add, credit: add === room ? 0 : credit - whole };
}

export interface RetryDelayInput {
  /** 1 for the first retry. */
  attempt: number;
  /** The operation's current refill rate. */
  ratePerSecond: number;
  /** true after a 429: the delay is then never shorter than one token's refill time. */
  throttled: boolean;
  /** A number in [0, 1); injected so tests are deterministic. */
  jitter: number;
  baseMs?: number;
  capMs?: number;
}

/**
 * Delay before retry number `attempt`: exponential from `baseMs`, capped at `capMs`, with the
 * upper half jittered so clients that failed together don't retry together. After a 429 it is
 * at least 1/rate, even above the cap: Amazon refills one token per 1/rate seconds, so trying
 * sooner can only be throttled again.
 */
export function nextRetryDelayMs({ attempt, ratePerSecond, throttled, jitter, baseMs = 500, capMs = 60_000 }: RetryDelayInput): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (Math.min(Math.max(jitter, 0), 1) * exp) / 2;
  const floor = throttled ? Math.ceil(1000 / ratePerSecond) : 0;
  return Math.round(Math.max(jittered, floor));
}

export interface PacerOptions {
  /** Starting plans; defaults to DEFAULT_USAGE_PLANS. */
  plans?: Partial<Record<AmazonOperation, UsagePlan>>;
  /** How often buckets are refilled. */
  tickMs?: number;
  /** Requests of one operation in flight at once. */
  maxConcurrent?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
}

export interface Pacer {
  /** Runs `fn` once a token for `op` is available (and any 429 hold has passed). */
  schedule<T>(op: AmazonOperation, fn: () => Promise<T>): Promise<T>;
  /** Adopts the rate Amazon reports for `op`. Returns true when it changed. */
  adoptRate(op: AmazonOperation, ratePerSecond: number): boolean;
  /** After a 429: empties `op`'s bucket and holds every `op` call for at least `holdMs`. */
  throttled(op: AmazonOperation, holdMs: number): void;
  budget(op: AmazonOperation): Budget;
  /** Like `budget`, but reads the bucket now rather than the last look. */
  readBudget(op: AmazonOperation): Promise<Budget>;
  /** Stops the refill timer and drops calls still waiting. */
  close(): Promise<void>;
}

interface Lane {
  limiter: Bottleneck;
  plan: UsagePlan;
  tokens: number;
  credit: number;
  lastRefill: number;
  holdUntil: number;
}

/**
 * A token bucket per SP-API operation, mirroring Amazon's usage plans so we rarely see a 429:
 * bottleneck's reservoir holds the tokens (starting at `burst`) and gates every call; our own
 * tick refills it at the plan's rate. We don't use bottleneck's reservoirIncrease* settings
 * because in 2.19.5 `updateSettings` stops their heartbeat for good (LocalDatastore
 * `_startHeartbeat` clears a running interval), and we must change the rate whenever Amazon's
 * x-amzn-RateLimit-Limit header does.
 */
export function createPacer(opts: PacerOptions = {}): Pacer {
  const clock = opts.clock ?? Date.now;
  const lanes = {} as Record<AmazonOperation, Lane>;
  for (const op of AMAZON_OPERATIONS) {
    const plan = { ...(opts.plans?.[op] ?? DEFAULT_USAGE_PLANS[op]) };
    const limiter = new Bottleneck({ maxConcurrent: opts.maxConcurrent ?? 4, reservoir: plan.burst });
    lanes[op] = { limiter, plan, tokens: plan.burst, credit: 0, lastRefill: clock(), holdUntil: 0 };
  }

  const look = async (lane: Lane): Promise<number> => {
    lane.tokens = Math.floor((await lane.limiter.currentReservoir()) ?? 0);
    return lane.tokens;
  };

  const refill = async (lane: Lane): Promise<void> => {
    const now = clock();
    // No refill during a 429 hold: the calls waiting out the hold already hold their tokens, and
    // Amazon's bucket refills meanwhile for exactly those. Refilling ours too would send both
    // at once when the hold ends, and be throttled again.
    if (now < lane.holdUntil) return;
    const tokens = await look(lane);
    const step = refillStep({ tokens, burst: lane.plan.burst, credit: lane.credit, ratePerSecond: lane.plan.ratePerSecond, elapsedMs: now - lane.lastRefill });
    lane.credit = step.credit;
    lane.lastRefill = now;
    if (step.add === 0) return;
    // A call may have taken a token between the read and this write; incrementReservoir is
    // relative, so the worst case is one token over burst, which we take straight back.
    const after = await lane.limiter.incrementReservoir(step.add);
    if (after > lane.plan.burst) await lane.limiter.incrementReservoir(lane.plan.burst - after);
    lane.tokens = Math.min(after, lane.plan.burst);
  };

  const ticker = setInterval(() => {
    for (const op of AMAZON_OPERATIONS) void refill(lanes[op]);
  }, opts.tickMs ?? 100);
  ticker.unref();

  const snapshot = (lane: Lane): Budget => ({ tokens: lane.tokens, ratePerSecond: lane.plan.ratePerSecond, burst: lane.plan.burst });

  return {
    schedule(op, fn) {
      const lane = lanes[op];
      return lane.limiter.schedule(async () => {
        lane.tokens = Math.max(0, lane.tokens - 1);
        const hold = lane.holdUntil - clock();
        if (hold > 0) await new Promise((r) => setTimeout(r, hold));
        return fn();
      });
    },
    adoptRate(op, ratePerSecond) {
      const lane = lanes[op];
      if (!(ratePerSecond > 0) || ratePerSecond === lane.plan.ratePerSecond) return false;
      lane.plan.ratePerSecond = ratePerSecond;
      return true;
    },
    throttled(op, holdMs) {
      const lane = lanes[op];
      lane.tokens = 0;
      lane.credit = 0;
      lane.holdUntil = Math.max(lane.holdUntil, clock() + holdMs);
      lane.lastRefill = lane.holdUntil;
      void lane.limiter.currentReservoir().then((r) => (r ? lane.limiter.incrementReservoir(-r) : r));
    },
    budget(op) {
      return snapshot(lanes[op]);
    },
    async readBudget(op) {
      const lane = lanes[op];
      await look(lane);
      return snapshot(lane);
    },
    async close() {
      clearInterval(ticker);
      await Promise.all(
        AMAZON_OPERATIONS.map((op) => lanes[op].limiter.stop({ dropWaitingJobs: true }).catch(() => undefined)),
      );
    },
  };
}
