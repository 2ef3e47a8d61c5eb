import { describe, expect, it } from 'vitest';
import { nextPassDelayMs } from '../../src/cli/product';

describe('nextPassDelayMs', () => {
  const plan = { ratePerSecond: 0.0056, burst: 20 };
  it.each([
    ['no budget known yet: the interval', undefined, 60_000],
    ['a full bucket: the interval', { ...plan, tokens: 20 }, 60_000],
    ['exactly the reserve (half the burst): the interval', { ...plan, tokens: 10 }, 60_000],
    ['one token under the reserve: wait for one refill', { ...plan, tokens: 9 }, Math.ceil((1 / 0.0056) * 1000)],
    ['an empty bucket: wait until half of it is back', { ...plan, tokens: 0 }, Math.ceil((10 / 0.0056) * 1000)],
    ['a fast plan never waits longer than the interval', { ratePerSecond: 100, burst: 20, tokens: 0 }, 60_000],
  ])('%s', (_n, budget, expected) => {
    expect(nextPassDelayMs(60_000, budget)).toBe(expected);
  });
});
