import { describe, expect, it } from 'vitest';
import {
  createOrderFactory,
  malformationOf,
  ORDER_KINDS,
  SANDBOX_CATALOGUE,
  sandboxSkuMap,
  UNKNOWN_MARKETPLACE_ID,
} from '../../../src/sandbox/amazon/order-factory';
import type { WireOrder } from '../../../src/sandbox/amazon/wire-order';
import { schemaErrors, specValidator } from './support';

const validOrder = specValidator('orders_2026-01-01.json', 'Order');
const NOW = Date.parse('2026-03-02T15:00:00.000Z');
const catalogueSkus = new Set(SANDBOX_CATALOGUE.map((p) => p.sellerSku));
const sum = (amounts: string[]): string => (amounts.reduce((total, a) => total + Math.round(Number(a) * 100), 0) / 100).toFixed(2);

describe('createOrderFactory', () => {
  it.each(ORDER_KINDS)('makes %s orders that satisfy the official Order schema', (kind) => {
    const factory = createOrderFactory(42, { now: () => NOW });
    for (let i = 0; i < 20; i++) {
      const order = factory.make(kind);
      expect(schemaErrors(validOrder, order)).toBe('');
      expect(order.orderId).toMatch(/^\d{3}-\d{7}-\d{7}$/);
      expect(factory.kindOf(order.orderId)).toBe(kind);
    }
  });

  it('is deterministic for a seed and clock', () => {
    const a = createOrderFactory(9, { now: () => NOW }).mix(30);
    const b = createOrderFactory(9, { now: () => NOW }).mix(30);
    const c = createOrderFactory(10, { now: () => NOW }).mix(30);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('never repeats an order id', () => {
    const orders = createOrderFactory(1, { now: () => NOW }).mix(2000);
    expect(new Set(orders.map((o) => o.orderId)).size).toBe(2000);
  });

  it('adds up proceeds: grand total = sum of order breakdowns = sum of item totals', () => {
    for (const order of createOrderFactory(3, { now: () => NOW }).mix(200)) {
      expect(sum(order.proceeds!.breakdowns!.map((b) => b.subtotal.amount))).toBe(order.proceeds!.grandTotal!.amount);
      expect(sum(order.orderItems.map((i) => i.proceeds!.proceedsTotal!.amount))).toBe(order.proceeds!.grandTotal!.amount);
    }
  });

  const one = (kind: (typeof ORDER_KINDS)[number], seed = 5): WireOrder => createOrderFactory(seed, { now: () => NOW }).make(kind);

  it.each<[string, (o: WireOrder) => void]>([
    ['standard: US, merchant-fulfilled, unshipped, catalogue SKUs, fictional phone, relay email', (o) => {
      expect(o.salesChannel.marketplaceId).toBe('ATVPDKIKX0DER');
      expect(o.fulfillment).toMatchObject({ fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT' });
      expect(o.orderItems.every((i) => catalogueSkus.has(i.product.sellerSku ?? ''))).toBe(true);
      expect(o.recipient?.deliveryAddress?.phone).toMatch(/^\+1 \d{3}-555-01\d{2}$/);
      expect(o.buyer?.buyerEmail).toMatch(/^[a-z0-9]+@marketplace\.amazon\.com$/);
      expect(Date.parse(o.fulfillment!.shipByWindow!.latestDateTime!)).toBeGreaterThan(Date.parse(o.createdTime));
    }],
    ['prime_next_day: PRIME program and NEXT_DAY service level', (o) => {
      expect(o.programs).toContain('PRIME');
      expect(o.fulfillment?.fulfillmentServiceLevel).toBe('NEXT_DAY');
    }],
    ['business_multi_line: AMAZON_BUSINESS, company, PO number, 3+ lines', (o) => {
      expect(o.programs).toContain('AMAZON_BUSINESS');
      expect(o.buyer?.buyerCompanyName).toEqual(expect.any(String));
      expect(o.buyer?.buyerPurchaseOrderNumber).toMatch(/^PO-/);
      expect(o.orderItems.length).toBeGreaterThanOrEqual(3);
      expect(o.orderItems[0]?.product.price?.priceDesignation).toBe('BUSINESS_PRICE');
    }],
    ['international: bought on the home marketplace, three address lines abroad', (o) => {
      const address = o.recipient!.deliveryAddress!;
      expect(address.addressLine3).toEqual(expect.any(String));
      expect(address.countryCode).not.toBe('US');
      expect(o.salesChannel.marketplaceId).toBe('ATVPDKIKX0DER');
    }],
    ['gift: a gift message on a line and GIFT_WRAP proceeds', (o) => {
      expect(o.orderItems[0]?.fulfillment?.packing?.giftOption?.giftMessage).toEqual(expect.any(String));
      expect(o.proceeds?.breakdowns?.map((b) => b.type)).toContain('GIFT_WRAP');
    }],
    ['pending: PENDING with the street address withheld', (o) => {
      expect(o.fulfillment?.fulfillmentStatus).toBe('PENDING');
      expect(o.recipient?.deliveryAddress?.addressLine1).toBeUndefined();
      expect(o.buyer).toBeUndefined();
    }],
    ['cancelled: CANCELLED with cancellation details on every line', (o) => {
      expect(o.fulfillment?.fulfillmentStatus).toBe('CANCELLED');
      expect(o.orderItems.every((i) => i.cancellation?.cancellationExecution?.cancelledBy === 'BUYER')).toBe(true);
    }],
    ['unmapped_sku: a line whose SKU is not in the catalogue', (o) => {
      expect(o.orderItems.some((i) => i.product.sellerSku?.startsWith('UNMAPPED-'))).toBe(true);
    }],
    ['afn: fulfilled by Amazon, no buyer email or phone', (o) => {
      expect(o.fulfillment?.fulfilledBy).toBe('AMAZON');
      expect(o.buyer?.buyerEmail).toBeUndefined();
      expect(o.recipient?.deliveryAddress?.phone).toBeUndefined();
    }],
    ['unknown_marketplace: a marketplace id nobody supports', (o) => {
      expect(o.salesChannel.marketplaceId).toBe(UNKNOWN_MARKETPLACE_ID);
    }],
  ])('%s', (label, check) => {
    check(one(label.split(':')[0] as (typeof ORDER_KINDS)[number]));
  });

  it('uses unicode names and places for international orders', () => {
    const factory = createOrderFactory(8, { now: () => NOW });
    const names = new Set(Array.from({ length: 40 }, () => factory.make('international').recipient?.deliveryAddress?.name));
    expect(names).toContain('Zoë Brontë');
    const zoe = createOrderFactory(8, { now: () => NOW });
    const order = Array.from({ length: 40 }, () => zoe.make('international')).find((o) => o.recipient?.deliveryAddress?.city === 'Łódź');
    expect(order?.recipient?.deliveryAddress?.companyName).toBe('Ñandú Industrias');
  });

  it('labels each malformed order with its defect, and the defect is really there', () => {
    const factory = createOrderFactory(12, { now: () => NOW });
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const order = factory.make('malformed');
      const defect = malformationOf(order);
      seen.add(defect ?? 'none');
      if (defect === 'item_without_sku_or_asin') {
        expect(order.orderItems.some((item) => item.quantityOrdered === 0 && !item.product.sellerSku && !item.product.asin)).toBe(true);
      } else {
        expect(defect).toBe('recipient_without_country');
        expect(order.recipient?.deliveryAddress?.countryCode).toBeUndefined();
      }
    }
    expect(seen).toEqual(new Set(['item_without_sku_or_asin', 'recipient_without_country']));
    expect(malformationOf(factory.make('standard'))).toBeUndefined();
  });

  it('blends kinds realistically in mix()', () => {
    const factory = createOrderFactory(21, { now: () => NOW });
    const counts = new Map<string, number>();
    for (const order of factory.mix(1000)) {
      const kind = factory.kindOf(order.orderId)!;
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    expect(counts.get('standard')).toBeGreaterThan(350);
    expect(counts.get('prime_next_day')).toBeGreaterThan(120);
    for (const kind of ORDER_KINDS) expect(counts.get(kind) ?? 0).toBeGreaterThan(0);
  });
});

describe('SANDBOX_CATALOGUE', () => {
  it('maps 12 unique Amazon SKUs to ShipStation SKUs', () => {
    const map = sandboxSkuMap();
    expect(Object.keys(map)).toHaveLength(12);
    expect(Object.values(map).every((sku) => sku.startsWith('SS-'))).toBe(true);
    expect(new Set(SANDBOX_CATALOGUE.map((p) => p.asin)).size).toBe(12);
  });
});
