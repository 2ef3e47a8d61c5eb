import type { AccountConfig } from '../config/config';
import { DockhandError } from '../domain/errors';
import type { Label } from '../domain/label';
import type { Order } from '../domain/order';
import { fromShipStationDate } from '../shipstation/dates';
import type { ShipStationClient } from '../shipstation/client';
import { isTrustedResourceUrl } from '../shipstation/ship-notify';
import { fulfillmentToLabel, shipmentToLabel } from '../shipstation/to-label';
import { createWriteback, type Writeback } from '../writeback/confirm-labels.job';
import { createShipNotifyIntake, type LabelSource, type PollContext, type ShipNotifyIntake } from '../writeback/poll-labels.job';
import type { ReconcileContext } from '../writeback/reconcile.job';
import type { Runtime } from './runtime';

/** The path ShipStation's SHIP_NOTIFY webhook posts to (with `?secret=`). */
export const WEBHOOK_PATH = '/webhooks/shipstation';
/** The name the webhook is registered under, so `start` finds its own registration again. */
export const WEBHOOK_NAME = 'Dockhand tracking writeback';

/** ShipStation labels and fulfillments as Dockhand Labels. */
export function labelSource(shipstation: ShipStationClient, baseUrl: string): LabelSource {
  return {
    trusts: (url) => isTrustedResourceUrl(url, baseUrl),
    async labelsCreated(from, to) {
      const res = await shipstation.listShipments({ createDateStart: from, createDateEnd: to, includeShipmentItems: true, allPages: true });
      return res.shipments.map(shipmentToLabel);
    },
    async labelsVoided(from, to) {
      const res = await shipstation.listShipments({ voidDateStart: from, voidDateEnd: to, includeShipmentItems: true, allPages: true });
      return res.shipments.map(shipmentToLabel);
    },
    async fulfillmentsCreated(from, to) {
      const res = await shipstation.listFulfillments({ createDateStart: from, createDateEnd: to, allPages: true });
      return res.fulfillments.map(fulfillmentToLabel);
    },
    async labelsAt(resourceUrl) {
      const res = await shipstation.getShipmentsAt(resourceUrl);
      return res.shipments.map(shipmentToLabel);
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
  const writeback = createWriteback({
    accounts: rt.config.accounts,
    store: rt.store,
    amazonFor(accountId) {
      const account = rt.config.accounts.find((a) => a.id === accountId);
      const client = rt.amazon.get(accountId);
      if (!account || !client) return undefined;
      const ctx = rt.contextFor(account);
      return { confirmShipment: (id, body) => client.confirmShipment(id, body), fetchOrder: (id) => ctx.amazon.fetchOrder(id) };
    },
    notifier: rt.notifier,
    logger: rt.logger,
    now: () => new Date(),
  });
  const labels = labelSource(rt.shipstation, rt.config.shipstation.baseUrl);
  const intake = createShipNotifyIntake({ secret: rt.config.writeback.webhookSecret, labels, writeback, logger: rt.logger });
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
    async amazonOrders(account: AccountConfig, since: string): Promise<Order[]> {
      const source = rt.contextFor(account).amazon;
      const orders: Order[] = [];
      let paginationToken: string | undefined;
      do {
        const page = await source.fetchOrderPage({ marketplaceIds: account.marketplaceIds, lastUpdatedAfter: since, ...(paginationToken ? { paginationToken } : {}) });
        orders.push(...page.orders);
        paginationToken = page.nextToken;
      } while (paginationToken);
      return orders;
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
  if (!publicUrl) return { registered: false, reason: 'DOCKHAND_PUBLIC_URL is not set: polling only' };
  if (!webhookSecret) {
    throw new DockhandError('config.missing', 'DOCKHAND_PUBLIC_URL is set but SHIPSTATION_WEBHOOK_SECRET is not', {
      hint: 'Set SHIPSTATION_WEBHOOK_SECRET to a long random string: ShipStation signs nothing, so the secret in the URL is what proves a webhook came from it.',
    });
  }
  const target = `${publicUrl}${WEBHOOK_PATH}?secret=${encodeURIComponent(webhookSecret)}`;
  const existing = (await rt.shipstation.listWebhooks()).find((w) => w.HookType === 'SHIP_NOTIFY' && w.Url === target);
  if (existing) return { registered: true, id: existing.WebHookID };
  const id = await rt.shipstation.subscribeWebhook({ targetUrl: target, event: 'SHIP_NOTIFY', friendlyName: WEBHOOK_NAME });
  rt.logger.info({ job: 'ship-notify', webhookId: id }, 'SHIP_NOTIFY webhook registered');
  return { registered: true, id };
}
