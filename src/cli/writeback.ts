import { createWriteback, type Writeback, type WritebackAmazon } from '../writeback/confirm-labels.job';
import { labelSource } from '../writeback/label-source';
import { createShipNotifyIntake, type LabelSource, type PollContext, type ShipNotifyIntake } from '../writeback/poll-labels.job';
import type { ReconcileContext } from '../writeback/reconcile.job';
import { reconcileSources } from '../writeback/reconcile-sources';
import { noteArrivals, type ShipNotifyContext } from '../writeback/ship-notify-webhook';
import type { Runtime } from './runtime';

/** Tracking writeback's parts and contexts, built from the runtime. Wiring only. */

export interface WritebackParts {
  writeback: Writeback;
  labels: LabelSource;
  intake: ShipNotifyIntake;
}

export function createWritebackParts(rt: Runtime): WritebackParts {
  // Each account's two Amazon calls, built once rather than per label.
  const amazon = new Map<string, WritebackAmazon>();
  for (const account of rt.config.accounts) {
    const client = rt.amazon.get(account.id);
    if (!client) continue;
    const source = rt.contextFor(account).amazon;
    amazon.set(account.id, { confirmShipment: (id, body) => client.confirmShipment(id, body), fetchOrder: (id) => source.fetchOrder(id) });
  }
  const now = () => new Date();
  const writeback = createWriteback({
    accounts: rt.config.accounts,
    store: rt.store,
    amazonFor: (accountId) => amazon.get(accountId),
    notifier: rt.notifier,
    logger: rt.logger,
    now,
    owner: rt.owner,
    ...(rt.config.accounts[0] ? { isLeaseOwnerGone: rt.contextFor(rt.config.accounts[0]).isLeaseOwnerGone } : {}),
  });
  const labels = labelSource(rt.shipstation, rt.config.shipstation.baseUrl, rt.logger);
  const intake = noteArrivals(createShipNotifyIntake({ secret: rt.config.writeback.webhookSecret, labels, writeback, logger: rt.logger }), { store: rt.store, logger: rt.logger, now });
  return { writeback, labels, intake };
}

/** What a polling pass needs, from the runtime. */
export function pollContext(rt: Runtime, parts: WritebackParts): PollContext {
  const wb = rt.config.writeback;
  return { store: rt.store, labels: parts.labels, writeback: parts.writeback, logger: rt.logger, now: () => new Date(), lookbackHours: wb.lookbackHours, pollSeconds: wb.pollSeconds };
}

/** What reconciliation reads, from the runtime's clients. */
export function reconcileContext(rt: Runtime, labels: LabelSource): ReconcileContext {
  return {
    accounts: rt.config.accounts,
    store: rt.store,
    ...reconcileSources({
      store: rt.store,
      shipstation: rt.shipstation,
      amazonFor: (account) => ({
        orders: rt.contextFor(account).amazon,
        searchOrdersTokens: () => rt.amazon.get(account.id)?.budget().searchOrders.tokens ?? 0,
      }),
      logger: rt.logger,
    }),
    labels,
    notifier: rt.notifier,
    logger: rt.logger,
    now: () => new Date(),
  };
}

/** What registering SHIP_NOTIFY needs, read from the config at the time it is called (the sandbox sets its URL late). */
export function shipNotifyContext(rt: Runtime): ShipNotifyContext {
  const { publicUrl, webhookSecret } = rt.config.writeback;
  return { publicUrl, webhookSecret, shipstation: rt.shipstation, store: rt.store, logger: rt.logger, now: () => new Date() };
}
