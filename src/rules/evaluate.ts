import type { Range, Rule, RuleThen, RuleWhen } from './schema';

/**
 * The rules evaluator: pure, no I/O, no clock (`now` is passed in). Rules apply in file order; a
 * missing condition matches anything; every condition of a rule must hold; a matching rule's
 * actions override the fields earlier matching rules set; `stop: true` ends evaluation.
 *
 * Rules are compiled once (sets, regular expressions) so that an order costs a few comparisons
 * per rule: the bench asks for 100,000 orders a second with 100 rules.
 */

/** What the conditions look at, taken from the order, the SKU map and the product table. */
export interface RuleFacts {
  accountId: string;
  marketplaceId: string;
  /** Ship-to country, ISO 3166 alpha-2. */
  country?: string;
  state?: string;
  postalCode?: string;
  prime: boolean;
  business: boolean;
  /** Seller Central's word: NextDay, SameDay, Standard, ... */
  serviceLevel?: string;
  /** Amazon's latest ship date, epoch ms. */
  shipByLatestMs?: number;
  /** Order total in the order's currency. */
  orderValue?: number;
  /** Units. */
  itemCount: number;
  /** ShipStation SKUs (after the SKU map), one per line. */
  skus: string[];
  /** Categories of the lines found in the product table. */
  categories: string[];
  /** Whole-order weight in ounces; undefined when a line's weight is unknown. */
  weightOz?: number;
  /** The SKUs without a weight in the product table (to say why a weight condition failed). */
  unknownWeightSkus: string[];
}

/** The merged actions of every rule that matched. */
export type RuleActions = RuleThen;

export interface RuleVerdict {
  name: string;
  matched: boolean;
  /** The first condition that failed; absent when it matched, or when evaluation stopped before it. */
  why?: string;
}

export interface Evaluation {
  actions: RuleActions;
  /** Names of the rules that matched, in file order. */
  matched: string[];
}

/**
 * The facts as the checks compare them, upper-cased once per order rather than once per rule:
 * at a thousand rules the per-check string work was most of the time.
 */
interface Prepared {
  f: RuleFacts;
  /** By TEXT_FIELDS index: account, marketplace, country, state, service level. */
  texts: Array<string | undefined>;
  /** By NUMBER_FIELDS index: order value, item count, weight. */
  numbers: Array<number | undefined>;
  postal: string | undefined;
  categories: string[];
}

const TEXT_FIELDS = ['account', 'marketplace', 'country', 'state', 'level'] as const;
const NUMBER_FIELDS = ['orderValue', 'itemCount', 'weightOz'] as const;

function prepare(f: RuleFacts): Prepared {
  return {
    f,
    texts: [f.accountId.toUpperCase(), f.marketplaceId.toUpperCase(), f.country?.toUpperCase(), f.state?.toUpperCase(), f.serviceLevel?.toUpperCase()],
    numbers: [f.orderValue, f.itemCount, f.weightOz],
    postal: f.postalCode?.toUpperCase(),
    categories: f.categories.map((c) => c.toUpperCase()),
  };
}

type Check = (p: Prepared, now: number) => boolean;
interface Condition {
  key: keyof RuleWhen;
  spec: Spec;
  check: Check;
  why: (f: RuleFacts, now: number) => string;
}

export interface CompiledRule {
  rule: Rule;
  conditions: Condition[];
  /** The actions the rule sets, as pairs, so a match copies them without walking the object. */
  sets: Array<[keyof RuleThen, unknown]>;
}

const upperSet = (xs: string[]) => new Set(xs.map((x) => x.toUpperCase()));
const show = (xs: readonly string[]) => xs.join(', ');

function rangeText(r: Range): string {
  if (r.min !== undefined && r.max !== undefined) return `between ${r.min} and ${r.max}`;
  if (r.min !== undefined) return `at least ${r.min}`;
  return `at most ${r.max}`;
}

