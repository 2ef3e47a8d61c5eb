import { describe, expect, it } from 'vitest';
import { compileRules, evaluateRules, explainRules, globToRegExp, holdDurationMs, type RuleFacts } from '../../src/rules/evaluate';
import { parseRules, type Rule } from '../../src/rules/schema';
import { mulberry32 } from '../../src/sandbox/amazon/order-factory';

const NOW = Date.parse('2026-03-02T12:00:00Z');

function facts(over: Partial<RuleFacts> = {}): RuleFacts {
  return {
    accountId: 'us-main',
    marketplaceId: 'ATVPDKIKX0DER',
    country: 'US',
    state: 'CA',
    postalCode: '94105',
    prime: true,
    business: false,
    serviceLevel: 'NextDay',
    shipByLatestMs: NOW + 20 * 3_600_000,
    orderValue: 120,
    itemCount: 2,
    skus: ['WH-100', 'AB-7'],
    categories: ['Electronics'],
    weightOz: 12,
    unknownWeightSkus: [],
    ...over,
  };
}

function rules(raw: unknown[]): Rule[] {
  const { rules: parsed, issues } = parseRules(raw);
  expect(issues).toEqual([]);
  return parsed;
}

const one = (when: Record<string, unknown>) => rules([{ name: 'r', when, then: { tags: ['T'] } }]);

describe('each condition', () => {
  it.each<[string, Record<string, unknown>, Partial<RuleFacts>, boolean, string?]>([
    ['account matches', { account: ['us-main'] }, {}, true],
    ['account differs', { account: ['eu'] }, {}, false, 'account: us-main is not one of eu'],
    ['marketplace matches', { marketplace: ['ATVPDKIKX0DER'] }, {}, true],
    ['marketplace differs', { marketplace: ['A1PA6795UKMFR9'] }, {}, false, 'marketplace: ATVPDKIKX0DER is not one of A1PA6795UKMFR9'],
    ['country, any case', { country: ['us'] }, {}, true],
    ['country missing on the order', { country: ['US'] }, { country: undefined }, false, 'country: the order has no ship-to country'],
    ['state matches', { state: ['CA', 'NV'] }, {}, true],
    ['state differs', { state: ['NV'] }, {}, false, 'state: CA is not one of NV'],
    ['postal prefix matches', { postalPrefix: ['9'] }, {}, true],
    ['postal prefix as a number', { postalPrefix: [941] }, {}, true],
    ['postal prefix differs', { postalPrefix: ['1', '2'] }, {}, false, 'postalPrefix: 94105 starts with none of 1, 2'],
    ['prime true on a Prime order', { prime: true }, {}, true],
    ['prime true on a non-Prime order', { prime: true }, { prime: false }, false, 'prime: the order is not Prime'],
    ['prime false on a Prime order', { prime: false }, {}, false, 'prime: the order is Prime'],
    ['business false', { business: false }, {}, true],
    ['business true on a consumer order', { business: true }, {}, false, 'business: the order is not a business order'],
    ['service level matches', { serviceLevel: ['NextDay', 'SameDay'] }, {}, true],
    ['service level differs', { serviceLevel: ['SameDay'] }, {}, false, 'serviceLevel: NextDay is not one of SameDay'],
    ['no service level', { serviceLevel: ['Standard'] }, { serviceLevel: undefined }, false, 'serviceLevel: the order has no service level'],
    ['ship-by within the hours', { shipByWithinHours: 24 }, {}, true],
    ['ship-by exactly at the limit', { shipByWithinHours: 20 }, {}, true],
    ['ship-by 3h59m away with a 4h window', { shipByWithinHours: 4 }, { shipByLatestMs: NOW + 239 * 60_000 }, true],
    ['ship-by already passed', { shipByWithinHours: 4 }, { shipByLatestMs: NOW - 60_000 }, true],
    ['ship-by too far', { shipByWithinHours: 4 }, {}, false, 'shipByWithinHours: the latest ship date is 20.0 h away, more than 4 h'],
    ['no ship-by date', { shipByWithinHours: 4 }, { shipByLatestMs: undefined }, false, 'shipByWithinHours: the order has no latest ship date'],
    ['order value in range', { orderValue: { min: 0, max: 200 } }, {}, true],
    ['order value above max', { orderValue: { max: 100 } }, {}, false, 'orderValue: 120 is not at most 100'],
    ['order value below min', { orderValue: { min: 150 } }, {}, false, 'orderValue: 120 is not at least 150'],
    ['item count in range', { itemCount: { min: 1, max: 5 } }, {}, true],
    ['item count out of range', { itemCount: { min: 3, max: 5 } }, {}, false, 'itemCount: 2 is not between 3 and 5'],
    ['sku glob matches one line', { sku: ['WH-10*'] }, {}, true],
    ['sku glob with ?', { sku: ['AB-?'] }, {}, true],
    ['sku glob matches no line', { sku: ['ZZ-*'] }, {}, false, "sku: no line's SKU (WH-100, AB-7) matches ZZ-*"],
    ['category matches', { category: ['electronics'] }, {}, true],
    ['category differs', { category: ['Toys'] }, {}, false, 'category: Electronics is not one of Toys'],
    ['no category known', { category: ['Toys'] }, { categories: [] }, false, 'category: no line has a category in the product table'],
    ['weight in range', { weightOz: { min: 0, max: 16 } }, {}, true],
    ['weight too heavy', { weightOz: { max: 10 } }, {}, false, 'weightOz: 12 is not at most 10'],
    ['weight unknown', { weightOz: { max: 16 } }, { weightOz: undefined, unknownWeightSkus: ['AB-7'] }, false, 'weightOz: weight unknown: no weight in the product table for AB-7'],
    ['no conditions match anything', {}, { prime: false, country: undefined }, true],
  ])('%s', (_name, when, over, matched, why) => {
    const compiled = compileRules(one(when));
    const { verdicts } = explainRules(compiled, facts(over), NOW);
    expect(verdicts[0]).toEqual({ name: 'r', matched, ...(why ? { why } : {}) });
    expect(evaluateRules(compiled, facts(over), NOW).matched).toEqual(matched ? ['r'] : []);
  });
});

