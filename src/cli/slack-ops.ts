import type { AccountConfig } from '../config/config';
import { healthReport, type HealthReport } from '../jobs/health';
import { gatherStatus, sharedStatus } from '../jobs/status';
import type { DockhandOps } from '../slack/handlers';
import { createInShipStation } from '../sync/create-in-shipstation';
import { mapSku } from '../sync/map-sku';
import { orderTimeline } from '../sync/order-timeline';
import { setPaused } from '../sync/pause';
import { retryInAccounts } from '../sync/retry';
import { lateOrders } from '../writeback/late-orders';
import { holdOrder, markPriority } from '../writeback/order-actions';
import { toReconcileReport } from '../writeback/reconcile-report';
import { confirmNow, retryConfirmation, type ConfirmOnRequestContext } from '../writeback/retry-confirmation';
import type { Product } from './product';
import type { Runtime } from './runtime';
import { rerouteOrder, rulesInForce } from '../rules/reroute';
import { createInventoryOps } from '../inventory/slack';

/**
 * What the Slack app can ask of the running product: each use case from its feature, given its
 * part of the runtime. Wiring only.
 */
export function createDockhandOps(rt: Runtime, product: Product): DockhandOps {
  const accounts = () => rt.config.accounts;
  const account = (id: string) => {
    const a = accounts().find((x) => x.id === id);
    if (!a) throw new Error(`no account "${id}"; known: ${accounts().map((x) => x.id).join(', ')}`);
    return a;
  };
  const now = () => new Date();
  const pause = async (accountId: string | undefined, by: string, paused: boolean): Promise<string[]> => {
    const ids = accountId ? [account(accountId).id] : accounts().map((a) => a.id);
    await setPaused(ids, paused, by, { store: rt.store, now });
    if (!paused) product.kick();
    return ids;
  };
  const confirming = (): ConfirmOnRequestContext => ({ store: rt.store, shipstation: rt.shipstation, writeback: product.writeback.writeback });
  const syncing = { store: rt.store, contextFor: (a: AccountConfig) => rt.contextFor(a) };

  return {
    status: sharedStatus((at) => gatherStatus(rt.config, rt.store, rt.sqs, at)),
    orderTimeline: (amazonOrderId) => orderTimeline(rt.store, accounts().map((a) => a.id), amazonOrderId),
    quarantine: () => rt.store.quarantine.list(),
    retry: (target, accountId) => retryInAccounts(target, accountId ? [account(accountId)] : accounts(), syncing),
    mapSku: (amazonSku, shipstationSku, asin) => mapSku({ amazonSku, shipstationSku, ...(asin ? { asin } : {}) }, { ...syncing, accounts: accounts(), now }),
    unmapped: () => rt.store.unmapped.list(),
    pause: (accountId, by) => pause(accountId, by, true),
    resume: (accountId, by) => pause(accountId, by, false),
    audit: (n) => rt.store.recentAudit(n),
    async retrySync(accountId) {
      account(accountId);
      product.kick();
    },
    accounts: () => accounts().map((a) => a.id),
    lateOrders: () => lateOrders(rt.store, now(), rt.config.writeback.leadTimesMinutes),
    inventory: createInventoryOps({ store: rt.store, config: rt.config.inventory, runner: product.inventory.runner, now }),
    async reconcile(accountId) {
      if (accountId) account(accountId);
      return toReconcileReport(await product.reconcile(accountId));
    },
    retryConfirmation: (labelId) => retryConfirmation(labelId, confirming()),
    async confirmNow(accountId, amazonOrderId, labelId) {
      account(accountId);
      return confirmNow(accountId, amazonOrderId, labelId, confirming());
    },
    createInShipStation: async (accountId, amazonOrderId) => createInShipStation(amazonOrderId, rt.contextFor(account(accountId))),
    markPriority: (shipstationOrderId) => markPriority(rt.shipstation, rt.config.writeback.priorityTag, shipstationOrderId),
    holdOrder: (shipstationOrderId) => holdOrder(rt.shipstation, shipstationOrderId, now()),
    reroute: (amazonOrderId, warehouse) => rerouteOrder({ store: rt.store, shipstation: rt.shipstation, names: rt.rules.names, notifier: rt.notifier, accountIds: accounts().map((a) => a.id) }, amazonOrderId, warehouse),
    warehouses: async () => (await rt.rules.names.warehouses()).map((w) => ({ id: w.warehouseId, name: w.warehouseName })),
    rulesInForce: () => rulesInForce(rt.config.rules, rt.store, now(), rt.rules.flushMatches),
  };
}

/** GET /healthz over the running product. */
export function productHealth(rt: Runtime, product: Product): () => Promise<HealthReport> {
  return () =>
    healthReport({
      accounts: rt.config.accounts,
      store: rt.store,
      alive: () => product.alive(),
      hasEvents: product.events !== undefined,
      lastSuccessAt: () => product.totals.lastSuccessAt,
    });
}
