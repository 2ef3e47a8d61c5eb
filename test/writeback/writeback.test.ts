import { startLoopbackServer, type LoopbackServer } from '../support/loopback';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWritebackParts, shipNotifyContext, type WritebackParts } from '../../src/cli/writeback';
import { ensureShipNotifyWebhook, WEBHOOK_PATH } from '../../src/writeback/ship-notify-webhook';
import { createOrderFactory, type OrderKind } from '../../src/sandbox/amazon/order-factory';
import { run as runSync } from '../../src/sync/sync-orders.job';
import { createShipNotifyIntake, runPollPass, type ShipNotifyIntake } from '../../src/writeback/poll-labels.job';
import { createWriteback } from '../../src/writeback/confirm-labels.job';
import { DockhandError } from '../../src/domain/errors';
import { orderRecordKey } from '../../src/store/store';
import type { Label } from '../../src/domain/label';
import { SYNC_FAILED } from '../../src/sync/sync-failed-alert';
import { startHarness, type Harness } from '../support/sandbox';

/**
 * Tracking writeback end to end: the ShipStation simulator prints labels and posts SHIP_NOTIFY to
 * Dockhand's intake on loopback; Dockhand confirms on the SP-API simulator through the real
 * amazon-sp-api client. Assertions are on what Amazon holds.
 */
const SECRET = 'test-webhook-secret';

