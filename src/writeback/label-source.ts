import { toDockhandError } from '../domain/errors';
import type { Label } from '../domain/label';
import { silentLogger, type Logger } from '../log/logger';
import { MAX_PAGE_SIZE, type ListShipmentsQuery, type ShipStationClient } from '../shipstation/client';
import { isTrustedResourceUrl } from '../shipstation/ship-notify';
import { fulfillmentToLabel, shipmentToLabel } from '../shipstation/to-label';
import type { LabelSource } from './poll-labels.job';

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

/**
 * Every page of a list, each turned into Labels as it arrives. Only the Labels are kept: a busy
 * window is thousands of shipments, and ShipStation's whole records of them (addresses,
 * weights, every item as ordered) held until the last page came in were most of what a pass
 * or a coalesced SHIP_NOTIFY fetch kept in memory.
 */
async function everyPage<T>(list: (page: number) => Promise<{ page: number; pages: number; rows: T[] }>, toLabel: (item: T) => Label, logger: Logger): Promise<Label[]> {
  const out: Label[] = [];
  for (let page = 1; ; page++) {
    const res = await list(page);
    out.push(...eachReadable(res.rows, toLabel, logger));
    if (res.rows.length === 0 || res.page >= res.pages) return out;
  }
}

/** ShipStation labels and fulfillments as Dockhand Labels. */
export function labelSource(shipstation: ShipStationClient, baseUrl: string, logger: Logger = silentLogger): LabelSource {
  const shipments = (window: Pick<ListShipmentsQuery, 'createDateStart' | 'createDateEnd' | 'voidDateStart' | 'voidDateEnd'>) =>
    everyPage(
      async (page) => {
        const res = await shipstation.listShipments({ ...window, includeShipmentItems: true, page, pageSize: MAX_PAGE_SIZE });
        return { page: res.page, pages: res.pages, rows: res.shipments };
      },
      shipmentToLabel,
      logger,
    );
  return {
    trusts: (url) => isTrustedResourceUrl(url, baseUrl),
    labelsCreated: (from, to) => shipments({ createDateStart: from, createDateEnd: to }),
    labelsVoided: (from, to) => shipments({ voidDateStart: from, voidDateEnd: to }),
    fulfillmentsCreated: (from, to) =>
      everyPage(
        async (page) => {
          const res = await shipstation.listFulfillments({ createDateStart: from, createDateEnd: to, page, pageSize: MAX_PAGE_SIZE });
          return { page: res.page, pages: res.pages, rows: res.fulfillments };
        },
        fulfillmentToLabel,
        logger,
      ),
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
