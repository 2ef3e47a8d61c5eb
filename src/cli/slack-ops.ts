import type { HealthReport } from '../slack/app';
import type { ConfirmationResult, DockhandOps, RetryResult } from '../slack/handlers';
import type { ConfirmationRecord } from '../store/records';
import type { Outcome } from '../writeback/confirm-labels.job';
import { lateOrders } from '../writeback/late-orders';
import { toReconcileReport } from '../writeback/reconcile-report';
import { findLabel } from '../writeback/label-source';
import { orderTimeline } from '../sync/order-timeline';
import { dismissNotifications, retryQuarantined } from '../sync/retry';
import { emptySummary, processOrders } from '../sync/sync-orders.job';
import type { Product } from './product';
import { gatherStatus, type StatusData } from '../jobs/status';
import type { Runtime } from './runtime';

/** How old a shared status count may be. */
const STATUS_FRESH_MS = 5_000;
/** How many open orders a new SKU mapping re-sends at once (each costs a getOrder). */
const REMAP_LIMIT = 50;

/** What the Slack app can ask of the running product: the one place that knows both. */
export function createDockhandOps(rt: Runtime, product: Product): DockhandOps {
  const accounts = () => rt.config.accounts;
  const account = (id: string) => {
    const a = accounts().find((x) => x.id === id);
    if (!a) throw new Error(`no account "${id}"; known: ${accounts().map((x) => x.id).join(', ')}`);
    return a;
  };
  const setPause = async (accountId: string | undefined, by: string, paused: boolean): Promise<string[]> => {
    const ids = accountId ? [account(accountId).id] : accounts().map((a) => a.id);
    for (const id of ids) await rt.store.pauses.set(id, { paused, by, at: new Date().toISOString() });
    if (!paused) product.kick();
    return ids;
  };

  // Counting orders by state reads every record; when many people ask at once (or one person
  // twice), they share one count that is at most a few seconds old.
  let statusCache: { at: number; data: Promise<StatusData> } | undefined;
  const status = (): Promise<StatusData> => {
    const now = Date.now();
    if (!statusCache || now - statusCache.at > STATUS_FRESH_MS) {
      const data = gatherStatus(rt.config, rt.store, rt.sqs, new Date(now));
      statusCache = { at: now, data };
      data.catch(() => (statusCache = undefined));
    }
    return statusCache.data;
  };

  return {
    status,

    orderTimeline: (amazonOrderId) => orderTimeline(rt.store, accounts().map((a) => a.id), amazonOrderId),

    quarantine: () => rt.store.quarantine.all(),

    async retry(target, accountId): Promise<RetryResult> {
      const total: RetryResult = { retried: 0, resolved: 0, stillQuarantined: 0, notFound: [] };
      const dismissed = await dismissNotifications(target, rt.store);
      total.retried += dismissed;
      total.resolved += dismissed;
      for (const a of accountId ? [account(accountId)] : accounts()) {
        const r = await retryQuarantined(target, rt.contextFor(a));
        total.retried += r.retried;
        total.resolved += r.resolved;
        total.stillQuarantined += r.stillQuarantined;
      }
      if (target !== 'all' && total.retried === 0) total.notFound.push(target);
      return total;
    },

    /**
     * Maps the SKU, then re-sends the open orders that went out with Amazon's SKU so the pick
     * list shows the right one (their payload hash changes, so they are updated, not duplicated).
     */
    async mapSku(amazonSku, shipstationSku, asin) {
      await rt.store.putSkuMapping({ amazonSku, shipstationSku, ...(asin ? { asin } : {}) });
      const affected = (await rt.store.orders.all()).filter((r) => r.state === 'sent' && r.unmappedSkus.includes(amazonSku)).slice(0, REMAP_LIMIT);
      for (const a of accounts()) {
        const mine = affected.filter((r) => r.accountId === a.id);
        if (mine.length === 0) continue;
        const ctx = rt.contextFor(a);
        const orders = [];
        for (const r of mine) orders.push(await ctx.amazon.fetchOrder(r.amazonOrderId).catch(() => undefined));
        await processOrders(orders.filter((o) => o !== undefined), ctx, emptySummary(a.id, new Date().toISOString()));
      }
    },

    unmapped: () => rt.store.unmapped.all(),
    pause: (accountId, by) => setPause(accountId, by, true),
    resume: (accountId, by) => setPause(accountId, by, false),
    audit: (n) => rt.store.recentAudit(n),
    async retrySync(accountId) {
      account(accountId);
      product.kick();
    },
    accounts: () => accounts().map((a) => a.id),

    lateOrders: () => lateOrders(rt.store, new Date(), rt.config.writeback.leadTimesMinutes),

    async reconcile(accountId) {
      if (accountId) account(accountId);
      return toReconcileReport(await product.reconcile(accountId));
    },

    async retryConfirmation(labelId) {
      const record = await rt.store.confirmations.get(labelId);
      const pending = await rt.store.pendingConfirmations.get(labelId);
      const amazonOrderId = record?.amazonOrderId ?? pending?.label.orderNumber;
      if (!amazonOrderId) return { outcome: 'not_found', message: `Dockhand has no record of label ${labelId}.` };
      const label = (await findLabel(rt.shipstation, labelId, amazonOrderId)) ?? pending?.label;
      if (!label) return { outcome: 'not_found', message: `ShipStation no longer has label ${labelId} for order ${amazonOrderId}.` };
      const done = record ? await product.writeback.writeback.confirmFor(label, record.accountId, amazonOrderId) : await product.writeback.writeback.handleLabel(label, 'retry', true);
      return confirmationResult(done.outcome, done.record, amazonOrderId);
    },

    async confirmNow(accountId, amazonOrderId, labelId) {
      account(accountId);
      const label = await findLabel(rt.shipstation, labelId, amazonOrderId);
      if (!label) return { outcome: 'not_found', message: `ShipStation has no label ${labelId} for order ${amazonOrderId}.` };
      const done = await product.writeback.writeback.confirmFor(label, accountId, amazonOrderId);
      return confirmationResult(done.outcome, done.record, amazonOrderId);
    },

    async createInShipStation(accountId, amazonOrderId) {
      const ctx = rt.contextFor(account(accountId));
      const order = await ctx.amazon.fetchOrder(amazonOrderId);
      const s = emptySummary(accountId, new Date().toISOString());
      await processOrders([order], ctx, s);
      if (s.created + s.updated > 0) return { ok: true, message: `Order ${amazonOrderId} is in ShipStation now.` };
      if (s.quarantined > 0) return { ok: false, message: `Order ${amazonOrderId} could not be created: it is in quarantine (see its alert).` };
      return { ok: s.unchanged > 0, message: s.unchanged > 0 ? `Order ${amazonOrderId} was already current in ShipStation.` : `Order ${amazonOrderId} is not one Dockhand sends (status ${order.status}).` };
    },

    async markPriority(shipstationOrderId) {
      const name = rt.config.writeback.priorityTag;
      const tag = (await rt.shipstation.listTags()).find((t) => t.name.toLowerCase() === name.toLowerCase());
      // ShipStation v1 has no call to create a tag: a person creates it once.
      if (!tag) return { ok: false, message: `ShipStation has no tag named "${name}". Create it in ShipStation (Settings → Tags), or set writeback.priorityTag, then press Mark priority again.` };
      await rt.shipstation.addTag(shipstationOrderId, tag.tagId);
      return { ok: true, message: `Tagged "${tag.name}" in ShipStation.` };
    },

    async holdOrder(shipstationOrderId) {
      const until = new Date(Date.now() + HOLD_DAYS * 86_400_000).toISOString();
      await rt.shipstation.holdUntil(shipstationOrderId, until);
      return { ok: true, message: `On hold in ShipStation for ${HOLD_DAYS} days.` };
    },
  };
}

