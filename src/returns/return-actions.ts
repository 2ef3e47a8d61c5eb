import { DockhandError, toDockhandError } from '../domain/errors';
import type { Notifier } from '../domain/notifier';
import type { RefundRecord, ReturnCondition, ReturnRecord } from '../domain/return';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import { adjustmentItemId } from './adjustment-feed';
import type { OrderSource } from './ports';
import { addComponents, allowedRestockingPercent, computeRefund, lowerTo, NOTHING, refundableItems, type RefundQuote } from './refund';
import type { ReturnsConfig } from './returns-config';
import { returnKey, returnProblem } from './return-message';
import { canTake, nextStatus, type ReturnStep } from './return-state';

/**
 * What people do with a return, from Slack or the CLI: mark it received (anyone), approve its
 * refund, replace or reject it (managers), retry a refund Amazon refused (managers). Each step
 * checks the role and the state machine first, writes the change with a conditional write, then
 * redraws the RMA's message; every step, refused or not, is audited. A refused step changes nothing.
 */

export interface ReturnActionDeps {
  store: Store;
  notifier: Notifier;
  orders: OrderSource;
  isManager(actor: string): Promise<boolean>;
  config: Pick<ReturnsConfig, 'restockingFeePercent' | 'refundShipping'>;
  now: () => Date;
  logger: Logger;
  source?: 'slack' | 'cli';
}

export type StepResult = { ok: true; message: string } | { ok: false; message: string; code: string };

export interface ReceivedInput {
  condition: ReturnCondition;
  /** Units received per SKU; a SKU left out counts as all of its units. */
  quantities?: Record<string, number>;
  notes?: string;
}

/** The refund a manager is offered for an RMA: one quote per item, all in the order's currency. */
export interface RefundOffer {
  accountId: string;
  rma: string;
  amazonOrderId: string;
  marketplaceId: string;
  currency: string;
  quotes: RefundQuote[];
}

const MANAGER_STEPS: ReadonlySet<string> = new Set(['approve_refund', 'reject', 'replace', 'retry_refund']);