describe('combinations', () => {
  it('needs every condition; the first failing one is the why', () => {
    const compiled = compileRules(one({ country: ['US'], state: ['NV'], prime: false }));
    expect(explainRules(compiled, facts(), NOW).verdicts[0]!.why).toBe('state: CA is not one of NV');
  });

  it('applies matching rules in file order; later ones override the fields they set, others stay', () => {
    const compiled = compileRules(
      rules([
        { name: 'base', then: { warehouse: 'Reno', tags: ['A'], customField1: 'x' } },
        { name: 'prime', when: { prime: true }, then: { warehouse: 'Atlanta', escalate: true } },
        { name: 'nope', when: { prime: false }, then: { warehouse: 'Nowhere' } },
        { name: 'tags', then: { tags: ['B'] } },
      ]),
    );
    const r = evaluateRules(compiled, facts(), NOW);
    expect(r.matched).toEqual(['base', 'prime', 'tags']);
    expect(r.actions).toEqual({ warehouse: 'Atlanta', tags: ['B'], customField1: 'x', escalate: true });
  });

  it('stops at a matching rule with stop: true, and reports the rest as not reached', () => {
    const compiled = compileRules(
      rules([
        { name: 'skip', when: { prime: false }, then: { tags: ['X'] }, stop: true },
        { name: 'fast', when: { serviceLevel: ['NextDay'] }, then: { service: { carrierCode: 'ups', serviceCode: 'ups_next_day_air' } }, stop: true },
        { name: 'later', then: { warehouse: 'Reno' } },
      ]),
    );
    const r = explainRules(compiled, facts(), NOW);
    expect(r.evaluation.matched).toEqual(['fast']);
    expect(r.evaluation.actions).toEqual({ service: { carrierCode: 'ups', serviceCode: 'ups_next_day_air' } });
    expect(r.verdicts.map((v) => [v.name, v.matched])).toEqual([['skip', false], ['fast', true], ['later', false]]);
    expect(r.verdicts[2]!.why).toBe('not evaluated: rule "fast" matched with stop: true');
  });

  it('a non-matching rule with stop does not stop', () => {
    const compiled = compileRules(rules([{ name: 'a', when: { prime: false }, then: { tags: ['X'] }, stop: true }, { name: 'b', then: { tags: ['Y'] } }]));
    expect(evaluateRules(compiled, facts(), NOW).actions.tags).toEqual(['Y']);
  });

  it.each([
    ['tags', { tags: ['Prime', 'Rush'] }],
    ['warehouse by name', { warehouse: 'Atlanta' }],
    ['warehouse by id', { warehouse: 200002 }],
    ['store', { store: 'Amazon US' }],
    ['custom fields', { customField1: 'a', customField2: 'b', customField3: 'c' }],
    ['hold', { holdUntil: '2d' }],
    ['service', { service: { carrierCode: 'ups', serviceCode: 'ups_next_day_air', packageCode: 'package' } }],
    ['rate shop', { rateShop: { policy: 'cheapest_on_time', carriers: ['ups', 'fedex'], createLabel: false } }],
    ['escalate', { escalate: true }],
  ])('carries the %s action', (_n, then) => {
    const compiled = compileRules(rules([{ name: 'r', then }]));
    expect(evaluateRules(compiled, facts(), NOW).actions).toEqual(then);
  });
});

