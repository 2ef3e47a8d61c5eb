import type { IncomingMessage } from 'node:http';
import { startLoopbackServer } from '../support/loopback';
import { afterEach, describe, expect, it } from 'vitest';
import { startShipStationSimulator, type ShipStationSimulator } from '../../src/sandbox/shipstation/simulator';
import { createShipStationClient, type ShipStationClientOptions } from '../../src/shipstation/client';
import type { CreateOrderInput } from '../../src/shipstation/schemas';
import { ShipNotifyPayload } from '../../src/shipstation/ship-notify';
import { fulfillmentToLabel, shipmentToLabel } from '../../src/shipstation/to-label';

const KEY = 'sandbox-key';
const SECRET = 'sandbox-secret';
const T0 = Date.parse('2026-11-28T17:15:00Z'); // 09:15 Pacific

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function setup(opts: Partial<Parameters<typeof startShipStationSimulator>[0]> = {}) {
  let now = T0;
  const sim = await startShipStationSimulator({ apiKey: KEY, apiSecret: SECRET, rateScale: 60, clock: () => now, ...opts });
  open.push(sim);
  const client = (o: Partial<ShipStationClientOptions> = {}) =>
    createShipStationClient({ baseUrl: sim.url, apiKey: KEY, apiSecret: SECRET, retryBaseMs: 5, timeoutMs: 2_000, ...o });
  return { sim, c: client(), client, advance: (ms: number) => void (now += ms), at: (iso: string) => void (now = Date.parse(iso)) };
}

function order(n: number, items: Array<[lineItemKey: string, sku: string, quantity: number]> = [[`${n}01`, 'MUG-BLUE', 2]]): CreateOrderInput {
  return {
    orderNumber: `113-0000000-${String(n).padStart(7, '0')}`,
    orderKey: `dockhand:us-main:113-0000000-${String(n).padStart(7, '0')}`,
    orderDate: '2026-11-28T08:00:00.0000000',
    orderStatus: 'awaiting_shipment',
    billTo: { name: `Buyer ${n}` },
    shipTo: { name: `Buyer ${n}`, street1: '1 Main St', city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' },
    items: items.map(([lineItemKey, sku, quantity]) => ({ lineItemKey, sku, name: sku, quantity, unitPrice: 12 })),
    advancedOptions: { storeId: 100001 },
  };
}

/** A loopback webhook receiver that records each POST body and answers `status`. */
async function receiver(status = 200) {
  const bodies: unknown[] = [];
  const server = await startLoopbackServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ method: req.method, contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      res.writeHead(status).end();
    });
  });
  const handle = { url: `${server.url}/hooks/shipstation`, bodies, close: server.close };
  open.push(handle);
  return handle;
}

