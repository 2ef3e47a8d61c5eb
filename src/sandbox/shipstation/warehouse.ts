import type { ShipStationSimulator } from './simulator';

/**
 * The sandbox's warehouse: staff printing labels in ShipStation for the orders waiting there,
 * at a steady pace, the way a real team works through its pick list. Some orders go out in two
 * packages, and now and then a label is voided and printed again, so tracking writeback shows
 * its hard cases in `npm start`, not only in tests.
 */
export interface WarehouseOptions {
  labelsPerMinute: number;
  /** An order waits this long in ShipStation before its label is printed. Default 3 s. */
  minWaitMs?: number;
  /** Share of multi-unit orders shipped in two packages. Default 0.15. */
  splitShare?: number;
  /** Share of labels voided a few seconds later and printed again. Default 0.05. */
  voidShare?: number;
  /** Orders the warehouse leaves alone (to let the ship-by guard escalate them). */
  leaveAlone?: (orderNumber: string) => boolean;
  seed?: number;
}

export interface WarehouseStats {
  labels: number;
  split: number;
  voided: number;
}

export interface Warehouse {
  stats(): WarehouseStats;
  stop(): void;
}

const CARRIERS: Array<[carrierCode: string, serviceCode: string]> = [
  ['stamps_com', 'usps_priority_mail'],
  ['stamps_com', 'usps_ground_advantage'],
  ['ups_walleted', 'ups_ground'],
  ['fedex', 'fedex_2day'],
];

export function startWarehouse(sim: ShipStationSimulator, opts: WarehouseOptions): Warehouse {
  let seed = opts.seed ?? 7;
  const random = () => {
    // mulberry32: the same warehouse for the same seed.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const minWaitMs = opts.minWaitMs ?? 3_000;
  const firstSeen = new Map<number, number>();
  const secondPackage = new Map<number, Array<{ lineItemKey: string; quantity: number }>>();
  const stats: WarehouseStats = { labels: 0, split: 0, voided: 0 };
  let allowance = 0;

  const print = (orderId: number, items?: Array<{ lineItemKey: string; quantity: number }>) => {
    const [carrierCode, serviceCode] = CARRIERS[Math.floor(random() * CARRIERS.length)]!;
    const label = sim.createLabel(orderId, { carrierCode, serviceCode, ...(items ? { items } : {}) });
    stats.labels++;
    // What a label ships leaves the shelf: ShipStation's inventory (v2) goes down with it.
    for (const i of label.shipmentItems ?? []) if (i.sku) sim.v2Inventory.drawDown(i.sku, i.quantity);
    return label;
  };

  const tick = () => {
    allowance = Math.min(allowance + opts.labelsPerMinute / 60, opts.labelsPerMinute);
    const now = Date.now();
    for (const [orderId, rest] of secondPackage) {
      if (allowance < 1) return;
      secondPackage.delete(orderId);
      allowance--;
      safely(() => print(orderId, rest));
    }
    for (const order of sim.orders()) {
      if (allowance < 1) break;
      if (order.orderStatus !== 'awaiting_shipment' || secondPackage.has(order.orderId)) continue;
      if (opts.leaveAlone?.(order.orderNumber)) continue;
      const seen = firstSeen.get(order.orderId) ?? now;
      firstSeen.set(order.orderId, seen);
      if (now - seen < minWaitMs) continue;
      allowance--;
      const lines = order.items.filter((i) => i.lineItemKey && i.quantity > 0).map((i) => ({ lineItemKey: i.lineItemKey!, quantity: i.quantity }));
      const units = lines.reduce((n, l) => n + l.quantity, 0);
      if (units >= 2 && random() < (opts.splitShare ?? 0.15)) {
        // Two packages: the first line (or half of a single line) now, the rest on a later tick.
        const first = lines.length > 1 ? [lines[0]!] : [{ ...lines[0]!, quantity: Math.floor(lines[0]!.quantity / 2) }];
        const rest = lines.length > 1 ? lines.slice(1) : [{ ...lines[0]!, quantity: lines[0]!.quantity - first[0]!.quantity }];
        if (safely(() => print(order.orderId, first))) {
          secondPackage.set(order.orderId, rest);
          stats.split++;
        }
        continue;
      }
      const label = safely(() => print(order.orderId));
      if (label && random() < (opts.voidShare ?? 0.05)) {
        // Wrong box size: voided a few seconds later, printed again.
        setTimeout(() => {
          if (safely(() => sim.voidLabel(label.shipmentId))) for (const i of label.shipmentItems ?? []) if (i.sku) sim.v2Inventory.drawDown(i.sku, -i.quantity);
          stats.voided++;
        }, 4_000).unref();
      }
    }
  };
  const timer = setInterval(tick, 1_000);
  timer.unref();
  return {
    stats: () => ({ ...stats }),
    stop: () => clearInterval(timer),
  };
}

/** The sandbox keeps going when an order changed under the warehouse (cancelled, held). */
function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
