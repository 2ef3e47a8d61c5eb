import { toDockhandError } from '../domain/errors';
import type { Notifier } from '../domain/notifier';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import type { RefundPostings } from './ports';
import { returnKey } from './return-message';

/**
 * A day after Amazon accepted a refund in the adjustment feed, Finances
 * (listFinancialEventsByOrderId) is asked whether it posted; the RMA's message says so, and is
 * resolved once every refund of the RMA has posted. Finances lags ("orders from the last 48
 * hours might not be included"): a refund not yet there is asked about again on the next pass.
 */

export const REFUND_CONFIRM_JOB = 'returns-refund-confirm';
export const CONFIRM_AFTER_MS = 86_400_000;

export interface RefundConfirmDeps {
  store: Store;
  postings: RefundPostings;
  notifier: Notifier;
  redraw(accountId: string, rma: string, step?: string): Promise<void>;
  now: () => Date;
  logger: Logger;
}

export async function confirmPostedRefunds(deps: RefundConfirmDeps): Promise<{ asked: number; posted: number }> {
  const now = deps.now();
  const due = await deps.store.returns.acceptedBefore(now.getTime() - CONFIRM_AFTER_MS);
  const byOrder = new Map<string, typeof due>();
  for (const r of due) byOrder.set(`${r.accountId}\u0000${r.amazonOrderId}`, [...(byOrder.get(`${r.accountId}\u0000${r.amazonOrderId}`) ?? []), r]);
  let posted = 0;
  for (const refunds of byOrder.values()) {
    const { accountId, amazonOrderId } = refunds[0]!;
    let items;
    try {
      items = await deps.postings.postedRefunds(accountId, amazonOrderId);
    } catch (e) {
      const err = toDockhandError(e);
      deps.logger.warn({ accountId, amazonOrderId, code: err.code }, 'Finances not reachable; asked again on the next pass');
      continue;
    }
    const touched = new Set<string>();
    for (const r of refunds) {
      const found = items.find((i) => i.orderItemId === r.orderItemId) ?? items.find((i) => i.sellerSku === r.sku);
      if (!found) continue;
      const next = await deps.store.returns.moveRefund(r, 'accepted', { state: 'posted', postedAt: found.postedDate ?? now.toISOString() }, now.toISOString());
      if (next) {
        posted++;
        touched.add(r.rma);
      }
    }
    for (const rma of touched) {
      await deps.redraw(accountId, rma, `Finances shows the refund posted on Amazon`);
      const all = await deps.store.returns.refundsForRma(accountId, rma);
      if (all.every((r) => r.state === 'posted')) await deps.notifier.resolve(returnKey(accountId, rma), () => 'refund posted on Amazon (Finances)');
    }
  }
  return { asked: byOrder.size, posted };
}
