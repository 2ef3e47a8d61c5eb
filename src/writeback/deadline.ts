import type { OrderStatus } from '../domain/order';

/**
 * The ship-by guard: which orders are about to miss Amazon's latest ship date, which missed it,
 * and which buyers asked to cancel before shipment. Pure: the caller passes `now` and which
 * alert keys were already sent, and marks the returned `keys` as sent once it has alerted.
 */

export interface DeadlineOrder {
  accountId: string;
  amazonOrderId: string;
  /** Amazon's latest ship date, ISO 8601. */
  shipByLatest?: string;
  isPrime: boolean;
  status: OrderStatus;
  /** A confirmation Amazon accepted and that covers the whole order. */
  confirmed: boolean;
  cancelRequested: boolean;
  shipstationOrderId?: number;
}

export interface AtRisk {
  accountId: string;
  amazonOrderId: string;
  isPrime: boolean;
  shipByLatest: string;
  /** Whole minutes until ship-by, rounded down; negative when late. */
  minutesLeft: number;
  /** The buyer also asked to cancel: the fix may be cancelling, not shipping. */
  cancelRequested: boolean;
  shipstationOrderId?: number;
}

/** A cancellation request may come for an order whose ship-by date Dockhand does not know. */
export type CancelRequest = Omit<AtRisk, 'shipByLatest' | 'minutesLeft' | 'cancelRequested'> & {
  shipByLatest?: string;
  minutesLeft?: number;
};

export interface DeadlineReport {
  /** One group per lead time some order just reached, tightest first. */
  escalations: Array<{ leadMinutes: number; orders: AtRisk[] }>;
  late: AtRisk[];
  cancelRequests: CancelRequest[];
  /** Every key the caller should mark as sent after alerting, in report order. */
  keys: string[];
}

export interface DeadlineInput {
  orders: DeadlineOrder[];
  /** Minutes before ship-by at which to alert; default [240, 60]. */
  leadTimesMinutes?: number[];
  alreadySent: (key: string) => boolean;
  now: Date;
}

export const DEFAULT_LEAD_TIMES_MINUTES: readonly number[] = [240, 60];

const MINUTE = 60_000;

export const deadlineKey = (o: Pick<DeadlineOrder, 'accountId' | 'amazonOrderId'>, leadMinutes: number) =>
  `deadline:${o.accountId}:${o.amazonOrderId}:${leadMinutes}`;
export const lateKey = (o: Pick<DeadlineOrder, 'accountId' | 'amazonOrderId'>) => `late:${o.accountId}:${o.amazonOrderId}`;
export const cancelRequestKey = (o: Pick<DeadlineOrder, 'accountId' | 'amazonOrderId'>) =>
  `cancelreq:${o.accountId}:${o.amazonOrderId}`;

/** Orders that still have something to ship. Pending orders are not released to ship yet. */
const isOpen = (s: OrderStatus) => s === 'unshipped' || s === 'partially_shipped';

/**
 * Sorts out which open orders need an alert now. An order is escalated once per lead time: when
 * its time left first drops to a lead time (and is still above zero) it appears in that lead's
 * group. An order that crossed several lead times since the last run appears once, in the
 * tightest group, and the keys of every lead it crossed are returned so none fires later.
 * Late orders (ship-by passed, not confirmed) and cancellation requests are reported once each.
 */
