import type { Notifier } from '../domain/notifier';
import type { Order } from '../domain/order';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import { orderRecordKey } from '../store/store';
import type { Routing } from '../sync/sync-orders.job';
import { escalationProblem, missingNameProblem } from './escalation-alert';
import { findWarehouse, type ShipStationNames } from './names';
import { OrderRouter, type RoutedOrder } from './router';
import type { Rule } from './schema';

/**
 * The rules as the sync uses them: route while mapping, write down rate shopping before the order
 * is sent (durable before visible), and after ShipStation took a new order count its matches,
 * escalate it and alert names ShipStation lacks.
 */

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

export function createRouting(deps: RoutingDeps): Routing & { router: OrderRouter } {
  const router = new OrderRouter(deps.rules, deps.names, deps.store.rules);
  return {
    router,
    route: (order, payload, decidedAt) => router.route(order, payload, decidedAt),

    async beforeSend(order: Order, routed: RoutedOrder) {
      if (!routed.rateShopRule) return;
      await deps.store.rules.requestRateShop({
        orderKey: orderRecordKey(order.accountId, order.amazonOrderId),
        accountId: order.accountId,
        amazonOrderId: order.amazonOrderId,
        requestedAt: deps.now().toISOString(),
        rule: routed.rateShopRule,
        ...(order.deliverBy.latest ? { latestDeliveryAt: order.deliverBy.latest } : {}),
        prime: order.isPrime,
        escalated: routed.actions.escalate === true,
      });
    },

    async afterSend(order, routed, shipstationOrderId, kind) {
      if (kind !== 'create' || routed.matched.length === 0) return;
      await deps.store.rules.countMatches(routed.matched, deps.now().getTime());
      for (const m of routed.missing) await deps.notifier.raise(missingNameProblem(m, routed.matched, order.amazonOrderId));
      if (routed.rateShopRule) deps.onRateShopRequested?.();
      if (!routed.actions.escalate) return;
      const warehouseId = routed.payload.advancedOptions?.warehouseId ?? undefined;
      const warehouse = warehouseId !== undefined ? findWarehouse(await deps.names.warehouses().catch(() => []), warehouseId)?.warehouseName : undefined;
      const notes: string[] = [];
      if (routed.actions.rateShop) notes.push('rate shopping: choosing the service now');
      // Amazon expects Buy Shipping labels for Seller Fulfilled Prime: Dockhand never buys those itself.
      if (routed.actions.rateShop?.createLabel && order.isPrime) notes.push('Seller Fulfilled Prime: buy the label with Amazon Buy Shipping, not auto-labelled');
      await deps.notifier.raise(
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
    },
  };
}
