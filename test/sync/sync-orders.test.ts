import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrderFactory, type OrderKind } from '../../src/sandbox/amazon/order-factory';
import type { WireOrder } from '../../src/sandbox/amazon/wire-order';
import { retryQuarantined } from '../../src/sync/retry';
import { nextPassDelayMs, run } from '../../src/sync/sync-orders.job';
import { startHarness, type Harness } from '../support/sandbox';

/**
 * The whole sync path against the SP-API and ShipStation simulators: real HTTPS with the
 * sandbox CA, the real amazon-sp-api client, real pacing, a real SQLite store.
 */
describe('order sync against the sandbox', () => {
  let h: Harness;
  const factory = createOrderFactory(2026);
  const placed = new Map<OrderKind, WireOrder>();

  beforeEach(async () => {
    h = await startHarness();
    placed.clear();
    for (const kind of ['standard', 'prime_next_day', 'business_multi_line', 'international', 'gift', 'pending', 'cancelled', 'unmapped_sku', 'afn', 'malformed'] as const) {
      const { lastUpdatedTime: _t, ...o } = factory.make(kind);
      placed.set(kind, h.sandbox.spApi.putOrder(o));
    }
  });
  afterEach(async () => h.close());

  const account = () => h.rt.config.accounts[0]!;
  const sync = () => run({ accountId: 'default' }, h.rt.contextFor(account()));
  const inShipStation = (kind: OrderKind) => h.sandbox.shipstation.getByOrderNumber(placed.get(kind)!.orderId);

  it('imports every shippable order once, with its fields, and skips, holds and quarantines the rest', async () => {
    const summary = await sync();

    for (const kind of ['standard', 'prime_next_day', 'business_multi_line', 'international', 'gift', 'unmapped_sku'] as const) {
      expect(inShipStation(kind), kind).toHaveLength(1);
    }
    for (const kind of ['pending', 'cancelled', 'afn', 'malformed'] as const) expect(inShipStation(kind), kind).toHaveLength(0);
    expect(summary).toMatchObject({ created: 6, held: 1, quarantined: 1 });

    const prime = placed.get('prime_next_day')!;
    const [ss] = inShipStation('prime_next_day');
    const addr = prime.recipient!.deliveryAddress!;
    expect(ss).toMatchObject({
      orderNumber: prime.orderId,
      orderKey: `dockhand:default:${prime.orderId}`,
      orderStatus: 'awaiting_shipment',
      requestedShippingService: 'NextDay',
      shipTo: { name: addr.name, street1: addr.addressLine1, city: addr.city, state: addr.stateOrRegion, postalCode: addr.postalCode, country: addr.countryCode },
      advancedOptions: { customField1: expect.stringContaining('Prime NextDay') },
    });
    expect(ss!.shipByDate).toBeTruthy();
    const line = prime.orderItems[0]!;
    expect(ss!.items[0]).toMatchObject({
      lineItemKey: line.orderItemId,
      quantity: line.quantityOrdered,
      unitPrice: Number(line.product!.price!.unitPrice!.amount),
      options: expect.arrayContaining([{ name: 'ASIN', value: line.product!.asin }]),
    });
    expect(ss!.items[0]!.sku).toMatch(/^SS-/);
    expect(ss!.amountPaid).toBe(Number(prime.proceeds!.grandTotal!.amount));

    const intl = placed.get('international')!;
    const [ssIntl] = inShipStation('international');
    const intlAddr = intl.recipient!.deliveryAddress!;
    expect(ssIntl!.shipTo).toMatchObject({ name: intlAddr.name, street1: intlAddr.addressLine1, street2: intlAddr.addressLine2, street3: intlAddr.addressLine3, country: intlAddr.countryCode });

    const [gift] = inShipStation('gift');
    expect(gift).toMatchObject({ gift: true, giftMessage: expect.any(String) });

    const biz = placed.get('business_multi_line')!;
    expect(inShipStation('business_multi_line')[0]!.items).toHaveLength(biz.orderItems.length);

    const unmapped = placed.get('unmapped_sku')!;
    const unmappedSku = unmapped.orderItems.find((i) => i.product?.sellerSku?.startsWith('UNMAPPED'))!.product!.sellerSku!;
    expect(inShipStation('unmapped_sku')[0]!.items.map((i) => i.sku)).toContain(unmappedSku);
    expect(await h.rt.store.unmapped.get(unmappedSku)).toMatchObject({ orderCount: 1, recentOrderIds: [unmapped.orderId] });
    expect(h.notices.unmapped.map((n) => n.amazonSku)).toEqual([unmappedSku]);

    // Buyer data is kept only sealed, apart from the order's record.
    const sealed = await h.rt.store.buyerData.get(`default:${prime.orderId}`);
    expect(sealed?.sealed).toBeTruthy();
    expect(JSON.stringify(await h.rt.store.orders.get(`default:${prime.orderId}`))).not.toContain(addr.name!);
    expect(sealed!.sealed).not.toContain(addr.name!);
    expect(h.rt.sealer.open<{ shipTo: { name: string } }>(sealed!.sealed).shipTo.name).toBe(addr.name);

    const quarantined = await h.rt.store.quarantine.list();
    expect(quarantined).toEqual([expect.objectContaining({ amazonOrderId: placed.get('malformed')!.orderId, code: 'order.malformed' })]);
    expect(quarantined[0]!.reason).toMatch(/malformed/);
  });

  it('sends nothing new on a second run', async () => {
    await sync();
    const calls = h.sandbox.shipstation.stats().createOrdersCalls;
    const second = await sync();
    expect(second).toMatchObject({ created: 0, updated: 0, cancelled: 0, quarantined: 0 });
    expect(h.sandbox.shipstation.stats().createOrdersCalls).toBe(calls);
    expect(h.sandbox.shipstation.orders()).toHaveLength(6);
  });

  it('carries a cancellation on Amazon to ShipStation, keeping what staff changed there', async () => {
    await sync();
    const id = placed.get('standard')!.orderId;
    const [before] = h.sandbox.shipstation.getByOrderNumber(id);
    h.sandbox.shipstation.staffEdit(before!.orderId, { internalNotes: 'fragile: double box', tagIds: [300002] });
    h.sandbox.spApi.cancelOrder(id);

    const s = await sync();
    expect(s.cancelled).toBe(1);
    const after = h.sandbox.shipstation.getByOrderNumber(id);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ orderId: before!.orderId, orderStatus: 'cancelled', tagIds: [300002] });
    expect(after[0]!.internalNotes).toContain('fragile: double box');
  });

  it('updates an order whose address changed, and keeps the warehouse staff chose', async () => {
    await sync();
    const id = placed.get('gift')!.orderId;
    const [before] = h.sandbox.shipstation.getByOrderNumber(id);
    h.sandbox.shipstation.staffEdit(before!.orderId, { warehouseId: 200001, serviceCode: 'usps_priority_mail' });
    h.sandbox.spApi.updateOrder(id, (o) => {
      o.recipient!.deliveryAddress!.addressLine1 = '500 New Street';
    });
    const s = await sync();
    expect(s.updated).toBe(1);
    const [after] = h.sandbox.shipstation.getByOrderNumber(id);
    expect(after).toMatchObject({ shipTo: { street1: '500 New Street' }, serviceCode: 'usps_priority_mail', advancedOptions: { warehouseId: 200001 } });
  });

  it('releases a pending order once Amazon marks it unshipped', async () => {
    await sync();
    const id = placed.get('pending')!.orderId;
    // Amazon releases the buyer's address together with the payment.
    const paid = placed.get('standard')!;
    h.sandbox.spApi.updateOrder(id, (o) => {
      o.fulfillment!.fulfillmentStatus = 'UNSHIPPED';
      o.recipient = structuredClone(paid.recipient);
      o.buyer = structuredClone(paid.buyer);
    });
    await sync();
    expect(h.sandbox.shipstation.getByOrderNumber(id)).toHaveLength(1);
  });

  it('retries a quarantined order once it is fixed on Amazon', async () => {
    await sync();
    const id = placed.get('malformed')!.orderId;
    const fixedFrom = placed.get('standard')!;
    h.sandbox.spApi.updateOrder(id, (o) => {
      o.recipient = structuredClone(fixedFrom.recipient);
      o.orderItems = structuredClone(fixedFrom.orderItems);
    });
    const outcome = await retryQuarantined(id, h.rt.contextFor(account()));
    expect(outcome).toMatchObject({ retried: 1, resolved: 1, stillQuarantined: 0 });
    expect(h.sandbox.shipstation.getByOrderNumber(id)).toHaveLength(1);
    expect(await h.rt.store.quarantine.list()).toEqual([]);
  });

  it('quarantines an order shipped in ShipStation but changed on Amazon, and keeps the rest flowing', async () => {
    await sync();
    const id = placed.get('standard')!.orderId;
    h.sandbox.shipstation.markShipped(h.sandbox.shipstation.getByOrderNumber(id)[0]!.orderId);
    h.sandbox.spApi.cancelOrder(id);
    const { lastUpdatedTime: _t, ...fresh } = factory.make('standard');
    h.sandbox.spApi.putOrder(fresh);

    const s = await sync();
    expect(s.created).toBe(1);
    expect(h.sandbox.shipstation.getByOrderNumber(fresh.orderId)).toHaveLength(1);
    expect(await h.rt.store.quarantine.get(`default:${id}`)).toMatchObject({ code: 'order.locked_in_shipstation' });
  });

  it('records a create whose answer was lost as sent when staff shipped the order before it was resent', async () => {
    // A replica killed between createorders and recording its answer leaves the order in flight
    // without a ShipStation id; a label printed before the takeover locks the order in ShipStation.
    await sync();
    const id = placed.get('standard')!.orderId;
    const key = `default:${id}`;
    const { shipstationOrderId, ...sent } = (await h.rt.store.orders.get(key))!;
    await h.rt.store.orders.set(key, { ...sent, state: 'in_flight' });
    await h.rt.store.cursors.delete('default');
    h.sandbox.shipstation.createLabel(shipstationOrderId!);

    const s = await sync();
    expect(s.quarantined).toBe(0);
    expect(await h.rt.store.quarantine.get(key)).toBeUndefined();
    expect(await h.rt.store.orders.get(key)).toMatchObject({ state: 'sent', shipstationOrderId });
    expect(h.sandbox.shipstation.getByOrderNumber(id)).toMatchObject([{ orderStatus: 'shipped' }]);
  });

  it('survives ShipStation 5xx answers without duplicating anything', async () => {
    h.sandbox.shipstation.failNext(2, 503);
    await sync();
    expect(h.sandbox.shipstation.orders()).toHaveLength(6);
    expect(new Set(h.sandbox.shipstation.orders().map((o) => o.orderNumber)).size).toBe(6);
  });
});

describe('nextPassDelayMs', () => {
  const plan = { ratePerSecond: 0.0056, burst: 20 };
  it.each([
    ['no budget known yet: the interval', undefined, 60_000],
    ['a full bucket: the interval', { ...plan, tokens: 20 }, 60_000],
    ['exactly the reserve (half the burst): the interval', { ...plan, tokens: 10 }, 60_000],
    ['one token under the reserve: wait for one refill', { ...plan, tokens: 9 }, Math.ceil((1 / 0.0056) * 1000)],
    ['an empty bucket: wait until half of it is back', { ...plan, tokens: 0 }, Math.ceil((10 / 0.0056) * 1000)],
    ['a fast plan never waits longer than the interval', { ratePerSecond: 100, burst: 20, tokens: 0 }, 60_000],
  ])('%s', (_n, budget, expected) => {
    expect(nextPassDelayMs(60_000, budget)).toBe(expected);
  });
});
