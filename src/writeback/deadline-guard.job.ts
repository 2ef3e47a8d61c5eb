import type { Notifier } from '../domain/notifier';
import { OrderStatus } from '../domain/order';
import type { Logger } from '../log/logger';
import type { OpenDeadline } from '../store/orders';
import { orderRecordKey, type Store } from '../store/store';
import { deadlineProblem, type AtRiskOrder, type DeadlineNotice } from './deadline-alert';
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

/**
 * Orders Dockhand imported and Amazon still expects to ship that are due before `dueBefore`
 * (late ones included) or whose buyer asked to cancel, with whether writeback covered them.
 * The rest have nothing to escalate yet, so they are not read.
 */
export async function watchedOrders(store: Store, dueBefore: Date): Promise<DeadlineOrder[]> {
  return (await store.orders.openDeadlines(dueBefore)).map(toDeadlineOrder);
}

function toDeadlineOrder(o: OpenDeadline): DeadlineOrder {
  return {
    accountId: o.accountId,
    amazonOrderId: o.amazonOrderId,
    ...(o.shipByLatest ? { shipByLatest: o.shipByLatest } : {}),
    isPrime: o.isPrime,
    status: OrderStatus.catch('unshipped').parse(o.amazonStatus),
    // Amazon's status follows a confirmation a little later (the next sync or event).
    confirmed: o.unitsOrdered > 0 && o.unitsConfirmed >= o.unitsOrdered,
    cancelRequested: o.cancelRequested,
    ...(o.shipstationOrderId !== undefined ? { shipstationOrderId: o.shipstationOrderId } : {}),
  };
}

/** The marks `assessDeadlines` can ask about: only the stages each order has reached. */
export function markCandidates(orders: DeadlineOrder[], leadTimesMinutes: number[], now: Date): string[] {
  return orders.flatMap((o) => {
    const keys = o.cancelRequested ? [cancelRequestKey(o)] : [];
    const left = o.shipByLatest ? Date.parse(o.shipByLatest) - now.getTime() : NaN;
    if (!Number.isFinite(left)) return keys;
    if (left <= 0) return [...keys, lateKey(o)];
    return [...keys, ...leadTimesMinutes.filter((l) => left <= l * 60_000).map((l) => deadlineKey(o, l))];
  });
}

/** The stage an order has reached at `now`: 0 when late, else the tightest lead crossed; undefined before any. */
export function stageReached(shipByLatest: string | undefined, leadTimesMinutes: number[], now: Date): number | undefined {
  const left = shipByLatest ? Date.parse(shipByLatest) - now.getTime() : NaN;
  if (!Number.isFinite(left)) return undefined;
  if (left <= 0) return 0;
  const crossed = leadTimesMinutes.filter((l) => l > 0 && left <= l * 60_000);
  return crossed.length > 0 ? Math.min(...crossed) : undefined;
}

export async function runDeadlineGuard(ctx: DeadlineContext): Promise<DeadlineSummary> {
  const now = ctx.now();
  // Only the orders with something to decide: the store skips those already escalated at the
  // stage they are in, so a minute's pass reads what changed, not every open order.
  const open = await ctx.store.orders.deadlinesToDecide(now, ctx.leadTimesMinutes);
  const orders = open.map(toDeadlineOrder);
  // Which alerts went out before: read once, so the pure assessment needs no I/O.
  const candidates = markCandidates(orders, ctx.leadTimesMinutes, now);
  const sent = await ctx.store.marked(candidates);
  const report = assessDeadlines({ orders, leadTimesMinutes: ctx.leadTimesMinutes, alreadySent: (k) => sent.has(k), now });
  // Claimed before anything is sent: of two replicas (or a pass and a restart) only the one that
  // claims an order's key escalates it.
  const mine = new Set<string>();
  for (const key of report.keys) if (await ctx.store.claimOnce(key, now.toISOString())) mine.add(key);
  const escalations = report.escalations.map((g) => ({ ...g, orders: g.orders.filter((o) => mine.has(deadlineKey(o, g.leadMinutes))) }));
  const late = report.late.filter((o) => mine.has(lateKey(o)));
  const cancelRequests = report.cancelRequests.filter((o) => mine.has(cancelRequestKey(o)));
  // Each order's stage, once its escalation is claimed (here or before), is noted on the order.
  const escalated = open.flatMap((o, i) => {
    const stage = stageReached(o.shipByLatest, ctx.leadTimesMinutes, now);
    if (stage === undefined || stage === o.escalatedAtLead) return [];
    const key = stage === 0 ? lateKey(orders[i]!) : deadlineKey(orders[i]!, stage);
    return sent.has(key) || mine.has(key) ? [{ orderKey: orderRecordKey(o.accountId, o.amazonOrderId), leadMinutes: stage }] : [];
  });
  const notices: DeadlineNotice[] = [
    ...escalations.map((g): DeadlineNotice => ({ stage: 'at_risk', leadMinutes: g.leadMinutes, orders: g.orders.map(toNotice) })),
    { stage: 'late', orders: late.map(toNotice) },
    { stage: 'cancel_requested', orders: cancelRequests.map(toNotice) },
  ];
  for (const n of notices) {
    // An escalation that names no order is no problem: deadlineProblem gives none.
    const problem = deadlineProblem(n);
    if (problem) await ctx.notifier.raise(problem);
  }
  const atRisk = escalations.reduce((n, g) => n + g.orders.length, 0);
  if (atRisk + late.length + cancelRequests.length > 0) {
    ctx.logger.info({ job: name, atRisk, late: late.length, cancelRequests: cancelRequests.length }, 'ship-by escalations sent');
  }
  await ctx.store.orders.markEscalated(escalated);
  return { watched: await ctx.store.orders.countOpen(), atRisk, late: late.length, cancelRequests: cancelRequests.length };
}

/** Every watched order due within `horizonMinutes` or late, Prime first, then least time left (`/dockhand late`). */
export async function ordersAtRisk(store: Store, now: Date, horizonMinutes: number): Promise<AtRiskOrder[]> {
  const report = assessDeadlines({ orders: await watchedOrders(store, minutesAfter(now, horizonMinutes + 1)), leadTimesMinutes: [horizonMinutes], alreadySent: () => false, now });
  return [...report.late, ...report.escalations.flatMap((g) => g.orders)]
    .map(toNotice)
    .sort((a, b) => Number(b.isPrime) - Number(a.isPrime) || (a.minutesLeft ?? 0) - (b.minutesLeft ?? 0));
}

function minutesAfter(t: Date, minutes: number): Date {
  return new Date(t.getTime() + minutes * 60_000);
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