describe('shipments through the client', () => {
  it('finds a label in a createDate window given as ISO instants, with its items, and maps it', async () => {
    const { sim, c, at } = await setup();
    const o = await c.createOrder(order(1));
    at('2026-11-28T18:00:00Z');
    const label = sim.createLabel(o.orderId);
    at('2026-11-28T20:00:00Z');
    sim.createLabel((await c.createOrder(order(2))).orderId);

    const res = await c.listShipments({ createDateStart: '2026-11-28T17:30:00Z', createDateEnd: '2026-11-28T18:30:00Z', includeShipmentItems: true });
    expect(res.shipments.map((s) => s.shipmentId)).toEqual([label.shipmentId]);
    expect(shipmentToLabel(res.shipments[0]!)).toMatchObject({
      id: `shipment:${label.shipmentId}`,
      orderKey: o.orderKey,
      storeId: 100001,
      createdAt: '2026-11-28T18:00:00.000Z',
      shipDate: '2026-11-28',
      trackingNumber: label.trackingNumber,
      items: [{ lineItemKey: '101', sku: 'MUG-BLUE', quantity: 2 }],
    });
    expect(sim.getByOrderKey(o.orderKey!)?.orderStatus).toBe('shipped');
  });

  it('lists shipmentItems as null unless items are asked for', async () => {
    const { sim, c } = await setup();
    sim.createLabel((await c.createOrder(order(1))).orderId);
    const res = await c.listShipments();
    expect(res.shipments[0]?.shipmentItems).toBeNull();
    expect(shipmentToLabel(res.shipments[0]!).items).toBeUndefined();
  });

  it('keeps an order open until partial packages cover every item', async () => {
    const { sim, c } = await setup();
    const o = await c.createOrder(order(1, [['L1', 'MUG-BLUE', 2], ['L2', 'MUG-RED', 1]]));
    const first = sim.createLabel(o.orderId, { items: [{ lineItemKey: 'L1', quantity: 1 }] });
    expect(sim.getByOrderKey(o.orderKey!)?.orderStatus).toBe('awaiting_shipment');
    const second = sim.createLabel(o.orderId, { items: [{ lineItemKey: 'L1', quantity: 1 }, { lineItemKey: 'L2', quantity: 1 }], carrierCode: 'ups_walleted', serviceCode: 'ups_ground' });
    expect(sim.getByOrderKey(o.orderKey!)?.orderStatus).toBe('shipped');

    const labels = (await c.listShipments({ orderId: o.orderId, includeShipmentItems: true })).shipments.map(shipmentToLabel);
    expect(labels.map((l) => [l.numericId, l.carrierCode, l.items])).toEqual([
      [first.shipmentId, 'stamps_com', [{ lineItemKey: 'L1', sku: 'MUG-BLUE', quantity: 1 }]],
      [second.shipmentId, 'ups_walleted', [{ lineItemKey: 'L1', sku: 'MUG-BLUE', quantity: 1 }, { lineItemKey: 'L2', sku: 'MUG-RED', quantity: 1 }]],
    ]);
    expect(new Set(labels.map((l) => l.trackingNumber)).size).toBe(2);
  });

  it('follows every page with allPages', async () => {
    const { sim, c } = await setup();
    for (let i = 1; i <= 5; i++) sim.createLabel((await c.createOrder(order(i))).orderId, { notify: false });
    const all = await c.listShipments({ pageSize: 2, allPages: true });
    expect(all.shipments).toHaveLength(5);
    expect(new Set(all.shipments.map((s) => s.shipmentId)).size).toBe(5);
    expect(sim.stats().requests['GET /shipments']).toBe(3);
  });

  it('creates a label through the API, voids it, and the order goes back to awaiting_shipment', async () => {
    const { sim, c, advance } = await setup();
    const o = await c.createOrder(order(1));
    const created = await c.createLabelForOrder({ orderId: o.orderId, carrierCode: 'stamps_com', serviceCode: 'usps_priority_mail', confirmation: 'none', shipDate: '2026-11-29', testLabel: false });
    expect(created.labelData).toEqual(expect.any(String));
    expect(sim.getByOrderKey(o.orderKey!)?.orderStatus).toBe('shipped');
    advance(60_000);

    expect(await c.voidLabel(created.shipmentId)).toEqual({ approved: true, message: 'Label voided successfully' });
    const [s] = (await c.listShipments({ orderId: o.orderId })).shipments;
    const label = shipmentToLabel(s!);
    expect(label).toMatchObject({ voided: true, voidedAt: '2026-11-28T17:16:00.000Z', shipDate: '2026-11-29', trackingNumber: created.trackingNumber });
    expect(sim.getByOrderKey(o.orderKey!)).toMatchObject({ orderStatus: 'awaiting_shipment', shipDate: null });
    expect((await c.voidLabel(created.shipmentId)).approved).toBe(false);
    const voidedInWindow = await c.listShipments({ voidDateStart: '2026-11-28T17:15:30Z', voidDateEnd: '2026-11-28T17:16:30Z' });
    expect(voidedInWindow.shipments.map((x) => x.shipmentId)).toEqual([created.shipmentId]);
    expect((await c.listShipments({ voidDateStart: '2026-11-28T17:16:30Z' })).total).toBe(0);
  });

  it('does not retry a void or a label purchase on a 5xx (neither is safe to repeat blindly)', async () => {
    const { sim, c } = await setup();
    const o = await c.createOrder(order(1));
    const label = sim.createLabel(o.orderId);
    sim.failNext(1, 503);
    await expect(c.voidLabel(label.shipmentId)).rejects.toMatchObject({ code: 'shipstation.unreachable', status: 503 });
    expect(sim.stats().requests['POST /shipments/voidlabel']).toBe(1);
    sim.failNext(1, 500);
    await expect(
      c.createLabelForOrder({ orderId: o.orderId, carrierCode: 'ups', serviceCode: 'ups_ground', shipDate: '2026-11-28', testLabel: false }),
    ).rejects.toMatchObject({ code: 'shipstation.unreachable' });
    expect(sim.stats().requests['POST /orders/createlabelfororder']).toBe(1);
    expect(sim.shipments()).toHaveLength(1);
  });
});

