import { emptySummary, processOrders, type SyncContext } from './sync-orders.job';

/**
 * Reconciliation's Create in ShipStation: reads the order from Amazon again and sends it the way
 * a sync would, so an order already there is updated (or left alone), never duplicated.
 */
export async function createInShipStation(amazonOrderId: string, ctx: SyncContext): Promise<{ ok: boolean; message: string }> {
  const order = await ctx.amazon.fetchOrder(amazonOrderId);
  const s = emptySummary(ctx.account.id, ctx.now().toISOString());
  await processOrders([order], ctx, s);
  if (s.created + s.updated > 0) return { ok: true, message: `Order ${amazonOrderId} is in ShipStation now.` };
  if (s.quarantined > 0) return { ok: false, message: `Order ${amazonOrderId} could not be created: it is in quarantine (see its alert).` };
  return { ok: s.unchanged > 0, message: s.unchanged > 0 ? `Order ${amazonOrderId} was already current in ShipStation.` : `Order ${amazonOrderId} is not one Dockhand sends (status ${order.status}).` };
}
