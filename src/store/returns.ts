import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { ReturnFacts, ReturnRecord, RefundFeedState, RefundRecord, type ReturnStatus } from '../domain/return';
import type { Database } from './db';
import { ms, readDoc } from './doc-table';

/**
 * Returns, their refunds and the adjustment feeds that carry them, asked by the questions the
 * returns work has: a return by RMA, returns by status, returns aging, refunds waiting for a
 * feed, a feed's refunds, refunds waiting for Finances. Every change of status is a conditional
 * write on the status it was read in, so two replicas (or a double click) moving one return
 * at once leave exactly one change; the caller decides the statuses (src/returns/return-state.ts).
 */

type Exec = Kysely<Database> | Transaction<Database>;

const RETURN = { schema: ReturnRecord, name: 'return' };
const REFUND = { schema: RefundRecord, name: 'refund' };

export const RefundFeedMeta = z.object({
  marketplaceIds: z.array(z.string()),
  messages: z.number().int().nonnegative(),
  /** Amazon's processing summary once read. */
  summary: z.object({ processed: z.number(), successful: z.number(), withError: z.number() }).optional(),
  /** Why the feed's fate is unknown (state uncertain). */
  uncertainWhy: z.string().optional(),
});
export type RefundFeedMeta = z.infer<typeof RefundFeedMeta>;

export interface RefundFeed {
  id: string;
  accountId: string;
  state: RefundFeedState;
  feedId?: string;
  createdAt: number;
  submittingAt?: number;
  submittedAt?: number;
  document: string;
  meta: RefundFeedMeta;
}

/** A return row's key. */
export interface ReturnKey {
  accountId: string;
  amazonOrderId: string;
  rma: string;
  sku: string;
}

export type ReportedOutcome = 'new' | 'changed' | 'same';

function factsOf(r: ReturnFacts): string {
  const parsed = ReturnFacts.parse(r);
  return JSON.stringify(Object.fromEntries(Object.entries(parsed).sort(([a], [b]) => a.localeCompare(b))));
}

function returnColumns(r: ReturnRecord) {
  return {
    status: r.status,
    delivered_at: ms(r.deliveredAt),
    received_at: ms(r.receivedAt),
    updated_at: ms(r.updatedAt) ?? 0,
    doc: JSON.stringify(ReturnRecord.parse(r)),
  };
}

function refundColumns(r: RefundRecord) {
  return {
    amazon_order_id: r.amazonOrderId,
    state: r.state,
    batch_id: r.batchId ?? null,
    approved_at: ms(r.approvedAt) ?? 0,
    accepted_at: ms(r.acceptedAt),
    updated_at: ms(r.updatedAt) ?? 0,
    doc: JSON.stringify(RefundRecord.parse(r)),
  };
}

export class ReturnsRepository {
  constructor(private readonly k: Kysely<Database>) {}

  // ---------------------------------------------------------------------------------------------
  // Returns

