import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from './db';
import { AlertRecord } from './records';

/**
 * The rules' tables (migration 0004_rules): the product table (weight, dimensions, category per
 * ShipStation SKU), how many orders each rule matched per day, and each rate-shopped order's
 * choice (chosen rate, runner-up, saving) that the reports read.
 */

export const ProductRow = z.object({
  sku: z.string().min(1),
  weightOz: z.number().nonnegative().optional(),
  lengthIn: z.number().nonnegative().optional(),
  widthIn: z.number().nonnegative().optional(),
  heightIn: z.number().nonnegative().optional(),
  category: z.string().optional(),
});
export type ProductRow = z.infer<typeof ProductRow>;

/** What rate shopping decided for one order (or why it could not). */
export const RateChoice = z.object({
  orderKey: z.string(),
  accountId: z.string(),
  amazonOrderId: z.string(),
  state: z.enum(['pending', 'chosen', 'failed']),
  requestedAt: z.string(),
  decidedAt: z.string().optional(),
  /** The rule whose rateShop asked for it. */
  rule: z.string(),
  chosen: z.object({ carrierCode: z.string(), serviceCode: z.string(), packageCode: z.string().optional(), cost: z.number(), deliveryDays: z.number().optional(), estimated: z.enum(['v2', 'table', 'none']) }).optional(),
  runnerUp: z.object({ carrierCode: z.string(), serviceCode: z.string(), cost: z.number() }).optional(),
  saving: z.number().optional(),
  why: z.string().optional(),
  labelled: z.boolean().optional(),
  /** Amazon's latest delivery date (what cheapest_on_time must meet). */
  latestDeliveryAt: z.string().optional(),
  /** Seller Fulfilled Prime: never auto-labelled. */
  prime: z.boolean().optional(),
  /** The order's escalation message shows what rate shopping did. */
  escalated: z.boolean().optional(),
  attempts: z.number().int().optional(),
});
export type RateChoice = z.infer<typeof RateChoice>;

