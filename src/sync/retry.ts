import type { AccountConfig } from '../config/config';
import { isRetryable, toDockhandError } from '../domain/errors';
import type { Order } from '../domain/order';
import { orderRecordKey } from '../store/store';
import { EVENTS_QUARANTINE_ACCOUNT } from './order-events.job';
import { emptySummary, processOrders, type SyncContext } from './sync-orders.job';

export interface RetryOutcome {
  retried: number;
  resolved: number;
  stillQuarantined: number;
  notFound: string[];
  /** Left alone by 'all': orders only Amazon can correct (domain/errors.ts `isRetryable`). They stay in quarantine. */
  skipped: number;
}

/**
 * Retries quarantined orders of one account: `target` is an AmazonOrderId or 'all'. Each order
 * is read again from Amazon (it may have been fixed there) and goes through the same path as
 * a sync; what fails again stays in quarantine with the new reason.
 *
 * 'all' skips the orders only Amazon can correct: re-reading the same version changes nothing
 * and costs a getOrder each, and the sync imports them once Amazon updates them. One order
 * named on its own is always retried: someone asked for it.
 */
export async function retryQuarantined(target: string, ctx: SyncContext): Promise<RetryOutcome> {
  const accountId = ctx.account.id;
  const found =
    target === 'all'
      ? await ctx.store.quarantine.list(accountId)
      : [await ctx.store.quarantine.get(orderRecordKey(accountId, target))].filter((q) => q !== undefined);
  const entries = target === 'all' ? found.filter((q) => isRetryable(q.code)) : found;
  const outcome: RetryOutcome = { retried: 0, resolved: 0, stillQuarantined: 0, notFound: [], skipped: found.length - entries.length };
  if (target !== 'all' && entries.length === 0) outcome.notFound.push(target);
  const summary = emptySummary(accountId, ctx.now().toISOString());

  const fresh: Order[] = [];
  for (const entry of entries) {
    outcome.retried++;
    const key = orderRecordKey(accountId, entry.amazonOrderId);
    let order: Order;
    try {
      order = await ctx.amazon.fetchOrder(entry.amazonOrderId);
    } catch (e) {
      const err = toDockhandError(e);
      if (err.transient || err.code === 'amazon.auth_rejected') throw err;
      await ctx.store.quarantine.set(key, { ...entry, code: err.code, reason: err.message, hint: err.hint, at: ctx.now().toISOString(), attempts: entry.attempts + 1 });
      continue;
    }
    // Lift the "same version stays quarantined" guard for this deliberate retry.
    const record = await ctx.store.orders.get(key);
    if (record?.state === 'quarantined') {
      await ctx.store.orders.set(key, { ...record, state: record.shipstationOrderId !== undefined ? 'sent' : 'held', hash: undefined, lastUpdatedTime: '' });
    }
    await ctx.store.quarantine.delete(key);
    fresh.push(order);
  }
  await processOrders(fresh, ctx, summary);
  for (const entry of entries) {
    const still = await ctx.store.quarantine.get(orderRecordKey(accountId, entry.amazonOrderId));
    if (still) outcome.stillQuarantined++;
    else outcome.resolved++;
  }
  return outcome;
}

/**
 * Unparseable notifications have no order to retry (polling covers the order anyway): retrying
 * one dismisses it. `target` is its quarantine id (`message-…`) or 'all'.
 */
export async function dismissNotifications(target: string, store: SyncContext['store']): Promise<number> {
  let dismissed = 0;
  for (const q of await store.quarantine.list(EVENTS_QUARANTINE_ACCOUNT)) {
    if (target !== 'all' && q.amazonOrderId !== target) continue;
    await store.quarantine.delete(orderRecordKey(q.accountId, q.amazonOrderId));
    await store.orders.delete(orderRecordKey(q.accountId, q.amazonOrderId));
    dismissed++;
  }
  return dismissed;
}

/**
 * Retries `target` in each of `accounts` (an order lives in one, 'all' in each), after dismissing
 * the unparseable notifications it names, and adds the counts up. Orders 'all' left alone are not
 * counted here: they are still in the quarantine list, which the caller can count.
 */
export async function retryInAccounts(
  target: string,
  accounts: AccountConfig[],
  ctx: { store: SyncContext['store']; contextFor(account: AccountConfig): SyncContext },
): Promise<Omit<RetryOutcome, 'skipped'>> {
  const total = { retried: 0, resolved: 0, stillQuarantined: 0, notFound: [] as string[] };
  const dismissed = await dismissNotifications(target, ctx.store);
  total.retried += dismissed;
  total.resolved += dismissed;
  for (const a of accounts) {
    const r = await retryQuarantined(target, ctx.contextFor(a));
    total.retried += r.retried;
    total.resolved += r.resolved;
    total.stillQuarantined += r.stillQuarantined;
  }
  if (target !== 'all' && total.retried === 0) total.notFound.push(target);
  return total;
}
