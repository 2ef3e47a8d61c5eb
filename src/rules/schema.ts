import { z } from 'zod';

/**
 * The `rules:` and `rateShopping:` sections of the config file. The keys are a contract (issue 11):
 * the rest of the product, its checks and sellers' files rely on them. Errors name the rule by its
 * `name`, the field and what is expected, so a seller can fix a 200-line file without counting.
 */

/** Amazon's service levels in Seller Central's words (ShipmentServiceLevelCategory). */
export const SERVICE_LEVELS = ['Standard', 'Expedited', 'SecondDay', 'NextDay', 'SameDay', 'Priority', 'Scheduled'] as const;
export type ServiceLevel = (typeof SERVICE_LEVELS)[number];

const Range = z
  .object({ min: z.number().optional(), max: z.number().optional() })
  .strict()
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min must not be above max');
export type Range = z.infer<typeof Range>;

const list = <T extends z.ZodType>(item: T) => z.array(item).min(1, 'a list with at least one entry');
const text = z.string().trim().min(1, 'a non-empty text');

export const RuleWhen = z
  .object({
    account: list(text).optional(),
    marketplace: list(text).optional(),
    country: list(z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter ISO 3166 country code such as US')).optional(),
    state: list(text).optional(),
    postalPrefix: list(z.union([text, z.number().int().nonnegative().transform(String)])).optional(),
    prime: z.boolean().optional(),
    business: z.boolean().optional(),
    serviceLevel: list(z.enum(SERVICE_LEVELS, `one of ${SERVICE_LEVELS.join(', ')}`)).optional(),
    shipByWithinHours: z.number().positive('a positive number of hours').optional(),
    orderValue: Range.optional(),
    itemCount: Range.optional(),
    sku: list(text).optional(),
    category: list(text).optional(),
    weightOz: Range.optional(),
  })
  .strict();
export type RuleWhen = z.infer<typeof RuleWhen>;

/** A ShipStation warehouse or store: its name, or its numeric id. */
const NameOrId = z.union([z.number().int().positive(), text]);

export const RATE_POLICIES = ['cheapest', 'cheapest_on_time', 'fastest'] as const;
export type RatePolicy = (typeof RATE_POLICIES)[number];

export const RuleThen = z
  .object({
    tags: list(text).optional(),
    warehouse: NameOrId.optional(),
    store: NameOrId.optional(),
    customField1: z.string().optional(),
    customField2: z.string().optional(),
    customField3: z.string().optional(),
    holdUntil: z.string().regex(/^[1-9]\d{0,3}[dh]$/, 'a duration in days or hours such as 2d or 12h').optional(),
    service: z.object({ carrierCode: text, serviceCode: text, packageCode: text.optional() }).strict().optional(),
    rateShop: z
      .object({
        policy: z.enum(RATE_POLICIES, `one of ${RATE_POLICIES.join(', ')}`),
        carriers: list(text),
        createLabel: z.boolean().default(false),
      })
      .strict()
      .optional(),
    escalate: z.boolean().optional(),
  })
  .strict();
export type RuleThen = z.infer<typeof RuleThen>;

export const Rule = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,79}$/, 'letters, digits, spaces, dots, dashes and underscores, at most 80'),
    when: RuleWhen.default({}),
    then: RuleThen,
    stop: z.boolean().default(false),
  })
  .strict();
export type Rule = z.infer<typeof Rule>;

export const RateShoppingConfig = z
  .object({
    /** Transit days per service code, for when no v2 delivery estimate is at hand. */
    transitDays: z.record(z.string(), z.number().int().nonnegative('a whole number of days')).default({}),
    cacheMinutes: z.number().nonnegative().default(60),
  })
  .strict();
export type RateShoppingConfig = z.infer<typeof RateShoppingConfig>;

export interface RuleIssue {
  /** The rule's name when it has one, else its position (`rules[3]`). */
  rule: string;
  /** The field inside the rule, e.g. `when.serviceLevel[1]`. */
  field: string;
  expected: string;
}

export function formatRuleIssue(i: RuleIssue): string {
  return `rule ${i.rule}: ${i.field || '(the rule)'}: ${i.expected}`;
}

function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');
}

function ruleLabel(raw: unknown, index: number): string {
  const name = raw !== null && typeof raw === 'object' ? (raw as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name.trim() !== '' ? `"${name}"` : `rules[${index}]`;
}

/** zod's message for an unknown key says "Unrecognized key"; a seller needs the keys that exist. */
function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function expectedOf(issue: z.core.$ZodIssue, field: string, raw?: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const where = field.split('.').pop() ?? '';
    const allowed = where === 'when' ? Object.keys(RuleWhen.shape) : where === 'then' ? Object.keys(RuleThen.shape) : field === '' ? ['name', 'when', 'then', 'stop'] : [];
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}${allowed.length ? ` (expected one of ${allowed.join(', ')})` : ''}`;
  }
  if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) return `is required (${issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`})`;
  if (issue.code === 'invalid_type') return `expected ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`}`;
  return issue.message;
}

/**
 * Validates the `rules:` section. Every problem is returned (not only the first), each naming the
 * rule, the field and what is expected; names must be unique. Pure.
 */
export function parseRules(raw: unknown): { rules: Rule[]; issues: RuleIssue[] } {
  if (raw === undefined || raw === null) return { rules: [], issues: [] };
  if (!Array.isArray(raw)) return { rules: [], issues: [{ rule: '(section)', field: 'rules', expected: 'a list of rules, each with name, when, then' }] };
  const rules: Rule[] = [];
  const issues: RuleIssue[] = [];
  const seen = new Map<string, number>();
  raw.forEach((one, index) => {
    const label = ruleLabel(one, index);
    const parsed = Rule.safeParse(one);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = fieldPath(issue.path);
        issues.push({ rule: label, field, expected: expectedOf(issue, field, one) });
      }
      return;
    }
    const earlier = seen.get(parsed.data.name);
    if (earlier !== undefined) {
      issues.push({ rule: label, field: 'name', expected: `must be unique: rules[${earlier}] is already named "${parsed.data.name}"` });
      return;
    }
    seen.set(parsed.data.name, index);
    rules.push(parsed.data);
  });
  return { rules, issues };
}

export function parseRateShopping(raw: unknown): { config: RateShoppingConfig; issues: RuleIssue[] } {
  const parsed = RateShoppingConfig.safeParse(raw ?? {});
  if (parsed.success) return { config: parsed.data, issues: [] };
  return {
    config: { transitDays: {}, cacheMinutes: 60 },
    issues: parsed.error.issues.map((i) => ({ rule: '(rateShopping)', field: `rateShopping.${fieldPath(i.path)}`, expected: expectedOf(i, fieldPath(i.path), raw ?? {}) })),
  };
}

/** The tag, warehouse and store names the rules refer to (ids are left out: they need no lookup). */
export function namesUsed(rules: Rule[]): { tags: Set<string>; warehouses: Set<string>; stores: Set<string> } {
  const out = { tags: new Set<string>(), warehouses: new Set<string>(), stores: new Set<string>() };
  for (const r of rules) {
    for (const t of r.then.tags ?? []) out.tags.add(t);
    if (typeof r.then.warehouse === 'string') out.warehouses.add(r.then.warehouse);
    if (typeof r.then.store === 'string') out.stores.add(r.then.store);
  }
  return out;
}