const DAY_MS = 86_400_000;
const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
const und = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export class RuleTables {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds or replaces product rows by SKU. */
  async putProducts(rows: ProductRow[], now: number): Promise<void> {
    for (let i = 0; i < rows.length; i += 200) {
      const values = rows.slice(i, i + 200).map((p) => ({
        sku: p.sku,
        weight_oz: nul(p.weightOz),
        length_in: nul(p.lengthIn),
        width_in: nul(p.widthIn),
        height_in: nul(p.heightIn),
        category: nul(p.category),
        updated_at: now,
      }));
      await this.db
        .insertInto('products')
        .values(values)
        .onConflict((oc) =>
          oc.column('sku').doUpdateSet((eb) => ({
            weight_oz: eb.ref('excluded.weight_oz'),
            length_in: eb.ref('excluded.length_in'),
            width_in: eb.ref('excluded.width_in'),
            height_in: eb.ref('excluded.height_in'),
            category: eb.ref('excluded.category'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }

  /** The product rows of these SKUs (by primary key), keyed by SKU. */
  async productsFor(skus: string[]): Promise<Map<string, ProductRow>> {
    const out = new Map<string, ProductRow>();
    const unique = [...new Set(skus)].filter(Boolean);
    if (unique.length === 0) return out;
    const rows = await this.db.selectFrom('products').selectAll().where('sku', 'in', unique).execute();
    for (const r of rows) {
      out.set(r.sku, {
        sku: r.sku,
        ...(r.weight_oz !== null ? { weightOz: Number(r.weight_oz) } : {}),
        ...(r.length_in !== null ? { lengthIn: Number(r.length_in) } : {}),
        ...(r.width_in !== null ? { widthIn: Number(r.width_in) } : {}),
        ...(r.height_in !== null ? { heightIn: Number(r.height_in) } : {}),
        ...(r.category !== null ? { category: r.category } : {}),
      });
    }
    return out;
  }

  async countProducts(): Promise<number> {
    const r = await this.db.selectFrom('products').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** One more order matched by each of `rules` on the UTC day of `at`. */
  async countMatches(rules: string[], at: number): Promise<void> {
    await this.addMatches([...new Set(rules)].map((rule) => ({ day: Math.floor(at / DAY_MS), rule, n: 1 })));
  }

  /** Adds `n` orders to each (UTC day number, rule) in one statement: a tally kept in memory between flushes. */
  async addMatches(counts: Array<{ day: number; rule: string; n: number }>): Promise<void> {
    if (counts.length === 0) return;
    await this.db
      .insertInto('rule_matches')
      .values(counts.map((c) => ({ day: c.day, rule_name: c.rule, n: c.n })))
      .onConflict((oc) => oc.columns(['day', 'rule_name']).doUpdateSet({ n: sql<number>`rule_matches.n + excluded.n` }))
      .execute();
  }

  /** Orders matched per rule on the UTC day of `at`. */
  async matchesOn(at: number): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('rule_matches').select(['rule_name', 'n']).where('day', '=', Math.floor(at / DAY_MS)).execute();
    return new Map(rows.map((r) => [r.rule_name, Number(r.n)]));
  }

  /** Records orders as waiting for rate shopping, in one statement (each kept if it already waits or was decided). */
  async requestRateShops(cs: Array<Pick<RateChoice, 'orderKey' | 'accountId' | 'amazonOrderId' | 'requestedAt' | 'rule' | 'latestDeliveryAt' | 'prime' | 'escalated'>>): Promise<void> {
    if (cs.length === 0) return;
    await this.db
      .insertInto('rate_choices')
      .values(cs.map((c) => ({ order_key: c.orderKey, account_id: c.accountId, state: 'pending', requested_at: Date.parse(c.requestedAt), saving: null, doc: JSON.stringify({ ...c, state: 'pending' } satisfies RateChoice) })))
      .onConflict((oc) => oc.column('order_key').doNothing())
      .execute();
  }

  /** Orders waiting for rate shopping, oldest first (served by rate_choices_pending). */
  async pendingRateShops(limit: number): Promise<RateChoice[]> {
    const rows = await this.db.selectFrom('rate_choices').select('doc').where('state', '=', 'pending').orderBy('requested_at').limit(limit).execute();
    return rows.map((r) => RateChoice.parse(JSON.parse(r.doc)));
  }

  async recordRateChoice(c: RateChoice): Promise<void> {
    await this.db
      .updateTable('rate_choices')
      .set({ state: c.state, saving: nul(c.saving), doc: JSON.stringify(RateChoice.parse(c)) })
      .where('order_key', '=', c.orderKey)
      .execute();
  }

  async rateChoiceOf(orderKey: string): Promise<RateChoice | undefined> {
    const r = await this.db.selectFrom('rate_choices').select('doc').where('order_key', '=', orderKey).executeTakeFirst();
    return r ? RateChoice.parse(JSON.parse(r.doc)) : undefined;
  }

  /** Open alerts of one kind (served by alert_messages_by_kind_state). */
  async openAlertsOfKind(kind: string, limit = 500): Promise<AlertRecord[]> {
    const rows = await this.db.selectFrom('alert_messages').select('doc').where('kind', '=', kind).where('state', '=', 'open').limit(limit).execute();
    return rows.map((r) => AlertRecord.parse(JSON.parse(r.doc)));
  }

  /** Total saving of the choices made in [from, to) (epoch ms of the request), for the reports' rateShopSavings. */
  async rateShopSavings(from: number, to: number): Promise<{ orders: number; saving: number }> {
    const r = await this.db
      .selectFrom('rate_choices')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('saving').as('s')])
      .where('state', '=', 'chosen')
      .where('requested_at', '>=', from)
      .where('requested_at', '<', to)
      .executeTakeFirst();
    return { orders: Number(r?.n ?? 0), saving: Math.round(Number(und(r?.s ?? null) ?? 0) * 100) / 100 };
  }
}