describe('tracking writeback against the sandbox', () => {
  let h: Harness;
  let parts: WritebackParts;
  let server: LoopbackServer;
  let appUrl: string;
  let intake: ShipNotifyIntake | undefined;
  const factory = createOrderFactory(606);

  beforeEach(async () => {
    h = await startHarness();
    h.rt.config.writeback.webhookSecret = SECRET;
    parts = createWritebackParts(h.rt);
    intake = undefined;
    server = await startLoopbackServer((req, res) => {
      if (req.method === 'POST' && req.url?.startsWith(WEBHOOK_PATH)) return (intake ?? parts.intake).handle(req, res);
      res.writeHead(404).end();
    });
    appUrl = server.url;
  });
  afterEach(async () => {
    await server.close();
    await h.close();
  });

  const place = (kind: OrderKind = 'standard') => {
    const { lastUpdatedTime: _t, ...o } = factory.make(kind);
    return h.sandbox.spApi.putOrder(o);
  };
  const sync = () => runSync({ accountId: 'default' }, h.rt.contextFor(h.rt.config.accounts[0]!));
  const ssOrder = (amazonOrderId: string) => h.sandbox.shipstation.getByOrderNumber(amazonOrderId)[0]!;
  const amazonPackages = (amazonOrderId: string) => h.sandbox.spApi.getOrder(amazonOrderId)?.packages ?? [];
  const poll = () => runPollPass({ store: h.rt.store, labels: parts.labels, writeback: parts.writeback, logger: h.rt.logger, now: () => new Date(), lookbackHours: 48, pollSeconds: 60 });
  const subscribe = async () => {
    h.rt.config.writeback.publicUrl = appUrl;
    await ensureShipNotifyWebhook(shipNotifyContext(h.rt));
  };
  /** Waits for SHIP_NOTIFY deliveries and the work they started. */
  const settle = async () => {
    await h.sandbox.shipstation.flushWebhooks();
    await parts.intake.drain();
  };

  it('confirms a label that arrives by webhook, with Amazon carrier code, method, items and a ship date with offset', async () => {
    await subscribe();
    const order = place('business_multi_line');
    await sync();
    const shipment = h.sandbox.shipstation.createLabel(ssOrder(order.orderId).orderId, { carrierCode: 'ups_walleted', serviceCode: 'ups_ground' });
    await settle();

    const confirmations = h.sandbox.spApi.confirmations().filter((c) => c.orderId === order.orderId);
    expect(confirmations).toHaveLength(1);
    const detail = confirmations[0]!.body.packageDetail;
    expect(detail).toMatchObject({
      packageReferenceId: String(shipment.shipmentId),
      carrierCode: 'UPS',
      shippingMethod: 'UPS Ground',
      trackingNumber: shipment.trackingNumber,
    });
    expect(detail.shipDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    expect(detail.orderItems).toEqual(order.orderItems.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantityOrdered })));
    expect(h.sandbox.spApi.getOrder(order.orderId)?.fulfillment?.fulfillmentStatus).toBe('SHIPPED');
    expect((await h.rt.store.confirmations.get(`shipment:${shipment.shipmentId}`))?.state).toBe('confirmed');
  });

  it('fetches a burst of notifications together (one ShipStation call, not one per label) and confirms every label', async () => {
    await subscribe();
    const orders = Array.from({ length: 30 }, () => place());
    await sync();
    // The first fetch is slow (ShipStation's window nearly spent): the other 29 arrive meanwhile.
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    intake = createShipNotifyIntake({
      secret: SECRET,
      labels: { ...parts.labels, labelsAt: async (url) => (await slow, parts.labels.labelsAt(url)) },
      writeback: parts.writeback,
      logger: h.rt.logger,
    });
    for (const o of orders) h.sandbox.shipstation.createLabel(ssOrder(o.orderId).orderId, { carrierCode: 'stamps_com', serviceCode: 'usps_priority_mail' });
    await h.sandbox.shipstation.flushWebhooks();
    release();
    await intake.drain();
    expect(intake.stats()).toMatchObject({ accepted: 30, fetches: 2, failed: 0 });
    for (const o of orders) expect(amazonPackages(o.orderId).map((p) => p.carrier)).toEqual(['USPS']);
  });

  it('fetches a few waiting notifications by their own URLs once the coalesced window takes more pages than they are', async () => {
    await subscribe();
    const orders = Array.from({ length: 6 }, () => place());
    await sync();
    const calls = { own: 0, window: 0 };
    let gate: Promise<void> = Promise.resolve();
    // Labels of other stores in the window: 600 of them make it two pages.
    const others: Label[] = Array.from({ length: 600 }, (_, i) => ({ id: `shipment:${900_000_000 + i}`, source: 'shipment', numericId: 900_000_000 + i, orderId: 1, orderNumber: `other-${i}`, orderKey: `other-store:${i}`, createdAt: new Date().toISOString(), shipDate: '2026-12-01', carrierCode: 'ups', trackingNumber: `1Z${i}`, voided: false }));
    intake = createShipNotifyIntake({
      secret: SECRET,
      labels: {
        ...parts.labels,
        labelsAt: async (url) => (calls.own++, await gate, parts.labels.labelsAt(url)),
        labelsCreated: async (from, to) => (calls.window++, [...(await parts.labels.labelsCreated(from, to)), ...others]),
      },
      writeback: parts.writeback,
      logger: h.rt.logger,
    });
    const print = (o: (typeof orders)[number]) => h.sandbox.shipstation.createLabel(ssOrder(o.orderId).orderId, { carrierCode: 'stamps_com', serviceCode: 'usps_priority_mail' });
    /** Prints labels while the first fetch waits, so the rest queue behind it as one batch. */
    const printWhileSlow = async (batch: typeof orders) => {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      for (const o of batch) print(o);
      await h.sandbox.shipstation.flushWebhooks();
      release();
      await intake!.drain();
    };
    // Two waiting notifications go as one window (one fetch, two pages of labels).
    await printWhileSlow(orders.slice(0, 3));
    expect(calls).toEqual({ own: 1, window: 1 });
    // Now two waiting notifications cost no more calls by their own URLs than that window did.
    await printWhileSlow(orders.slice(3, 6));
    expect(calls).toEqual({ own: 4, window: 1 });
    for (const o of orders) expect(amazonPackages(o.orderId).map((p) => p.carrier)).toEqual(['USPS']);
  });

  it('finds by polling a label whose webhook was lost, and confirms each label once across both paths and a restart', async () => {
    await subscribe();
    const a = place();
    const b = place();
    await sync();
    h.sandbox.shipstation.dropWebhooks(1);
    h.sandbox.shipstation.createLabel(ssOrder(a.orderId).orderId); // webhook lost
    h.sandbox.shipstation.createLabel(ssOrder(b.orderId).orderId); // webhook delivered
    // Webhook and poll race for b; the poll alone finds a.
    await Promise.all([settle(), poll()]);
    await settle();
    expect(amazonPackages(a.orderId)).toHaveLength(1);
    expect(amazonPackages(b.orderId)).toHaveLength(1);

    // A restart: a fresh writeback over the same store polls again and sends nothing new.
    const before = h.sandbox.spApi.confirmations().length;
    const again = createWritebackParts(h.rt);
    const s = await runPollPass({ store: h.rt.store, labels: again.labels, writeback: again.writeback, logger: h.rt.logger, now: () => new Date(), lookbackHours: 48, pollSeconds: 60 });
    expect(s).toMatchObject({ ok: true, confirmed: 0, quarantined: 0 });
    expect(s.alreadyDone).toBeGreaterThanOrEqual(2);
    expect(h.sandbox.spApi.confirmations()).toHaveLength(before);
  });

  it('confirms each package of a split shipment with its own reference and only its items', async () => {
    const order = place('business_multi_line');
    await sync();
    const ss = ssOrder(order.orderId);
    const [first, ...rest] = ss.items;
    const one = h.sandbox.shipstation.createLabel(ss.orderId, { items: [{ lineItemKey: first!.lineItemKey!, quantity: first!.quantity }] });
    await poll();
    expect(h.sandbox.spApi.getOrder(order.orderId)?.fulfillment?.fulfillmentStatus).toBe('PARTIALLY_SHIPPED');
    // Amazon's partial shipment comes back through sync and must not disturb the open ShipStation order.
    await sync();
    expect(h.sandbox.shipstation.getByOrderNumber(order.orderId)).toHaveLength(1);
    expect((await h.rt.store.quarantine.list()).filter((q) => q.amazonOrderId === order.orderId)).toHaveLength(0);

    const two = h.sandbox.shipstation.createLabel(ss.orderId, { items: rest.map((i) => ({ lineItemKey: i.lineItemKey!, quantity: i.quantity })) });
    await poll();
    const packages = amazonPackages(order.orderId);
    expect(packages.map((p) => p.packageReferenceId).sort()).toEqual([String(one.shipmentId), String(two.shipmentId)].sort());
    expect(packages.find((p) => p.packageReferenceId === String(one.shipmentId))?.packageItems).toEqual([{ orderItemId: first!.lineItemKey, quantity: first!.quantity }]);
    expect(h.sandbox.spApi.getOrder(order.orderId)?.fulfillment?.fulfillmentStatus).toBe('SHIPPED');
  });

  it('does not confirm a label voided before Dockhand saw it, and confirms the label printed instead', async () => {
    const order = place();
    await sync();
    const ss = ssOrder(order.orderId);
    const wrong = h.sandbox.shipstation.createLabel(ss.orderId, { notify: false });
    h.sandbox.shipstation.voidLabel(wrong.shipmentId);
    const right = h.sandbox.shipstation.createLabel(ss.orderId, { notify: false });
    await poll();
    expect(amazonPackages(order.orderId).map((p) => p.trackingNumber)).toEqual([right.trackingNumber]);
    expect((await h.rt.store.confirmations.get(`shipment:${wrong.shipmentId}`))?.state).toBe('skipped');
  });

  it('alerts when a label is voided after Amazon accepted it, once', async () => {
    const order = place();
    await sync();
    const label = h.sandbox.shipstation.createLabel(ssOrder(order.orderId).orderId, { notify: false });
    await poll();
    expect(amazonPackages(order.orderId)).toHaveLength(1);
    h.sandbox.shipstation.voidLabel(label.shipmentId);
    await poll();
    await poll();
    const alerts = h.notices.writeback.filter((n) => n.kind === 'voided_after_confirm');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ amazonOrderId: order.orderId, labelId: `shipment:${label.shipmentId}`, trackingNumber: label.trackingNumber });
    expect(alerts[0]!.hint).toMatch(/cannot take a confirmation back/);
  });

  it('sends a label printed after a confirmed one was voided in its place, so Amazon holds the live tracking', async () => {
    const order = place();
    await sync();
    const ss = ssOrder(order.orderId);
    const first = h.sandbox.shipstation.createLabel(ss.orderId, { notify: false });
    await poll();
    await sync(); // Amazon now says shipped
    h.sandbox.shipstation.voidLabel(first.shipmentId);
    const second = h.sandbox.shipstation.createLabel(ss.orderId, { notify: false });
    await poll();
    const packages = amazonPackages(order.orderId);
    expect(packages.map((p) => [p.packageReferenceId, p.trackingNumber])).toEqual([[String(first.shipmentId), second.trackingNumber]]);
    expect((await h.rt.store.confirmations.get(`shipment:${first.shipmentId}`))?.replacedBy).toBe(`shipment:${second.shipmentId}`);
  });

  it('Confirm now on a shipped order sends the label again under its reference and keeps the ledger whole', async () => {
    const order = place();
    await sync();
    const label = h.sandbox.shipstation.createLabel(ssOrder(order.orderId).orderId, { notify: false });
    await poll();
    await sync();
    // Someone changed the tracking on Amazon by hand (reconcile: tracking_mismatch).
    h.sandbox.spApi.updateOrder(order.orderId, (o) => {
      o.packages![0]!.trackingNumber = 'HAND-TYPED-1';
    });
    await sync();
    const { shipmentToLabel } = await import('../../src/shipstation/to-label');
    const fresh = (await h.rt.shipstation.listShipments({ orderId: label.orderId, includeShipmentItems: true })).shipments[0]!;
    const again = await parts.writeback.confirmFor(shipmentToLabel(fresh), 'default', order.orderId);
    expect(again.outcome).toBe('confirmed');
    expect(amazonPackages(order.orderId).map((p) => p.trackingNumber)).toEqual([label.trackingNumber]);
    expect((await h.rt.store.confirmations.get(`shipment:${label.shipmentId}`))?.items).toEqual(order.orderItems.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantityOrdered })));
  });

  it('does not confirm an order cancelled on Amazon meanwhile, and alerts', async () => {
    const order = place();
    await sync();
    h.sandbox.spApi.cancelOrder(order.orderId);
    h.sandbox.shipstation.createLabel(ssOrder(order.orderId).orderId, { notify: false });
    await poll();
    expect(amazonPackages(order.orderId)).toHaveLength(0);
    expect(h.notices.writeback.map((n) => n.kind)).toContain('cancelled_before_confirm');
  });

  it('confirms an order marked shipped in ShipStation without a label, and quarantines one marked shipped without tracking', async () => {
    const withTracking = place();
    const without = place();
    await sync();
    h.sandbox.shipstation.markShipped(ssOrder(withTracking.orderId).orderId, undefined, { carrierCode: 'FedEx Ground', trackingNumber: '794600000001' });
    h.sandbox.shipstation.markShipped(ssOrder(without.orderId).orderId, undefined, { carrierCode: 'usps', trackingNumber: null });
    const s = await poll();
    expect(s).toMatchObject({ confirmed: 1, quarantined: 1 });
    const [pkg] = amazonPackages(withTracking.orderId);
    expect(pkg).toMatchObject({ carrier: 'FedEx', trackingNumber: '794600000001' });
    expect(pkg!.packageItems).toEqual(withTracking.orderItems.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantityOrdered })));
    expect(amazonPackages(without.orderId)).toHaveLength(0);
    expect(h.notices.writeback.find((n) => n.amazonOrderId === without.orderId)).toMatchObject({ kind: 'confirmation_quarantined', code: 'writeback.nothing_to_confirm' });
  });

  it('never confirms a return label as the outbound package', async () => {
    const order = place();
    await sync();
    h.sandbox.shipstation.createLabel(ssOrder(order.orderId).orderId, { notify: false });
    const [label] = await parts.labels.labelsCreated(new Date(Date.now() - 3_600_000).toISOString(), new Date().toISOString());
    expect((await parts.writeback.handleLabel({ ...label!, isReturn: true }, 'poll')).outcome).toBe('ignored');
    expect(amazonPackages(order.orderId)).toHaveLength(0);
  });

  it('ignores labels of orders Dockhand did not import', async () => {
    const order = place();
    await sync();
    const ours = ssOrder(order.orderId);
    // A manual order in ShipStation: no Dockhand orderKey.
    const res = await h.rt.shipstation.createOrder({ orderNumber: 'MANUAL-1', orderKey: 'manual-1', orderDate: '2026-11-27T10:00:00.000', orderStatus: 'awaiting_shipment', billTo: { name: 'X' }, shipTo: { name: 'X', street1: '1 Main St', city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' }, items: [{ sku: 'S', name: 'S', quantity: 1, unitPrice: 1 }] } as never);
    h.sandbox.shipstation.createLabel(res.orderId, { notify: false });
    h.sandbox.shipstation.createLabel(ours.orderId, { notify: false });
    const s = await poll();
    expect(s).toMatchObject({ confirmed: 1, ignored: 1 });
    expect(h.sandbox.spApi.confirmations()).toHaveLength(1);
  });

  it('quarantines a confirmation Amazon refuses, with its message, and Retry confirms it', async () => {
    const order = place();
    await sync();
    const label = h.sandbox.shipstation.createLabel(ssOrder(order.orderId).orderId, { notify: false });
    h.sandbox.spApi.failNext(1, 400);
    const s = await poll();
    expect(s.quarantined).toBe(1);
    const record = await h.rt.store.confirmations.get(`shipment:${label.shipmentId}`);
    expect(record).toMatchObject({ state: 'quarantined', code: 'writeback.confirmation_rejected' });
    expect(h.notices.writeback.at(-1)).toMatchObject({ kind: 'confirmation_quarantined', fix: 'retry_confirmation' });
    // The next pass leaves it alone: a person decides when to retry.
    await poll();
    expect(amazonPackages(order.orderId)).toHaveLength(0);

    const fresh = (await h.rt.shipstation.listShipments({ orderId: label.orderId, includeShipmentItems: true })).shipments[0]!;
    const { shipmentToLabel } = await import('../../src/shipstation/to-label');
    const retried = await parts.writeback.handleLabel(shipmentToLabel(fresh), 'retry', true);
    expect(retried.outcome).toBe('confirmed');
    expect(amazonPackages(order.orderId)).toHaveLength(1);
  });

  it('resends after Amazon was unreachable, on the next pass', async () => {
    const order = place();
    await sync();
    h.sandbox.shipstation.createLabel(ssOrder(order.orderId).orderId, { notify: false });
    // Amazon down for the first attempt (after the client's own retries gave up).
    const client = h.rt.amazon.get('default')!;
    let down = true;
    const writeback = createWriteback({
      accounts: h.rt.config.accounts,
      store: h.rt.store,
      amazonFor: () => ({
        confirmShipment: async (id, body) => {
          if (down) throw new DockhandError('amazon.unreachable', 'Amazon unreachable (ECONNRESET)', { transient: true });
          return client.confirmShipment(id, body);
        },
        fetchOrder: (id) => h.rt.contextFor(h.rt.config.accounts[0]!).amazon.fetchOrder(id),
      }),
      notifier: h.rt.notifier,
      logger: h.rt.logger,
      now: () => new Date(),
    });
    const pass = () => runPollPass({ store: h.rt.store, labels: parts.labels, writeback, logger: h.rt.logger, now: () => new Date(), lookbackHours: 48, pollSeconds: 60 });
    const first = await pass();
    expect(first.retryLater).toBe(1);
    expect(amazonPackages(order.orderId)).toHaveLength(0);
    down = false;
    const second = await pass();
    expect(second.confirmed).toBe(1);
    expect(second.resent).toBe(0); // confirmed from the poll window; nothing is left pending
    expect(amazonPackages(order.orderId)).toHaveLength(1);
    expect(await h.rt.store.pendingConfirmations.oldest()).toHaveLength(0);
  });

  it('keeps labels for the next pass when Amazon refuses our credentials, with one account alert instead of one per label', async () => {
    const orders = [place(), place(), place()];
    await sync();
    for (const o of orders) h.sandbox.shipstation.createLabel(ssOrder(o.orderId).orderId, { notify: false });
    let refused = true;
    const client = h.rt.amazon.get('default')!;
    const failures: string[] = [];
    const writeback = createWriteback({
      accounts: h.rt.config.accounts,
      store: h.rt.store,
      amazonFor: () => ({
        confirmShipment: async (id, body) => {
          if (refused) throw new DockhandError('amazon.auth_rejected', 'Login with Amazon refused our credentials (invalid_grant)', { hint: 'Authorize the app again' });
          return client.confirmShipment(id, body);
        },
        fetchOrder: (id) => h.rt.contextFor(h.rt.config.accounts[0]!).amazon.fetchOrder(id),
      }),
      notifier: { ...h.rt.notifier, raise: async (p) => (SYNC_FAILED.is(p) ? void failures.push(p.notice.code) : h.rt.notifier.raise(p)) },
      logger: h.rt.logger,
      now: () => new Date(),
    });
    const pass = () => runPollPass({ store: h.rt.store, labels: parts.labels, writeback, logger: h.rt.logger, now: () => new Date(), lookbackHours: 48, pollSeconds: 60 });
    expect(await pass()).toMatchObject({ retryLater: 3, quarantined: 0 });
    expect(h.notices.writeback).toHaveLength(0);
    expect(new Set(failures)).toEqual(new Set(['amazon.auth_rejected']));
    refused = false;
    expect(await pass()).toMatchObject({ confirmed: 3 });
  });

  it('answers labels settled on an earlier pass at once, even while another replica works on their order', async () => {
    const a = place();
    const b = place();
    await sync();
    h.sandbox.shipstation.createLabel(ssOrder(a.orderId).orderId, { notify: false });
    expect((await poll()).confirmed).toBe(1);
    // Another replica holds a's order for a long while; a's label is settled in the ledger already.
    expect(await h.rt.store.acquireLease(`label-order:${orderRecordKey('default', a.orderId)}`, 'elsewhere:1:x', 3_600_000, Date.now())).toBe(true);
    h.sandbox.shipstation.createLabel(ssOrder(b.orderId).orderId, { notify: false });
    const second = await poll();
    expect(second).toMatchObject({ ok: true, confirmed: 1, alreadyDone: 1 });
    expect(amazonPackages(a.orderId)).toHaveLength(1);
    expect(amazonPackages(b.orderId)).toHaveLength(1);
  }, 20_000);

  it('changes nothing for a forged webhook: wrong secret, or a resource_url outside ShipStation', async () => {
    const order = place();
    await sync();
    h.sandbox.shipstation.createLabel(ssOrder(order.orderId).orderId, { notify: false });
    let evilHits = 0;
    const evil = await startLoopbackServer((_req, res) => {
      evilHits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"shipments":[],"total":0,"page":1,"pages":1}');
    });
    const evilUrl = evil.url;
    try {
      const post = (secret: string, resourceUrl: string) =>
        fetch(`${appUrl}${WEBHOOK_PATH}?secret=${encodeURIComponent(secret)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ resource_url: resourceUrl, resource_type: 'SHIP_NOTIFY' }),
        });
      const wrongSecret = await post('guess', `${h.sandbox.shipstation.url}/shipments?batchId=1&includeShipmentItems=False`);
      expect(wrongSecret.status).toBe(401);
      const elsewhere = await post(SECRET, `${evilUrl}/shipments?batchId=1`);
      expect(elsewhere.status).toBe(400);
      const userinfoTrick = await post(SECRET, `${h.sandbox.shipstation.url.replace('http://', 'http://user@')}/shipments?batchId=1`);
      expect(userinfoTrick.status).toBe(400);
      await parts.intake.drain();
      expect(evilHits).toBe(0);
      expect(parts.intake.stats()).toMatchObject({ accepted: 0, refused: 3, fetches: 0 });
      expect(h.sandbox.spApi.confirmations()).toHaveLength(0);
    } finally {
      await evil.close();
    }
  });
});