describe('fulfillments through the client', () => {
  it('marks an order shipped and finds the fulfillment by order and by createDate window', async () => {
    const { sim, c, at } = await setup();
    const o = await c.createOrder(order(1));
    at('2026-07-04T19:00:00Z');
    expect(await c.markAsShipped({ orderId: o.orderId, carrierCode: 'ups', shipDate: '2026-07-04', trackingNumber: '1Z999AA10123456784', notifySalesChannel: false })).toEqual({
      orderId: o.orderId,
      orderNumber: o.orderNumber,
    });
    expect(sim.getByOrderKey(o.orderKey!)?.orderStatus).toBe('shipped');

    const byOrder = await c.listFulfillments({ orderId: o.orderId });
    expect(byOrder.fulfillments.map(fulfillmentToLabel)).toEqual([
      expect.objectContaining({ source: 'fulfillment', orderId: o.orderId, createdAt: '2026-07-04T19:00:00.000Z', shipDate: '2026-07-04', carrierCode: 'ups', trackingNumber: '1Z999AA10123456784', voided: false }),
    ]);
    expect(fulfillmentToLabel(byOrder.fulfillments[0]!).items).toBeUndefined();
    expect((await c.listFulfillments({ createDateStart: '2026-07-04T18:59:00Z', createDateEnd: '2026-07-04T19:01:00Z' })).total).toBe(1);
    expect((await c.listFulfillments({ createDateStart: '2026-07-04T19:01:00Z' })).total).toBe(0);
    // GET /shipments lists labels only, never fulfillments (spec).
    expect((await c.listShipments({ orderId: o.orderId })).total).toBe(0);
  });

  it('refuses to mark an already shipped order shipped again, and does not retry markasshipped', async () => {
    const { sim, c } = await setup();
    const o = await c.createOrder(order(1));
    await c.markAsShipped({ orderId: o.orderId, carrierCode: 'usps' });
    await expect(c.markAsShipped({ orderId: o.orderId, carrierCode: 'usps' })).rejects.toMatchObject({ code: 'shipstation.rejected', status: 400 });
    const other = await c.createOrder(order(2));
    sim.failNext(1, 502);
    await expect(c.markAsShipped({ orderId: other.orderId, carrierCode: 'usps' })).rejects.toMatchObject({ code: 'shipstation.unreachable' });
    expect(sim.stats().requests['POST /orders/markasshipped']).toBe(3);
    expect(sim.fulfillments()).toHaveLength(1);
  });

  it('lists what staff marked shipped in the UI, with the carrier and tracking they typed', async () => {
    const { sim, c } = await setup();
    const o = await c.createOrder(order(1));
    sim.markShipped(o.orderId, '2026-11-27', { carrierCode: 'fedex', trackingNumber: '794608880000' });
    const { fulfillments } = await c.listFulfillments({ trackingNumber: '794608880000', allPages: true });
    expect(fulfillments.map(fulfillmentToLabel)).toEqual([expect.objectContaining({ carrierCode: 'fedex', shipDate: '2026-11-27', orderNumber: o.orderNumber })]);
  });
});

