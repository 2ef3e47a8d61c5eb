import { describe, expect, it } from 'vitest';
import { DockhandError } from '../../src/domain/errors';
import type { Order } from '../../src/domain/order';
import { AmazonOrder } from '../../src/amazon/schemas';
import { parseAmazonOrders, parseMoneyCents, toDockhandOrder } from '../../src/amazon/to-order';
import { ORDER_KINDS, UNKNOWN_MARKETPLACE_ID, createOrderFactory } from '../../src/sandbox/amazon/order-factory';
import { readSpec } from '../support/specs';

const spec = JSON.parse(readSpec('amazon/orders_2026-01-01.json'));
const searchExample = spec.paths['/orders/2026-01-01/orders'].get.responses['200'].examples['application/json'];
const getExample = spec.paths['/orders/2026-01-01/orders/{orderId}'].get.responses['200'].examples['application/json'];

const US = 'ATVPDKIKX0DER';
const UK = 'A1F83G8C2ARO7P';
const ctx = { accountId: 'acme-us', marketplaceIds: [US, UK] };

type Wire = Record<string, any>;
const clone = <T>(v: T): T => structuredClone(v);

/** An unshipped merchant-fulfilled order, shaped as searchOrders returns it with our includedData. */
function baseWire(): Wire {
  return {
    orderId: '111-0000000-0000001',
    createdTime: '2026-03-01T10:00:00Z',
    lastUpdatedTime: '2026-03-01T10:05:00Z',
    programs: [],
    salesChannel: { channelName: 'AMAZON', marketplaceId: US, marketplaceName: 'Amazon.com' },
    buyer: { buyerName: 'Ana Buyer', buyerEmail: 'x@marketplace.amazon.com' },
    recipient: {
      deliveryAddress: {
        name: 'Ana Buyer',
        addressLine1: '1 Main St',
        city: 'Austin',
        stateOrRegion: 'TX',
        postalCode: '78701',
        countryCode: 'US',
        addressType: 'RESIDENTIAL',
      },
    },
    proceeds: {
      grandTotal: { amount: '27.48', currencyCode: 'USD' },
      breakdowns: [
        { type: 'ITEM', subtotal: { amount: '19.98', currencyCode: 'USD' } },
        { type: 'SHIPPING', subtotal: { amount: '5.99', currencyCode: 'USD' } },
        { type: 'TAX', subtotal: { amount: '1.51', currencyCode: 'USD' } },
      ],
    },
    fulfillment: {
      fulfillmentStatus: 'UNSHIPPED',
      fulfilledBy: 'MERCHANT',
      fulfillmentServiceLevel: 'STANDARD',
      shipByWindow: { earliestDateTime: '2026-03-01T10:00:00Z', latestDateTime: '2026-03-03T06:59:59Z' },
      deliverByWindow: { earliestDateTime: '2026-03-05T08:00:00Z', latestDateTime: '2026-03-08T06:59:59Z' },
    },
    orderItems: [
      {
        orderItemId: '10000000000001',
        quantityOrdered: 2,
        product: {
          asin: 'B000000001',
          sellerSku: 'MUG-BLUE',
          title: 'Blue mug',
          price: { unitPrice: { amount: '9.99', currencyCode: 'USD' } },
        },
        proceeds: {
          proceedsTotal: { amount: '27.48', currencyCode: 'USD' },
          breakdowns: [
            { type: 'ITEM', subtotal: { amount: '19.98', currencyCode: 'USD' } },
            { type: 'SHIPPING', subtotal: { amount: '5.99', currencyCode: 'USD' } },
            { type: 'TAX', subtotal: { amount: '1.51', currencyCode: 'USD' } },
          ],
        },
        fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: 2 },
      },
    ],
  };
}

function wire(edit: (w: Wire) => void = () => {}): Wire {
  const w = baseWire();
  edit(w);
  return w;
}

function map(w: Wire, c = ctx): Order {
  return toDockhandOrder(AmazonOrder.parse(w), c);
}

function mapError(w: Wire, c = ctx): DockhandError {
  try {
    map(w, c);
  } catch (e) {
    if (e instanceof DockhandError) return e;
    throw e;
  }
  throw new Error('expected toDockhandOrder to throw');
}

