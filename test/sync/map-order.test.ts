import { describe, expect, it } from 'vitest';
import { Order, type OrderItem } from '../../src/domain/order';
import { CreateOrderInput, ShipStationOrder } from '../../src/shipstation/schemas';
import {
  hashOf,
  isLockedInShipStation,
  markersFor,
  mergeForUpdate,
  orderKeyFor,
  serviceLevelText,
  toShipStationOrder,
  type MapContext,
} from '../../src/sync/map-order';

const SKU_MAP: Record<string, string> = { 'ECHO-DOT-4-CHARCOAL': 'WH-ECHO-4', 'MUG-BLUE': 'WH-MUG-B' };
const ctx: MapContext = {
  storeId: 100001,
  warehouseId: 200001,
  skuFor: (item: OrderItem) => {
    const mapped = item.sellerSku ? SKU_MAP[item.sellerSku] : undefined;
    return mapped ? { sku: mapped, mapped: true } : { sku: item.sellerSku ?? item.asin ?? item.orderItemId, mapped: false };
  },
};

/** A US Prime order shaped like the Orders API 2026-01-01 example after our Amazon mapping. */
function order(patch: Partial<Record<string, unknown>> = {}): Order {
  return Order.parse({
    accountId: 'us-main',
    amazonOrderId: '113-1234567-1234567',
    marketplaceId: 'ATVPDKIKX0DER',
    createdTime: '2024-12-24T18:15:00Z',
    lastUpdatedTime: '2024-12-24T18:20:00Z',
    status: 'unshipped',
    fulfilledBy: 'merchant',
    serviceLevel: 'STANDARD',
    shipBy: { earliest: '2024-12-26T00:00:00Z', latest: '2024-12-27T23:59:59Z' },
    deliverBy: { earliest: '2024-12-28T00:00:00Z', latest: '2024-12-30T23:59:59Z' },
    isPrime: false,
    isBusiness: false,
    buyer: { name: 'Jane Doe', email: 'jane@marketplace.amazon.com' },
    shipTo: {
      name: 'Jane Doe',
      line1: '410 Terry Ave N',
      city: 'Seattle',
      stateOrRegion: 'WA',
      postalCode: '98109',
      countryCode: 'US',
      phone: '+1 206-555-0100',
      addressType: 'residential',
    },
    items: [
      {
        orderItemId: '12345678901234',
        asin: 'B08N5WRWNW',
        sellerSku: 'ECHO-DOT-4-CHARCOAL',
        title: 'Echo Dot (4th Gen) | Charcoal',
        quantityOrdered: 2,
        unitPrice: 49.99,
        tax: 8.5,
        shipping: 0,
      },
    ],
    currency: 'USD',
    amountPaid: 108.48,
    taxTotal: 8.5,
    shippingTotal: 0,
    ...patch,
  });
}

const map = (o: Order) => toShipStationOrder(o, ctx);

describe('orderKeyFor', () => {
  it('is stable and names the account and the Amazon order', () => {
    expect(orderKeyFor('us-main', '113-1234567-1234567')).toBe('dockhand:us-main:113-1234567-1234567');
    expect(orderKeyFor('us-main', '113-1234567-1234567')).toBe(orderKeyFor('us-main', '113-1234567-1234567'));
  });
  it('differs between accounts for the same Amazon order', () => {
    expect(orderKeyFor('us-main', 'X')).not.toBe(orderKeyFor('eu-main', 'X'));
  });
  it('stays within 50 characters for long account names, still distinct and stable', () => {
    const a = orderKeyFor('a-very-long-account-name-for-the-european-unified-account', '113-1234567-1234567');
    const b = orderKeyFor('a-very-long-account-name-for-the-european-unified-account2', '113-1234567-1234567');
    expect(a.length).toBeLessThanOrEqual(50);
    expect(a).toContain('113-1234567-1234567');
    expect(a).not.toBe(b);
    expect(a).toBe(orderKeyFor('a-very-long-account-name-for-the-european-unified-account', '113-1234567-1234567'));
  });
});

