import { DockhandError } from '../domain/errors';
import type { Notifier } from '../domain/notifier';
import type { ShipStationClient } from '../shipstation/client';
import type { Store } from '../store/store';
import { orderRecordKey } from '../store/store';
import { mergeForUpdate } from '../sync/map-order';
import { escalationUpdate } from './escalation-alert';
import { findWarehouse, type ShipStationNames } from './names';
import { asInput } from './shipstation-copy';

/**
 * Re-route (the escalation's button, `/dockhand route`): moves an order in ShipStation to another
 * warehouse (Ship From) and edits its escalation. Only the warehouse changes: the order is sent
 * back as ShipStation holds it, so staff's other changes stay.
 */

export interface RerouteDeps {
  store: Store;
  shipstation: Pick<ShipStationClient, 'getOrder' | 'createOrder'>;
  names: ShipStationNames;
  notifier: Notifier;
  accountIds: string[];
}

export async function rerouteOrder(deps: RerouteDeps, amazonOrderId: string, warehouse: string | number): Promise<{ ok: boolean; message: string; warehouse?: string }> {
  let found: { accountId: string; shipstationOrderId: number } | undefined;
  for (const accountId of deps.accountIds) {
    const r = await deps.store.orders.get(orderRecordKey(accountId, amazonOrderId));
    if (r?.shipstationOrderId !== undefined) found = { accountId, shipstationOrderId: r.shipstationOrderId };
  }
  if (!found) return { ok: false, message: `order ${amazonOrderId} is not in ShipStation (Dockhand has not sent it)` };
  let list = await deps.names.warehouses();
  let target = findWarehouse(list, warehouse);
  if (!target) {
    deps.names.invalidate();
    list = await deps.names.warehouses();
    target = findWarehouse(list, warehouse);
  }
  if (!target) return { ok: false, message: `ShipStation has no warehouse "${warehouse}" (it has: ${list.map((w) => w.warehouseName).join(', ') || 'none'})` };
  const current = await deps.shipstation.getOrder(found.shipstationOrderId);
  if (current.orderStatus === 'shipped' || current.orderStatus === 'cancelled') {
    throw new DockhandError('order.locked_in_shipstation', `order ${amazonOrderId} is ${current.orderStatus} in ShipStation and cannot be re-routed`, { hint: 'Only open orders can move to another warehouse.' });
  }
  if (current.advancedOptions?.warehouseId === target.warehouseId) return { ok: true, message: `already ships from ${target.warehouseName}`, warehouse: target.warehouseName };
  const merged = mergeForUpdate(current, asInput(current));
  await deps.shipstation.createOrder({ ...merged, advancedOptions: { ...merged.advancedOptions, warehouseId: target.warehouseId } });
  await deps.notifier.raise(escalationUpdate({ accountId: found.accountId, amazonOrderId }, { warehouse: target.warehouseName, reroutedTo: target.warehouseName }));
  return { ok: true, message: `now ships from ${target.warehouseName}`, warehouse: target.warehouseName };
}

export interface RuleInForce {
  name: string;
  matchedToday: number;
  /** `when …, then …` in a few words. */
  summary: string;
}

/** `flushMatches` first writes what this process has tallied in memory, so the counts are up to the moment. */
export async function rulesInForce(rules: Array<{ name: string; when: object; then: object; stop: boolean }>, store: Store, now: Date, flushMatches?: () => Promise<void>): Promise<RuleInForce[]> {
  await flushMatches?.();
  const counts = await store.rules.matchesOn(now.getTime());
  return rules.map((r) => ({
    name: r.name,
    matchedToday: counts.get(r.name) ?? 0,
    summary: `when ${Object.keys(r.when).join(', ') || 'any order'} → ${Object.keys(r.then).join(', ')}${r.stop ? ', stop' : ''}`,
  }));
}
