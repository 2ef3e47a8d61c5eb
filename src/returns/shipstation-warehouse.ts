import { z } from 'zod';
import { DockhandError } from '../domain/errors';
import type { ShipStationClient } from '../shipstation/client';
import type { ShipStationV2Client } from '../shipstation/v2-client';
import { orderRecordKey, type Store } from '../store/store';
import { markPriority } from '../writeback/order-actions';
import type { ReturnWarehouse } from './ports';

/**
 * The warehouse side of a return in ShipStation.
 * - With ShipStation API v2 (SHIPSTATION_V2_API_KEY) and an outbound label bought in ShipStation:
 *   the outbound label is found by its tracking number (GET /v2/labels?tracking_number=) and a
 *   return label made for it (POST /v2/labels/{label_id}/return, which "creates a return for all
 *   SKUs on the referenced label" and swaps ship-to and ship-from).
 * - Otherwise, v1: the original order gets the `returns.tag` tag (POST /orders/addtag, the tag's
 *   id looked up with GET /accounts/listtags). v1 cannot create a tag, a return label or an
 *   inbound shipment: the tag is all the warehouse sees, and a person creates the tag once.
 */

/** The v2 calls used, as the v2 client (src/shipstation/v2-client.ts) makes them. */
export type ShipStationV2Labels = Pick<ShipStationV2Client, 'listLabels' | 'createReturnLabel'>;

const V2Label = z.object({ label_id: z.string(), tracking_number: z.string().nullish(), is_return_label: z.boolean().nullish(), voided: z.boolean().nullish() }).passthrough();
const V2LabelList = z.object({ labels: z.array(V2Label) }).passthrough();

export function shipstationWarehouse(deps: { store: Store; v1: Pick<ShipStationClient, 'listTags' | 'addTag'>; v2?: ShipStationV2Labels }): ReturnWarehouse {
  const { store, v1, v2 } = deps;
  const warehouse: ReturnWarehouse = {
    async tagOrder(accountId, amazonOrderId, tag) {
      const record = await store.orders.get(orderRecordKey(accountId, amazonOrderId));
      if (record?.shipstationOrderId === undefined) return false;
      const done = await markPriority(v1, tag, record.shipstationOrderId);
      if (!done.ok) throw new DockhandError('shipstation.rejected', done.message.replace('Mark priority', 'nothing (the next return tags it)').replace('writeback.priorityTag', 'returns.tag'), { hint: `Create the tag "${tag}" in ShipStation.` });
      return true;
    },
  };
  if (v2) {
    warehouse.createReturnLabel = async (accountId, amazonOrderId) => {
      const key = orderRecordKey(accountId, amazonOrderId);
      const labels = (await store.confirmations.byOrders([key])).get(key) ?? [];
      const tracking = labels.find((l) => l.state !== 'skipped')?.trackingNumber;
      if (!tracking) return undefined;
      const found = V2LabelList.safeParse(await v2.listLabels({ tracking_number: tracking, page_size: '5' }));
      const outbound = found.success ? found.data.labels.find((l) => !l.is_return_label && !l.voided) : undefined;
      // Not bought through ShipStation (or not visible to v2): the caller tags the order instead.
      if (!outbound) return undefined;
      const made = V2Label.parse(await v2.createReturnLabel(outbound.label_id, { label_format: 'pdf', label_layout: '4x6' }));
      return { labelId: made.label_id, ...(made.tracking_number ? { trackingNumber: made.tracking_number } : {}) };
    };
  }
  return warehouse;
}
