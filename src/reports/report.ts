import { carrierKey, emptyLabelTally, emptyOrderTally, type LabelTally, type OrderTally, type Tallies } from './kpis';
import { addDays, dayBoundaries, daysIn, previousPeriod, type Period } from './period';

/**
 * The report as `dockhand report --format json` prints it, with exactly the names of issue 12.
 * Money is in the order's currency: a report that spans several currencies gives `cost` as one
 * entry per currency, and its carriers one row per carrier, service and currency (with a
 * `currency` field); dollars are never added to euros. Pure.
 */

export interface Average {
  avg: number | null;
  p90: number | null;
}

export interface CarrierFigures {
  carrierCode: string;
  serviceCode: string | null;
  shipments: number;
  avgCost: number | null;
  onTimeRate: number | null;
  /** Only in a report over several currencies. */
  currency?: string | null;
}

export interface CostFigures {
  total: number;
  perOrder: number | null;
  perItem: number | null;
  currency: string | null;
}

/** What rate shopping saved over the runner-up, for the orders it chose a rate for. */
export interface SavingFigures {
  orders: number;
  total: number;
  currency: string | null;
}

export interface Figures {
  orders: { received: number; shipped: number; cancelled: number; openAtEnd: number };
  timeToShip: { purchaseToLabelHours: Average; labelToConfirmationMinutes: Average };
  onTime: {
    due: number;
    onTime: number;
    late: number;
    rate: number | null;
    lateByCause: { labelLate: number; confirmationLate: number; notShipped: number };
  };
  carriers: CarrierFigures[];
  cost: CostFigures | CostFigures[];
  quarantined: number;
  retried: number;
  /** One entry per currency when the choices span several, as `cost`. */
  rateShopSavings: SavingFigures | SavingFigures[];
}

export interface Report extends Figures {
  from: string;
  to: string;
  timeZone: string;
  accounts: string[];
  previous: Figures & { from: string; to: string };
}

/** One CSV row: a day (and currency, when several). */
export interface DailyRow {
  date: string;
  received: number;
  shipped: number;
  cancelled: number;
  due: number;
  onTime: number;
  late: number;
  onTimeRate: number | null;
  avgPurchaseToLabelHours: number | null;
  costTotal: number;
  costPerOrder: number | null;
  currency: string | null;
}

export const CSV_COLUMNS = ['date', 'received', 'shipped', 'cancelled', 'due', 'onTime', 'late', 'onTimeRate', 'avgPurchaseToLabelHours', 'costTotal', 'costPerOrder', 'currency'] as const;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const ratio = (a: number, b: number, digits: number) => (b > 0 ? round(a / b, digits) : null);
const HOUR = 3_600_000;
const MINUTE = 60_000;

function addOrder(into: OrderTally, t: OrderTally): void {
  for (const k of Object.keys(into) as Array<keyof OrderTally>) into[k] += t[k];
}

function addLabel(into: LabelTally, t: LabelTally): void {
  for (const k of Object.keys(into) as Array<keyof LabelTally>) into[k] += t[k];
}

/** Orders per currency over days [lo, hi). */
function ordersIn(t: Tallies, lo: number, hi: number): Map<string, OrderTally> {
  const out = new Map<string, OrderTally>();
  for (const [k, v] of t.orders) {
    const [day, currency] = JSON.parse(k) as [number, string];
    if (day < lo || day >= hi) continue;
    const into = out.get(currency) ?? emptyOrderTally();
    addOrder(into, v);
    out.set(currency, into);
  }
  return out;
}

/** Labels per carrierKey over days [lo, hi). */
function labelsIn(t: Tallies, lo: number, hi: number): Map<string, LabelTally> {
  const out = new Map<string, LabelTally>();
  for (const [k, v] of t.labels) {
    const [day, currency, carrier, service] = JSON.parse(k) as [number, string, string, string];
    if (day < lo || day >= hi) continue;
    const ck = carrierKey(currency, carrier, service);
    const into = out.get(ck) ?? emptyLabelTally();
    addLabel(into, v);
    out.set(ck, into);
  }
  return out;
}

const orNull = (s: string): string | null => (s === '' ? null : s);