/** A glob with `*` (any run) and `?` (one character), anchored, case-sensitive as SKUs are. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * What a condition tests, as data: one `test` with a switch stays monomorphic where a closure per
 * condition made every call site megamorphic, which cost most of the time at a thousand rules.
 */
/** Every spec has the same shape (unused fields empty), so `test` reads them through one inline cache. */
interface Spec {
  op: number;
  index: number;
  set: Set<string>;
  list: string[];
  want: boolean;
  min: number;
  max: number;
  matchers: Array<(sku: string) => boolean>;
}

const OP = { text: 0, prefix: 1, prime: 2, business: 3, within: 4, range: 5, sku: 6, category: 7 } as const;
const EMPTY_SET = new Set<string>();

function spec(op: number, over: Partial<Spec> = {}): Spec {
  return { op, index: 0, set: EMPTY_SET, list: [], want: false, min: -Infinity, max: Infinity, matchers: [], ...over };
}

function test(c: Spec, p: Prepared, now: number): boolean {
  switch (c.op) {
    case OP.text: {
      const v = p.texts[c.index];
      return v !== undefined && c.set.has(v);
    }
    case OP.prefix: {
      const pc = p.postal;
      if (pc === undefined) return false;
      for (let i = 0; i < c.list.length; i++) if (pc.startsWith(c.list[i]!)) return true;
      return false;
    }
    case OP.prime:
      return p.f.prime === c.want;
    case OP.business:
      return p.f.business === c.want;
    case OP.within:
      return p.f.shipByLatestMs !== undefined && p.f.shipByLatestMs - now <= c.max;
    case OP.range: {
      const v = p.numbers[c.index];
      return v !== undefined && v >= c.min && v <= c.max;
    }
    case OP.sku: {
      const skus = p.f.skus;
      for (let i = 0; i < skus.length; i++) for (let j = 0; j < c.matchers.length; j++) if (c.matchers[j]!(skus[i]!)) return true;
      return false;
    }
    default:
      for (let i = 0; i < p.categories.length; i++) if (c.set.has(p.categories[i]!)) return true;
      return false;
  }
}

function cond(key: keyof RuleWhen, spec: Spec, why: Condition['why']): Condition {
  return { key, spec, check: (p, now) => test(spec, p, now), why };
}

function oneOf(key: keyof RuleWhen, values: string[], field: 'account' | 'marketplace' | 'country' | 'state' | 'level', shown: (f: RuleFacts) => string | undefined, label: string): Condition {
  return cond(key, spec(OP.text, { index: TEXT_FIELDS.indexOf(field), set: upperSet(values) }), (f) => {
    const v = shown(f);
    return v === undefined ? `${key}: the order has no ${label}` : `${key}: ${v} is not one of ${show(values)}`;
  });
}

function range(key: 'orderValue' | 'itemCount' | 'weightOz', r: Range, unknown: (f: RuleFacts) => string): Condition {
  return cond(key, spec(OP.range, { index: NUMBER_FIELDS.indexOf(key), min: r.min ?? -Infinity, max: r.max ?? Infinity }), (f) => {
    const v = f[key];
    return v === undefined || Number.isNaN(v) ? `${key}: ${unknown(f)}` : `${key}: ${v} is not ${rangeText(r)}`;
  });
}

function flag(key: 'prime' | 'business', want: boolean): Condition {
  return cond(key, spec(key === 'prime' ? OP.prime : OP.business, { want }), () => `${key}: the order is ${want ? 'not ' : ''}${key === 'prime' ? 'Prime' : 'a business order'}`);
}