describe('parseMoneyCents', () => {
  it.each([
    ['9.99', 999],
    ['10', 1000],
    ['0.5', 50],
    ['1.005', 101], // a float would round this to 100
    ['2.675', 268],
    ['1.0049', 100],
    ['-0.015', -2],
    ['-3.10', -310],
    ['+4.20', 420],
    ['0.00', 0],
    ['-0.001', 0],
    ['123456789.99', 12345678999],
  ])('parses %j as %i cents', (amount, cents) => {
    expect(parseMoneyCents(amount)).toBe(cents);
  });

  it.each(['', ' 1.00', '1.00 ', '1e3', '12,50', 'abc', '1.', '.5', '--1', 'NaN', '1.2.3'])(
    'rejects %j',
    (amount) => {
      expect(parseMoneyCents(amount)).toBeUndefined();
    },
  );
});

describe('toDockhandOrder', () => {
  it("maps the spec's searchOrders example order", () => {
    const order = map(searchExample.orders[0]);
    expect(order).toEqual({
      accountId: 'acme-us',
      amazonOrderId: '123-4567890-1234567',
      marketplaceId: US,
      marketplaceName: 'Amazon.com',
      createdTime: '2024-12-25T10:30:00Z',
      lastUpdatedTime: '2024-12-25T14:45:00Z',
      status: 'shipped',
      fulfilledBy: 'merchant',
      serviceLevel: 'STANDARD',
      shipBy: { earliest: '2024-12-26T00:00:00Z', latest: '2024-12-27T23:59:59Z' },
      deliverBy: { earliest: '2024-12-28T00:00:00Z', latest: '2024-12-30T23:59:59Z' },
      programs: ['PRIME', 'AMAZON_BUSINESS'],
      isPrime: true,
      isBusiness: true,
      buyer: {
        name: 'John Smith',
        email: 'buyer-email@marketplace.amazon.com',
        companyName: 'Smith Industries LLC',
        purchaseOrderNumber: 'PO-2024-12345',
      },
      shipTo: {
        name: 'John Smith',
        companyName: 'Smith Industries LLC',
        line1: '123 Main Street',
        line2: 'Suite 456',
        city: 'Seattle',
        stateOrRegion: 'WA',
        postalCode: '98101',
        countryCode: 'US',
        phone: '555-123-4567',
        addressType: 'commercial',
      },
      items: [
        {
          orderItemId: '12345678901234',
          asin: 'B08N5WRWNW',
          sellerSku: 'ECHO-DOT-4-CHARCOAL',
          title: 'Echo Dot (4th Gen) | Smart speaker with Alexa | Charcoal',
          quantityOrdered: 2,
          quantityShipped: 2,
          unitPrice: 49.99,
          tax: 0.02,
          shipping: 0,
          giftMessage: 'Happy Holidays! Enjoy your new smart speakers.',
          giftWrapLevel: 'PREMIUM',
          cancelRequested: true,
        },
        {
          orderItemId: '12345678901235',
          asin: 'B07XJ8C8F5',
          sellerSku: 'FIRE-TV-4K-2021',
          title: 'Fire TV Stick 4K with Alexa Voice Remote',
          quantityOrdered: 1,
          quantityShipped: 1,
          unitPrice: 49.99,
          tax: 0,
          shipping: 0,
          cancelRequested: false,
        },
      ],
      currency: 'USD',
      amountPaid: 154.99,
      taxTotal: 0.02,
      shippingTotal: 0,
      isGift: true,
      giftMessage: 'Happy Holidays! Enjoy your new smart speakers.',
      packages: [
        {
          packageReferenceId: 'PKG-2024-001',
          carrier: 'UPS',
          trackingNumber: '1Z999AA1234567890',
          shipTime: '2024-12-25T14:00:00Z',
          status: 'DELIVERED',
          items: [
            { orderItemId: '12345678901234', quantity: 2 },
            { orderItemId: '12345678901235', quantity: 1 },
          ],
        },
      ],
    });
  });

  it("maps the spec's getOrder example order", () => {
    const order = map(getExample.order);
    expect(order).toMatchObject({
      amazonOrderId: '202-1234567-8901234',
      marketplaceId: UK,
      status: 'shipped',
      isPrime: true,
      isBusiness: false,
      currency: 'GBP',
      amountPaid: 103.97,
      taxTotal: 4,
      shippingTotal: 10,
    });
    expect(order.shipTo.line3).toBeUndefined();
    expect(order.packages).toEqual([
      {
        packageReferenceId: 'UK-PKG-2024-001',
        carrier: 'Royal Mail',
        trackingNumber: 'RR123456789GB',
        shipTime: '2024-12-26T14:00:00Z',
        status: 'IN_TRANSIT',
        items: [{ orderItemId: '20212345678901', quantity: 3 }],
      },
    ]);
  });

  type Case = [name: string, edit: (w: Wire) => void, expected: Partial<Order> | ((o: Order) => void)];
  const cases: Case[] = [
    ['a plain unshipped order', () => {}, {
      status: 'unshipped', fulfilledBy: 'merchant', isPrime: false, isBusiness: false, amountPaid: 27.48,
      taxTotal: 1.51, shippingTotal: 5.99, currency: 'USD', isGift: false,
    }],
    ...(
      [
        ['PENDING', 'pending'],
        ['PENDING_AVAILABILITY', 'pending'],
        ['UNSHIPPED', 'unshipped'],
        ['PARTIALLY_SHIPPED', 'partially_shipped'],
        ['SHIPPED', 'shipped'],
        ['CANCELLED', 'cancelled'],
        ['UNFULFILLABLE', 'unfulfillable'],
      ] as const
    ).map(([wireStatus, status]): Case => [
      `status ${wireStatus}`,
      (w) => { w.fulfillment.fulfillmentStatus = wireStatus; },
      { status },
    ]),
    ['unicode names, titles and a Japanese address', (w) => {
      w.salesChannel.marketplaceId = UK;
      w.recipient.deliveryAddress = {
        name: '山田 太郎', addressLine1: '千代田区丸の内1-1', addressLine2: 'ビル 5F', city: '東京都',
        postalCode: '100-0005', countryCode: 'JP',
      };
      w.orderItems[0].product.title = 'Crème brûlée torch 🔥 — “pro”';
    }, (o) => {
      expect(o.shipTo).toEqual({
        name: '山田 太郎', line1: '千代田区丸の内1-1', line2: 'ビル 5F', city: '東京都', postalCode: '100-0005', countryCode: 'JP',
      });
      expect(o.items[0]?.title).toBe('Crème brûlée torch 🔥 — “pro”');
    }],
    ['three address lines', (w) => {
      Object.assign(w.recipient.deliveryAddress, { addressLine2: 'Building 4', addressLine3: 'Dock door 12' });
    }, (o) => expect(o.shipTo).toMatchObject({ line1: '1 Main St', line2: 'Building 4', line3: 'Dock door 12' })],
    ['empty strings become undefined', (w) => {
      Object.assign(w.recipient.deliveryAddress, { addressLine2: '', addressLine3: '  ', phone: '', companyName: '' });
      w.orderItems[0].product.title = '';
      w.buyer.buyerEmail = '';
    }, (o) => {
      expect(o.shipTo).not.toHaveProperty('line2');
      expect(o.shipTo).not.toHaveProperty('line3');
      expect(o.shipTo).not.toHaveProperty('phone');
      expect(o.items[0]).not.toHaveProperty('title');
      expect(o.buyer).toEqual({ name: 'Ana Buyer' });
    }],
    ['pickup point and commercial address types', (w) => {
      w.recipient.deliveryAddress.addressType = 'PICKUP_POINT';
    }, { shipTo: expect.objectContaining({ addressType: 'pickup_point' }) }],
    ['an address type Amazon may add later is dropped, not fatal', (w) => {
      w.recipient.deliveryAddress.addressType = 'LOCKER';
    }, (o) => expect(o.shipTo).not.toHaveProperty('addressType')],
    ['missing optional blocks on a pending order', (w) => {
      w.fulfillment.fulfillmentStatus = 'PENDING';
      delete w.buyer;
      delete w.recipient;
      delete w.proceeds;
      delete w.programs;
      delete w.orderItems[0].proceeds;
      delete w.orderItems[0].fulfillment;
      delete w.orderItems[0].product.price;
      delete w.fulfillment.shipByWindow;
      delete w.fulfillment.deliverByWindow;
      delete w.fulfillment.fulfillmentServiceLevel;
    }, (o) => {
      expect(o).toMatchObject({ status: 'pending', buyer: {}, shipTo: {}, programs: [], shipBy: {}, deliverBy: {}, taxTotal: 0, shippingTotal: 0 });
      expect(o).not.toHaveProperty('amountPaid');
      expect(o).not.toHaveProperty('currency');
      expect(o).not.toHaveProperty('serviceLevel');
      expect(o.items[0]).toMatchObject({ quantityShipped: 0, tax: 0, shipping: 0 });
      expect(o.items[0]).not.toHaveProperty('unitPrice');
    }],
    ['nulls in optional blocks are treated as absent', (w) => {
      w.fulfillment.fulfillmentStatus = 'PENDING';
      w.buyer = null;
      w.recipient = null;
      w.orderItems[0].cancellation = null;
    }, { status: 'pending', buyer: {}, shipTo: {} }],
    ['AFN order needs no address', (w) => {
      w.fulfillment.fulfilledBy = 'AMAZON';
      delete w.recipient;
    }, { fulfilledBy: 'amazon', status: 'unshipped', shipTo: {} }],
    ['cancelled order with zero quantity', (w) => {
      w.fulfillment.fulfillmentStatus = 'CANCELLED';
      w.orderItems[0].quantityOrdered = 0;
      delete w.recipient;
    }, (o) => expect(o).toMatchObject({ status: 'cancelled', items: [{ quantityOrdered: 0 }] })],
    ['partial shipment across two lines', (w) => {
      w.fulfillment.fulfillmentStatus = 'PARTIALLY_SHIPPED';
      w.orderItems[0].fulfillment = { quantityFulfilled: 1, quantityUnfulfilled: 1 };
      w.orderItems.push({
        orderItemId: '10000000000002', quantityOrdered: 3, product: { sellerSku: 'LID' },
        fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: 3 },
        cancellation: { cancellationRequest: { requester: 'BUYER', cancelReason: 'late' } },
      });
    }, (o) => {
      expect(o.status).toBe('partially_shipped');
      expect(o.items.map((i) => [i.quantityOrdered, i.quantityShipped, i.cancelRequested])).toEqual([[2, 1, false], [3, 0, true]]);
    }],
    ['Prime next-day business order', (w) => {
      w.programs = ['PRIME', 'AMAZON_BUSINESS', 'PREMIUM'];
      w.fulfillment.fulfillmentServiceLevel = 'NEXT_DAY';
    }, { isPrime: true, isBusiness: true, programs: ['PRIME', 'AMAZON_BUSINESS', 'PREMIUM'], serviceLevel: 'NEXT_DAY' }],
    ['gift messages are joined once each', (w) => {
      w.orderItems[0].fulfillment.packing = { giftOption: { giftMessage: 'Happy birthday!', giftWrapLevel: 'STANDARD' } };
      w.orderItems.push(
        { orderItemId: '2', quantityOrdered: 1, product: { asin: 'B2' }, fulfillment: { packing: { giftOption: { giftMessage: 'Happy birthday!' } } } },
        { orderItemId: '3', quantityOrdered: 1, product: { asin: 'B3' }, fulfillment: { packing: { giftOption: { giftMessage: 'From Ana' } } } },
      );
    }, { isGift: true, giftMessage: 'Happy birthday!\nFrom Ana' }],
    ['a gift with no message is still a gift', (w) => {
      w.orderItems[0].fulfillment.packing = { giftOption: { giftWrapLevel: 'STANDARD' } };
    }, (o) => {
      expect(o.isGift).toBe(true);
      expect(o).not.toHaveProperty('giftMessage');
    }],
    ['tax and shipping fall back to the items when the order has no breakdown', (w) => {
      w.proceeds.breakdowns = [];
      w.orderItems.push({
        orderItemId: '2', quantityOrdered: 1, product: { sellerSku: 'B' },
        proceeds: { breakdowns: [
          { type: 'TAX', subtotal: { amount: '0.10', currencyCode: 'USD' } },
          { type: 'SHIPPING', subtotal: { amount: '1.00', currencyCode: 'USD' } },
        ] },
      });
    }, { taxTotal: 1.61, shippingTotal: 6.99 }],
    ['sums repeated breakdowns in cents without float drift', (w) => {
      w.proceeds.breakdowns = [
        { type: 'TAX', subtotal: { amount: '0.10', currencyCode: 'USD' } },
        { type: 'TAX', subtotal: { amount: '0.20', currencyCode: 'USD' } },
      ];
    }, { taxTotal: 0.3 }],
    ['money rounds half up to cents', (w) => {
      w.proceeds.grandTotal.amount = '27.485';
      w.orderItems[0].product.price.unitPrice.amount = '9.994';
    }, (o) => {
      expect(o.amountPaid).toBe(27.49);
      expect(o.items[0]?.unitPrice).toBe(9.99);
    }],
    ['no packages block (includedData without PACKAGES, or nothing shipped yet)', () => {}, { packages: [] }],
    ['packages: null is treated as none', (w) => { w.packages = null; }, { packages: [] }],
    ['two packages for a partially shipped order, one of them a bare minimum', (w) => {
      w.fulfillment.fulfillmentStatus = 'PARTIALLY_SHIPPED';
      w.orderItems[0].fulfillment = { quantityFulfilled: 1, quantityUnfulfilled: 1 };
      w.packages = [
        {
          packageReferenceId: '9001', createdTime: '2026-03-01T12:00:00Z',
          packageStatus: { status: 'SHIPPED', detailedStatus: 'PICKED_UP' }, carrier: 'USPS',
          shipTime: '2026-03-01T12:00:00Z', shippingService: 'Ground Advantage', trackingNumber: '9400111899223197428490',
          packageItems: [{ orderItemId: '10000000000001', quantity: 1, transparencyCodes: ['T1'] }],
        },
        { packageReferenceId: '9002' },
      ];
    }, {
      status: 'partially_shipped',
      packages: [
        {
          packageReferenceId: '9001', carrier: 'USPS', trackingNumber: '9400111899223197428490',
          shipTime: '2026-03-01T12:00:00Z', status: 'SHIPPED', items: [{ orderItemId: '10000000000001', quantity: 1 }],
        },
        { packageReferenceId: '9002', items: [] },
      ],
    }],
    ['empty package strings become undefined and nulls are absent', (w) => {
      w.packages = [{
        packageReferenceId: '1', carrier: '', trackingNumber: '  ', shipTime: null, packageStatus: null, packageItems: null,
      }];
    }, (o) => expect(o.packages).toStrictEqual([{ packageReferenceId: '1', items: [] }])],
    ['a package status Amazon adds later is kept as sent', (w) => {
      w.packages = [{ packageReferenceId: '1', packageStatus: { status: 'RETURNED' }, trackingNumber: 'T' }];
    }, (o) => expect(o.packages[0]?.status).toBe('RETURNED')],
    ['package fields it does not read are ignored', (w) => {
      w.packages = [{ packageReferenceId: '1', shipFromAddress: { name: 'Warehouse', addressLine1: 'x' }, somethingNew: 1 }];
    }, (o) => expect(o.packages).toStrictEqual([{ packageReferenceId: '1', items: [] }])],
    ['an item with only an ASIN', (w) => {
      delete w.orderItems[0].product.sellerSku;
    }, (o) => expect(o.items[0]).toMatchObject({ asin: 'B000000001' })],
  ];

  it.each(cases)('%s', (_name, edit, expected) => {
    const order = map(wire(edit));
    if (typeof expected === 'function') expected(order);
    else expect(order).toMatchObject(expected);
  });

  const failures: [name: string, edit: (w: Wire) => void, code: string, mentions: string[]][] = [
    ['unknown marketplace', (w) => { w.salesChannel.marketplaceId = 'A1PA6795UKMFR9'; }, 'order.unknown_marketplace', ['111-0000000-0000001', 'A1PA6795UKMFR9']],
    ['missing marketplace', (w) => { delete w.salesChannel.marketplaceId; }, 'order.malformed', ['111-0000000-0000001', 'salesChannel.marketplaceId']],
    ['item with neither SKU nor ASIN', (w) => { w.orderItems[0].product = { title: 'x', sellerSku: '', asin: '' }; }, 'order.malformed', ['orderItems[0].product', 'sellerSku']],
    ['zero quantity on a shippable order', (w) => { w.orderItems[0].quantityOrdered = 0; }, 'order.malformed', ['orderItems[0].quantityOrdered']],
    ['negative quantity even when cancelled', (w) => { w.fulfillment.fulfillmentStatus = 'CANCELLED'; w.orderItems[0].quantityOrdered = -1; }, 'order.malformed', ['quantityOrdered']],
    ['shippable order without a street', (w) => { w.recipient.deliveryAddress.addressLine1 = ''; }, 'order.malformed', ['recipient.deliveryAddress.addressLine1']],
    ['shippable order without a city', (w) => { delete w.recipient.deliveryAddress.city; }, 'order.malformed', ['recipient.deliveryAddress.city']],
    ['shippable order without a country', (w) => { delete w.recipient.deliveryAddress.countryCode; }, 'order.malformed', ['countryCode']],
    ['shippable order without any recipient', (w) => { delete w.recipient; }, 'order.malformed', ['addressLine1']],
    ['bad money in the grand total', (w) => { w.proceeds.grandTotal.amount = '12,50'; }, 'order.malformed', ['proceeds.grandTotal', '12,50']],
    ['bad money in an item breakdown', (w) => { w.orderItems[0].proceeds.breakdowns[2].subtotal.amount = 'NaN'; }, 'order.malformed', ['orderItems[0].proceeds.breakdowns[2].subtotal']],
    ['bad unit price', (w) => { w.orderItems[0].product.price.unitPrice.amount = '1e3'; }, 'order.malformed', ['unitPrice']],
    ['currency code that is not ISO 4217', (w) => { w.proceeds.grandTotal.currencyCode = 'DOLLARS'; }, 'order.malformed', ['currency']],
    ['no fulfillment block', (w) => { delete w.fulfillment; }, 'order.malformed', ['fulfillment']],
    ['no fulfilledBy', (w) => { delete w.fulfillment.fulfilledBy; }, 'order.malformed', ['fulfillment.fulfilledBy']],
    ['no items', (w) => { w.orderItems = []; }, 'order.malformed', ['orderItems']],
    ['a negative package quantity', (w) => { w.packages = [{ packageReferenceId: '1', packageItems: [{ orderItemId: '10000000000001', quantity: -1 }] }]; }, 'order.malformed', ['packages[0].items[0].quantity']],
  ];

  it.each(failures)('rejects %s', (_name, edit, code, mentions) => {
    const err = mapError(wire(edit));
    expect(err.code).toBe(code);
    for (const m of mentions) expect(err.message).toContain(m);
    expect(err.hint).not.toBe('');
  });

  it('never puts buyer data in error messages', () => {
    const err = mapError(wire((w) => { w.recipient.deliveryAddress.city = ''; }));
    expect(err.message).not.toContain('Ana');
    expect(err.message).not.toContain('1 Main St');
  });
});

