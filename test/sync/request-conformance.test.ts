import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAmazonOrders } from '../../src/amazon/to-order';
import { createOrderFactory, type OrderKind } from '../../src/sandbox/amazon/order-factory';
import { validateOrderBody } from '../../src/sandbox/shipstation/order-validation';
import { toShipStationOrder } from '../../src/sync/map-order';
import { readSpec } from '../support/specs';

/**
 * Dockhand's createorder bodies against ShipStation's v1 spec: every field name we send is one
 * the spec defines (no invented or misspelled keys, which ShipStation would silently drop), and
 * the body passes the checks of the spec's Order field table that the simulator applies.
 */
const spec = parse(readSpec('shipstation/shipstation-v1-openapi.ballerina.yaml')) as {
  components: { schemas: Record<string, { properties?: Record<string, { $ref?: string; items?: { $ref?: string } }> }> };
};
const schemas = spec.components.schemas;
const propsOf = (name: string) => new Set(Object.keys(schemas[name]?.properties ?? {}));
const refName = (ref: string | undefined) => ref?.split('/').pop() ?? '';

const orderSchema = schemas.CreateOrUpdateOrderrequest!;
const nested: Record<string, string> = {
  billTo: refName(orderSchema.properties!.billTo!.$ref),
  shipTo: refName(orderSchema.properties!.shipTo!.$ref),
  advancedOptions: refName(orderSchema.properties!.advancedOptions!.$ref),
};
const itemSchema = refName(orderSchema.properties!.items!.items!.$ref);

function unknownKeys(obj: object | undefined | null, allowed: Set<string>): string[] {
  return Object.keys(obj ?? {}).filter((k) => !allowed.has(k));
}

describe('createorder bodies follow the ShipStation v1 spec', () => {
  const factory = createOrderFactory(11);
  const kinds: OrderKind[] = ['standard', 'prime_next_day', 'business_multi_line', 'international', 'gift', 'unmapped_sku', 'cancelled'];

  it.each(kinds)('%s order', (kind) => {
    const { orders } = parseAmazonOrders([factory.make(kind)], { accountId: 'acme', marketplaceIds: ['ATVPDKIKX0DER'] });
    const { payload } = toShipStationOrder(orders[0]!, { storeId: 100001, warehouseId: 200001, skuFor: (i) => ({ sku: i.sellerSku ?? 'X', mapped: true }) });

    expect(unknownKeys(payload, propsOf('CreateOrUpdateOrderrequest'))).toEqual([]);
    for (const [field, schema] of Object.entries(nested)) {
      expect(unknownKeys(payload[field as keyof typeof payload] as object, propsOf(schema)), field).toEqual([]);
    }
    for (const item of payload.items ?? []) expect(unknownKeys(item, propsOf(itemSchema))).toEqual([]);
    expect(validateOrderBody(JSON.parse(JSON.stringify(payload)), { storeIds: new Set([100001]), warehouseIds: new Set([200001]) })).toEqual({});
  });
});
