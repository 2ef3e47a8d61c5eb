import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_USAGE_PLANS,
  createPacer,
  nextRetryDelayMs,
  parseRateLimitHeader,
  refillStep,
  type Pacer,
} from '../../src/amazon/pacer';

describe('DEFAULT_USAGE_PLANS', () => {
  it('matches the usage plan tables in the specs', () => {
    expect(DEFAULT_USAGE_PLANS).toEqual({
      searchOrders: { ratePerSecond: 0.0056, burst: 20 },
      getOrder: { ratePerSecond: 0.5, burst: 30 },
      confirmShipment: { ratePerSecond: 2, burst: 10 },
    });
  });
});

describe('parseRateLimitHeader', () => {
  it.each([
    ['0.0056', 0.0056],
    ['2', 2],
    [' 0.5 ', 0.5],
    [['10.0'], 10],
    [undefined, undefined],
    ['', undefined],
    ['0', undefined],
    ['-1', undefined],
    ['fast', undefined],
    ['1e3', undefined],
  ] as const)('parses %j as %j', (value, rate) => {
    expect(parseRateLimitHeader(value as string | string[] | undefined)).toBe(rate);
  });
});

describe('refillStep', () => {
  it.each([
    // tokens, burst, credit, rate, elapsedMs -> add, credit
    [0, 20, 0, 0.0056, 100_000, 0, 0.56],
    [0, 20, 0.56, 0.0056, 100_000, 1, 0.12],
    [5, 30, 0, 0.5, 2000, 1, 0],
    [5, 30, 0, 0.5, 1000, 0, 0.5],
    [9, 10, 0.5, 2, 5000, 1, 0], // only one token of room; surplus credit is lost
    [10, 10, 0.9, 2, 5000, 0, 0], // a full bucket earns nothing
    [0, 30, 0, 500, 100, 30, 0], // a fast plan refills to burst in one tick
    [3, 10, 0.25, 1, -50, 0, 0.25], // a clock step backwards earns nothing
  ])('%d/%d tokens with %d credit at %d/s after %dms adds %d', (tokens, burst, credit, rate, elapsedMs, add, left) => {
    const step = refillStep({ tokens, burst, credit, ratePerSecond: rate, elapsedMs });
    expect(step.add).toBe(add);
    expect(step.credit).toBeCloseTo(left, 9);
  });
});

describe('nextRetryDelayMs', () => {
  it.each([
    // attempt, rate, throttled, jitter, expected
    [1, 0.5, false, 0, 250],
    [1, 0.5, false, 1, 500],
    [2, 0.5, false, 0.5, 750],
    [3, 0.5, false, 0, 1000],
    [20, 0.5, false, 1, 60_000], // capped
    [1, 0.5, true, 0, 2000], // a 429 waits a full token at 0.5/s
    [1, 10, true, 0, 250], // a fast plan: backoff dominates
    [5, 10, true, 1, 8000],
    [1, 0.0056, true, 0, 178572], // searchOrders: one token is ~3 minutes, above the cap
    [0, 2, false, 0, 250],
  ])('attempt %d at %d/s (throttled=%s, jitter=%d) waits %dms', (attempt, rate, throttled, jitter, expected) => {
    expect(nextRetryDelayMs({ attempt, ratePerSecond: rate, throttled, jitter })).toBe(expected);
  });

  it('honours base and cap', () => {
    expect(nextRetryDelayMs({ attempt: 4, ratePerSecond: 1, throttled: false, jitter: 1, baseMs: 10, capMs: 50 })).toBe(50);
    expect(nextRetryDelayMs({ attempt: 2, ratePerSecond: 1, throttled: false, jitter: 1, baseMs: 10 })).toBe(20);
  });
});

describe('createPacer', () => {
  let pacer: Pacer | undefined;
  afterEach(async () => {
    await pacer?.close();
    pacer = undefined;
  });

  it('spends one token per call from the burst', async () => {
    pacer = createPacer({ plans: { getOrder: { ratePerSecond: 0.001, burst: 3 } } });
    expect(pacer.budget('getOrder')).toEqual({ tokens: 3, ratePerSecond: 0.001, burst: 3 });
    await pacer.schedule('getOrder', async () => 'a');
    await pacer.schedule('getOrder', async () => 'b');
    expect((await pacer.readBudget('getOrder')).tokens).toBe(1);
    expect((await pacer.readBudget('searchOrders')).tokens).toBe(20);
  });

  it('waits for a refill when the bucket is empty', async () => {
    pacer = createPacer({ plans: { getOrder: { ratePerSecond: 20, burst: 1 } }, tickMs: 20 });
    const started: number[] = [];
    const t0 = Date.now();
    await Promise.all([0, 1, 2].map(() => pacer!.schedule('getOrder', async () => started.push(Date.now() - t0))));
    expect(started).toHaveLength(3);
    // two refills at 20/s take at least ~100ms; allow timer slack below, never above
    expect(Math.max(...started)).toBeGreaterThanOrEqual(80);
  });

  it('refills by the injected clock, not by wall time', async () => {
    let now = 1_000_000;
    pacer = createPacer({ plans: { getOrder: { ratePerSecond: 0.5, burst: 2 } }, tickMs: 5, clock: () => now });
    await pacer.schedule('getOrder', async () => undefined);
    await pacer.schedule('getOrder', async () => undefined);
    await new Promise((r) => setTimeout(r, 30));
    expect((await pacer.readBudget('getOrder')).tokens).toBe(0);
    now += 2000; // one token's worth at 0.5/s
    await vi.waitFor(async () => expect((await pacer!.readBudget('getOrder')).tokens).toBe(1));
    now += 60_000;
    await vi.waitFor(async () => expect((await pacer!.readBudget('getOrder')).tokens).toBe(2));
  });

  it('keeps refilling after the rate changes', async () => {
    pacer = createPacer({ plans: { getOrder: { ratePerSecond: 0.001, burst: 1 } }, tickMs: 10 });
    await pacer.schedule('getOrder', async () => undefined);
    pacer.adoptRate('getOrder', 100);
    await pacer.schedule('getOrder', async () => undefined);
    expect(pacer.budget('getOrder').ratePerSecond).toBe(100);
  });

  it('adopts a new rate only when it changes', () => {
    pacer = createPacer();
    expect(pacer.adoptRate('searchOrders', 0.0056)).toBe(false);
    expect(pacer.adoptRate('searchOrders', 5.6)).toBe(true);
    expect(pacer.adoptRate('searchOrders', 5.6)).toBe(false);
    expect(pacer.adoptRate('searchOrders', 0)).toBe(false);
    expect(pacer.budget('searchOrders').ratePerSecond).toBe(5.6);
  });

  it('empties the bucket and holds calls after a 429', async () => {
    pacer = createPacer({ plans: { confirmShipment: { ratePerSecond: 1000, burst: 10 } }, tickMs: 10 });
    pacer.throttled('confirmShipment', 150);
    expect(pacer.budget('confirmShipment').tokens).toBe(0);
    const t0 = Date.now();
    await pacer.schedule('confirmShipment', async () => undefined);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });
});
