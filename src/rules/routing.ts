import { raiseAll, type Notifier, type Problem } from '../domain/notifier';
import type { Order } from '../domain/order';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import { orderRecordKey } from '../store/store';
import type { Routing } from '../sync/sync-orders.job';
import { escalationProblem, missingNameProblem } from './escalation-alert';
import { findWarehouse, type ShipStationNames } from './names';
import type { Product } from './apply';
import { OrderRouter, type ProductLookup, type RoutedOrder } from './router';
import type { Rule } from './schema';

/**
 * The rules as the sync uses them: route while mapping, write down rate shopping before the order
 * is sent (durable before visible), and after ShipStation took a new order count its matches,
 * escalate it and alert names ShipStation lacks.
 *
 * The import pays for every statement run per order, and a spike is a thousand orders in a few
 * seconds (bench/rules.ts measured the rules' store work as what slowed it). So product rows are
 * read through a short memo (one read per SKU per minute, not one per order), and match counts,
 * which only feed `/dockhand rules` ("matched today"), are tallied in memory and written in one
 * statement per flush (the rules pass, and stop). A crash loses at most one flush interval of counts;
 * what must survive a crash (the rate-shop requests, one statement per batch) is still written before
 * the orders are sent.
 */

const DAY_MS = 86_400_000;
/** How long a product row (or its absence) is trusted: `dockhand products import` reaches routing within this. */
export const PRODUCT_MEMO_MS = 60_000;

/** Product rows by SKU, each read at most once per `ttlMs`, missing SKUs included. */
export function memoizeProducts(source: ProductLookup, now: () => number, ttlMs = PRODUCT_MEMO_MS): ProductLookup {
  const memo = new Map<string, { at: number; row: Product | undefined }>();
  return {
    async productsFor(skus) {
      const out = new Map<string, Product>();
      const t = now();
      const stale: string[] = [];
      for (const sku of new Set(skus)) {
        const hit = memo.get(sku);
        if (hit && t - hit.at < ttlMs) {
          if (hit.row) out.set(sku, hit.row);
        } else stale.push(sku);
      }
      if (stale.length === 0) return out;
      const read = await source.productsFor(stale);
      for (const sku of stale) {
        const row = read.get(sku);
        memo.set(sku, { at: t, row });
        if (row) out.set(sku, row);
      }
      return out;
    },
  };
}

/** Orders matched per (UTC day, rule) since the last flush. */
export class MatchTally {
  private counts = new Map<string, { day: number; rule: string; n: number }>();

  add(rules: string[], at: number): void {
    const day = Math.floor(at / DAY_MS);
    for (const rule of new Set(rules)) {
      const key = `${day}|${rule}`;
      const c = this.counts.get(key);
      if (c) c.n++;
      else this.counts.set(key, { day, rule, n: 1 });
    }
  }

  /** Writes what was tallied; on failure it is kept for the next flush. */
  async flush(store: Pick<Store['rules'], 'addMatches'>): Promise<void> {
    if (this.counts.size === 0) return;
    const taken = this.counts;
    this.counts = new Map();
    try {
      await store.addMatches([...taken.values()]);
    } catch (e) {
      for (const [k, c] of taken) {
        const now = this.counts.get(k);
        if (now) now.n += c.n;
        else this.counts.set(k, c);
      }
      throw e;
    }
  }
}

export interface RoutingDeps {
  rules: Rule[];
  names: ShipStationNames;
  store: Store;
  notifier: Notifier;
  logger: Logger;
  now: () => Date;
  /** Called when a rate shop was requested, so a worker can start on it at once. */
  onRateShopRequested?: () => void;
}

export function itemsLine(payload: RoutedOrder['payload']): string {
  return (payload.items ?? []).map((i) => `${i.quantity}× ${i.sku ?? i.name ?? '?'}`).join(', ');
}

export function createRouting(deps: RoutingDeps): Routing & { router: OrderRouter; flushMatches(): Promise<void> } {
  const router = new OrderRouter(deps.rules, deps.names, memoizeProducts(deps.store.rules, () => deps.now().getTime()));
  const tally = new MatchTally();
  return {
    router,
    flushMatches: () => tally.flush(deps.store.rules),
    route: (order, payload, decidedAt) => router.route(order, payload, decidedAt),

    async beforeSend(sends) {
      const requestedAt = deps.now().toISOString();
      await deps.store.rules.requestRateShops(
        sends.flatMap(({ order, routed }) =>
          routed.rateShopRule
            ? [{
                orderKey: orderRecordKey(order.accountId, order.amazonOrderId),
                accountId: order.accountId,
                amazonOrderId: order.amazonOrderId,
                requestedAt,
                rule: routed.rateShopRule,
                ...(order.deliverBy.latest ? { latestDeliveryAt: order.deliverBy.latest } : {}),
                prime: order.isPrime,
                escalated: routed.actions.escalate === true,
              }]
            : [],
        ),
      );
    },

    async afterSend(sent) {
      const escalations: Problem[] = [];
      let rateShopRequested = false;
      for (const { order, routed, shipstationOrderId, kind } of sent) {
        if (kind !== 'create' || routed.matched.length === 0) continue;
        tally.add(routed.matched, deps.now().getTime());
        for (const m of routed.missing) await deps.notifier.raise(missingNameProblem(m, routed.matched, order.amazonOrderId));
        if (routed.rateShopRule) rateShopRequested = true;
        if (!routed.actions.escalate) continue;
        const warehouseId = routed.payload.advancedOptions?.warehouseId ?? undefined;
        const warehouse = warehouseId !== undefined ? findWarehouse(await deps.names.warehouses().catch(() => []), warehouseId)?.warehouseName : undefined;
        const notes: string[] = [];
        if (routed.actions.rateShop) notes.push('rate shopping: choosing the service now');
        // Amazon expects Buy Shipping labels for Seller Fulfilled Prime: Dockhand never buys those itself.
        if (routed.actions.rateShop?.createLabel && order.isPrime) notes.push('Seller Fulfilled Prime: buy the label with Amazon Buy Shipping, not auto-labelled');
        escalations.push(
          escalationProblem({
            accountId: order.accountId,
            amazonOrderId: order.amazonOrderId,
            prime: order.isPrime,
            ...(routed.facts.serviceLevel ? { serviceLevel: routed.facts.serviceLevel } : {}),
            ...(order.shipBy.latest ? { shipByLatest: order.shipBy.latest } : {}),
            ...(warehouse ? { warehouse } : warehouseId !== undefined ? { warehouse: String(warehouseId) } : {}),
            items: itemsLine(routed.payload),
            ...(shipstationOrderId !== undefined ? { shipstationOrderId } : {}),
            rules: routed.matched,
            ...(notes.length ? { note: notes.join('; ') } : {}),
          }),
        );
      }
      // A batch escalated together joins its account's burst in one write.
      await raiseAll(deps.notifier, escalations);
      if (rateShopRequested) deps.onRateShopRequested?.();
    },
  };
}
