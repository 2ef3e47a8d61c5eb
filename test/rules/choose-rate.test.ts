import { describe, expect, it } from 'vitest';
import { chooseRate, rateCacheKey, weightBracketOz, type Quote } from '../../src/rules/choose-rate';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-02T12:00:00Z');
const q = (carrierCode: string, serviceCode: string, cost: number, extra: Partial<Quote> = {}): Quote => ({ carrierCode, serviceCode, cost, ...extra });

describe('chooseRate', () => {
  const quotes = [q('ups', 'ups_ground', 8.5), q('ups', 'ups_next_day_air', 31), q('fedex', 'fedex_2day', 14.2), q('stamps_com', 'usps_priority_mail', 9.1)];
  const transit = { ups_ground: 4, ups_next_day_air: 1, fedex_2day: 2, usps_priority_mail: 2 };

  it.each<[string, Parameters<typeof chooseRate>[1], number | undefined, string | undefined, string | undefined, number | undefined]>([
    ['cheapest', 'cheapest', undefined, 'ups_ground', 'usps_priority_mail', 0.6],
    ['cheapest on time with 2 days', 'cheapest_on_time', NOW + 2 * DAY, 'usps_priority_mail', 'fedex_2day', 5.1],
    ['cheapest on time with 1 day', 'cheapest_on_time', NOW + DAY, 'ups_next_day_air', undefined, undefined],
    ['cheapest on time without a promise', 'cheapest_on_time', undefined, 'ups_ground', 'usps_priority_mail', 0.6],
    ['fastest', 'fastest', undefined, 'ups_next_day_air', 'usps_priority_mail', -21.9],
  ])('%s', (_n, policy, latest, chosen, runnerUp, saving) => {
    const d = chooseRate(quotes, policy, { shipAtMs: NOW, ...(latest ? { latestDeliveryMs: latest } : {}) }, transit);
    expect(d.chosen?.serviceCode).toBe(chosen);
    expect(d.runnerUp?.serviceCode).toBe(runnerUp);
    expect(d.saving).toBe(saving);
    expect(d.chosen?.estimated).toBe('table');
  });

  it('says why when no service meets the promise', () => {
    expect(chooseRate(quotes, 'cheapest_on_time', { shipAtMs: NOW, latestDeliveryMs: NOW + DAY / 2 }, transit)).toEqual({ why: "no service meets Amazon's latest delivery date" });
  });
  it('says why when nothing has a delivery estimate', () => {
    expect(chooseRate(quotes, 'cheapest_on_time', { shipAtMs: NOW, latestDeliveryMs: NOW + DAY }, {}).why).toMatch(/no delivery estimate/);
  });
  it('prefers v2 estimates over the table', () => {
    const d = chooseRate([q('ups', 'ups_ground', 8, { deliveryAtMs: NOW + DAY }), q('fedex', 'fedex_2day', 9, { deliveryDays: 2 })], 'cheapest_on_time', { shipAtMs: NOW, latestDeliveryMs: NOW + DAY }, transit);
    expect(d.chosen).toMatchObject({ serviceCode: 'ups_ground', estimated: 'v2' });
  });
  it('does not depend on the order of the quotes', () => {
    const a = chooseRate([q('b', 'x', 5), q('a', 'x', 5)], 'cheapest', { shipAtMs: NOW });
    const b = chooseRate([q('a', 'x', 5), q('b', 'x', 5)], 'cheapest', { shipAtMs: NOW });
    expect(a).toEqual(b);
    expect(a.chosen?.carrierCode).toBe('a');
  });
  it('has nothing to choose without quotes', () => {
    expect(chooseRate([], 'cheapest', { shipAtMs: NOW })).toEqual({ why: 'no rates were returned' });
  });
});

describe('the rate cache key', () => {
  it('groups similar orders and keeps carriers and residential apart', () => {
    const base = { fromPostal: '78701', toPostal: '94105', country: 'US', weightOz: 13, carrier: 'ups', residential: true };
    expect(rateCacheKey(base)).toBe(rateCacheKey({ ...base, toPostal: '94110', weightOz: 15 }));
    expect(rateCacheKey(base)).not.toBe(rateCacheKey({ ...base, carrier: 'fedex' }));
    expect(rateCacheKey(base)).not.toBe(rateCacheKey({ ...base, residential: false }));
    expect(rateCacheKey(base)).not.toBe(rateCacheKey({ ...base, weightOz: 17 }));
    expect(weightBracketOz(3)).toBe(4);
    expect(weightBracketOz(40)).toBe(48);
  });
});
