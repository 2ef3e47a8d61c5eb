/**
 * The KPI definitions (issue 12), as pure functions over fact rows. The store answers the same
 * questions in SQL (src/reports/report-queries.ts) and is tested to give the same tallies as
 * {@link tallyRows}; {@link assembleReport} turns tallies into the report either way.
 *
 * A report reads one window: the previous period's days, then the period's days. Every
 * figure is counted per calendar day (and currency) of that window, so one pass over the
 * facts gives the period, the previous period and the daily CSV at once.
 */

/** One order's milestones (epoch ms), as `fulfillment_facts` holds them. */
export interface OrderFactRow {
  orderKey: string;
  accountId: string;
  /** The order's currency (its marketplace's); null when unknown. */
  currency: string | null;
  purchasedAt: number | null;
  shipBy: number | null;
  cancelledAt: number | null;
  /** The first label that was not voided. */
  firstLabelAt: number | null;
  /** When Amazon accepted the order's first confirmation. */
  confirmedAt: number | null;
  /** The carrier and service of the first label that was not voided. */
  carrierCode: string | null;
  serviceCode: string | null;
}

/** One label, as `label_facts` holds it. */
export interface LabelFactRow {
  labelId: string;
  orderKey: string;
  accountId: string;
  createdAt: number;
  /** When Amazon accepted this label's confirmation. */
  confirmedAt: number | null;
  carrierCode: string;
  serviceCode: string | null;
  /** shipmentCost + insuranceCost, in the order's currency. */
  cost: number | null;
  units: number;
  /** Not voided: it shipped something. */
  live: boolean;
}

export interface ReportEventRow {
  accountId: string;
  kind: 'quarantined' | 'retried';
  at: number;
}

/** A rate-shopped order's choice, as `rate_choices` holds it (migration 0004_rules). */
export interface RateChoiceRow {
  orderKey: string;
  accountId: string;
  requestedAt: number;
  /** Chosen (not pending or failed). */
  chosen: boolean;
  /** The runner-up's cost less the chosen rate's; null without a runner-up. */
  saving: number | null;
}

/** The days a report reads: `2 * days + 1` boundaries (previous period, then the period), and when it is made. */
export interface ReportWindow {
  boundaries: number[];
  days: number;
  now: number;
}

export interface OrderTally {
  received: number;
  shipped: number;
  cancelled: number;
  due: number;
  onTime: number;
  labelLate: number;
  confirmationLate: number;
  notShipped: number;
  /** Sum and count of (first label − purchase) over the orders shipped. */
  purchaseToLabelMs: number;
  purchaseToLabelN: number;
}

export interface LabelTally {
  shipments: number;
  costSum: number;
  /** Labels whose cost is known. */
  costN: number;
  units: number;
}

export interface DueTally {
  due: number;
  onTime: number;
}

/** What is counted over a whole period rather than per day. */
export interface PeriodTally {
  openAtEnd: number;
  purchaseToLabelP90Ms: number | null;
  labelToConfirmationMs: number;
  labelToConfirmationN: number;
  labelToConfirmationP90Ms: number | null;
  /** Due orders shipped by each carrier's labels, by {@link carrierKey}. */
  carrierDue: Map<string, DueTally>;
  /** Rate shopping's choices requested in the period, by the order's currency ('' when unknown). */
  savings: Map<string, SavingTally>;
}

export interface SavingTally {
  orders: number;
  saving: number;
}

/** Tallies of a window: per day (0 … 2·days−1) and currency ('' when unknown). */
export interface Tallies {
  days: number;
  orders: Map<string, OrderTally>;
  labels: Map<string, LabelTally>;
  events: Map<number, { quarantined: number; retried: number }>;
  /** [previous period, period]. */
  periods: [PeriodTally, PeriodTally];
}

export const dayKey = (day: number, currency: string | null): string => JSON.stringify([day, currency ?? '']);
export const labelKey = (day: number, currency: string | null, carrier: string, service: string | null): string => JSON.stringify([day, currency ?? '', carrier, service ?? '']);
export const carrierKey = (currency: string | null, carrier: string, service: string | null): string => JSON.stringify([currency ?? '', carrier, service ?? '']);

