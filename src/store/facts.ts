import type { Kysely, Selectable } from 'kysely';
import type { Database } from './db';

/**
 * Each order's fulfillment milestones, without buyer data: purchase, ship-by, import, first
 * label, first confirmation Amazon accepted, carrier, service, cost, warehouse, late or not.
 * Written by the order and label repositories as those change; the KPI reports read it, and it
 * outlives the order records (retention.factsDays).
 */
export interface FulfillmentFact {
  orderKey: string;
  accountId: string;
  amazonOrderId: string;
  marketplaceId?: string;
  isPrime: boolean;
  units: number;
  purchasedAt?: string;
  shipBy?: string;
  importedAt?: string;
  cancelledAt?: string;
  firstLabelAt?: string;
  confirmedAt?: string;
  carrierCode?: string;
  serviceCode?: string;
  warehouseId?: string;
  labelCost?: number;
  /** Amazon accepted the first confirmation after the latest ship date; undefined until both are known. */
  late?: boolean;
}

function toFact(r: Selectable<Database['fulfillment_facts']>): FulfillmentFact {
  const time = (name: string, t: number | null) => (t === null ? {} : { [name]: new Date(Number(t)).toISOString() });
  return {
    orderKey: r.order_key,
    accountId: r.account_id,
    amazonOrderId: r.amazon_order_id,
    ...(r.marketplace_id ? { marketplaceId: r.marketplace_id } : {}),
    isPrime: r.is_prime === 1,
    units: r.units,
    ...time('purchasedAt', r.purchased_at),
    ...time('shipBy', r.ship_by),
    ...time('importedAt', r.imported_at),
    ...time('cancelledAt', r.cancelled_at),
    ...time('firstLabelAt', r.first_label_at),
    ...time('confirmedAt', r.confirmed_at),
    ...(r.carrier_code ? { carrierCode: r.carrier_code } : {}),
    ...(r.service_code ? { serviceCode: r.service_code } : {}),
    ...(r.warehouse_id ? { warehouseId: r.warehouse_id } : {}),
    ...(r.label_cost !== null ? { labelCost: Number(r.label_cost) } : {}),
    ...(r.late !== null ? { late: r.late === 1 } : {}),
  };
}

export class FulfillmentFacts {
  constructor(private readonly db: Kysely<Database>) {}

  async get(orderKey: string): Promise<FulfillmentFact | undefined> {
    const row = await this.db.selectFrom('fulfillment_facts').selectAll().where('order_key', '=', orderKey).executeTakeFirst();
    return row ? toFact(row) : undefined;
  }
}
