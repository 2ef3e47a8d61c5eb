import { describe, expect, it } from 'vitest';
import { allowedRestockingPercent, computeRefund, formatCents, lowerTo, NOTHING, parseCents, refundableItems, type RefundableItem } from '../../src/returns/refund';

// Two units at 20.00 with 3.20 tax and 5.00 shipping for the line.
const MUG: RefundableItem = { orderItemId: '12345678901234', sku: 'MUG-1', quantityOrdered: 2, paid: { principal: 4000, tax: 320, shipping: 500, shippingTax: 40 } };
// Three units at 9.99: 29.97, tax 2.40 (not divisible by 3 cents-exactly).
const PEN: RefundableItem = { orderItemId: '22345678901234', sku: 'PEN-3', quantityOrdered: 3, paid: { principal: 2997, tax: 240, shipping: 0, shippingTax: 0 } };

describe('the refund computed from the order', () => {
  it.each([
    ['full: both units, no shipping', MUG, 2, false, 0, undefined, { principal: 4000, tax: 320, shipping: 0, shippingTax: 0 }, 0, 4320],
    ['full with shipping and shipping tax', MUG, 2, true, 0, undefined, { principal: 4000, tax: 320, shipping: 500, shippingTax: 40 }, 0, 4860],
    ['partial: one of two', MUG, 1, false, 0, undefined, { principal: 2000, tax: 160, shipping: 0, shippingTax: 0 }, 0, 2160],
    ['partial with shipping share', MUG, 1, true, 0, undefined, { principal: 2000, tax: 160, shipping: 250, shippingTax: 20 }, 0, 2430],
    ['one of three, tax rounded to the cent', PEN, 1, false, 0, undefined, { principal: 999, tax: 80, shipping: 0, shippingTax: 0 }, 0, 1079],
    ['restocking fee 20% of principal', MUG, 2, false, 20, undefined, { principal: 4000, tax: 320, shipping: 0, shippingTax: 0 }, 800, 3520],
    [
      'a second partial refund: the first gave back one unit',
      MUG,
      1,
      true,
      0,
      { principal: 2000, tax: 160, shipping: 250, shippingTax: 20 },
      { principal: 2000, tax: 160, shipping: 250, shippingTax: 20 },
      0,
      2430,
    ],
    [
      'a second refund is capped by what is left (the first over-refunded tax)',
      MUG,
      1,
      false,
      0,
      { principal: 2000, tax: 300, shipping: 0, shippingTax: 0 },
      { principal: 2000, tax: 20, shipping: 0, shippingTax: 0 },
      0,
      2020,
    ],
  ])('%s', (_name, item, quantity, includeShipping, pct, before, components, fee, total) => {
    const q = computeRefund({ item, quantity, includeShipping, restockingPercent: pct, ...(before ? { alreadyRefunded: before } : {}) });
    expect(q.components).toEqual(components);
    expect(q.restockingFee).toBe(fee);
    expect(q.total).toBe(total);
    expect(q.max).toBe(total);
  });

  it('several items of one order are computed each on its own', () => {
    const quotes = [computeRefund({ item: MUG, quantity: 1, includeShipping: false, restockingPercent: 0 }), computeRefund({ item: PEN, quantity: 3, includeShipping: false, restockingPercent: 0 })];
    expect(quotes.map((q) => q.total)).toEqual([2160, 3237]);
  });

  it.each([0, 3, 1.5])('refuses a quantity of %s for an item ordered twice', (quantity) => {
    expect(() => computeRefund({ item: MUG, quantity, includeShipping: false, restockingPercent: 0 })).toThrow(/cannot refund/);
  });

  it('refuses when earlier refunds already gave back everything', () => {
    expect(() => computeRefund({ item: MUG, quantity: 2, includeShipping: true, restockingPercent: 0, alreadyRefunded: MUG.paid })).toThrow(/nothing is left to refund/);
  });

  it('a manager may lower the total; components shrink in proportion and add up exactly', () => {
    const q = computeRefund({ item: PEN, quantity: 3, includeShipping: false, restockingPercent: 0 });
    const lowered = lowerTo(q, 1000);
    expect(lowered.total).toBe(1000);
    expect(lowered.components.principal + lowered.components.tax).toBe(1000);
    expect(lowered.components.principal).toBe(926);
    expect(lowered.max).toBe(q.max);
  });

  it('lowering keeps the restocking fee: components less the fee are the amount', () => {
    const q = computeRefund({ item: MUG, quantity: 2, includeShipping: false, restockingPercent: 20 });
    const lowered = lowerTo(q, 3000);
    expect(lowered.components.principal + lowered.components.tax - lowered.restockingFee).toBe(3000);
  });

  it.each([
    [4321, /more than can be refunded for MUG-1 \(43\.20/],
    [0, /not a credit/],
    [-5, /not a credit/],
  ])('never raises above what was paid less earlier refunds: %s cents refused', (cents, message) => {
    const q = computeRefund({ item: MUG, quantity: 2, includeShipping: false, restockingPercent: 0 });
    expect(() => lowerTo(q, cents)).toThrow(message);
  });
});

describe("Amazon's restocking-fee limits", () => {
  it.each([
    [15, 'UNWANTED_ITEM', 'ok', 15],
    [30, 'UNWANTED_ITEM', 'ok', 20],
    [30, 'UNWANTED_ITEM', 'damaged', 30],
    [60, 'AMZ-PG-APP-TOO-SMALL', 'damaged', 50],
    [20, 'DEFECTIVE', 'ok', 0],
    [20, 'AMZ-PG-BAD-DESC', 'ok', 0],
    [20, 'UNWANTED_ITEM', 'wrong_item', 0],
    [20, 'UNWANTED_ITEM', 'missing', 0],
    [0, 'UNWANTED_ITEM', 'ok', 0],
  ] as const)('policy %s%%, reason %s, condition %s -> %s%%', (policy, reason, condition, expected) => {
    expect(allowedRestockingPercent(policy, reason, condition)).toBe(expected);
  });
});

describe('money as text', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [1234, '12.34'],
    [-800, '-8.00'],
  ])('%s cents is %s', (c, s) => expect(formatCents(c)).toBe(s));
  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['12,50', 1250],
    [' 0.07 ', 7],
    ['12.345', undefined],
    ['abc', undefined],
    ['-3', undefined],
  ])('"%s" reads as %s', (t, c) => expect(parseCents(t)).toBe(c));
});

describe('refundable items from an order', () => {
  it('takes the line principal from the unit price and the tax and shipping as Amazon sent them', () => {
    const items = refundableItems({
      accountId: 'default', amazonOrderId: '111-1111111-1111111', marketplaceId: 'ATVPDKIKX0DER', createdTime: '', lastUpdatedTime: '', status: 'shipped', fulfilledBy: 'merchant',
      shipBy: {}, deliverBy: {}, programs: [], isPrime: false, isBusiness: false, buyer: {}, shipTo: {}, taxTotal: 0, shippingTotal: 0, isGift: false, packages: [],
      items: [{ orderItemId: '12345678901234', sellerSku: 'MUG-1', quantityOrdered: 2, quantityShipped: 2, unitPrice: 19.99, tax: 3.2, shipping: 5, cancelRequested: false }],
    });
    expect(items).toEqual([{ orderItemId: '12345678901234', sku: 'MUG-1', quantityOrdered: 2, paid: { ...NOTHING, principal: 3998, tax: 320, shipping: 500 } }]);
  });
});
