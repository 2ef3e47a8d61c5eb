import type { AccountConfig } from '../config/config';
import { DEFAULT_USAGE_PLANS } from '../amazon/pacer';
import { DockhandError, toDockhandError } from '../domain/errors';
import { silentLogger, type Logger } from '../log/logger';
import type { Label } from '../domain/label';
import { OrderStatus, type Order } from '../domain/order';
import { fromShipStationDate } from '../shipstation/dates';
import type { ShipStationClient } from '../shipstation/client';
import { isTrustedResourceUrl } from '../shipstation/ship-notify';
import { fulfillmentToLabel, shipmentToLabel } from '../shipstation/to-label';
import { createWriteback, ledgersOf, type Writeback, type WritebackAmazon } from '../writeback/confirm-labels.job';
import type { OrderRecord } from '../store/records';
import { orderRecordKey } from '../store/store';
import { createShipNotifyIntake, type LabelSource, type PollContext, type ShipNotifyIntake } from '../writeback/poll-labels.job';
import type { ReconcileContext } from '../writeback/reconcile.job';
import type { ReconcileAmazonOrder } from '../writeback/reconcile';
import type { Runtime } from './runtime';

/** The path ShipStation's SHIP_NOTIFY webhook posts to (with `?secret=`). */
export const WEBHOOK_PATH = '/webhooks/shipstation';
/** The name the webhook is registered under, so `start` finds its own registration again. */
export const WEBHOOK_NAME = 'Dockhand tracking writeback';

/**
 * Converts each item on its own: one ShipStation record Dockhand cannot read is logged (by id)
 * and left out, instead of failing the pass for every other label.
 */
function eachReadable<T>(items: T[], toLabel: (item: T) => Label, logger: Logger): Label[] {
  const out: Label[] = [];
  for (const item of items) {
    try {
      out.push(toLabel(item));
    } catch (e) {
      logger.warn({ job: 'poll-labels', code: toDockhandError(e).code }, `a ShipStation record was left out: ${(e as Error).message}`);
    }
  }
  return out;
}

/** ShipStation labels and fulfillments as Dockhand Labels. */
export function labelSource(shipstation: ShipStationClient, baseUrl: string, logger: Logger = silentLogger): LabelSource {
  return {
    trusts: (url) => isTrustedResourceUrl(url, baseUrl),
    async labelsCreated(from, to) {
      const res = await shipstation.listShipments({ createDateStart: from, createDateEnd: to, includeShipmentItems: true, allPages: true });
      return eachReadable(res.shipments, shipmentToLabel, logger);
    },
    async labelsVoided(from, to) {
      const res = await shipstation.listShipments({ voidDateStart: from, voidDateEnd: to, includeShipmentItems: true, allPages: true });
      return eachReadable(res.shipments, shipmentToLabel, logger);
    },
    async fulfillmentsCreated(from, to) {
      const res = await shipstation.listFulfillments({ createDateStart: from, createDateEnd: to, allPages: true });
      return eachReadable(res.fulfillments, fulfillmentToLabel, logger);
    },
    async labelsAt(resourceUrl) {
      const res = await shipstation.getShipmentsAt(resourceUrl);
      return eachReadable(res.shipments, shipmentToLabel, logger);
    },
  };
}

/**
 * One label as ShipStation has it now, by its id (`shipment:<id>` / `fulfillment:<id>`) and the
 * Amazon order number it belongs to (v1 has no filter by shipmentId). Undefined when gone.
 */
