import type { AtRiskOrder, Notifier } from '../domain/notifier';
import { OrderStatus } from '../domain/order';
import type { Logger } from '../log/logger';
import type { OrderRecord } from '../store/records';
import { orderRecordKey, type Store } from '../store/store';
import { ledgersOf } from './confirm-labels.job';
import { assessDeadlines, cancelRequestKey, deadlineKey, lateKey, type DeadlineOrder } from './deadline';

/**
 * The ship-by guard, run every minute: escalates imported orders not yet confirmed as their
 * latest ship date comes near (each lead time once per order), reports the ones that went late,
 * and flags buyers' cancellation requests at once. What was sent is remembered in the store, so
 * a restart does not repeat an escalation.
 */
export const name = 'deadline-guard';

export interface DeadlineContext {
  store: Store;
  notifier: Notifier;
  logger: Logger;
  now: () => Date;
  leadTimesMinutes: number[];
}

export interface DeadlineSummary {
  watched: number;
  atRisk: number;
  late: number;
  cancelRequests: number;
}

/** Orders Dockhand imported and Amazon still expects to ship, with whether writeback covered them. */
export async function watchedOrders(store: Store): Promise<DeadlineOrder[]> {
  const records = (await store.orders.all()).filter((r) => r.state === 'sent' && (r.amazonStatus === 'unshipped' || r.amazonStatus === 'partially_shipped'));
  const ledgers = await ledgersOf(store, records.map((r) => orderRecordKey(r.accountId, r.amazonOrderId)));
  return records.map((r, i) => toDeadlineOrder(r, ledgers[i]!.flatMap((c) => (c.state === 'confirmed' ? c.items : []))));
}

function toDeadlineOrder(r: OrderRecord, confirmedItems: Array<{ orderItemId: string; quantity: number }>): DeadlineOrder {
  const ordered = (r.items ?? []).reduce((n, i) => n + i.quantityOrdered, 0);
  const confirmed = confirmedItems.reduce((n, i) => n + i.quantity, 0);
  return {
    accountId: r.accountId,
    amazonOrderId: r.amazonOrderId,
    ...(r.shipByLatest ? { shipByLatest: r.shipByLatest } : {}),
    isPrime: r.isPrime,
    status: OrderStatus.catch('unshipped').parse(r.amazonStatus),
    // Amazon's status follows a confirmation a little later (the next sync or event).
    confirmed: ordered > 0 && confirmed >= ordered,
    cancelRequested: r.cancelRequested ?? false,
    ...(r.shipstationOrderId !== undefined ? { shipstationOrderId: r.shipstationOrderId } : {}),
  };
}

export async function runDeadlineGuard(ctx: DeadlineContext): Promise<DeadlineSummary> {
  const orders = await watchedOrders(ctx.store);
  const now = ctx.now();
  // Which alerts went out before: read once, so the pure assessment needs no I/O.
  const candidates = orders.flatMap((o) => [...ctx.leadTimesMinutes.map((l) => deadlineKey(o, l)), lateKey(o), cancelRequestKey(o)]);
  const sent = await ctx.store.marked(candidates);
  const report = assessDeadlines({ orders, leadTimesMinutes: ctx.leadTimesMinutes, alreadySent: (k) => sent.has(k), now });
  // Claimed before anything is sent: of two replicas (or a pass and a restart) only the one that
  // claims an order's key escalates it.
  const mine = new Set<string>();
  for (const key of report.keys) if (await ctx.store.claimOnce(key, now.toISOString())) mine.add(key);
  const escalations = report.escalations.map((g) => ({ ...g, orders: g.orders.filter((o) => mine.has(deadlineKey(o, g.leadMinutes))) }));
  const late = report.late.filter((o) => mine.has(lateKey(o)));
  const cancelRequests = report.cancelRequests.filter((o) => mine.has(cancelRequestKey(o)));
  for (const group of escalations) {
    if (group.orders.length > 0) await ctx.notifier.deadlineEscalation({ stage: 'at_risk', leadMinutes: group.leadMinutes, orders: group.orders.map(toNotice) });
  }
  if (late.length > 0) await ctx.notifier.deadlineEscalation({ stage: 'late', orders: late.map(toNotice) });
  if (cancelRequests.length > 0) await ctx.notifier.deadlineEscalation({ stage: 'cancel_requested', orders: cancelRequests.map(toNotice) });
  const atRisk = escalations.reduce((n, g) => n + g.orders.length, 0);
  if (atRisk + late.length + cancelRequests.length > 0) {
    ctx.logger.info({ job: name, atRisk, late: late.length, cancelRequests: cancelRequests.length }, 'ship-by escalations sent');
  }
  return { watched: orders.length, atRisk, late: late.length, cancelRequests: cancelRequests.length };
}

/** Every watched order due within `horizonMinutes` or late, Prime first, then least time left (`/dockhand late`). */
export async function ordersAtRisk(store: Store, now: Date, horizonMinutes: number): Promise<AtRiskOrder[]> {
  const report = assessDeadlines({ orders: await watchedOrders(store), leadTimesMinutes: [horizonMinutes], alreadySent: () => false, now });
  return [...report.late, ...report.escalations.flatMap((g) => g.orders)]
    .map(toNotice)
    .sort((a, b) => Number(b.isPrime) - Number(a.isPrime) || (a.minutesLeft ?? 0) - (b.minutesLeft ?? 0));
}

function toNotice(o: { accountId: string; amazonOrderId: string; isPrime: boolean; shipByLatest?: string; minutesLeft?: number; shipstationOrderId?: number }): AtRiskOrder {
  return {
    accountId: o.accountId,
    amazonOrderId: o.amazonOrderId,
    isPrime: o.isPrime,
    ...(o.shipByLatest ? { shipByLatest: o.shipByLatest } : {}),
    ...(o.minutesLeft !== undefined ? { minutesLeft: o.minutesLeft } : {}),
    ...(o.shipstationOrderId !== undefined ? { shipstationOrderId: o.shipstationOrderId } : {}),
  };
}