/** Compiles one rule's conditions, in the order the `when` keys are documented. */
export function compileRule(rule: Rule): CompiledRule {
  const w = rule.when;
  const c: Condition[] = [];
  if (w.account) c.push(oneOf('account', w.account, 'account', (f) => f.accountId, 'account'));
  if (w.marketplace) c.push(oneOf('marketplace', w.marketplace, 'marketplace', (f) => f.marketplaceId, 'marketplace'));
  if (w.country) c.push(oneOf('country', w.country, 'country', (f) => f.country, 'ship-to country'));
  if (w.state) c.push(oneOf('state', w.state, 'state', (f) => f.state, 'ship-to state'));
  if (w.postalPrefix) {
    c.push(
      cond('postalPrefix', spec(OP.prefix, { list: w.postalPrefix.map((p) => p.toUpperCase()) }), (f) =>
        f.postalCode === undefined ? 'postalPrefix: the order has no ship-to postal code' : `postalPrefix: ${f.postalCode} starts with none of ${show(w.postalPrefix!)}`,
      ),
    );
  }
  if (w.prime !== undefined) c.push(flag('prime', w.prime));
  if (w.business !== undefined) c.push(flag('business', w.business));
  if (w.serviceLevel) c.push(oneOf('serviceLevel', w.serviceLevel, 'level', (f) => f.serviceLevel, 'service level'));
  if (w.shipByWithinHours !== undefined) {
    c.push(
      cond('shipByWithinHours', spec(OP.within, { max: w.shipByWithinHours * 3_600_000 }), (f, now) =>
        f.shipByLatestMs === undefined
          ? 'shipByWithinHours: the order has no latest ship date'
          : `shipByWithinHours: the latest ship date is ${((f.shipByLatestMs - now) / 3_600_000).toFixed(1)} h away, more than ${w.shipByWithinHours} h`,
      ),
    );
  }
  if (w.orderValue) c.push(range('orderValue', w.orderValue, () => 'the order has no total'));
  if (w.itemCount) c.push(range('itemCount', w.itemCount, () => 'the order has no units'));
  if (w.sku) c.push(cond('sku', spec(OP.sku, { matchers: w.sku.map(skuMatcher) }), (f) => `sku: no line's SKU (${show(f.skus)}) matches ${show(w.sku!)}`));
  if (w.category) {
    const values = w.category;
    c.push(
      cond('category', spec(OP.category, { set: upperSet(values) }), (f) =>
        f.categories.length === 0 ? 'category: no line has a category in the product table' : `category: ${show(f.categories)} is not one of ${show(values)}`,
      ),
    );
  }
  if (w.weightOz) {
    c.push(range('weightOz', w.weightOz, (f) => (f.unknownWeightSkus.length > 0 ? `weight unknown: no weight in the product table for ${show(f.unknownWeightSkus)}` : 'weight unknown')));
  }
  const sets = (Object.keys(rule.then) as Array<keyof RuleThen>).filter((k) => rule.then[k] !== undefined).map((k): [keyof RuleThen, unknown] => [k, rule.then[k]]);
  return { rule, conditions: c, sets };
}

export function compileRules(rules: Rule[]): CompiledRule[] {
  return rules.map(compileRule);
}

function merge(into: RuleActions, sets: CompiledRule['sets']): RuleActions {
  // Later rules override field by field: a rule that sets only `tags` keeps an earlier warehouse.
  for (let i = 0; i < sets.length; i++) (into as Record<string, unknown>)[sets[i]![0]] = sets[i]![1];
  return into;
}

/** `PREFIX*` (the common SKU-family glob) as a startsWith; anything else as its regular expression. */
function skuMatcher(glob: string): (sku: string) => boolean {
  const star = glob.indexOf('*');
  if (star === glob.length - 1 && !glob.includes('?')) {
    const prefix = glob.slice(0, -1);
    return (s) => s.startsWith(prefix);
  }
  const re = globToRegExp(glob);
  return (s) => re.test(s);
}

function matches(r: CompiledRule, p: Prepared, now: number): boolean {
  const cs = r.conditions;
  for (let i = 0; i < cs.length; i++) if (!test(cs[i]!.spec, p, now)) return false;
  return true;
}

/**
 * Which rules can match an order at all: each rule is filed under its first exact condition (a
 * text list, or the Prime or business flag), so an order looks only at the rules filed under its
 * own values plus those with no such condition. With many accounts, regions and service levels
 * most rules drop out before any condition runs. Built once per rule list.
 */
