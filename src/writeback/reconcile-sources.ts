import { DEFAULT_USAGE_PLANS } from '../amazon/pacer';
import type { AccountConfig } from '../config/config';
import { OrderStatus, type Order } from '../domain/order';
import type { Logger } from '../log/logger';
import { fromShipStationDate } from '../shipstation/dates';
import type { ShipStationClient } from '../shipstation/client';
import type { OrderRecord } from '../store/records';
import { orderRecordKey, type Store } from '../store/store';
import type { AmazonOrderSource } from '../sync/sync-orders.job';
import { ledgersOf } from './confirm-labels.job';
import type { ReconcileContext } from './reconcile.job';
import type { ReconcileAmazonOrder } from './reconcile';

export interface ReconcileSourcesDeps {
  store: Store;
  shipstation: Pick<ShipStationClient, 'listOrders'>;
  /** The account's Amazon orders, and how many searchOrders calls its bucket holds right now. */
  amazonFor(account: AccountConfig): { orders: Pick<AmazonOrderSource, 'fetchOrderPage'>; searchOrdersTokens(): number };
  logger: Logger;
}

/** What reconciliation compares: Amazon's side (recorded or read) and ShipStation's orders. */
export function reconcileSources(deps: ReconcileSourcesDeps): Pick<ReconcileContext, 'amazonOrders' | 'shipstationOrders'> {
  return {
    async amazonOrders(account, since) {
      if (account.mode === 'watch') return openOrdersOnAmazon(deps, account, since, { keepTokens: 0, maxPages: Infinity });
      // Sync spends searchOrders down to half its burst: Amazon is asked too only above that.
      // What sync recorded is the whole picture either way, so the read counts as complete.
      const reserve = Math.ceil(DEFAULT_USAGE_PLANS.searchOrders.burst / 2) + 1;
      const extra = await openOrdersOnAmazon(deps, account, since, { keepTokens: reserve, maxPages: 1 });
      return { orders: [...(await recordedOrders(deps.store, account, since)), ...extra.orders], complete: true };
    },
    async shipstationOrders(since) {
      const res = await deps.shipstation.listOrders({ modifyDateStart: since, allPages: true });
      return res.orders.map((o) => ({
        orderId: o.orderId,
        orderNumber: o.orderNumber,
        ...(o.orderKey ? { orderKey: o.orderKey } : {}),
        orderStatus: String(o.orderStatus ?? ''),
        ...(typeof o.advancedOptions?.storeId === 'number' ? { storeId: o.advancedOptions.storeId } : {}),
        ...(o.modifyDate ? { modifiedAt: fromShipStationDate(o.modifyDate) } : {}),
      }));
    },
  };
}

/**
 * An importing account's orders as sync last read them from Amazon, with their packages, plus
 * the packages Amazon accepted from us since (our ledger), which sync reads back a little later.
 */
async function recordedOrders(store: Store, account: AccountConfig, since: string): Promise<ReconcileAmazonOrder[]> {
  const picked: Array<{ r: OrderRecord; status: OrderStatus }> = [];
  for (const r of await store.orders.forReconcile(account.id, new Date(since))) {
    const status = OrderStatus.safeParse(r.amazonStatus);
    if (!status.success) continue;
    const open = status.data === 'unshipped' || status.data === 'partially_shipped';
    if (open || r.lastUpdatedTime >= since) picked.push({ r, status: status.data });
  }
  const ledgers = await ledgersOf(store, picked.map(({ r }) => orderRecordKey(r.accountId, r.amazonOrderId)));
  return picked.map(({ r, status }, i) => {
    const packages = [...(r.packages ?? [])];
    for (const c of ledgers[i]!) {
      if (c.state === 'confirmed' && !packages.some((p) => p.packageReferenceId === c.packageReferenceId)) {
        packages.push({ packageReferenceId: c.packageReferenceId, trackingNumber: c.trackingNumber, carrier: c.carrierName ?? c.carrierCode });
      }
    }
    return { accountId: r.accountId, amazonOrderId: r.amazonOrderId, status, createdTime: r.createdTime ?? r.firstSeenAt, lastUpdatedTime: r.lastUpdatedTime, fulfilledBy: 'merchant' as const, packages };
  });
}

/**
 * Open orders read from Amazon, as many pages as searchOrders' bucket pays for now above
 * `keepTokens` (it refills one call in three minutes). It never waits: what the bucket can't pay
 * for is left to the next pass. A watching account runs no sync, so its bucket is all
 * reconciliation's; an importing account's is sync's first.
 */
async function openOrdersOnAmazon(deps: ReconcileSourcesDeps, account: AccountConfig, since: string, opts: { keepTokens: number; maxPages: number }): Promise<{ orders: ReconcileAmazonOrder[]; complete: boolean }> {
  const amazon = deps.amazonFor(account);
  const orders: Order[] = [];
  let paginationToken: string | undefined;
  for (let pages = 0; pages < opts.maxPages; pages++) {
    if (amazon.searchOrdersTokens() < opts.keepTokens + 1) {
      deps.logger.info({ job: 'reconcile', accountId: account.id }, 'searchOrders budget spent: the rest waits for the next pass');
      return { orders, complete: false };
    }
    // Cancelled too: an order cancelled on Amazon but still open in ShipStation is a finding.
    const page = await amazon.orders.fetchOrderPage({ marketplaceIds: account.marketplaceIds, lastUpdatedAfter: since, fulfillmentStatuses: ['UNSHIPPED', 'PARTIALLY_SHIPPED', 'CANCELLED'], ...(paginationToken ? { paginationToken } : {}) });
    orders.push(...page.orders);
    paginationToken = page.nextToken;
    if (!paginationToken) return { orders, complete: true };
  }
  return { orders, complete: false };
}
