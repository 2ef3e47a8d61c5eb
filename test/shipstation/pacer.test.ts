import { describe, expect, it } from 'vitest';
import { createPacer, readRateHeaders, retryDelayMs } from '../../src/shipstation/pacer';

function fakeTime() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    sleeps,
  };
}

const headers = (remaining: number, reset: number, limit = 40) => ({
  'x-rate-limit-limit': String(limit),
  'x-rate-limit-remaining': String(remaining),
  'x-rate-limit-reset': String(reset),
});

describe('pacer', () => {
  it('bursts while the server says requests remain', async () => {
    const time = fakeTime();
    const pacer = createPacer({ now: time.now, sleep: time.sleep });
    for (let i = 0; i < 5; i++) {
      await pacer.schedule(async () => pacer.observe(headers(39 - i, 60), 200));
    }
    expect(time.sleeps).toEqual([]);
    expect(pacer.budget()).toMatchObject({ limit: 40, remaining: 35 });
  });

  it('waits for the reset once none remain, then sends again', async () => {
    const time = fakeTime();
    const pacer = createPacer({ now: time.now, sleep: time.sleep, resetMarginMs: 100 });
    await pacer.schedule(async () => pacer.observe(headers(0, 7), 200));
    const sentAt: number[] = [];
    await pacer.schedule(async () => {
      sentAt.push(time.now());
      pacer.observe(headers(39, 60), 200);
    });
    expect(time.sleeps).toEqual([7_100]);
    expect(sentAt[0]).toBe(1_000_000 + 7_100);
  });

  it('does not wait when the reset has already passed', async () => {
    const time = fakeTime();
    const pacer = createPacer({ now: time.now, sleep: time.sleep });
    await pacer.schedule(async () => pacer.observe(headers(0, 2), 200));
    time.advance(5_000);
    await pacer.schedule(async () => pacer.observe(headers(39, 60), 200));
    expect(time.sleeps).toEqual([]);
  });

  it.each<[string, Record<string, string>, number]>([
    ['uses X-Rate-Limit-Reset', { 'x-rate-limit-reset': '3' }, 3_000],
    ['falls back to Retry-After', { 'retry-after': '4' }, 4_000],
    ['waits a whole window when told nothing', {}, 60_000],
  ])('after a 429 it %s before the next call', async (_name, h, wait) => {
    const time = fakeTime();
    const pacer = createPacer({ now: time.now, sleep: time.sleep, resetMarginMs: 0 });
    await pacer.schedule(async () => pacer.observe(h, 429));
    await pacer.schedule(async () => pacer.observe(headers(39, 60), 200));
    expect(time.sleeps).toEqual([wait]);
  });

  it('counts calls in flight so two at once do not overrun the last request', async () => {
    const time = fakeTime();
    const pacer = createPacer({ now: time.now, sleep: time.sleep, maxConcurrent: 2, resetMarginMs: 0 });
    await pacer.schedule(async () => pacer.observe(headers(1, 10), 200));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = pacer.schedule(async () => {
      await gate;
      pacer.observe(headers(0, 9), 200);
    });
    const second = pacer.schedule(async () => pacer.observe(headers(39, 60), 200));
    await Promise.resolve();
    release();
    await Promise.all([first, second]);
    // The second call was held until the window reset instead of running beside the first.
    expect(time.sleeps.length).toBe(1);
  });

  it('reads headers case-insensitively from plain objects', () => {
    expect(readRateHeaders({ 'X-Rate-Limit-Remaining': '5', 'Retry-After': '2' })).toEqual({ remaining: 5, retryAfterSeconds: 2 });
    expect(readRateHeaders({ 'x-rate-limit-remaining': 'soon' })).toEqual({});
    expect(readRateHeaders({ 'x-rate-limit-remaining': '5', 'x-rate-limit-reset': '12' })).toEqual({ remaining: 5, resetSeconds: 12 });
  });
});

describe('retryDelayMs', () => {
  it.each<[number, number, number]>([
    [0, 0, 500],
    [0, 1, 1_000],
    [1, 0, 1_000],
    [3, 1, 8_000],
    [10, 1, 30_000],
    [10, 0, 15_000],
  ])('attempt %i with random %f → %i ms', (attempt, random, expected) => {
    expect(retryDelayMs(attempt, 1_000, 30_000, random)).toBe(expected);
  });
});