describe('parseAmazonOrders', () => {
  it('keeps good orders and rejects bad ones without sinking the page', () => {
    const good = baseWire();
    const badSchema = wire((w) => { w.orderId = '111-0000000-0000002'; w.orderItems[0].quantityOrdered = '2'; });
    const foreign = wire((w) => { w.orderId = '111-0000000-0000003'; w.salesChannel.marketplaceId = 'A13V1IB3VIYZZH'; });
    const noId = { hello: 'world' };
    const { orders, rejected } = parseAmazonOrders([good, badSchema, foreign, noId, 'not an object', null], ctx);

    expect(orders.map((o) => o.amazonOrderId)).toEqual(['111-0000000-0000001']);
    expect(rejected.map((r) => [r.amazonOrderId, r.error.code])).toEqual([
      ['111-0000000-0000002', 'order.malformed'],
      ['111-0000000-0000003', 'order.unknown_marketplace'],
      [undefined, 'order.malformed'],
      [undefined, 'order.malformed'],
      [undefined, 'order.malformed'],
    ]);
    expect(rejected[0]?.error.message).toContain('orderItems[0].quantityOrdered');
    expect(rejected[0]?.raw).toBe(badSchema);
  });

  it.each([
    ['createdTime', (w: Wire) => { w.createdTime = '25/12/2024'; }],
    ['fulfillment.fulfillmentStatus', (w: Wire) => { w.fulfillment.fulfillmentStatus = 'SHIPPING_SOON'; }],
    ['proceeds.grandTotal.amount', (w: Wire) => { w.proceeds.grandTotal.amount = 27.48; }],
    ['orderItems[0].orderItemId', (w: Wire) => { delete w.orderItems[0].orderItemId; }],
    ['salesChannel', (w: Wire) => { delete w.salesChannel; }],
    ['packages[0].packageReferenceId', (w: Wire) => { w.packages = [{ trackingNumber: '1Z' }]; }],
    ['packages[0].packageItems[0].quantity', (w: Wire) => { w.packages = [{ packageReferenceId: '1', packageItems: [{ orderItemId: '1', quantity: 1.5 }] }]; }],
  ])('names the failing path %s when the wire schema fails', (path, edit) => {
    const { rejected } = parseAmazonOrders([wire(edit)], ctx);
    expect(rejected[0]?.error.code).toBe('order.malformed');
    expect(rejected[0]?.error.message).toContain(path);
    expect(rejected[0]?.error.message).toContain('111-0000000-0000001');
  });

  it('ignores fields it does not read', () => {
    const w = clone(searchExample.orders[0]);
    w.somethingNew = { nested: [1, 2, 3] };
    w.orderItems[0].product.somethingElse = true;
    const { orders, rejected } = parseAmazonOrders([w], ctx);
    expect(rejected).toEqual([]);
    expect(orders).toHaveLength(1);
  });
});

