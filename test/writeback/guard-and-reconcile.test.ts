import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWritebackParts, reconcileContext, type WritebackParts } from '../../src/cli/writeback';
import { createOrderFactory, type OrderKind } from '../../src/sandbox/amazon/order-factory';
import { run as runSync } from '../../src/sync/sync-orders.job';
import { ordersAtRisk, runDeadlineGuard } from '../../src/writeback/deadline-guard.job';
import { runPollPass } from '../../src/writeback/poll-labels.job';
import { runReconcile } from '../../src/writeback/reconcile.job';
import { startHarness, type Harness } from '../support/sandbox';

/** The ship-by guard and reconciliation over what sync imported into the sandbox. */
describe('deadline guard and reconciliation against the sandbox', () => {
  let h: Harness;
  let parts: WritebackParts;
  const factory = createOrderFactory(909);

  beforeEach(async () => {
    h = await startHarness();
    parts = createWritebackParts(h.rt);
  });
  afterEach(async () => h.close());

  const place = (kind: OrderKind, shipByInMinutes?: number) => {
    const { lastUpdatedTime: _t, ...o } = factory.make(kind);
    if (shipByInMinutes !== undefined) {
      o.fulfillment = {
        ...o.fulfillment!,
        shipByWindow: { earliestDateTime: new Date(Date.now() - 6 * 3_600_000).toISOString(), latestDateTime: new Date(Date.now() + shipByInMinutes * 60_000).toISOString() },
      };
    }
    return h.sandbox.spApi.putOrder(o);
  };
  const sync = () => runSync({ accountId: 'default' }, h.rt.contextFor(h.rt.config.accounts[0]!));
  const guard = (now = new Date()) => runDeadlineGuard({ store: h.rt.store, notifier: h.rt.notifier, logger: h.rt.logger, now: () => now, leadTimesMinutes: [240, 60] });
  const poll = () => runPollPass({ store: h.rt.store, labels: parts.labels, writeback: parts.writeback, logger: h.rt.logger, now: () => new Date(), lookbackHours: 48, pollSeconds: 60 });

  it('escalates orders near ship-by once per lead time, Prime first, and reports the late ones; a confirmed order drops out', async () => {
    const prime = place('prime_next_day', 50);
    const standard = place('standard', 200);
    const late = place('standard', -30);
    const relaxed = place('standard', 60 * 30);
    const shippedInTime = place('standard', 100);
    await sync();
    h.sandbox.shipstation.createLabel(h.sandbox.shipstation.getByOrderNumber(shippedInTime.orderId)[0]!.orderId, { notify: false });
    await poll();

    const first = await guard();
    expect(first).toMatchObject({ atRisk: 2, late: 1 });
    const atRisk = h.notices.deadlines.filter((n) => n.stage === 'at_risk');
    expect(atRisk.map((n) => [n.leadMinutes, n.orders.map((o) => o.amazonOrderId)])).toEqual([
      [60, [prime.orderId]],
      [240, [standard.orderId]],
    ]);
    expect(h.notices.deadlines.find((n) => n.stage === 'late')?.orders.map((o) => o.amazonOrderId)).toEqual([late.orderId]);
    const everyone = h.notices.deadlines.flatMap((n) => n.orders.map((o) => o.amazonOrderId));
    expect(everyone).not.toContain(relaxed.orderId);
    expect(everyone).not.toContain(shippedInTime.orderId);

    // A restart runs the guard again: nothing is repeated.
    const count = h.notices.deadlines.length;
    await guard();
    expect(h.notices.deadlines).toHaveLength(count);
    // Two hours later the standard order reaches the 1 h lead time.
    await guard(new Date(Date.now() + 150 * 60_000));
    expect(h.notices.deadlines.slice(count).find((n) => n.stage === 'at_risk')?.orders.map((o) => o.amazonOrderId)).toContain(standard.orderId);

    const list = await ordersAtRisk(h.rt.store, new Date(), 240);
    expect(list.map((o) => o.amazonOrderId)).toEqual([prime.orderId, late.orderId, standard.orderId]);
  });

  it('flags a buyer cancellation request at once', async () => {
    const order = place('standard', 60 * 20);
    await sync();
    h.sandbox.spApi.requestBuyerCancellation(order.orderId);
    await sync();
    await guard();
    const flagged = h.notices.deadlines.find((n) => n.stage === 'cancel_requested');
    expect(flagged?.orders).toEqual([expect.objectContaining({ amazonOrderId: order.orderId, shipstationOrderId: expect.any(Number) })]);
  });

  it('reconciles: a label Amazon never received and an order missing in ShipStation are found, fixed, then resolved', async () => {
    const labelled = place('standard');
    await sync();
    const missing = place('standard'); // placed after the sync: not in ShipStation
    const ss = h.sandbox.shipstation.getByOrderNumber(labelled.orderId)[0]!;
    const label = h.sandbox.shipstation.createLabel(ss.orderId, { notify: false });

    // Twenty minutes on, past the grace period.
    const later = new Date(Date.now() + 20 * 60_000);
    const ctx = { ...reconcileContext(h.rt, parts.labels), now: () => later };
    const first = await runReconcile(ctx);
    const kinds = first.findings.map((f) => [f.kind, f.amazonOrderId, f.fix]);
    expect(kinds).toEqual(expect.arrayContaining([
      ['label_not_on_amazon', labelled.orderId, 'confirm_now'],
      ['missing_in_shipstation', missing.orderId, 'create_in_shipstation'],
    ]));
    const alerted = h.notices.writeback.length;
    expect(alerted).toBe(first.findings.length);

    // The same findings again: no second alert.
    await runReconcile(ctx);
    expect(h.notices.writeback).toHaveLength(alerted);

    // Fix both: confirm the label, sync the order.
    const { shipmentToLabel } = await import('../../src/shipstation/to-label');
    const shipment = (await h.rt.shipstation.listShipments({ orderId: ss.orderId, includeShipmentItems: true })).shipments.find((s) => s.shipmentId === label.shipmentId)!;
    expect((await parts.writeback.confirmFor(shipmentToLabel(shipment), 'default', labelled.orderId)).outcome).toBe('confirmed');
    await sync();
    const after = await runReconcile(ctx);
    expect(after.findings.filter((f) => f.amazonOrderId === labelled.orderId || f.amazonOrderId === missing.orderId)).toEqual([]);
  });

  it('finds an order deleted in ShipStation by staff, from what sync recorded', async () => {
    const order = place('standard');
    await sync();
    const ss = h.sandbox.shipstation.getByOrderNumber(order.orderId)[0]!;
    const auth = Buffer.from(`${h.rt.config.shipstation.apiKey}:${h.rt.config.shipstation.apiSecret}`).toString('base64');
    expect((await fetch(`${h.sandbox.shipstation.url}/orders/${ss.orderId}`, { method: 'DELETE', headers: { authorization: `Basic ${auth}` } })).status).toBe(200);
    const later = new Date(Date.now() + 20 * 60_000);
    const found = await runReconcile({ ...reconcileContext(h.rt, parts.labels), now: () => later });
    expect(found.findings.map((f) => [f.kind, f.amazonOrderId, f.fix])).toContainEqual(['missing_in_shipstation', order.orderId, 'create_in_shipstation']);
  });

  it('watch mode: a label ShipStation\'s own store never sent to Amazon is found and Confirm now sends it', async () => {
    const account = h.rt.config.accounts[0]!;
    account.mode = 'watch';
    const order = place('standard');
    // ShipStation's own Amazon store imported it: order number = AmazonOrderId, its own orderKey.
    const created = await h.rt.shipstation.createOrder({
      orderNumber: order.orderId,
      orderKey: `amazon-store-${order.orderId}`,
      orderDate: '2026-11-27T10:00:00.000',
      orderStatus: 'awaiting_shipment',
      billTo: { name: 'Buyer' },
      shipTo: { name: 'Buyer', street1: '1 Main St', city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' },
      items: order.orderItems.map((i) => ({ lineItemKey: i.orderItemId, sku: i.product?.sellerSku ?? 'SKU', name: 'Item', quantity: i.quantityOrdered, unitPrice: 1 })),
    } as never);
    const label = h.sandbox.shipstation.createLabel(created.orderId, { carrierCode: 'ups', notify: false });
    // Writeback leaves a watched account's labels to ShipStation's store.
    expect((await poll()).confirmed).toBe(0);

    const later = new Date(Date.now() + 20 * 60_000);
    const found = await runReconcile({ ...reconcileContext(h.rt, parts.labels), now: () => later });
    const finding = found.findings.find((f) => f.amazonOrderId === order.orderId);
    expect(finding).toMatchObject({ kind: 'label_not_on_amazon', fix: 'confirm_now', labelId: `shipment:${label.shipmentId}` });

    const { shipmentToLabel } = await import('../../src/shipstation/to-label');
    const shipment = (await h.rt.shipstation.listShipments({ orderId: created.orderId, includeShipmentItems: true })).shipments[0]!;
    expect((await parts.writeback.confirmFor(shipmentToLabel(shipment), account.id, order.orderId)).outcome).toBe('confirmed');
    expect(h.sandbox.spApi.getOrder(order.orderId)?.packages?.map((p) => [p.carrier, p.trackingNumber])).toEqual([['UPS', label.trackingNumber]]);
  });
});