interface RuleIndex {
  always: number[];
  byText: Array<Map<string, number[]>>;
  /** [op prime|business][want false|true] */
  byFlag: number[][][];
  stamp: Uint32Array;
  turn: number;
}

const indexes = new WeakMap<CompiledRule[], RuleIndex>();

function indexOf(rules: CompiledRule[]): RuleIndex {
  let ix = indexes.get(rules);
  if (ix) return ix;
  ix = { always: [], byText: TEXT_FIELDS.map(() => new Map()), byFlag: [[[], []], [[], []]], stamp: new Uint32Array(rules.length), turn: 0 };
  rules.forEach((r, i) => {
    const key = r.conditions.find((c) => c.spec.op === OP.text || c.spec.op === OP.prime || c.spec.op === OP.business)?.spec;
    if (!key) ix!.always.push(i);
    else if (key.op === OP.text) {
      const m = ix!.byText[key.index]!;
      for (const v of key.set) m.set(v, [...(m.get(v) ?? []), i]);
    } else ix!.byFlag[key.op === OP.prime ? 0 : 1]![key.want ? 1 : 0]!.push(i);
  });
  indexes.set(rules, ix);
  return ix;
}

function mark(ix: RuleIndex, list: number[] | undefined): void {
  if (list) for (let i = 0; i < list.length; i++) ix.stamp[list[i]!] = ix.turn;
}

/** The merged actions of the rules that match, in file order, up to the first matching `stop`. */
export function evaluateRules(rules: CompiledRule[], facts: RuleFacts, now: number): Evaluation {
  const actions: RuleActions = {};
  const matched: string[] = [];
  const p = prepare(facts);
  const ix = indexOf(rules);
  // A new turn number marks this order's candidates without clearing the array.
  ix.turn = ix.turn === 0xffffffff ? 1 : ix.turn + 1;
  if (ix.turn === 1) ix.stamp.fill(0);
  mark(ix, ix.always);
  for (let f = 0; f < TEXT_FIELDS.length; f++) {
    const v = p.texts[f];
    if (v !== undefined) mark(ix, ix.byText[f]!.get(v));
  }
  mark(ix, ix.byFlag[0]![facts.prime ? 1 : 0]);
  mark(ix, ix.byFlag[1]![facts.business ? 1 : 0]);
  const stamp = ix.stamp;
  const turn = ix.turn;
  for (let i = 0; i < rules.length; i++) {
    if (stamp[i] !== turn) continue;
    const r = rules[i]!;
    if (!matches(r, p, now)) continue;
    matched.push(r.rule.name);
    merge(actions, r.sets);
    if (r.rule.stop) break;
  }
  return { actions, matched };
}

/**
 * Every rule with whether it matched and, if not, the first condition that failed (for
 * `rules test`). Rules after a matching `stop` are reported as not reached.
 */
export function explainRules(rules: CompiledRule[], facts: RuleFacts, now: number): { verdicts: RuleVerdict[]; evaluation: Evaluation } {
  const verdicts: RuleVerdict[] = [];
  let stoppedBy: string | undefined;
  const p = prepare(facts);
  for (const r of rules) {
    if (stoppedBy !== undefined) {
      verdicts.push({ name: r.rule.name, matched: false, why: `not evaluated: rule "${stoppedBy}" matched with stop: true` });
      continue;
    }
    const failed = r.conditions.find((c) => !c.check(p, now));
    if (failed) {
      verdicts.push({ name: r.rule.name, matched: false, why: failed.why(facts, now) });
      continue;
    }
    verdicts.push({ name: r.rule.name, matched: true });
    if (r.rule.stop) stoppedBy = r.rule.name;
  }
  return { verdicts, evaluation: evaluateRules(rules, facts, now) };
}

/** `2d` / `12h` as milliseconds. */
export function holdDurationMs(holdUntil: string): number {
  const n = Number(holdUntil.slice(0, -1));
  return holdUntil.endsWith('d') ? n * 86_400_000 : n * 3_600_000;
}
