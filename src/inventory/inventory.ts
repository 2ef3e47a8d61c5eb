import type { InventoryStore } from '../store/inventory';
import { forecastSku, type ForecastSettings, type SkuForecast, type StockStatus } from './forecast';

/**
 * The forecast of every SKU with a stock level (or of one), in SKU order, from one statement that
 * joins on hand, committed and shipped units per SKU: the work follows the number of SKUs, not of
 * order lines.
 */
export async function forecastAll(store: InventoryStore, settings: ForecastSettings, now: number, filter: { sku?: string; status?: StockStatus } = {}): Promise<SkuForecast[]> {
  const out: SkuForecast[] = [];
  for (const facts of await store.stockFacts(now, filter.sku)) {
    const f = forecastSku(facts, settings, now);
    if (!filter.status || f.status === filter.status) out.push(f);
  }
  return out;
}

/** `dockhand inventory --json`: exactly these keys, in this order. */
export function toInventoryJson(rows: SkuForecast[]): Array<Pick<SkuForecast, 'sku' | 'onHand' | 'committed' | 'available' | 'velocity7' | 'velocity14' | 'velocity30' | 'daysOfCover' | 'reorderPoint' | 'status'>> {
  return rows.map((r) => ({
    sku: r.sku,
    onHand: r.onHand,
    committed: r.committed,
    available: r.available,
    velocity7: r.velocity7,
    velocity14: r.velocity14,
    velocity30: r.velocity30,
    daysOfCover: r.daysOfCover,
    reorderPoint: r.reorderPoint,
    status: r.status,
  }));
}

export const INVENTORY_COLUMNS = ['sku', 'onHand', 'committed', 'available', 'velocity7', 'velocity14', 'velocity30', 'daysOfCover', 'reorderPoint', 'status', 'stockOutDate'] as const;

/** A table for the terminal: one line per SKU. */
export function formatInventory(rows: SkuForecast[]): string[] {
  if (rows.length === 0) return ['no SKUs with a stock level (import some with `dockhand stock import <csv>`)'];
  const head = ['sku', 'on hand', 'committed', 'available', 'v7', 'v14', 'v30', 'cover (d)', 'reorder at', 'status', 'stock-out'];
  const body = rows.map((r) => [r.sku, r.onHand, r.committed, r.available, r.velocity7, r.velocity14, r.velocity30, r.daysOfCover ?? '∞', r.reorderPoint, r.status, r.stockOutDate ?? '—'].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...body.map(line)];
}