describe('orders from the sandbox factory', () => {
  const factory = createOrderFactory(42, { now: () => Date.parse('2026-03-01T12:00:00Z') });
  const everywhere = { accountId: 'acme', marketplaceIds: [US, UK, 'A1PA6795UKMFR9', 'A2EUQ1WTGCTBG2'] };
  const expected: Record<(typeof ORDER_KINDS)[number], string> = {
    standard: 'ok',
    prime_next_day: 'ok',
    business_multi_line: 'ok',
    international: 'ok',
    gift: 'ok',
    pending: 'ok',
    cancelled: 'ok',
    unmapped_sku: 'ok',
    afn: 'ok',
    malformed: 'order.malformed',
    unknown_marketplace: 'order.unknown_marketplace',
  };

  it.each(ORDER_KINDS.map((k) => [k, expected[k]] as const))('%s → %s', (kind, outcome) => {
    const w = factory.make(kind);
    const { orders, rejected } = parseAmazonOrders([w], everywhere);
    if (outcome === 'ok') {
      expect(rejected.map((r) => r.error.message)).toEqual([]);
      expect(orders[0]?.amazonOrderId).toBe(w.orderId);
    } else {
      expect(rejected[0]?.error.code).toBe(outcome);
      if (kind === 'unknown_marketplace') expect(rejected[0]?.error.message).toContain(UNKNOWN_MARKETPLACE_ID);
    }
  });

  it('reads the kinds the way the rest of Dockhand needs them', () => {
    const ok = (kind: (typeof ORDER_KINDS)[number]) => parseAmazonOrders([factory.make(kind)], everywhere).orders[0]!;
    expect(ok('prime_next_day')).toMatchObject({ isPrime: true, status: 'unshipped' });
    expect(ok('business_multi_line').isBusiness).toBe(true);
    expect(ok('business_multi_line').items.length).toBeGreaterThan(1);
    expect(ok('gift')).toMatchObject({ isGift: true });
    expect(ok('pending').status).toBe('pending');
    expect(ok('cancelled').status).toBe('cancelled');
    expect(ok('afn').fulfilledBy).toBe('amazon');
  });
});