export function createReturnActions(deps: ReturnActionDeps) {
  const { store } = deps;
  const at = () => deps.now().toISOString();

  async function audit(actor: string, action: string, outcome: 'ok' | 'refused' | 'failed', target: string, detail?: string): Promise<void> {
    await store
      .recordAudit({ at: at(), actor, source: deps.source ?? 'slack', action: `returns:${action}`, outcome, target, ...(detail ? { detail: detail.slice(0, 500) } : {}) })
      .catch((e: unknown) => deps.logger.error({ err: (e as Error).message, action }, 'audit entry not written'));
  }

  /** Redraws the RMA's message from what the store holds now; `awaited` when the step is a person's click. */
  async function draw(accountId: string, rma: string, step: string | undefined, awaited: boolean): Promise<void> {
    const rows = await store.returns.byRma(accountId, rma);
    if (rows.length === 0) return;
    const refunds = await store.returns.refundsForRma(accountId, rma);
    const previous = (await store.alerts.get(returnKey(accountId, rma)))?.facts.history;
    const pending = (await store.outbox.get(returnKey(accountId, rma)))?.facts.history;
    const problem = returnProblem({ rows, refunds, ...(step ? { step } : {}) }, pending ?? previous ?? '');
    await deps.notifier.raise(awaited ? { ...problem, awaited } : problem);
  }
  /** What the jobs change (a report read, a feed's result): nobody is watching for it. */
  const redraw = (accountId: string, rma: string, step?: string) => draw(accountId, rma, step, false);
  /** The person who clicked sees their step in the message first, ahead of the channel's other edits. */
  const answer = (accountId: string, rma: string, step: string) => draw(accountId, rma, step, true);

  /** The role and state checks every step makes before it changes anything; a refusal is audited. */
  async function guard(actor: string, step: ReturnStep | 'retry_refund', accountId: string, rma: string): Promise<{ rows: ReturnRecord[] } | StepResult> {
    const target = returnKey(accountId, rma);
    if (MANAGER_STEPS.has(step) && !(await deps.isManager(actor))) {
      await audit(actor, step, 'refused', target, 'not a manager');
      return { ok: false, code: 'returns.not_a_manager', message: 'Only managers may approve, replace, reject or retry a refund; nothing was changed.' };
    }
    const rows = await store.returns.byRma(accountId, rma);
    if (rows.length === 0) {
      await audit(actor, step, 'refused', target, 'no such return');
      return { ok: false, code: 'returns.not_found', message: `No return ${rma} for account ${accountId}.` };
    }
    if (step !== 'retry_refund') {
      try {
        nextStatus(rows[0]!.status, step, rma);
      } catch (e) {
        const err = toDockhandError(e);
        await audit(actor, step, 'refused', target, err.message);
        return { ok: false, code: err.code, message: `${err.message}. ${err.hint}`.trim() };
      }
    }
    return { rows };
  }

  /** A conditional write lost to another click or replica: nothing changed, and it is said so. */
  async function lostRace(actor: string, step: string, accountId: string, rma: string): Promise<StepResult> {
    await audit(actor, step, 'refused', returnKey(accountId, rma), 'changed meanwhile');
    return { ok: false, code: 'returns.illegal_transition', message: `Return ${rma} was changed meanwhile (another click?); nothing more was done.` };
  }

  return {
    redraw,

    /** The rows (one per SKU) of an RMA, for a modal. */
    rows: (accountId: string, rma: string) => store.returns.byRma(accountId, rma),

    /** Whether `actor` may take a manager's step now: undefined when yes, else the refusal (audited). Nothing changes. */
    async mayDecide(actor: string, step: 'approve_refund' | 'reject', accountId: string, rma: string): Promise<StepResult | undefined> {
      const g = await guard(actor, step, accountId, rma);
      return 'ok' in g ? g : undefined;
    },

    /** The warehouse has the package. Anyone may press it. */
    async received(actor: string, accountId: string, rma: string, input: ReceivedInput): Promise<StepResult> {
      const g = await guard(actor, 'receive', accountId, rma);
      if ('ok' in g) return g;
      for (const r of g.rows) {
        const q = input.quantities?.[r.sku];
        if (q !== undefined && (!Number.isInteger(q) || q < 0 || q > r.quantity)) {
          await audit(actor, 'receive', 'refused', returnKey(accountId, rma), `quantity ${q} of ${r.sku}`);
          return { ok: false, code: 'returns.bad_quantity', message: `Quantity received of ${r.sku} must be 0 to ${r.quantity}; nothing was changed.` };
        }
      }
      const moved = await store.returns.moveRma(
        accountId,
        rma,
        'expected',
        nextStatus('expected', 'receive'),
        (r) => ({ condition: input.condition, quantityReceived: input.quantities?.[r.sku] ?? r.quantity, receivedBy: actor, receivedAt: at(), ...(input.notes ? { notes: input.notes.slice(0, 500) } : {}) }),
        at(),
      );
      if (!moved) return lostRace(actor, 'receive', accountId, rma);
      const units = moved.map((r) => `${r.quantityReceived} of ${r.quantity} ${r.sku}`).join(', ');
      await audit(actor, 'receive', 'ok', returnKey(accountId, rma), `${input.condition}: ${units}`);
      await deps.notifier.resolve(`return_aging:${accountId}:${rma}:receive`, () => 'marked received');
      await answer(accountId, rma, `${mention(actor)} marked it received: ${input.condition}, ${units}`);
      return { ok: true, message: `Return ${rma} marked received (${input.condition}).` };
    },

    /** The refund the Approve modal offers, computed from the order. Throws when the order cannot be read. */
    async offer(accountId: string, rma: string): Promise<RefundOffer> {
      const rows = await store.returns.byRma(accountId, rma);
      if (rows.length === 0) throw new DockhandError('returns.not_found', `no return ${rma} for account ${accountId}`);
      const first = rows[0]!;
      const order = await deps.orders.order(accountId, first.amazonOrderId);
      if (!order) throw new DockhandError('returns.refund_not_computable', `order ${first.amazonOrderId} of return ${rma} is not on Amazon`, { hint: 'Refund it in Seller Central.' });
      const currency = order.currency ?? first.currency;
      if (!currency) throw new DockhandError('returns.refund_not_computable', `order ${first.amazonOrderId} has no currency`, { hint: 'Refund it in Seller Central.' });
      const items = refundableItems(order);
      const earlier = (await store.returns.refundsForOrder(accountId, first.amazonOrderId)).filter((r) => r.rma !== rma && r.state !== 'error');
      const quotes = rows.map((r) => {
        const item = items.find((i) => i.sku === r.sku) ?? items.find((i) => order.items.find((o) => o.orderItemId === i.orderItemId)?.asin === r.asin);
        if (!item) throw new DockhandError('returns.refund_not_computable', `order ${first.amazonOrderId} has no item with SKU ${r.sku}`, { hint: 'Refund it in Seller Central.' });
        const before = earlier.filter((e) => e.orderItemId === item.orderItemId).reduce((s, e) => addComponents(s, e.components), NOTHING);
        return computeRefund({
          item,
          quantity: Math.max(1, r.quantityReceived ?? r.quantity),
          alreadyRefunded: before,
          includeShipping: deps.config.refundShipping,
          restockingPercent: allowedRestockingPercent(deps.config.restockingFeePercent, r.reason, r.condition),
        });
      });
      return { accountId, rma, amazonOrderId: first.amazonOrderId, marketplaceId: first.marketplaceId, currency, quotes };
    },

    /**
     * A manager approves the refund: `amounts` (cents per SKU, from the modal) may lower each
     * item's refund, never raise it. The return moves to refund_pending and its refunds are
     * claimed in one transaction; the feed job sends them.
     */
    async approve(actor: string, accountId: string, rma: string, amounts: Record<string, number> = {}): Promise<StepResult> {
      const g = await guard(actor, 'approve_refund', accountId, rma);
      if ('ok' in g) return g;
      let offer: RefundOffer;
      let quotes: RefundQuote[];
      try {
        offer = await this.offer(accountId, rma);
        quotes = offer.quotes.map((q) => (amounts[q.sku] !== undefined ? lowerTo(q, amounts[q.sku]!) : q));
      } catch (e) {
        const err = toDockhandError(e);
        await audit(actor, 'approve_refund', 'refused', returnKey(accountId, rma), err.message);
        return { ok: false, code: err.code, message: `${err.message}. ${err.hint}`.trim() };
      }
      const now = at();
      const refunds: RefundRecord[] = quotes.map((q) => ({
        accountId,
        marketplaceId: offer.marketplaceId,
        rma,
        orderItemId: q.orderItemId,
        amazonOrderId: offer.amazonOrderId,
        sku: q.sku,
        quantity: q.quantity,
        currency: offer.currency,
        components: q.components,
        restockingFee: q.restockingFee,
        total: q.total,
        adjustmentId: adjustmentItemId(rma, q.orderItemId),
        state: 'approved',
        approvedBy: actor,
        approvedAt: now,
        attempt: 1,
        updatedAt: now,
      }));
      const ok = await store.returns.approve(accountId, rma, refunds, () => ({ decidedBy: actor, decidedAt: now }), now);
      if (!ok) return lostRace(actor, 'approve_refund', accountId, rma);
      const total = refunds.reduce((s, r) => s + r.total, 0);
      const text = `${(total / 100).toFixed(2)} ${offer.currency}`;
      await audit(actor, 'approve_refund', 'ok', returnKey(accountId, rma), `${text}: ${refunds.map((r) => `${r.sku} ${(r.total / 100).toFixed(2)}`).join(', ')}`);
      await deps.notifier.resolve(`return_aging:${accountId}:${rma}:approve`, () => 'refund approved');
      await answer(accountId, rma, `${mention(actor)} approved a refund of ${text}`);
      return { ok: true, message: `Refund of ${text} for ${rma} approved; it goes to Amazon in the next adjustment feed.` };
    },

    async reject(actor: string, accountId: string, rma: string, reason: string): Promise<StepResult> {
      const g = await guard(actor, 'reject', accountId, rma);
      if ('ok' in g) return g;
      if (!reason.trim()) {
        await audit(actor, 'reject', 'refused', returnKey(accountId, rma), 'no reason');
        return { ok: false, code: 'returns.reason_required', message: 'A rejection needs a reason; nothing was changed.' };
      }
      const moved = await store.returns.moveRma(accountId, rma, 'received', nextStatus('received', 'reject'), () => ({ decidedBy: actor, decidedAt: at(), rejectReason: reason.slice(0, 500) }), at());
      if (!moved) return lostRace(actor, 'reject', accountId, rma);
      await audit(actor, 'reject', 'ok', returnKey(accountId, rma), reason);
      await deps.notifier.resolve(`return_aging:${accountId}:${rma}:approve`, () => 'rejected');
      await answer(accountId, rma, `${mention(actor)} rejected the refund`);
      return { ok: true, message: `Return ${rma} rejected.` };
    },

    async replace(actor: string, accountId: string, rma: string): Promise<StepResult> {
      const g = await guard(actor, 'replace', accountId, rma);
      if ('ok' in g) return g;
      const moved = await store.returns.moveRma(accountId, rma, 'received', nextStatus('received', 'replace'), () => ({ decidedBy: actor, decidedAt: at() }), at());
      if (!moved) return lostRace(actor, 'replace', accountId, rma);
      await audit(actor, 'replace', 'ok', returnKey(accountId, rma));
      await deps.notifier.resolve(`return_aging:${accountId}:${rma}:approve`, () => 'replacement chosen');
      await answer(accountId, rma, `${mention(actor)} chose a replacement instead of a refund`);
      return { ok: true, message: `Return ${rma} marked replaced.` };
    },

    /**
     * Puts refunds Amazon refused back in line for the next feed (same (RMA, item), one more
     * attempt). Only a refusal can be retried: its message was not applied, so resending cannot
     * refund twice. A refund whose feed's fate is unknown is never resent from here.
     */
    async retryRefund(actor: string, accountId: string, rma: string): Promise<StepResult> {
      const g = await guard(actor, 'retry_refund', accountId, rma);
      if ('ok' in g) return g;
      const failed = (await store.returns.refundsForRma(accountId, rma)).filter((r) => r.state === 'error');
      if (failed.length === 0 || !canTake(g.rows[0]!.status, 'refund_accepted')) {
        await audit(actor, 'retry_refund', 'refused', returnKey(accountId, rma), 'nothing refused to retry');
        return { ok: false, code: 'returns.illegal_transition', message: `Return ${rma} has no refused refund to retry; nothing was changed.` };
      }
      let n = 0;
      for (const r of failed) {
        const next = await store.returns.moveRefund(r, 'error', { state: 'approved', attempt: r.attempt + 1, approvedAt: at(), batchId: undefined, messageId: undefined, feedId: undefined }, at());
        if (next) n++;
      }
      if (n === 0) return lostRace(actor, 'retry_refund', accountId, rma);
      await audit(actor, 'retry_refund', 'ok', returnKey(accountId, rma), `${n} refund(s) queued again`);
      await answer(accountId, rma, `${mention(actor)} pressed Retry`);
      return { ok: true, message: `Refund for ${rma} queued again for the next adjustment feed.` };
    },
  };
}

export type ReturnActions = ReturnType<typeof createReturnActions>;

function mention(actor: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(actor) ? `<@${actor}>` : actor;
}
