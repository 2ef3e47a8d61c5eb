import { mulberry32 } from './order-factory';
import type { SpApiSimulator } from './sp-api-simulator';

/**
 * Buyers returning what they were shipped, so a running sandbox shows returns: now and then an
 * order the seller confirmed as shipped gets a return request (one unit of its first item) in the
 * simulated returns report. Some are out of policy, some already delivered back a few days ago
 * (so the aging escalation has something to say). Timers are unref'd.
 */

export interface ReturnStream {
  stop(): void;
  /** Returns requested so far. */
  requested(): number;
}

const REASONS = ['UNWANTED_ITEM', 'DEFECTIVE', 'NOT_AS_DESCRIBED', 'ORDERED_WRONG_ITEM', 'NO_REASON_GIVEN'];
const DAY = 86_400_000;

export function startReturnStream(sim: Pick<SpApiSimulator, 'confirmations' | 'getOrder' | 'returns'>, opts: { firstAfterMs: number; everyMs: number; seed?: number; now?: () => number }): ReturnStream {
  const random = mulberry32(opts.seed ?? 7);
  const now = opts.now ?? Date.now;
  const returned = new Set<string>();
  let n = 0;
  const tick = (): void => {
    const candidates = sim.confirmations().map((c) => c.orderId).filter((id) => !returned.has(id));
    const orderId = candidates[Math.floor(random() * candidates.length)];
    if (!orderId) return;
    const order = sim.getOrder(orderId);
    const item = order?.orderItems[0];
    if (!order || !item?.product?.sellerSku) return;
    returned.add(orderId);
    n++;
    const t = now();
    const delivered = random() < 0.2;
    sim.returns.add({
      orderId,
      rma: `D${String(1_000_000 + Math.floor(random() * 8_999_999))}${String(n).padStart(3, '0')}`,
      sku: item.product.sellerSku,
      ...(item.product.asin ? { asin: item.product.asin } : {}),
      ...(item.product.title ? { itemName: item.product.title } : {}),
      quantity: 1,
      reason: REASONS[Math.floor(random() * REASONS.length)]!,
      inPolicy: random() < 0.85,
      carrier: 'UPS',
      trackingId: `1ZRET${String(Math.floor(random() * 1e10)).padStart(10, '0')}`,
      resolution: 'StandardRefund',
      ...(order.proceeds?.grandTotal?.currencyCode ? { currency: order.proceeds.grandTotal.currencyCode } : {}),
      orderDate: order.createdTime,
      requestedAt: new Date(t).toISOString(),
      ...(delivered ? { deliveredAt: new Date(t - 4 * DAY).toISOString() } : {}),
    });
  };
  let interval: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    tick();
    interval = setInterval(tick, opts.everyMs);
    interval.unref();
  }, opts.firstAfterMs);
  first.unref();
  return {
    stop() {
      clearTimeout(first);
      if (interval) clearInterval(interval);
    },
    requested: () => n,
  };
}