export async function findLabel(shipstation: ShipStationClient, labelId: string, amazonOrderId: string): Promise<Label | undefined> {
  const [source, rawId] = labelId.split(':');
  const id = Number(rawId);
  if (source === 'shipment') {
    const res = await shipstation.listShipments({ orderNumber: amazonOrderId, includeShipmentItems: true, allPages: true });
    const found = res.shipments.find((s) => s.shipmentId === id);
    return found ? shipmentToLabel(found) : undefined;
  }
  if (source === 'fulfillment') {
    const res = await shipstation.listFulfillments({ fulfillmentId: id });
    const found = res.fulfillments.find((f) => f.fulfillmentId === id);
    return found ? fulfillmentToLabel(found) : undefined;
  }
  return undefined;
}

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
  const writeback = createWriteback({
    accounts: rt.config.accounts,
    store: rt.store,
    amazonFor: (accountId) => amazon.get(accountId),
    notifier: rt.notifier,
    logger: rt.logger,
    now: () => new Date(),
  });
  const labels = labelSource(rt.shipstation, rt.config.shipstation.baseUrl, rt.logger);
  const intake = noteArrivals(createShipNotifyIntake({ secret: rt.config.writeback.webhookSecret, labels, writeback, logger: rt.logger }), rt.store, rt.logger);
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
    async amazonOrders(account: AccountConfig, since: string) {
      if (account.mode === 'watch') return openOrdersOnAmazon(rt, account, since, { keepTokens: 0, maxPages: Infinity });
      // Sync spends searchOrders down to half its burst: Amazon is asked too only above that.
      // What sync recorded is the whole picture either way, so the read counts as complete.
      const reserve = Math.ceil(DEFAULT_USAGE_PLANS.searchOrders.burst / 2) + 1;
      const extra = await openOrdersOnAmazon(rt, account, since, { keepTokens: reserve, maxPages: 1 });
      return { orders: [...(await recordedOrders(rt, account, since)), ...extra.orders], complete: true };
    },
    async shipstationOrders(since) {
      const res = await rt.shipstation.listOrders({ modifyDateStart: since, allPages: true });
      return res.orders.map((o) => ({
        orderId: o.orderId,
        orderNumber: o.orderNumber,
        ...(o.orderKey ? { orderKey: o.orderKey } : {}),
        orderStatus: String(o.orderStatus ?? ''),
        ...(typeof o.advancedOptions?.storeId === 'number' ? { storeId: o.advancedOptions.storeId } : {}),
        ...(o.modifyDate ? { modifiedAt: fromShipStationDate(o.modifyDate) } : {}),
      }));
    },
    labels,
    notifier: rt.notifier,
    logger: rt.logger,
    now: () => new Date(),
  };
}

/**
 * Registers (once) the SHIP_NOTIFY webhook pointing at this app, when DOCKHAND_PUBLIC_URL and
 * SHIPSTATION_WEBHOOK_SECRET are set. An existing registration to the same URL is kept.
 */
export async function ensureShipNotifyWebhook(rt: Runtime): Promise<{ registered: boolean; id?: number; reason?: string }> {
  const { publicUrl, webhookSecret } = rt.config.writeback;
  if (!publicUrl) {
    // A webhook an earlier start registered is no longer this product's path.
    await rt.store.shipNotify.delete(SHIP_NOTIFY_KEY);
    return { registered: false, reason: 'DOCKHAND_PUBLIC_URL is not set: polling only' };
  }
  if (!webhookSecret) {
    throw new DockhandError('config.missing', 'DOCKHAND_PUBLIC_URL is set but SHIPSTATION_WEBHOOK_SECRET is not', {
      hint: 'Set SHIPSTATION_WEBHOOK_SECRET to a long random string: ShipStation signs nothing, so the secret in the URL is what proves a webhook came from it.',
    });
  }
  const target = `${publicUrl}${WEBHOOK_PATH}?secret=${encodeURIComponent(webhookSecret)}`;
  const existing = (await rt.shipstation.listWebhooks()).find((w) => w.HookType === 'SHIP_NOTIFY' && w.Url === target);
  const id = existing ? existing.WebHookID : await rt.shipstation.subscribeWebhook({ targetUrl: target, event: 'SHIP_NOTIFY', friendlyName: WEBHOOK_NAME });
  if (!existing) rt.logger.info({ job: 'ship-notify', webhookId: id }, 'SHIP_NOTIFY webhook registered');
  // `status` runs in another process, whose config may not name the URL (the sandbox makes its
  // own): it learns the path in use from this record. The secret stays out of it.
  const previous = await rt.store.shipNotify.get(SHIP_NOTIFY_KEY);
  const same = previous?.webhookId === id;
  await rt.store.shipNotify.set(SHIP_NOTIFY_KEY, {
    webhookId: id,
    url: `${publicUrl}${WEBHOOK_PATH}`,
    registeredAt: same ? previous.registeredAt : new Date().toISOString(),
    ...(same && previous.lastNotifyAt ? { lastNotifyAt: previous.lastNotifyAt } : {}),
  });
  return { registered: true, id };
}

/** The key of the SHIP_NOTIFY record (`store.shipNotify`): one ShipStation account per Dockhand. */
export const SHIP_NOTIFY_KEY = 'shipstation';

