import { toDockhandError } from '../domain/errors';
import type { Label } from '../domain/label';
import { silentLogger, type Logger } from '../log/logger';
import type { ShipStationClient } from '../shipstation/client';
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