describe('SHIP_NOTIFY through the client', () => {
  it('subscribes, receives SHIP_NOTIFY for a new label, and reads that batch with items from resource_url', async () => {
    const { sim, c } = await setup();
    const hook = await receiver();
    const id = await c.subscribeWebhook({ targetUrl: hook.url, event: 'SHIP_NOTIFY', friendlyName: 'Dockhand tracking writeback' });
    expect(await c.listWebhooks()).toEqual([expect.objectContaining({ WebHookID: id, HookType: 'SHIP_NOTIFY', Url: hook.url, Name: 'Dockhand tracking writeback', Active: true, StoreID: null })]);

    const o1 = await c.createOrder(order(1));
    const o2 = await c.createOrder(order(2));
    sim.createLabel(o1.orderId);
    const label = sim.createLabel(o2.orderId, { items: [{ lineItemKey: '201', quantity: 1 }] });
    await sim.flushWebhooks();

    expect(hook.bodies).toHaveLength(2);
    expect(hook.bodies[1]).toMatchObject({ method: 'POST', contentType: 'application/json' });
    const payload = ShipNotifyPayload.parse((hook.bodies[1] as { body: unknown }).body);
    expect(payload.resource_type).toBe('SHIP_NOTIFY');
    expect(payload.resource_url).toMatch(/\/shipments\?batchId=\d+&includeShipmentItems=False$/);

    const res = await c.getShipmentsAt(payload.resource_url);
    expect(res.shipments.map(shipmentToLabel)).toEqual([
      expect.objectContaining({ numericId: label.shipmentId, orderKey: o2.orderKey, items: [{ lineItemKey: '201', sku: 'MUG-BLUE', quantity: 1 }] }),
    ]);
    expect(sim.webhookDeliveries().map((d) => [d.webhookId, d.dropped, d.status])).toEqual([
      [id, false, 200],
      [id, false, 200],
    ]);
  });

  it('refuses a forged resource_url without making any request', async () => {
    const { sim, c } = await setup();
    const port = new URL(sim.url).port;
    for (const forged of [
      `http://127.0.0.1:${Number(port) + 1}/shipments?batchId=1`,
      `http://${KEY}:${SECRET}@127.0.0.1:${port}/shipments?batchId=1`,
      `https://127.0.0.1:${port}/shipments?batchId=1`,
      `http://127.0.0.1:${port}@evil.example/shipments?batchId=1`,
      // Our own host, but not a shipments list: a forged webhook must not steer what we fetch.
      `${sim.url}/orders?orderStatus=awaiting_shipment`,
      // A shipments list, but of every label in a date range rather than one batch.
      `${sim.url}/shipments?createDateStart=2020-01-01&pageSize=500`,
    ]) {
      await expect(c.getShipmentsAt(forged)).rejects.toMatchObject({ code: 'writeback.forged_webhook', hint: expect.stringContaining('Nothing was fetched') });
    }
    expect(sim.stats().requests).toEqual({});
  });

  it('a lost webhook (dropped) leaves the label for polling to find', async () => {
    const { sim, c } = await setup();
    const hook = await receiver();
    await c.subscribeWebhook({ targetUrl: hook.url, event: 'SHIP_NOTIFY', friendlyName: 'Dockhand' });
    sim.dropWebhooks(1);
    const lost = sim.createLabel((await c.createOrder(order(1))).orderId);
    const seen = sim.createLabel((await c.createOrder(order(2))).orderId);
    await sim.flushWebhooks();
    expect(sim.webhookDeliveries().map((d) => d.dropped)).toEqual([true, false]);
    expect(hook.bodies).toHaveLength(1);
    const polled = await c.listShipments({ createDateStart: '2026-11-28T17:00:00Z', includeShipmentItems: true, allPages: true });
    expect(polled.shipments.map((s) => s.shipmentId)).toEqual([lost.shipmentId, seen.shipmentId]);
  });

  it('stops delivering after unsubscribe, and unsubscribing twice is fine', async () => {
    const { sim, c } = await setup();
    const hook = await receiver();
    const id = await c.subscribeWebhook({ targetUrl: hook.url, event: 'SHIP_NOTIFY', storeId: 100001, friendlyName: 'Dockhand' });
    await c.unsubscribeWebhook(id);
    await c.unsubscribeWebhook(id);
    expect(await c.listWebhooks()).toEqual([]);
    sim.createLabel((await c.createOrder(order(1))).orderId);
    await sim.flushWebhooks();
    expect(sim.webhookDeliveries()).toEqual([]);
    expect(hook.bodies).toEqual([]);
  });
});
