/**
 * Velocity and forecasts per SKU, pure: no I/O, `now` passed in. SKUs are ShipStation SKUs
 * (after the SKU map), so two Amazon SKUs mapped to one ShipStation SKU sell as one.
 */

export const DAY_MS = 86_400_000;
/** The windows velocity is measured over, in days. */
export const VELOCITY_WINDOWS = [7, 14, 30] as const;

export type StockStatus = 'ok' | 'low' | 'out';

/** An order line that shipped: what velocity is counted from. */
export interface ShippedLine {
  sku: string;
  quantity: number;
  /** Epoch ms the line's first live label was created (or Amazon closed the order). */
  shippedAt: number;
}

/** Units shipped in each window ending at `now` (a window of N days is (now − N days, now]). */
export interface ShippedUnits {
  units7: number;
  units14: number;
  units30: number;
}

export const NO_SALES: ShippedUnits = { units7: 0, units14: 0, units30: 0 };

/**
 * Units per SKU and window from shipped lines: the reference for the store's SQL aggregation
 * (`InventoryStore.shippedUnits`), which must answer the same for the same lines.
 */
export function shippedUnitsBySku(lines: readonly ShippedLine[], now: number): Map<string, ShippedUnits> {
  const out = new Map<string, ShippedUnits>();
  for (const l of lines) {
    const age = now - l.shippedAt;
    if (age < 0 || age >= 30 * DAY_MS) continue;
    const u = out.get(l.sku) ?? { ...NO_SALES };
    u.units30 += l.quantity;
    if (age < 14 * DAY_MS) u.units14 += l.quantity;
    if (age < 7 * DAY_MS) u.units7 += l.quantity;
    out.set(l.sku, u);
  }
  return out;
}

export interface ForecastSettings {
  /** inventory.bufferUnits: kept back from Amazon and the ERP. */
  bufferUnits: number;
  /** inventory.leadTimeDays: from reorder to stock on the shelf. */
  leadTimeDays: number;
  /** inventory.safetyDays: cover wanted on top of the lead time. */
  safetyDays: number;
}

export const DEFAULT_FORECAST_SETTINGS: ForecastSettings = { bufferUnits: 0, leadTimeDays: 7, safetyDays: 3 };

export interface StockFacts {
  sku: string;
  onHand: number;
  /** Units on orders in ShipStation awaiting shipment or on hold. */
  committed: number;
  shipped: ShippedUnits;
}

/** One SKU's line in `dockhand inventory --json`, and what alerts and pushes are decided from. */
export interface SkuForecast {
  sku: string;
  onHand: number;
  committed: number;
  available: number;
  velocity7: number;
  velocity14: number;
  velocity30: number;
  /** available ÷ velocity14; null when nothing sold in 14 days (cover without end). */
  daysOfCover: number | null;
  reorderPoint: number;
  status: StockStatus;
  /** The UTC day available runs out at the 14-day pace; null when nothing sells. */
  stockOutDate: string | null;
}

/** Rounded for people and JSON: velocities and cover to two decimals. */
function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * available = on hand − committed − buffer, never below 0; days of cover = available ÷ velocity14;
 * reorder point = velocity14 × (lead time + safety days); `out` at 0 available, `low` at or below
 * the reorder point, `ok` above it; stock-out date = now + cover.
 */
export function forecastSku(f: StockFacts, settings: ForecastSettings, now: number): SkuForecast {
  const available = Math.max(0, f.onHand - f.committed - settings.bufferUnits);
  const velocity14 = f.shipped.units14 / 14;
  const daysOfCover = velocity14 > 0 ? available / velocity14 : null;
  const reorderPoint = velocity14 * (settings.leadTimeDays + settings.safetyDays);
  const status: StockStatus = available === 0 ? 'out' : available <= reorderPoint ? 'low' : 'ok';
  const stockOutDate = available === 0 ? isoDay(now) : daysOfCover === null ? null : isoDay(now + daysOfCover * DAY_MS);
  return {
    sku: f.sku,
    onHand: f.onHand,
    committed: f.committed,
    available,
    velocity7: round2(f.shipped.units7 / 7),
    velocity14: round2(velocity14),
    velocity30: round2(f.shipped.units30 / 30),
    daysOfCover: daysOfCover === null ? null : round2(daysOfCover),
    reorderPoint: round2(reorderPoint),
    status,
    stockOutDate,
  };
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
