import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { formatRuleIssue, namesUsed, parseRateShopping, parseRules } from '../../src/rules/schema';

describe('the rules: section', () => {
  it('takes the example of the issue', () => {
    const { rules, issues } = parseRules([
      {
        name: 'prime-fast',
        when: {
          account: ['us-main'], marketplace: ['ATVPDKIKX0DER'], country: ['US'], state: ['CA', 'NV'], postalPrefix: ['9'], prime: true, business: false,
          serviceLevel: ['NextDay', 'SameDay'], shipByWithinHours: 24, orderValue: { min: 0, max: 200 }, itemCount: { min: 1, max: 5 }, sku: ['WH-10*'],
          category: ['Electronics'], weightOz: { min: 0, max: 16 },
        },
        then: {
          tags: ['Prime'], warehouse: 'Atlanta', store: 'Amazon US', customField1: '...', holdUntil: '2d',
          service: { carrierCode: 'ups', serviceCode: 'ups_next_day_air', packageCode: 'package' },
          rateShop: { policy: 'cheapest_on_time', carriers: ['ups', 'fedex', 'stamps_com'], createLabel: false }, escalate: true,
        },
        stop: true,
      },
    ]);
    expect(issues).toEqual([]);
    expect(rules[0]!.stop).toBe(true);
    expect(namesUsed(rules)).toEqual({ tags: new Set(['Prime']), warehouses: new Set(['Atlanta']), stores: new Set(['Amazon US']) });
  });

  it.each<[string, unknown, string]>([
    ['a bad service level', { name: 'fast', when: { serviceLevel: ['Overnight'] }, then: {} }, 'rule "fast": when.serviceLevel[0]: one of Standard, Expedited, SecondDay, NextDay, SameDay, Priority, Scheduled'],
    ['an unknown condition', { name: 'x', when: { colour: ['red'] }, then: {} }, 'rule "x": when: unknown key colour (expected one of account,'],
    ['a missing then', { name: 'x', when: {} }, 'rule "x": then: is required (a mapping)'],
    ['a bad hold', { name: 'h', then: { holdUntil: '2 weeks' } }, 'rule "h": then.holdUntil: a duration in days or hours such as 2d or 12h'],
    ['a bad policy', { name: 'r', then: { rateShop: { policy: 'cheap', carriers: ['ups'] } } }, 'rule "r": then.rateShop.policy: one of cheapest, cheapest_on_time, fastest'],
    ['a range upside down', { name: 'w', when: { weightOz: { min: 5, max: 1 } }, then: {} }, 'rule "w": when.weightOz: min must not be above max'],
    ['a rule without a name', { then: {} }, 'rule rules[0]: name: is required (a string)'],
    ['a country that is not a code', { name: 'c', when: { country: ['USA'] }, then: {} }, 'rule "c": when.country[0]: a two-letter ISO 3166 country code such as US'],
  ])('names the rule, the field and what is expected for %s', (_n, rule, message) => {
    const { issues } = parseRules([rule]);
    expect(formatRuleIssue(issues[0]!)).toContain(message);
  });

  it('reports every problem, not only the first, and duplicate names', () => {
    const { issues, rules } = parseRules([
      { name: 'a', then: { tags: [] } },
      { name: 'b', then: {} },
      { name: 'b', then: {} },
      { name: 'c', when: { prime: 'yes' }, then: {} },
    ]);
    expect(issues.map(formatRuleIssue)).toEqual([
      'rule "a": then.tags: a list with at least one entry',
      'rule "b": name: must be unique: rules[1] is already named "b"',
      'rule "c": when.prime: expected a boolean',
    ]);
    expect(rules.map((r) => r.name)).toEqual(['b']);
  });

  it('checks rateShopping', () => {
    expect(parseRateShopping({ transitDays: { ups_ground: 3 } }).config).toEqual({ transitDays: { ups_ground: 3 }, cacheMinutes: 60 });
    expect(formatRuleIssue(parseRateShopping({ transitDays: { ups_ground: -1 } }).issues[0]!)).toContain('rateShopping.transitDays.ups_ground');
  });

  it('makes a bad rule a config error naming the file and the rule', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dockhand-rules-'));
    writeFileSync(path.join(dir, 'dockhand.yml'), 'rules:\n  - name: prime-fast\n    when: { serviceLevel: [Overnight] }\n    then: { tags: [Prime] }\n');
    expect(() => loadConfig({}, dir)).toThrow(/dockhand\.yml: rule "prime-fast": when\.serviceLevel\[0\]/);
    writeFileSync(path.join(dir, 'dockhand.yml'), 'rules:\n  - name: ok\n    then: { tags: [Prime] }\nrateShopping: { cacheMinutes: 5 }\n');
    const cfg = loadConfig({}, dir);
    expect(cfg.rules.map((r) => r.name)).toEqual(['ok']);
    expect(cfg.rateShopping.cacheMinutes).toBe(5);
  });
});