export const emptyOrderTally = (): OrderTally => ({ received: 0, shipped: 0, cancelled: 0, due: 0, onTime: 0, labelLate: 0, confirmationLate: 0, notShipped: 0, purchaseToLabelMs: 0, purchaseToLabelN: 0 });
export const emptyLabelTally = (): LabelTally => ({ shipments: 0, costSum: 0, costN: 0, units: 0 });
export const emptyPeriodTally = (): PeriodTally => ({ openAtEnd: 0, purchaseToLabelP90Ms: null, labelToConfirmationMs: 0, labelToConfirmationN: 0, labelToConfirmationP90Ms: null, carrierDue: new Map(), savings: new Map() });

/** The window's day holding `t`, or -1 outside it. */
export function dayOf(t: number | null, boundaries: number[]): number {
  if (t === null || t < boundaries[0]! || t >= boundaries[boundaries.length - 1]!) return -1;
  let lo = 0;
  let hi = boundaries.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (boundaries[mid]! <= t) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** p90 by the nearest-rank method: the ⌈0.9·n⌉-th smallest value; null for none. */
export function p90(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[nearestRank90(sorted.length) - 1]!;
}

/** The rank (1-based) p90 takes out of n values. */
export const nearestRank90 = (n: number): number => Math.ceil((9 * n) / 10);

/**
 * Due, as Amazon counts late shipment: the latest ship date has come, or the order is already
 * confirmed. An order cancelled before it was confirmed is never due (it counts as a cancel,
 * not a late shipment).
 */
export function isDue(f: Pick<OrderFactRow, 'shipBy' | 'confirmedAt' | 'cancelledAt'>, now: number): boolean {
  if (f.shipBy === null) return false;
  if (f.cancelledAt !== null && f.confirmedAt === null) return false;
  return f.confirmedAt !== null || f.shipBy < now;
}

/** On time: Amazon accepted the first confirmation no later than the latest ship date. */
export const isOnTime = (f: Pick<OrderFactRow, 'shipBy' | 'confirmedAt'>): boolean => f.confirmedAt !== null && f.shipBy !== null && f.confirmedAt <= f.shipBy;

/** Why a due order is late: no label at all, a label after the deadline, or a late confirmation. */
export function lateCause(f: Pick<OrderFactRow, 'shipBy' | 'firstLabelAt' | 'confirmedAt'>): 'labelLate' | 'confirmationLate' | 'notShipped' {
  if (f.firstLabelAt === null) return f.confirmedAt === null ? 'notShipped' : 'confirmationLate';
  return f.firstLabelAt > f.shipBy! ? 'labelLate' : 'confirmationLate';
}

/** Open at `end`: bought before it, and neither shipped nor cancelled by then. */
export function isOpenAt(f: Pick<OrderFactRow, 'purchasedAt' | 'firstLabelAt' | 'cancelledAt'>, end: number): boolean {
  if (f.purchasedAt === null || f.purchasedAt >= end) return false;
  return !(f.firstLabelAt !== null && f.firstLabelAt < end) && !(f.cancelledAt !== null && f.cancelledAt < end);
}

/** The definitions, row by row: the reference the SQL aggregation is tested against. */
export function tallyRows(rows: { orders: OrderFactRow[]; labels: LabelFactRow[]; events: ReportEventRow[]; rateChoices?: RateChoiceRow[] }, w: ReportWindow): Tallies {
  const t: Tallies = { days: w.days, orders: new Map(), labels: new Map(), events: new Map(), periods: [emptyPeriodTally(), emptyPeriodTally()] };
  const order = (day: number, currency: string | null) => {
    const k = dayKey(day, currency);
    let v = t.orders.get(k);
    if (!v) t.orders.set(k, (v = emptyOrderTally()));
    return v;
  };
  const periodOf = (day: number) => (day < w.days ? 0 : 1);
  const purchaseToLabel: [number[], number[]] = [[], []];
  const byKey = new Map(rows.orders.map((o) => [o.orderKey, o]));
  for (const f of rows.orders) {
    const bought = dayOf(f.purchasedAt, w.boundaries);
    if (bought >= 0) order(bought, f.currency).received++;
    const shipped = dayOf(f.firstLabelAt, w.boundaries);
    if (shipped >= 0) {
      const o = order(shipped, f.currency);
      o.shipped++;
      if (f.purchasedAt !== null) {
        o.purchaseToLabelMs += f.firstLabelAt! - f.purchasedAt;
        o.purchaseToLabelN++;
        purchaseToLabel[periodOf(shipped)].push(f.firstLabelAt! - f.purchasedAt);
      }
    }
    const cancelled = dayOf(f.cancelledAt, w.boundaries);
    if (cancelled >= 0) order(cancelled, f.currency).cancelled++;
    const dueDay = dayOf(f.shipBy, w.boundaries);
    if (dueDay >= 0 && isDue(f, w.now)) {
      const o = order(dueDay, f.currency);
      o.due++;
      if (isOnTime(f)) o.onTime++;
      else o[lateCause(f)]++;
    }
    for (const k of [0, 1] as const) if (isOpenAt(f, w.boundaries[(k + 1) * w.days]!)) t.periods[k].openAtEnd++;
  }
  const labelToConfirmation: [number[], number[]] = [[], []];
  for (const l of rows.labels) {
    const f = byKey.get(l.orderKey);
    const currency = f?.currency ?? null;
    const confirmed = dayOf(l.confirmedAt, w.boundaries);
    if (confirmed >= 0) labelToConfirmation[periodOf(confirmed)].push(l.confirmedAt! - l.createdAt);
    const created = dayOf(l.createdAt, w.boundaries);
    if (!l.live || created < 0) continue;
    const k = labelKey(created, currency, l.carrierCode, l.serviceCode);
    const v = t.labels.get(k) ?? emptyLabelTally();
    v.shipments++;
    v.units += l.units;
    if (l.cost !== null) {
      v.costSum += l.cost;
      v.costN++;
    }
    t.labels.set(k, v);
  }
  // A carrier's on-time rate is over the orders due in the period whose first label was its: the
  // label whose confirmation Amazon judges the order by (a split shipment's later boxes do not move it).
  for (const f of rows.orders) {
    const dueDay = dayOf(f.shipBy, w.boundaries);
    if (dueDay < 0 || f.carrierCode === null || !isDue(f, w.now)) continue;
    const ck = carrierKey(f.currency, f.carrierCode, f.serviceCode);
    const d = t.periods[periodOf(dueDay)].carrierDue.get(ck) ?? { due: 0, onTime: 0 };
    d.due++;
    if (isOnTime(f)) d.onTime++;
    t.periods[periodOf(dueDay)].carrierDue.set(ck, d);
  }
  for (const k of [0, 1] as const) {
    t.periods[k].purchaseToLabelP90Ms = p90(purchaseToLabel[k]);
    t.periods[k].labelToConfirmationP90Ms = p90(labelToConfirmation[k]);
    t.periods[k].labelToConfirmationN = labelToConfirmation[k].length;
    t.periods[k].labelToConfirmationMs = labelToConfirmation[k].reduce((a, b) => a + b, 0);
  }
  // Savings count when the choice was asked for, in the order's currency, over the choices made.
  for (const c of rows.rateChoices ?? []) {
    const day = dayOf(c.requestedAt, w.boundaries);
    if (day < 0 || !c.chosen) continue;
    const currency = byKey.get(c.orderKey)?.currency ?? '';
    const savings = t.periods[periodOf(day)].savings;
    const v = savings.get(currency) ?? { orders: 0, saving: 0 };
    v.orders++;
    v.saving += c.saving ?? 0;
    savings.set(currency, v);
  }
  for (const e of rows.events) {
    const day = dayOf(e.at, w.boundaries);
    if (day < 0) continue;
    const v = t.events.get(day) ?? { quarantined: 0, retried: 0 };
    v[e.kind]++;
    t.events.set(day, v);
  }
  return t;
}