function figures(t: Tallies, k: 0 | 1): Figures {
  const lo = k * t.days;
  const hi = lo + t.days;
  const byCurrency = ordersIn(t, lo, hi);
  const all = emptyOrderTally();
  for (const v of byCurrency.values()) addOrder(all, v);
  const p = t.periods[k];
  const labels = labelsIn(t, lo, hi);
  const currencies = [...new Set([...labels.keys()].map((ck) => (JSON.parse(ck) as string[])[0]!))].sort();
  const several = currencies.length > 1;
  const carriers: CarrierFigures[] = [...labels.entries()]
    .map(([ck, v]) => {
      const [currency, carrierCode, serviceCode] = JSON.parse(ck) as [string, string, string];
      const due = p.carrierDue.get(ck);
      return {
        carrierCode,
        serviceCode: orNull(serviceCode),
        shipments: v.shipments,
        avgCost: v.costN > 0 ? round(v.costSum / v.costN, 2) : null,
        onTimeRate: due ? ratio(due.onTime, due.due, 4) : null,
        ...(several ? { currency: orNull(currency) } : {}),
      };
    })
    .sort((a, b) => b.shipments - a.shipments || a.carrierCode.localeCompare(b.carrierCode) || (a.serviceCode ?? '').localeCompare(b.serviceCode ?? '') || (a.currency ?? '').localeCompare(b.currency ?? ''));
  const costs: CostFigures[] = currencies.map((currency) => {
    const sum = emptyLabelTally();
    for (const [ck, v] of labels) if ((JSON.parse(ck) as string[])[0] === currency) addLabel(sum, v);
    const shipped = byCurrency.get(currency)?.shipped ?? 0;
    return { total: round(sum.costSum, 2), perOrder: ratio(sum.costSum, shipped, 2), perItem: ratio(sum.costSum, sum.units, 2), currency: orNull(currency) };
  });
  let quarantined = 0;
  let retried = 0;
  for (const [day, e] of t.events) {
    if (day < lo || day >= hi) continue;
    quarantined += e.quarantined;
    retried += e.retried;
  }
  const late = all.due - all.onTime;
  const savings = [...p.savings.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, v]) => ({ orders: v.orders, total: round(v.saving, 2), currency: orNull(currency) }));
  return {
    orders: { received: all.received, shipped: all.shipped, cancelled: all.cancelled, openAtEnd: p.openAtEnd },
    timeToShip: {
      purchaseToLabelHours: { avg: ratio(all.purchaseToLabelMs / HOUR, all.purchaseToLabelN, 2), p90: p.purchaseToLabelP90Ms === null ? null : round(p.purchaseToLabelP90Ms / HOUR, 2) },
      labelToConfirmationMinutes: { avg: ratio(p.labelToConfirmationMs / MINUTE, p.labelToConfirmationN, 2), p90: p.labelToConfirmationP90Ms === null ? null : round(p.labelToConfirmationP90Ms / MINUTE, 2) },
    },
    onTime: { due: all.due, onTime: all.onTime, late, rate: ratio(all.onTime, all.due, 4), lateByCause: { labelLate: all.labelLate, confirmationLate: all.confirmationLate, notShipped: all.notShipped } },
    carriers,
    cost: several ? costs : (costs[0] ?? { total: 0, perOrder: null, perItem: null, currency: null }),
    quarantined,
    retried,
    rateShopSavings: savings.length > 1 ? savings : (savings[0] ?? { orders: 0, total: 0, currency: costs.length === 1 ? costs[0]!.currency : null }),
  };
}

/** The report of `period` (its tallies read over the previous period and the period). */
export function assembleReport(t: Tallies, period: Period, accounts: string[]): Report {
  const prev = previousPeriod(period);
  if (daysIn(period) !== t.days) throw new Error(`tallies of ${t.days} days for a period of ${daysIn(period)}`);
  return { from: period.from, to: period.to, timeZone: period.timeZone, accounts, ...figures(t, 1), previous: { from: prev.from, to: prev.to, ...figures(t, 0) } };
}

/**
 * The CSV's rows: one per day of the period, in each currency that day saw (one row with the
 * report's currency, or none, on a quiet day), so that summing rows never mixes currencies.
 */
export function dailyRows(t: Tallies, period: Period): DailyRow[] {
  const out: DailyRow[] = [];
  const known = new Set<string>();
  for (const k of [...t.orders.keys(), ...t.labels.keys()]) {
    const [day, currency] = JSON.parse(k) as [number, string];
    if (day >= t.days && currency !== '') known.add(currency);
  }
  const fallback = known.size === 1 ? [...known][0]! : '';
  for (let i = 0; i < t.days; i++) {
    const day = t.days + i;
    const orders = ordersIn(t, day, day + 1);
    const labels = labelsIn(t, day, day + 1);
    const cost = new Map<string, number>();
    for (const [ck, v] of labels) {
      const c = (JSON.parse(ck) as string[])[0]!;
      cost.set(c, (cost.get(c) ?? 0) + v.costSum);
    }
    const currencies = [...new Set([...orders.keys(), ...cost.keys()])].sort();
    for (const currency of currencies.length > 0 ? currencies : [fallback]) {
      const o = orders.get(currency) ?? emptyOrderTally();
      const total = cost.get(currency) ?? 0;
      out.push({
        date: addDays(period.from, i),
        received: o.received,
        shipped: o.shipped,
        cancelled: o.cancelled,
        due: o.due,
        onTime: o.onTime,
        late: o.due - o.onTime,
        onTimeRate: ratio(o.onTime, o.due, 4),
        avgPurchaseToLabelHours: ratio(o.purchaseToLabelMs / HOUR, o.purchaseToLabelN, 2),
        costTotal: round(total, 2),
        costPerOrder: ratio(total, o.shipped, 2),
        currency: orNull(currency),
      });
    }
  }
  return out;
}

/** The window a report of `period` reads: the previous period's days, then the period's. */
export function reportWindow(period: Period, now: number): { boundaries: number[]; days: number; now: number } {
  const prev = previousPeriod(period);
  return { boundaries: dayBoundaries({ from: prev.from, to: period.to, timeZone: period.timeZone }), days: daysIn(period), now };
}