describe('toShipStationOrder fields', () => {
  const { payload } = map(order());
  it.each<[string, unknown, unknown]>([
    ['orderNumber is the Amazon order id', payload.orderNumber, '113-1234567-1234567'],
    ['orderKey', payload.orderKey, 'dockhand:us-main:113-1234567-1234567'],
    ['orderDate is createdTime in Pacific', payload.orderDate, '2024-12-24T10:15:00.0000000'],
    ['paymentDate is createdTime', payload.paymentDate, '2024-12-24T10:15:00.0000000'],
    ['shipByDate is shipBy.latest in Pacific', payload.shipByDate, '2024-12-27T15:59:59.0000000'],
    ['status', payload.orderStatus, 'awaiting_shipment'],
    ['customerEmail', payload.customerEmail, 'jane@marketplace.amazon.com'],
    ['customerUsername', payload.customerUsername, 'jane@marketplace.amazon.com'],
    ['billTo is the buyer name', payload.billTo, { name: 'Jane Doe' }],
    ['shipTo name', payload.shipTo.name, 'Jane Doe'],
    ['shipTo street1', payload.shipTo.street1, '410 Terry Ave N'],
    ['shipTo city/state/zip/country', [payload.shipTo.city, payload.shipTo.state, payload.shipTo.postalCode, payload.shipTo.country], ['Seattle', 'WA', '98109', 'US']],
    ['shipTo phone', payload.shipTo.phone, '+1 206-555-0100'],
    ['residential', payload.shipTo.residential, true],
    ['amountPaid', payload.amountPaid, 108.48],
    ['taxAmount', payload.taxAmount, 8.5],
    ['shippingAmount', payload.shippingAmount, 0],
    ['requestedShippingService', payload.requestedShippingService, 'Standard'],
    ['gift', payload.gift, false],
    ['no internal notes for a consumer order', payload.internalNotes, undefined],
    ['storeId', payload.advancedOptions?.storeId, 100001],
    ['warehouseId', payload.advancedOptions?.warehouseId, 200001],
    ['no markers for a plain order', payload.advancedOptions?.customField1, undefined],
    ['customField2 names marketplace and account', payload.advancedOptions?.customField2, 'marketplace:ATVPDKIKX0DER account:us-main'],
    ['customField3 is the deliver-by window', payload.advancedOptions?.customField3, 'deliver-by 2024-12-28T00:00:00Z/2024-12-30T23:59:59Z'],
    ['source', payload.advancedOptions?.source, 'Amazon'],
    ['item lineItemKey is the Amazon orderItemId', payload.items?.[0]?.lineItemKey, '12345678901234'],
    ['item sku comes from the SKU map', payload.items?.[0]?.sku, 'WH-ECHO-4'],
    ['item name is the title', payload.items?.[0]?.name, 'Echo Dot (4th Gen) | Charcoal'],
    ['item quantity', payload.items?.[0]?.quantity, 2],
    ['item unitPrice', payload.items?.[0]?.unitPrice, 49.99],
    ['item taxAmount', payload.items?.[0]?.taxAmount, 8.5],
    ['item shippingAmount', payload.items?.[0]?.shippingAmount, 0],
    ['ASIN is an item option', payload.items?.[0]?.options, [{ name: 'ASIN', value: 'B08N5WRWNW' }]],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('produces a body that passes our own createorder schema', () => {
    expect(CreateOrderInput.safeParse(payload).success).toBe(true);
  });
});

describe('toShipStationOrder cases', () => {
  it.each<[string, Order, (p: CreateOrderInput) => void]>([
    [
      'Prime NextDay is marked for the packer',
      order({ isPrime: true, serviceLevel: 'NEXT_DAY', programs: ['PRIME'] }),
      (p) => {
        expect(p.advancedOptions?.customField1).toBe('Prime NextDay');
        expect(p.requestedShippingService).toBe('NextDay');
      },
    ],
    ['Prime standard is marked Prime', order({ isPrime: true }), (p) => expect(p.advancedOptions?.customField1).toBe('Prime')],
    [
      'business order: company, PO in internal notes, Business marker, commercial address',
      order({
        isBusiness: true,
        buyer: { name: 'Pat Buyer', companyName: 'Acme Corp', purchaseOrderNumber: 'PO-7781', email: 'pat@marketplace.amazon.com' },
        shipTo: { name: 'Receiving', companyName: 'Acme Corp', line1: '1 Dock Rd', city: 'Reno', stateOrRegion: 'NV', postalCode: '89501', countryCode: 'US', addressType: 'commercial' },
      }),
      (p) => {
        expect(p.internalNotes).toBe('PO: PO-7781');
        expect(p.billTo).toEqual({ name: 'Pat Buyer', company: 'Acme Corp' });
        expect(p.shipTo.company).toBe('Acme Corp');
        expect(p.shipTo.residential).toBe(false);
        expect(p.advancedOptions?.customField1).toBe('Business');
      },
    ],
    [
      'international with unicode and three address lines',
      order({
        marketplaceId: 'A1VC38T7YXB528',
        shipTo: { name: '山田 太郎', line1: '東京都渋谷区', line2: '神南1-2-3', line3: 'ビル5F', city: '渋谷区', stateOrRegion: '東京都', postalCode: '150-0041', countryCode: 'JP', phone: '+81 3-0000-0000' },
        buyer: { name: '山田 太郎' },
      }),
      (p) => {
        expect(p.shipTo).toMatchObject({ name: '山田 太郎', street1: '東京都渋谷区', street2: '神南1-2-3', street3: 'ビル5F', country: 'JP', state: '東京都' });
        expect(p.shipTo.residential).toBeUndefined();
        expect(p.advancedOptions?.customField2).toBe('marketplace:A1VC38T7YXB528 account:us-main');
      },
    ],
    [
      'gift with a message and gift wrap',
      order({
        isGift: true,
        giftMessage: 'Happy birthday! 🎂',
        items: [{ orderItemId: '1', sellerSku: 'MUG-BLUE', asin: 'B000MUG', title: 'Mug', quantityOrdered: 1, unitPrice: 12, giftWrapLevel: 'Classic' }],
      }),
      (p) => {
        expect(p.gift).toBe(true);
        expect(p.giftMessage).toBe('Happy birthday! 🎂');
        expect(p.items?.[0]?.options).toEqual([{ name: 'ASIN', value: 'B000MUG' }, { name: 'Gift wrap', value: 'Classic' }]);
      },
    ],
    [
      'item gift messages stand in for a missing order gift message',
      order({ isGift: true, items: [{ orderItemId: '1', sellerSku: 'MUG-BLUE', quantityOrdered: 1, giftMessage: 'For you' }] }),
      (p) => expect(p.giftMessage).toBe('For you'),
    ],
    ['pending is never released to ship', order({ status: 'pending' }), (p) => expect(p.orderStatus).toBe('awaiting_payment')],
    ['cancelled', order({ status: 'cancelled' }), (p) => expect(p.orderStatus).toBe('cancelled')],
    [
      'partially shipped: only what is still owed, fully shipped lines dropped',
      order({
        status: 'partially_shipped',
        items: [
          { orderItemId: 'A', sellerSku: 'MUG-BLUE', quantityOrdered: 5, quantityShipped: 2 },
          { orderItemId: 'B', sellerSku: 'ECHO-DOT-4-CHARCOAL', quantityOrdered: 1, quantityShipped: 1 },
        ],
      }),
      (p) => {
        expect(p.orderStatus).toBe('awaiting_shipment');
        expect(p.items?.map((i) => [i.lineItemKey, i.quantity])).toEqual([['A', 3]]);
      },
    ],
    [
      'unshipped order ships quantityOrdered',
      order({ items: [{ orderItemId: 'A', sellerSku: 'MUG-BLUE', quantityOrdered: 4 }] }),
      (p) => expect(p.items?.[0]?.quantity).toBe(4),
    ],
    [
      'residential true / commercial false / pickup point left to ShipStation',
      order({ shipTo: { name: 'Locker', line1: 'Hub', countryCode: 'US', addressType: 'pickup_point' } }),
      (p) => expect(p.shipTo.residential).toBeNull(),
    ],
    [
      'missing buyer name: billTo uses the shipTo name',
      order({ buyer: { email: 'x@marketplace.amazon.com' } }),
      (p) => expect(p.billTo.name).toBe('Jane Doe'),
    ],
    [
      'no name anywhere: a placeholder keeps ShipStation from refusing the order',
      order({ buyer: {}, shipTo: { line1: '1 Main', countryCode: 'US' } }),
      (p) => {
        expect(p.shipTo.name).toBe('Amazon Customer');
        expect(p.billTo.name).toBe('Amazon Customer');
        expect(p.customerEmail).toBeUndefined();
      },
    ],
    [
      'no ship-by or deliver-by window',
      order({ shipBy: {}, deliverBy: {} }),
      (p) => {
        expect(p.shipByDate).toBeUndefined();
        expect(p.advancedOptions?.customField3).toBeUndefined();
      },
    ],
    [
      'summer order dates use PDT',
      order({ createdTime: '2024-07-01T06:30:00Z', shipBy: { latest: '2024-07-03T06:59:59Z' } }),
      (p) => {
        expect(p.orderDate).toBe('2024-06-30T23:30:00.0000000');
        expect(p.shipByDate).toBe('2024-07-02T23:59:59.0000000');
      },
    ],
    [
      'dates across the fall-back change',
      order({ createdTime: '2024-11-03T08:30:00Z', shipBy: { latest: '2024-11-03T09:30:00Z' } }),
      (p) => {
        expect(p.orderDate).toBe('2024-11-03T01:30:00.0000000');
        expect(p.shipByDate).toBe('2024-11-03T01:30:00.0000000');
      },
    ],
  ])('%s', (_name, o, check) => {
    const { payload } = map(o);
    check(payload);
    expect(CreateOrderInput.safeParse(payload).success).toBe(true);
  });

  it('reports unmapped SKUs once each, and still sends them with a fallback SKU', () => {
    const { payload, unmappedSkus } = map(
      order({
        items: [
          { orderItemId: '1', sellerSku: 'NEW-THING', asin: 'B0NEW', quantityOrdered: 1 },
          { orderItemId: '2', sellerSku: 'MUG-BLUE', quantityOrdered: 1 },
          { orderItemId: '3', sellerSku: 'NEW-THING', quantityOrdered: 2 },
          { orderItemId: '4', asin: 'B0NOSKU', quantityOrdered: 1 },
        ],
      }),
    );
    expect(unmappedSkus).toEqual(['NEW-THING', 'B0NOSKU']);
    expect(payload.items?.map((i) => i.sku)).toEqual(['NEW-THING', 'WH-MUG-B', 'NEW-THING', 'B0NOSKU']);
  });

  it('reports nothing when every SKU is mapped', () => {
    expect(map(order()).unmappedSkus).toEqual([]);
  });
});

describe('small helpers', () => {
  it.each([
    ['NEXT_DAY', 'NextDay'],
    ['SECOND_DAY', 'SecondDay'],
    ['SAME_DAY', 'SameDay'],
    ['FREE_ECONOMY', 'FreeEconomy'],
    ['SOMETHING_NEW', 'SOMETHING_NEW'],
  ])('serviceLevelText(%s) = %s', (level, text) => {
    expect(serviceLevelText(level)).toBe(text);
  });

  it.each<[boolean, boolean, string | undefined, string | undefined]>([
    [true, false, 'SAME_DAY', 'Prime SameDay'],
    [true, false, 'SECOND_DAY', 'Prime'],
    [true, true, 'NEXT_DAY', 'Prime NextDay | Business'],
    [false, false, 'NEXT_DAY', undefined],
  ])('markersFor(prime=%s, business=%s, %s) = %s', (isPrime, isBusiness, serviceLevel, expected) => {
    expect(markersFor({ isPrime, isBusiness, serviceLevel })).toBe(expected);
  });
});

/** ShipStation's copy of an order we created, after a packer worked on it. */
function current(patch: Record<string, unknown> = {}): ShipStationOrder {
  const { payload } = map(order());
  return ShipStationOrder.parse({
    ...payload,
    orderId: 410000001,
    createDate: '2024-12-24T10:16:00.0000000',
    modifyDate: '2024-12-24T11:00:00.0000000',
    customerId: 610000001,
    orderTotal: 108.48,
    carrierCode: 'ups',
    serviceCode: 'ups_ground',
    packageCode: 'package',
    confirmation: 'delivery',
    weight: { value: 24, units: 'ounces' },
    dimensions: { units: 'inches', length: 7, width: 5, height: 6 },
    insuranceOptions: { provider: 'carrier', insureShipment: true, insuredValue: 100 },
    internationalOptions: { contents: null, customsItems: null, nonDelivery: null },
    internalNotes: 'Fragile — double box',
    tagIds: [300002],
    userId: 'user-guid-1',
    advancedOptions: { ...payload.advancedOptions, warehouseId: 200009, nonMachinable: true, mergedOrSplit: false, mergedIds: [] },
    items: [
      {
        ...payload.items![0],
        orderItemId: 720000001,
        warehouseLocation: 'Aisle 3, Bin 9',
        weight: { value: 12, units: 'ounces' },
        productId: 810000001,
        options: [{ name: 'ASIN', value: 'B08N5WRWNW' }, { name: 'Packer note', value: 'no bag' }],
        createDate: '2024-12-24T10:16:00.0000000',
        modifyDate: '2024-12-24T10:16:00.0000000',
      },
      { orderItemId: 720000002, lineItemKey: null, sku: 'FREE-STICKER', name: 'Sticker', quantity: 1, unitPrice: 0, adjustment: false },
    ],
    ...patch,
  });
}

describe('mergeForUpdate', () => {
  const next = map(
    order({
      shipTo: { name: 'Jane Doe', line1: '500 New St', city: 'Seattle', stateOrRegion: 'WA', postalCode: '98101', countryCode: 'US', addressType: 'residential' },
      items: [
        { orderItemId: '12345678901234', asin: 'B08N5WRWNW', sellerSku: 'ECHO-DOT-4-CHARCOAL', title: 'Echo Dot (4th Gen) | Charcoal', quantityOrdered: 1, unitPrice: 49.99, tax: 4.25 },
      ],
      amountPaid: 54.24,
      taxTotal: 4.25,
    }),
  ).payload;
  const merged = mergeForUpdate(current(), next);

  it.each<[string, unknown, unknown]>([
    ['keeps the warehouse staff chose', merged.advancedOptions?.warehouseId, 200009],
    ['keeps staff advanced options', merged.advancedOptions?.nonMachinable, true],
    ['keeps tags', merged.tagIds, [300002]],
    ['keeps internal notes (ours absent)', merged.internalNotes, 'Fragile — double box'],
    ['keeps carrier', merged.carrierCode, 'ups'],
    ['keeps service', merged.serviceCode, 'ups_ground'],
    ['keeps package', merged.packageCode, 'package'],
    ['keeps confirmation', merged.confirmation, 'delivery'],
    ['keeps weight', merged.weight, { value: 24, units: 'ounces' }],
    ['keeps dimensions', merged.dimensions, { units: 'inches', length: 7, width: 5, height: 6 }],
    ['keeps insurance', merged.insuranceOptions, { provider: 'carrier', insureShipment: true, insuredValue: 100 }],
    ['keeps the assigned user', merged.userId, 'user-guid-1'],
    ['takes the new address from Amazon', merged.shipTo.street1, '500 New St'],
    ['takes amounts from Amazon', [merged.amountPaid, merged.taxAmount], [54.24, 4.25]],
    ['takes our markers', merged.advancedOptions?.customField2, 'marketplace:ATVPDKIKX0DER account:us-main'],
    ['keeps the orderKey', merged.orderKey, 'dockhand:us-main:113-1234567-1234567'],
    ['takes the new quantity', merged.items?.[0]?.quantity, 1],
    ['keeps the per-item bin location', merged.items?.[0]?.warehouseLocation, 'Aisle 3, Bin 9'],
    ['keeps the per-item weight', merged.items?.[0]?.weight, { value: 12, units: 'ounces' }],
    ['keeps staff item options after ours', merged.items?.[0]?.options, [{ name: 'ASIN', value: 'B08N5WRWNW' }, { name: 'Packer note', value: 'no bag' }]],
    ['keeps a line staff added by hand', merged.items?.map((i) => i.sku), ['WH-ECHO-4', 'FREE-STICKER']],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('produces a valid createorder body', () => {
    expect(CreateOrderInput.safeParse(merged).success).toBe(true);
  });

  it('appends our internal note once when staff wrote their own', () => {
    const business = map(order({ isBusiness: true, buyer: { name: 'Pat', purchaseOrderNumber: 'PO-1' } })).payload;
    const once = mergeForUpdate(current(), business);
    expect(once.internalNotes).toBe('Fragile — double box\nPO: PO-1');
    const twice = mergeForUpdate(current({ internalNotes: once.internalNotes }), business);
    expect(twice.internalNotes).toBe('Fragile — double box\nPO: PO-1');
  });

  it('drops a line Amazon no longer has', () => {
    const withTwo = current({
      items: [
        { orderItemId: 1, lineItemKey: '12345678901234', sku: 'WH-ECHO-4', quantity: 2, unitPrice: 49.99 },
        { orderItemId: 2, lineItemKey: '99999999999999', sku: 'WH-MUG-B', quantity: 1, unitPrice: 12 },
      ],
    });
    expect(mergeForUpdate(withTwo, next).items?.map((i) => i.lineItemKey)).toEqual(['12345678901234']);
  });

  it.each<[string, string, CreateOrderInput['orderStatus'], string]>([
    ['a staff hold survives "still unshipped"', 'on_hold', 'awaiting_shipment', 'on_hold'],
    ['an Amazon cancel overrides a hold', 'on_hold', 'cancelled', 'cancelled'],
    ['payment released', 'awaiting_payment', 'awaiting_shipment', 'awaiting_shipment'],
  ])('%s', (_name, was, nextStatus, expected) => {
    expect(mergeForUpdate(current({ orderStatus: was, holdUntilDate: '2024-12-26' }), { ...next, orderStatus: nextStatus }).orderStatus).toBe(expected);
  });

  it('keeps the hold date', () => {
    expect(mergeForUpdate(current({ orderStatus: 'on_hold', holdUntilDate: '2024-12-26' }), next).holdUntilDate).toBe('2024-12-26');
  });

  it.each(['shipped', 'cancelled'])('refuses to update an order ShipStation has %s', (status) => {
    expect(isLockedInShipStation({ orderStatus: status })).toBe(true);
    expect(() => mergeForUpdate(current({ orderStatus: status }), next)).toThrow(expect.objectContaining({ code: 'order.locked_in_shipstation' }));
  });

  it('does not erase the address when Amazon stops sharing buyer details', () => {
    const redacted = map(order({ buyer: {}, shipTo: { stateOrRegion: 'WA', postalCode: '98109', countryCode: 'US' } })).payload;
    const merged = mergeForUpdate(current(), redacted);
    expect(merged.shipTo).toMatchObject({ name: 'Jane Doe', street1: '410 Terry Ave N', city: 'Seattle' });
    expect(merged.billTo.name).toBe('Jane Doe');
    expect(merged.customerEmail).toBe('jane@marketplace.amazon.com');
  });

  it('uses our warehouse when ShipStation has none', () => {
    const c = current({ advancedOptions: { storeId: 100001 } });
    expect(mergeForUpdate(c, next).advancedOptions?.warehouseId).toBe(200001);
  });
});

describe('hashOf', () => {
  it('ignores key order and undefined values', () => {
    expect(hashOf({ a: 1, b: { c: [1, { d: 2, e: undefined }] } })).toBe(hashOf({ b: { c: [1, { d: 2 }] }, a: 1 }));
  });
  it('changes when a value changes, including inside arrays', () => {
    expect(hashOf({ a: [1, 2] })).not.toBe(hashOf({ a: [2, 1] }));
    expect(hashOf(map(order()).payload)).not.toBe(hashOf(map(order({ amountPaid: 1 })).payload));
  });
  it('is the same for the same order mapped twice', () => {
    expect(hashOf(map(order()).payload)).toBe(hashOf(map(order()).payload));
    expect(hashOf(map(order()).payload)).toMatch(/^[0-9a-f]{64}$/);
  });
});