describe('helpers', () => {
  it.each([
    ['WH-10*', 'WH-100', true],
    ['WH-10*', 'wh-100', false],
    ['A.B', 'AxB', false],
    ['*', '', true],
  ])('glob %s on %s', (g, s, m) => expect(globToRegExp(g).test(s)).toBe(m));
  it('reads hold durations', () => {
    expect(holdDurationMs('2d')).toBe(172_800_000);
    expect(holdDurationMs('12h')).toBe(43_200_000);
  });
});

describe('fuzz', () => {
  function randomWorld(seed: number) {
    const r = mulberry32(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const maybe = <T>(v: () => T): T | undefined => (r() < 0.5 ? v() : undefined);
    const levels = ['Standard', 'Expedited', 'SecondDay', 'NextDay', 'SameDay', 'Priority', 'Scheduled'] as const;
    const range = () => {
      const a = Math.floor(r() * 50);
      return r() < 0.3 ? { min: a } : r() < 0.5 ? { max: a } : { min: a, max: a + Math.floor(r() * 50) };
    };
    const rawRules = Array.from({ length: 1 + Math.floor(r() * 30) }, (_, i) => {
      const when: Record<string, unknown> = {};
      const add = (k: string, v: unknown) => v !== undefined && (when[k] = v);
      add('account', maybe(() => [pick(['a', 'b', 'c'])]));
      add('country', maybe(() => [pick(['US', 'CA', 'GB'])]));
      add('state', maybe(() => [pick(['CA', 'NV', 'ON'])]));
      add('postalPrefix', maybe(() => [pick(['9', '1', 'M5'])]));
      add('prime', maybe(() => r() < 0.5));
      add('business', maybe(() => r() < 0.5));
      add('serviceLevel', maybe(() => [pick(levels)]));
      add('shipByWithinHours', maybe(() => 1 + Math.floor(r() * 48)));
      add('orderValue', maybe(range));
      add('itemCount', maybe(range));
      add('sku', maybe(() => [pick(['WH-*', 'AB-?', '*-1', 'X'])]));
      add('category', maybe(() => [pick(['Toys', 'Electronics'])]));
      add('weightOz', maybe(range));
      const then: Record<string, unknown> = { tags: [pick(['P', 'Q'])] };
      if (r() < 0.5) then.warehouse = pick(['W1', 'W2', 3]);
      if (r() < 0.3) then.escalate = true;
      return { name: `rule-${i}`, when, then, stop: r() < 0.2 };
    });
    const compiled = compileRules(parseRules(rawRules).rules);
    const orders: RuleFacts[] = Array.from({ length: 200 }, () => ({
      accountId: pick(['a', 'b', 'c']),
      marketplaceId: 'ATVPDKIKX0DER',
      ...(r() < 0.9 ? { country: pick(['US', 'CA', 'GB', 'us']) } : {}),
      ...(r() < 0.9 ? { state: pick(['CA', 'NV', 'ON', '']) } : {}),
      ...(r() < 0.9 ? { postalCode: pick(['94105', '10001', 'M5V 2T6', '']) } : {}),
      prime: r() < 0.5,
      business: r() < 0.5,
      ...(r() < 0.9 ? { serviceLevel: pick([...levels, 'FreeEconomy']) } : {}),
      ...(r() < 0.9 ? { shipByLatestMs: NOW + (r() - 0.3) * 72 * 3_600_000 } : {}),
      ...(r() < 0.9 ? { orderValue: r() < 0.05 ? NaN : r() * 300 } : {}),
      itemCount: Math.floor(r() * 10),
      skus: Array.from({ length: Math.floor(r() * 4) }, () => pick(['WH-1', 'AB-7', 'ZZ', ''])),
      categories: r() < 0.5 ? [pick(['Toys', 'Electronics'])] : [],
      ...(r() < 0.7 ? { weightOz: r() * 80 } : {}),
      unknownWeightSkus: [],
    }));
    return { compiled, orders };
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: no crash, the same answer every run, explain agrees with evaluate', (seed) => {
    const a = randomWorld(seed);
    const b = randomWorld(seed);
    for (const [i, o] of a.orders.entries()) {
      const first = evaluateRules(a.compiled, o, NOW);
      expect(evaluateRules(b.compiled, b.orders[i]!, NOW)).toEqual(first);
      const ex = explainRules(a.compiled, o, NOW);
      expect(ex.verdicts.filter((v) => v.matched).map((v) => v.name)).toEqual(first.matched);
      for (const v of ex.verdicts) if (!v.matched) expect(typeof v.why).toBe('string');
    }
  });
});