  /**
   * Records one row of Amazon's returns report: a new return is `expected`; a known one gets the
   * report's newer facts (a tracking number, a delivery date) and keeps what Dockhand did with it.
   * The same row read again changes nothing ('same').
   */
  async recordReported(accountId: string, marketplaceId: string, facts: ReturnFacts, at: string): Promise<ReportedOutcome> {
    const key = { accountId, amazonOrderId: facts.amazonOrderId, rma: facts.rma, sku: facts.sku };
    const existing = await this.one(key);
    if (!existing) {
      const record: ReturnRecord = { ...ReturnFacts.parse(facts), accountId, marketplaceId, status: 'expected', firstSeenAt: at, updatedAt: at };
      const inserted = await this.k
        .insertInto('returns')
        .values({ account_id: accountId, amazon_order_id: facts.amazonOrderId, rma: facts.rma, sku: facts.sku, escalated: null, ...returnColumns(record) })
        .onConflict((oc) => oc.columns(['account_id', 'amazon_order_id', 'rma', 'sku']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return 'new';
      // Another replica recorded it in the same instant: compare with what it wrote.
      return this.recordReported(accountId, marketplaceId, facts, at);
    }
    if (factsOf(existing) === factsOf(facts)) return 'same';
    const next: ReturnRecord = { ...existing, ...ReturnFacts.parse(facts), updatedAt: at };
    await this.k.updateTable('returns').set(returnColumns(next)).where('account_id', '=', accountId).where('amazon_order_id', '=', key.amazonOrderId).where('rma', '=', key.rma).where('sku', '=', key.sku).execute();
    return 'changed';
  }

  async one(key: ReturnKey): Promise<ReturnRecord | undefined> {
    const row = await this.k
      .selectFrom('returns')
      .select('doc')
      .where('account_id', '=', key.accountId)
      .where('amazon_order_id', '=', key.amazonOrderId)
      .where('rma', '=', key.rma)
      .where('sku', '=', key.sku)
      .executeTakeFirst();
    return row ? readDoc(RETURN, key.rma, row.doc) : undefined;
  }

  /** The rows (one per SKU) of one RMA. */
  async byRma(accountId: string, rma: string, exec: Exec = this.k): Promise<ReturnRecord[]> {
    const rows = await exec.selectFrom('returns').select('doc').where('account_id', '=', accountId).where('rma', '=', rma).orderBy('sku').execute();
    return rows.map((r) => readDoc(RETURN, rma, r.doc));
  }

  /** Returns in any of `statuses` (all when undefined), most recently changed first. */
  async byStatus(statuses: readonly ReturnStatus[] | undefined, limit = 500): Promise<ReturnRecord[]> {
    let q = this.k.selectFrom('returns').select(['rma', 'doc']);
    if (statuses) q = q.where('status', 'in', [...statuses]);
    const rows = await q.orderBy('updated_at', 'desc').limit(limit).execute();
    return rows.map((r) => readDoc(RETURN, r.rma, r.doc));
  }

  /**
   * Moves every row of an RMA from `from` to `to` with `patch`, only if all are still in `from`:
   * one transaction of conditional writes. Returns the rows as written, or undefined (nothing
   * changed) when any row was elsewhere, e.g. moved meanwhile by another click or replica.
   */
  async moveRma(accountId: string, rma: string, from: ReturnStatus, to: ReturnStatus, patch: (r: ReturnRecord) => Partial<ReturnRecord>, at: string, also?: (trx: Transaction<Database>) => Promise<void>): Promise<ReturnRecord[] | undefined> {
    return this.k.transaction().execute(async (trx) => {
      const rows = await this.byRma(accountId, rma, trx);
      if (rows.length === 0 || rows.some((r) => r.status !== from)) return undefined;
      const written: ReturnRecord[] = [];
      for (const r of rows) {
        const next = ReturnRecord.parse({ ...r, ...patch(r), status: to, updatedAt: at });
        const res = await trx
          .updateTable('returns')
          .set(returnColumns(next))
          .where('account_id', '=', accountId)
          .where('amazon_order_id', '=', r.amazonOrderId)
          .where('rma', '=', rma)
          .where('sku', '=', r.sku)
          .where('status', '=', from)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) throw new LostRace();
        written.push(next);
      }
      if (also) await also(trx);
      return written;
    }).catch((e: unknown) => {
      if (e instanceof LostRace) return undefined;
      throw e;
    });
  }

  /** Changes what Dockhand noted about a return without moving it (the ShipStation side). */
  async note(key: ReturnKey, patch: Partial<ReturnRecord>, at: string): Promise<void> {
    const r = await this.one(key);
    if (!r) return;
    const next = ReturnRecord.parse({ ...r, ...patch, status: r.status, updatedAt: at });
    await this.k.updateTable('returns').set(returnColumns(next)).where('account_id', '=', key.accountId).where('amazon_order_id', '=', key.amazonOrderId).where('rma', '=', key.rma).where('sku', '=', key.sku).execute();
  }

  /** Delivered to the seller at or before `before` and still not marked received, not yet escalated. */
  async deliveredNotReceived(before: number, limit = 200): Promise<ReturnRecord[]> {
    return this.aging('expected', 'delivered_at', 'receive', before, limit);
  }

  /** Received at or before `before` and still not decided (approved, rejected, replaced), not yet escalated. */
  async receivedNotDecided(before: number, limit = 200): Promise<ReturnRecord[]> {
    return this.aging('received', 'received_at', 'approve', before, limit);
  }

  private async aging(status: ReturnStatus, column: 'delivered_at' | 'received_at', mark: string, before: number, limit: number): Promise<ReturnRecord[]> {
    const rows = await this.k
      .selectFrom('returns')
      .select(['rma', 'doc', 'escalated'])
      .where('status', '=', status)
      .where(column, '<=', before)
      .orderBy(column)
      .limit(limit * 4)
      .execute();
    return rows
      .filter((r) => !(r.escalated ?? '').split(',').includes(mark))
      .slice(0, limit)
      .map((r) => readDoc(RETURN, r.rma, r.doc));
  }

  /** Notes that an aging escalation was raised for the RMA, so it is raised once. */
  async markEscalated(accountId: string, rma: string, mark: 'receive' | 'approve'): Promise<void> {
    const rows = await this.k.selectFrom('returns').select(['amazon_order_id', 'sku', 'escalated']).where('account_id', '=', accountId).where('rma', '=', rma).execute();
    for (const r of rows) {
      const marks = new Set((r.escalated ?? '').split(',').filter(Boolean));
      marks.add(mark);
      await this.k.updateTable('returns').set({ escalated: [...marks].join(',') }).where('account_id', '=', accountId).where('rma', '=', rma).where('amazon_order_id', '=', r.amazon_order_id).where('sku', '=', r.sku).execute();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Refunds

  /**
   * Approves an RMA's refunds: its rows move `received → refund_pending` and its refunds are
   * claimed, in one transaction. A refund already claimed for an (RMA, item) is never claimed
   * again, so a double click, a retried request or a second replica leave one. False when the
   * RMA was no longer `received` (nothing changed).
   */
  async approve(accountId: string, rma: string, refunds: RefundRecord[], patch: (r: ReturnRecord) => Partial<ReturnRecord>, at: string): Promise<boolean> {
    const moved = await this.moveRma(accountId, rma, 'received', 'refund_pending', patch, at, async (trx) => {
      for (const r of refunds) {
        const res = await trx
          .insertInto('refunds')
          .values({ account_id: accountId, rma, order_item_id: r.orderItemId, ...refundColumns(r) })
          .onConflict((oc) => oc.columns(['account_id', 'rma', 'order_item_id']).doNothing())
          .executeTakeFirst();
        if (Number(res.numInsertedOrUpdatedRows ?? 0) !== 1) throw new LostRace();
      }
    });
    return moved !== undefined;
  }

  async refundsForRma(accountId: string, rma: string): Promise<RefundRecord[]> {
    const rows = await this.k.selectFrom('refunds').select('doc').where('account_id', '=', accountId).where('rma', '=', rma).orderBy('order_item_id').execute();
    return rows.map((r) => readDoc(REFUND, rma, r.doc));
  }

  /** The refunds of these RMAs of one account (a listing's page). */
  async refundsForRmas(accountId: string, rmas: string[]): Promise<RefundRecord[]> {
    if (rmas.length === 0) return [];
    const rows = await this.k.selectFrom('refunds').select('doc').where('account_id', '=', accountId).where('rma', 'in', rmas).execute();
    return rows.map((r) => readDoc(REFUND, accountId, r.doc));
  }

  /** Every refund of an order (any RMA): what earlier refunds of its items gave back. */
  async refundsForOrder(accountId: string, amazonOrderId: string): Promise<RefundRecord[]> {
    const rows = await this.k.selectFrom('refunds').select('doc').where('account_id', '=', accountId).where('amazon_order_id', '=', amazonOrderId).execute();
    return rows.map((r) => readDoc(REFUND, amazonOrderId, r.doc));
  }

  /** Accounts with approved refunds waiting for a feed. */
  async accountsWithApproved(): Promise<string[]> {
    const rows = await this.k.selectFrom('refunds').select('account_id').where('state', '=', 'approved').distinct().execute();
    return rows.map((r) => r.account_id);
  }

  /** Approved refunds of one account not yet in a feed, oldest approval first. */
  async approvedToBatch(accountId: string, limit: number): Promise<RefundRecord[]> {
    const rows = await this.k.selectFrom('refunds').select('doc').where('state', '=', 'approved').where('account_id', '=', accountId).orderBy('approved_at').limit(limit).execute();
    return rows.map((r) => readDoc(REFUND, accountId, r.doc));
  }

  /** The refunds one feed carries. */
  async refundsInFeed(batchId: string): Promise<RefundRecord[]> {
    const rows = await this.k.selectFrom('refunds').select('doc').where('batch_id', '=', batchId).execute();
    return rows.map((r) => readDoc(REFUND, batchId, r.doc));
  }

  /** Refunds Amazon accepted at or before `before` and Finances has not yet shown posted. */
  async acceptedBefore(before: number, limit = 200): Promise<RefundRecord[]> {
    const rows = await this.k.selectFrom('refunds').select('doc').where('state', '=', 'accepted').where('accepted_at', '<=', before).orderBy('accepted_at').limit(limit).execute();
    return rows.map((r) => readDoc(REFUND, 'accepted', r.doc));
  }

  /** Writes a refund's new state only if it is still in `from`; false when it was not. */
  async moveRefund(r: RefundRecord, from: RefundRecord['state'], patch: Partial<RefundRecord>, at: string): Promise<RefundRecord | undefined> {
    const next = RefundRecord.parse({ ...r, ...patch, updatedAt: at });
    const res = await this.k
      .updateTable('refunds')
      .set(refundColumns(next))
      .where('account_id', '=', r.accountId)
      .where('rma', '=', r.rma)
      .where('order_item_id', '=', r.orderItemId)
      .where('state', '=', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1 ? next : undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Adjustment feeds

  /**
   * Writes a feed's document and puts its refunds in it (each with its MessageID), in one
   * transaction, before anything is sent. False when one of them was meanwhile batched elsewhere.
   */
  async createFeed(feed: Omit<RefundFeed, 'state'>, members: Array<{ refund: RefundRecord; messageId: number }>, at: string): Promise<boolean> {
    return this.k
      .transaction()
      .execute(async (trx) => {
        await trx
          .insertInto('refund_feeds')
          .values({ id: feed.id, account_id: feed.accountId, state: 'ready', feed_id: null, created_at: feed.createdAt, submitting_at: null, submitted_at: null, updated_at: feed.createdAt, document: feed.document, doc: JSON.stringify(RefundFeedMeta.parse(feed.meta)) })
          .execute();
        for (const m of members) {
          const next = RefundRecord.parse({ ...m.refund, state: 'batched', batchId: feed.id, messageId: m.messageId, updatedAt: at });
          const res = await trx
            .updateTable('refunds')
            .set(refundColumns(next))
            .where('account_id', '=', next.accountId)
            .where('rma', '=', next.rma)
            .where('order_item_id', '=', next.orderItemId)
            .where('state', '=', 'approved')
            .executeTakeFirst();
          if (Number(res.numUpdatedRows) !== 1) throw new LostRace();
        }
        return true;
      })
      .catch((e: unknown) => {
        if (e instanceof LostRace) return false;
        throw e;
      });
  }

  /** One account's feeds in `states`, oldest first. */
  async feeds(accountId: string, states: readonly RefundFeedState[]): Promise<RefundFeed[]> {
    const rows = await this.k.selectFrom('refund_feeds').selectAll().where('account_id', '=', accountId).where('state', 'in', [...states]).orderBy('created_at').execute();
    return rows.map(toFeed);
  }

  /** Accounts with feeds in `states`. */
  async accountsWithFeeds(states: readonly RefundFeedState[]): Promise<string[]> {
    const rows = await this.k.selectFrom('refund_feeds').select('account_id').where('state', 'in', [...states]).distinct().execute();
    return rows.map((r) => r.account_id);
  }

  /** When this account last created a feed on Amazon (submitting counts: it may have). */
  async lastSubmissionAt(accountId: string): Promise<number | undefined> {
    const row = await this.k.selectFrom('refund_feeds').select((eb) => eb.fn.max('submitting_at').as('at')).where('account_id', '=', accountId).executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  /** Which of these Amazon feed ids are already ours. */
  async knownFeedIds(accountId: string, feedIds: string[]): Promise<Set<string>> {
    if (feedIds.length === 0) return new Set();
    const rows = await this.k.selectFrom('refund_feeds').select('feed_id').where('account_id', '=', accountId).where('feed_id', 'in', feedIds).execute();
    return new Set(rows.map((r) => r.feed_id!));
  }

  /**
   * Moves a feed from `from` to `to` (a conditional write), with its refunds when `refundState`
   * is given. False when the feed was not in `from`.
   */
  async moveFeed(id: string, from: RefundFeedState, to: RefundFeedState, at: number, set: { feedId?: string; submittingAt?: number; meta?: RefundFeedMeta; refundState?: RefundRecord['state'] } = {}): Promise<boolean> {
    return this.k.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('refund_feeds')
        .set({
          state: to,
          updated_at: at,
          ...(set.feedId !== undefined ? { feed_id: set.feedId, submitted_at: at } : {}),
          ...(set.submittingAt !== undefined ? { submitting_at: set.submittingAt } : {}),
          ...(set.meta ? { doc: JSON.stringify(RefundFeedMeta.parse(set.meta)) } : {}),
        })
        .where('id', '=', id)
        .where('state', '=', from)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      if (set.refundState) {
        const iso = new Date(at).toISOString();
        for (const row of await trx.selectFrom('refunds').select('doc').where('batch_id', '=', id).execute()) {
          const r = readDoc(REFUND, id, row.doc);
          const next = RefundRecord.parse({ ...r, state: set.refundState, ...(set.feedId ? { feedId: set.feedId } : {}), updatedAt: iso });
          await trx.updateTable('refunds').set(refundColumns(next)).where('account_id', '=', r.accountId).where('rma', '=', r.rma).where('order_item_id', '=', r.orderItemId).execute();
        }
      }
      return true;
    });
  }

  /**
   * Writes a processed feed's outcome in one transaction: each refund accepted or refused (with
   * Amazon's code and message); returns whose refunds were all accepted move `from → to`
   * (refund_pending → refunded); the feed is done. Returns the refunds as written, or undefined
   * when the feed was already done (another replica read it first).
   */
  async finishFeed(
    id: string,
    outcome: (r: RefundRecord) => { state: 'accepted' | 'error'; errorCode?: string; errorMessage?: string },
    meta: RefundFeedMeta,
    at: string,
    move: { from: ReturnStatus; to: ReturnStatus },
  ): Promise<RefundRecord[] | undefined> {
    return this.k.transaction().execute(async (trx) => {
      const done = await trx.updateTable('refund_feeds').set({ state: 'done', updated_at: ms(at) ?? 0, doc: JSON.stringify(RefundFeedMeta.parse(meta)) }).where('id', '=', id).where('state', '=', 'submitted').executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) return undefined;
      const written: RefundRecord[] = [];
      for (const row of await trx.selectFrom('refunds').select('doc').where('batch_id', '=', id).where('state', '=', 'submitted').execute()) {
        const r = readDoc(REFUND, id, row.doc);
        const o = outcome(r);
        const next = RefundRecord.parse({
          ...r,
          state: o.state,
          ...(o.state === 'accepted' ? { acceptedAt: at, errorCode: undefined, errorMessage: undefined } : { errorCode: o.errorCode, errorMessage: o.errorMessage }),
          updatedAt: at,
        });
        await trx.updateTable('refunds').set(refundColumns(next)).where('account_id', '=', r.accountId).where('rma', '=', r.rma).where('order_item_id', '=', r.orderItemId).execute();
        written.push(next);
      }
      for (const rma of new Set(written.map((r) => `${r.accountId}\u0000${r.rma}`))) {
        const [accountId, rmaId] = rma.split('\u0000') as [string, string];
        const all = await trx.selectFrom('refunds').select('state').where('account_id', '=', accountId).where('rma', '=', rmaId).execute();
        if (!all.every((r) => r.state === 'accepted' || r.state === 'posted')) continue;
        for (const ret of await this.byRma(accountId, rmaId, trx)) {
          if (ret.status !== move.from) continue;
          const next = ReturnRecord.parse({ ...ret, status: move.to, updatedAt: at });
          await trx.updateTable('returns').set(returnColumns(next)).where('account_id', '=', accountId).where('amazon_order_id', '=', ret.amazonOrderId).where('rma', '=', rmaId).where('sku', '=', ret.sku).where('status', '=', move.from).execute();
        }
      }
      return written;
    });
  }
}

class LostRace extends Error {}

function toFeed(r: Database['refund_feeds']): RefundFeed {
  return {
    id: r.id,
    accountId: r.account_id,
    state: RefundFeedState.parse(r.state),
    ...(r.feed_id ? { feedId: r.feed_id } : {}),
    createdAt: Number(r.created_at),
    ...(r.submitting_at !== null ? { submittingAt: Number(r.submitting_at) } : {}),
    ...(r.submitted_at !== null ? { submittedAt: Number(r.submitted_at) } : {}),
    document: r.document,
    meta: readDoc({ schema: RefundFeedMeta, name: 'refund feed' }, r.id, r.doc),
  };
}