/** How often the time of the last SHIP_NOTIFY is saved: a burst of labels costs one write, not one each. */
const NOTIFY_SAVE_MS = 5_000;

/**
 * The intake, noting in the store when the last SHIP_NOTIFY was accepted (the one that passed
 * the secret and URL checks), for `status`. Saved at most every few seconds, and on drain.
 */
function noteArrivals(intake: ShipNotifyIntake, store: Runtime['store'], logger: Logger): ShipNotifyIntake {
  let accepted = 0;
  let arrivedAt: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const save = async () => {
    timer = undefined;
    const at = arrivedAt;
    arrivedAt = undefined;
    if (!at) return;
    const record = await store.shipNotify.get(SHIP_NOTIFY_KEY);
    // The record is written when the webhook is registered; without one there is nothing to add to.
    if (record && (!record.lastNotifyAt || record.lastNotifyAt < at)) await store.shipNotify.set(SHIP_NOTIFY_KEY, { ...record, lastNotifyAt: at });
  };
  const saveQuietly = () => void save().catch((e: unknown) => logger.warn({ job: 'ship-notify', err: (e as Error).message }, 'time of the last SHIP_NOTIFY not saved'));
  return {
    ...intake,
    handle(req, res) {
      // The intake counts what it accepted before it answers: once the answer is sent, a higher count is this call.
      res.once('finish', () => {
        const now = intake.stats().accepted;
        if (now <= accepted) return;
        accepted = now;
        arrivedAt = new Date().toISOString();
        if (!timer) {
          timer = setTimeout(saveQuietly, NOTIFY_SAVE_MS);
          timer.unref();
        }
      });
      intake.handle(req, res);
    },
    async drain() {
      await intake.drain();
      if (timer) clearTimeout(timer);
      await save().catch(() => undefined);
    },
  };
}

/** Records sync did not put in ShipStation on purpose: pending, quarantined (alerted already), FBA. */
const NOT_EXPECTED_IN_SHIPSTATION = new Set(['held', 'quarantined', 'skipped']);

/**
 * An importing account's orders as sync last read them from Amazon, with their packages, plus
 * the packages Amazon accepted from us since (our ledger), which sync reads back a little later.
 */
async function recordedOrders(rt: Runtime, account: AccountConfig, since: string): Promise<ReconcileAmazonOrder[]> {
  const picked: Array<{ r: OrderRecord; status: OrderStatus }> = [];
  for await (const [, r] of rt.store.orders.entries()) {
    if (r.accountId !== account.id || NOT_EXPECTED_IN_SHIPSTATION.has(r.state)) continue;
    const status = OrderStatus.safeParse(r.amazonStatus);
    if (!status.success) continue;
    const open = status.data === 'unshipped' || status.data === 'partially_shipped';
    if (open || r.lastUpdatedTime >= since) picked.push({ r, status: status.data });
  }
  const ledgers = await ledgersOf(rt.store, picked.map(({ r }) => orderRecordKey(r.accountId, r.amazonOrderId)));
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
async function openOrdersOnAmazon(rt: Runtime, account: AccountConfig, since: string, opts: { keepTokens: number; maxPages: number }): Promise<{ orders: ReconcileAmazonOrder[]; complete: boolean }> {
  const source = rt.contextFor(account).amazon;
  const budget = () => rt.amazon.get(account.id)?.budget().searchOrders.tokens ?? 0;
  const orders: Order[] = [];
  let paginationToken: string | undefined;
  for (let pages = 0; pages < opts.maxPages; pages++) {
    if (budget() < opts.keepTokens + 1) {
      rt.logger.info({ job: 'reconcile', accountId: account.id }, 'searchOrders budget spent: the rest waits for the next pass');
      return { orders, complete: false };
    }
    // Cancelled too: an order cancelled on Amazon but still open in ShipStation is a finding.
    const page = await source.fetchOrderPage({ marketplaceIds: account.marketplaceIds, lastUpdatedAfter: since, fulfillmentStatuses: ['UNSHIPPED', 'PARTIALLY_SHIPPED', 'CANCELLED'], ...(paginationToken ? { paginationToken } : {}) });
    orders.push(...page.orders);
    paginationToken = page.nextToken;
    if (!paginationToken) return { orders, complete: true };
  }
  return { orders, complete: false };
}
