import type { RatePolicy } from './schema';

/**
 * Pure rate choice: quotes in, the chosen service, the runner-up and the saving out. No I/O, no
 * clock. Cost is shipmentCost + otherCost (v1) or shipping + other amounts (v2).
 */

export interface Quote {
  carrierCode: string;
  serviceCode: string;
  packageCode?: string;
  cost: number;
  /** v2's estimated_delivery_date, epoch ms. */
  deliveryAtMs?: number;
  /** v2's delivery_days. */
  deliveryDays?: number;
}

export interface RateWindow {
  /** When the label would ship (now), epoch ms. */
  shipAtMs: number;
  /** Amazon's latest delivery date, epoch ms; without one every service is on time. */
  latestDeliveryMs?: number;
}

export interface RateDecision {
  chosen?: Quote & { arrivalMs?: number; estimated: 'v2' | 'table' | 'none' };
  runnerUp?: Quote;
  saving?: number;
  /** Why nothing was chosen, or how arrival was estimated. */
  why?: string;
}

const DAY = 86_400_000;

/** When a quote arrives: v2's estimate, else its delivery days, else the transit-days table. */
export function arrivalOf(q: Quote, shipAtMs: number, transitDays: Readonly<Record<string, number>>): { arrivalMs?: number; estimated: 'v2' | 'table' | 'none' } {
  if (q.deliveryAtMs !== undefined) return { arrivalMs: q.deliveryAtMs, estimated: 'v2' };
  if (q.deliveryDays !== undefined) return { arrivalMs: shipAtMs + q.deliveryDays * DAY, estimated: 'v2' };
  const days = transitDays[q.serviceCode];
  if (days !== undefined) return { arrivalMs: shipAtMs + days * DAY, estimated: 'table' };
  return { estimated: 'none' };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Chooses by `policy`; ties go to the cheaper, then the earlier carrier/service name, so the answer never depends on quote order. */
export function chooseRate(quotes: Quote[], policy: RatePolicy, window: RateWindow, transitDays: Readonly<Record<string, number>> = {}): RateDecision {
  const valid = quotes.filter((q) => Number.isFinite(q.cost) && q.cost >= 0);
  if (valid.length === 0) return { why: 'no rates were returned' };
  const withArrival = valid.map((q) => ({ ...q, ...arrivalOf(q, window.shipAtMs, transitDays) }));
  const byName = (a: Quote, b: Quote) => (a.carrierCode + a.serviceCode < b.carrierCode + b.serviceCode ? -1 : a.carrierCode + a.serviceCode > b.carrierCode + b.serviceCode ? 1 : 0);
  const byCost = (a: (typeof withArrival)[number], b: (typeof withArrival)[number]) => a.cost - b.cost || byName(a, b);
  let ranked: typeof withArrival;
  if (policy === 'cheapest') ranked = [...withArrival].sort(byCost);
  else if (policy === 'fastest') {
    ranked = [...withArrival].sort((a, b) => (a.arrivalMs ?? Infinity) - (b.arrivalMs ?? Infinity) || byCost(a, b));
  } else {
    const latest = window.latestDeliveryMs;
    const onTime = latest === undefined ? withArrival : withArrival.filter((q) => q.arrivalMs !== undefined && q.arrivalMs <= latest);
    if (onTime.length === 0) {
      const unknown = withArrival.every((q) => q.arrivalMs === undefined);
      return { why: unknown ? 'no delivery estimate for any service (add them to rateShopping.transitDays, or set SHIPSTATION_V2_API_KEY)' : "no service meets Amazon's latest delivery date" };
    }
    ranked = [...onTime].sort(byCost);
  }
  const [chosen, runnerUp] = ranked;
  if (!chosen) return { why: 'no rates were returned' };
  const estimated = chosen.estimated;
  const decision: RateDecision = { chosen: { ...stripArrival(chosen), ...(chosen.arrivalMs !== undefined ? { arrivalMs: chosen.arrivalMs } : {}), estimated } };
  if (runnerUp) {
    decision.runnerUp = stripArrival(runnerUp);
    decision.saving = round2(runnerUp.cost - chosen.cost);
  }
  if (estimated === 'table') decision.why = 'arrival estimated from rateShopping.transitDays (no v2 delivery estimate)';
  return decision;
}

function stripArrival<T extends Quote & { arrivalMs?: number; estimated?: string }>(q: T): Quote {
  return {
    carrierCode: q.carrierCode,
    serviceCode: q.serviceCode,
    ...(q.packageCode !== undefined ? { packageCode: q.packageCode } : {}),
    cost: q.cost,
    ...(q.deliveryAtMs !== undefined ? { deliveryAtMs: q.deliveryAtMs } : {}),
    ...(q.deliveryDays !== undefined ? { deliveryDays: q.deliveryDays } : {}),
  };
}

/** Weight brackets for the cache key: quotes within one bracket are treated as the same. */
export function weightBracketOz(oz: number): number {
  if (oz <= 16) return Math.ceil(oz / 4) * 4;
  if (oz <= 160) return Math.ceil(oz / 16) * 16;
  return Math.ceil(oz / 80) * 80;
}

/** The rate cache key (issue 11): ship-from postal, destination postal prefix, weight bracket, dimensions, carrier, residential. */
export function rateCacheKey(k: { fromPostal: string; toPostal: string; country: string; weightOz: number; dims?: { length: number; width: number; height: number }; carrier: string; residential: boolean }): string {
  const prefix = k.toPostal.replace(/\s+/g, '').slice(0, 3).toUpperCase();
  const dims = k.dims ? `${Math.ceil(k.dims.length)}x${Math.ceil(k.dims.width)}x${Math.ceil(k.dims.height)}` : '-';
  return [k.fromPostal, `${k.country}:${prefix}`, weightBracketOz(k.weightOz), dims, k.carrier, k.residential ? 'R' : 'C'].join('|');
}
