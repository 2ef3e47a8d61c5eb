import { describe, expect, it } from 'vitest';
import { applyActions, dimensionsOf, factsOf, type Product } from '../../src/rules/apply';
import { resolveIn, unknownNames } from '../../src/rules/names';
import { parseProductCsv } from '../../src/rules/product-csv';
import type { Order } from '../../src/domain/order';
import { toShipStationOrder } from '../../src/sync/map-order';

const order: Order = {
  accountId: 'us-main',
  amazonOrderId: '111-0000000-0000001',
  marketplaceId: 'ATVPDKIKX0DER',
  createdTime: '2026-03-02T10:00:00Z',
  lastUpdatedTime: '2026-03-02T10:00:00Z',
  status: 'unshipped',
  fulfilledBy: 'merchant',
  serviceLevel: 'NEXT_DAY',
  shipBy: { latest: '2026-03-03T07:00:00Z' },
  deliverBy: { latest: '2026-03-04T07:00:00Z' },
  programs: ['PRIME'],
  isPrime: true,
  isBusiness: false,
  buyer: {},
  shipTo: { name: 'A', line1: '1 Main', city: 'San Francisco', stateOrRegion: 'CA', postalCode: '94105', countryCode: 'US' },
  items: [
    { orderItemId: '1', sellerSku: 'A-1', quantityOrdered: 2, quantityShipped: 0, unitPrice: 10, tax: 0, shipping: 0, cancelRequested: false },
    { orderItemId: '2', sellerSku: 'B-2', quantityOrdered: 1, quantityShipped: 0, unitPrice: 30, tax: 0, shipping: 0, cancelRequested: false },
  ],
  amountPaid: 50,
  taxTotal: 0,
  shippingTotal: 0,
  isGift: false,
  packages: [],
};
const mapped = toShipStationOrder(order, { skuFor: (i) => ({ sku: `WH-${i.sellerSku}`, mapped: true }) }).payload;
const products = new Map<string, Product>([
  ['WH-A-1', { sku: 'WH-A-1', weightOz: 4, category: 'Toys', lengthIn: 5, widthIn: 4, heightIn: 3 }],
  ['WH-B-2', { sku: 'WH-B-2', weightOz: 10, category: 'Electronics' }],
]);

describe('facts of an order', () => {
  it('reads the order, its ShipStation SKUs and the product table', () => {
    const f = factsOf(order, mapped, products);
    expect(f).toMatchObject({ serviceLevel: 'NextDay', prime: true, country: 'US', state: 'CA', itemCount: 3, skus: ['WH-A-1', 'WH-B-2'], categories: ['Toys', 'Electronics'], weightOz: 18, orderValue: 50 });
    expect(f.shipByLatestMs).toBe(Date.parse('2026-03-03T07:00:00Z'));
  });
  it('leaves the weight unknown when a line has none, naming the SKU', () => {
    const f = factsOf(order, mapped, new Map([['WH-A-1', products.get('WH-A-1')!]]));
    expect(f.weightOz).toBeUndefined();
    expect(f.unknownWeightSkus).toEqual(['WH-B-2']);
  });
  it('has dimensions only for a single unit', () => {
    expect(dimensionsOf(mapped, products)).toBeUndefined();
    expect(dimensionsOf({ items: [{ sku: 'WH-A-1', quantity: 1 }] }, products)).toEqual({ length: 5, width: 4, height: 3 });
  });
});

const lists = {
  tags: [{ tagId: 1, name: 'Prime' }, { tagId: 2, name: 'Rush' }],
  warehouses: [{ warehouseId: 10, warehouseName: 'Atlanta' }, { warehouseId: 11, warehouseName: 'Reno' }],
  stores: [{ storeId: 20, storeName: 'Amazon US' }],
};

describe('names', () => {
  it('resolves names case-insensitively and ids as given', () => {
    expect(resolveIn(lists, { tags: ['prime', 'RUSH'], warehouse: 'atlanta', store: 20 })).toEqual({ ids: { tagIds: [1, 2], warehouseId: 10, storeId: 20 }, missing: [] });
    expect(resolveIn(lists, { warehouse: 11 }).ids.warehouseId).toBe(11);
  });
  it('never invents a name: what is missing is reported and left off', () => {
    const r = resolveIn(lists, { tags: ['Prime', 'Gold'], warehouse: 'Denver', store: 'Etsy' });
    expect(r.ids).toEqual({ tagIds: [1] });
    expect(r.missing).toEqual([{ kind: 'tag', name: 'Gold' }, { kind: 'warehouse', name: 'Denver' }, { kind: 'store', name: 'Etsy' }]);
    expect(unknownNames([{ name: 'x', then: { tags: ['Gold'] } }], lists)[0]).toMatchObject({ rule: '"x"', field: 'then.tags' });
  });
});

describe('applying actions to the createorder body', () => {
  const f = factsOf(order, mapped, products);
  it('puts tags, warehouse, store, custom fields, service and weight on the same body', () => {
    const out = applyActions(mapped, { customField1: 'Rush', service: { carrierCode: 'ups', serviceCode: 'ups_next_day_air', packageCode: 'package' } }, { tagIds: [1, 1, 2], warehouseId: 10, storeId: 20 }, order, f);
    expect(out.tagIds).toEqual([1, 2]);
    expect(out.advancedOptions).toMatchObject({ warehouseId: 10, storeId: 20, customField1: 'Rush', customField2: mapped.advancedOptions!.customField2 });
    expect(out).toMatchObject({ carrierCode: 'ups', serviceCode: 'ups_next_day_air', packageCode: 'package', weight: { value: 18, units: 'ounces' } });
    expect(mapped.tagIds).toBeUndefined();
  });
  it('holds from the purchase time, so the body is the same on every pass', () => {
    const out = applyActions(mapped, { holdUntil: '2d' }, { tagIds: [] }, order, f);
    expect(out.orderStatus).toBe('on_hold');
    expect(out.holdUntilDate).toBe('2026-03-04T02:00:00.0000000');
  });
  it('does not hold an order that is not awaiting shipment', () => {
    expect(applyActions({ ...mapped, orderStatus: 'cancelled' }, { holdUntil: '2d' }, { tagIds: [] }, order, f).holdUntilDate).toBeUndefined();
  });
});

describe('the product CSV', () => {
  it('reads products with unknown cells left out', () => {
    expect(parseProductCsv('sku,weight_oz,length_in,width_in,height_in,category\nWH-1,12,,,,Toys\nWH-2,,5,4,3,\n')).toEqual([
      { sku: 'WH-1', weightOz: 12, category: 'Toys' },
      { sku: 'WH-2', lengthIn: 5, widthIn: 4, heightIn: 3 },
    ]);
  });
  it('reports each bad line by number and imports nothing', () => {
    expect(() => parseProductCsv('sku,weight_oz,length_in,width_in,height_in,category\nWH-1,heavy,,,,\n,1,,,,\nWH-1,1,,,,\n', 'p.csv')).toThrow(
      /p\.csv: 3 bad line\(s\), nothing imported:\n {2}line 2: weight_oz "heavy" is not a number of ounces \(0 or more\)\n {2}line 3: sku is empty\n {2}line 4: sku WH-1 is already on line 2/,
    );
  });
  it('names the missing columns', () => {
    expect(() => parseProductCsv('sku,weight\nA,1\n')).toThrow(/lacks weight_oz, length_in, width_in, height_in, category/);
  });
});