export function assessDeadlines(input: DeadlineInput): DeadlineReport {
  const nowMs = input.now.getTime();
  if (!Number.isFinite(nowMs)) throw new TypeError('assessDeadlines: now is not a valid Date');
  const leads = [...new Set((input.leadTimesMinutes ?? DEFAULT_LEAD_TIMES_MINUTES).filter((m) => Number.isFinite(m) && m > 0))].sort(
    (a, b) => a - b,
  );

  const groups = new Map<number, Array<{ risk: AtRisk; msLeft: number; keys: string[] }>>();
  const late: Array<{ risk: AtRisk; msLeft: number }> = [];
  const cancels: Array<{ req: CancelRequest; msLeft: number }> = [];
  const seen = new Set<string>();

  for (const order of input.orders) {
    // The same order twice in one pass (two sources, a retry) must not alert twice.
    const id = `${order.accountId}:${order.amazonOrderId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (!isOpen(order.status) || order.confirmed) continue;

    const shipByMs = order.shipByLatest === undefined ? NaN : Date.parse(order.shipByLatest);
    const msLeft = shipByMs - nowMs;
    const known = Number.isFinite(msLeft);
    const minutesLeft = Math.floor(msLeft / MINUTE);

    if (order.cancelRequested && !input.alreadySent(cancelRequestKey(order))) {
      cancels.push({
        req: {
          accountId: order.accountId,
          amazonOrderId: order.amazonOrderId,
          isPrime: order.isPrime,
          ...(known ? { shipByLatest: order.shipByLatest, minutesLeft } : {}),
          ...(order.shipstationOrderId !== undefined ? { shipstationOrderId: order.shipstationOrderId } : {}),
        },
        msLeft: known ? msLeft : Infinity,
      });
    }
    if (!known) continue;

    const risk: AtRisk = {
      accountId: order.accountId,
      amazonOrderId: order.amazonOrderId,
      isPrime: order.isPrime,
      shipByLatest: order.shipByLatest!,
      minutesLeft,
      cancelRequested: order.cancelRequested,
      ...(order.shipstationOrderId !== undefined ? { shipstationOrderId: order.shipstationOrderId } : {}),
    };

    if (msLeft <= 0) {
      if (!input.alreadySent(lateKey(order))) late.push({ risk, msLeft });
      continue;
    }

    const crossed = leads.filter((lead) => msLeft <= lead * MINUTE);
    const tightest = crossed[0];
    if (tightest === undefined || input.alreadySent(deadlineKey(order, tightest))) continue;
    const keys = crossed.map((lead) => deadlineKey(order, lead)).filter((k) => !input.alreadySent(k));
    const group = groups.get(tightest) ?? [];
    group.push({ risk, msLeft, keys });
    groups.set(tightest, group);
  }

  const keys: string[] = [];
  const escalations: DeadlineReport['escalations'] = [];
  for (const lead of leads) {
    const group = groups.get(lead);
    if (!group) continue;
    group.sort(byUrgency);
    escalations.push({ leadMinutes: lead, orders: group.map((g) => g.risk) });
    for (const g of group) keys.push(...g.keys);
  }
  late.sort(byUrgency);
  for (const l of late) keys.push(lateKey(l.risk));
  cancels.sort((a, b) => byUrgency({ risk: a.req, msLeft: a.msLeft }, { risk: b.req, msLeft: b.msLeft }));
  for (const c of cancels) keys.push(cancelRequestKey(c.req));

  return {
    escalations,
    late: late.map((l) => l.risk),
    cancelRequests: cancels.map((c) => c.req),
    keys,
  };
}

/** Prime first (Amazon holds Prime to its promise hardest), then least time left, then id for a stable order. */
function byUrgency(
  a: { risk: Pick<AtRisk, 'isPrime' | 'accountId' | 'amazonOrderId'>; msLeft: number },
  b: { risk: Pick<AtRisk, 'isPrime' | 'accountId' | 'amazonOrderId'>; msLeft: number },
): number {
  if (a.risk.isPrime !== b.risk.isPrime) return a.risk.isPrime ? -1 : 1;
  if (a.msLeft !== b.msLeft) return a.msLeft === Infinity ? 1 : b.msLeft === Infinity ? -1 : a.msLeft - b.msLeft;
  const ida = `${a.risk.accountId}:${a.risk.amazonOrderId}`;
  const idb = `${b.risk.accountId}:${b.risk.amazonOrderId}`;
  return ida < idb ? -1 : ida > idb ? 1 : 0;
}