/** How long Hold keeps an order off the pick list. */
const HOLD_DAYS = 7;

function confirmationResult(outcome: Outcome, record: ConfirmationRecord | undefined, amazonOrderId: string): ConfirmationResult {
  switch (outcome) {
    case 'confirmed':
    case 'already_done':
      return { outcome: 'confirmed', message: `Amazon has the tracking for order ${amazonOrderId}${record ? ` (${record.carrierName ?? record.carrierCode} ${record.trackingNumber})` : ''}.` };
    case 'skipped':
      return { outcome: 'skipped', message: record?.reason ?? `Nothing to confirm for order ${amazonOrderId}.` };
    case 'quarantined':
      return { outcome: 'quarantined', message: record?.reason ?? `Amazon refused the confirmation for order ${amazonOrderId}.` };
    case 'retry_later':
      return { outcome: 'quarantined', message: `Amazon could not be reached${record?.reason ? ` (${record.reason})` : ''}; Dockhand tries again on its next pass.` };
    case 'ignored':
      return { outcome: 'not_found', message: `Order ${amazonOrderId} is not one Dockhand confirms.` };
  }
}

/** GET /healthz: the loops run, when each account last synced successfully, the store answers. */
export async function healthReport(rt: Runtime, product: Product): Promise<HealthReport> {
  let storeReachable = true;
  try {
    await rt.store.leases.get('healthz');
  } catch {
    storeReachable = false;
  }
  const runs = storeReachable ? await Promise.all(rt.config.accounts.map((a) => rt.store.runs.get(a.id).catch(() => undefined))) : [];
  return {
    jobs: [
      ...rt.config.accounts.filter((a) => a.mode === 'import').map((a) => ({ name: `sync-orders:${a.id}`, alive: product.alive() })),
      ...(product.events ? [{ name: 'order-events', alive: product.alive() }] : []),
      ...['poll-labels', 'deadline-guard', 'reconcile'].map((name) => ({ name, alive: product.alive() })),
    ],
    accounts: rt.config.accounts.map((a, i) => {
      const run = runs[i];
      const last = run?.ok ? run.finishedAt : product.totals.lastSuccessAt?.[a.id];
      return { id: a.id, ...(last ? { lastSuccessfulSyncAt: last } : {}) };
    }),
    storeReachable,
  };
}
