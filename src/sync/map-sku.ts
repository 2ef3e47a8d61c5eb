import type { AccountConfig } from '../config/config';
import type { SkuMapping } from '../store/records';
import type { Store } from '../store/store';
import { emptySummary, processOrders, type SyncContext } from './sync-orders.job';

/** How many open orders a new SKU mapping re-sends at once (each costs a getOrder). */
const REMAP_LIMIT = 50;

export interface MapSkuContext {
  store: Store;
  accounts: AccountConfig[];
  contextFor(account: AccountConfig): SyncContext;
  now: () => Date;
}

/**
 * Maps the SKU, then re-sends the open orders that went out with Amazon's SKU so the pick
 * list shows the right one (their payload hash changes, so they are updated, not duplicated).
 */
export async function mapSku(mapping: SkuMapping, ctx: MapSkuContext): Promise<void> {
  await ctx.store.putSkuMapping(mapping);
  const affected = await ctx.store.orders.withUnmappedSku(mapping.amazonSku, REMAP_LIMIT);
  for (const a of ctx.accounts) {
    const mine = affected.filter((r) => r.accountId === a.id);
    if (mine.length === 0) continue;
    const sync = ctx.contextFor(a);
    const orders = [];
    for (const r of mine) orders.push(await sync.amazon.fetchOrder(r.amazonOrderId).catch(() => undefined));
    await processOrders(orders.filter((o) => o !== undefined), sync, emptySummary(a.id, ctx.now().toISOString()));
  }
}
