import type { RequestListener } from 'node:http';
import { startLoopbackServer, type LoopbackServer } from '../support/loopback';
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Order, type OrderItem } from '../../src/domain/order';
import { createLogger } from '../../src/log/logger';
import { startShipStationSimulator, type ShipStationSimulator } from '../../src/sandbox/shipstation/simulator';
import { createShipStationClient, type ShipStationClientOptions } from '../../src/shipstation/client';
import type { CreateOrderInput } from '../../src/shipstation/schemas';
import { mergeForUpdate, orderKeyFor, toShipStationOrder } from '../../src/sync/map-order';

const KEY = 'sandbox-key';
const SECRET = 'sandbox-secret';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function sim(opts: Partial<Parameters<typeof startShipStationSimulator>[0]> = {}): Promise<ShipStationSimulator> {
  const s = await startShipStationSimulator({ apiKey: KEY, apiSecret: SECRET, rateScale: 60, ...opts });
  open.push(s);
  return s;
}

function client(s: { url: string }, opts: Partial<ShipStationClientOptions> = {}) {
  return createShipStationClient({ baseUrl: s.url, apiKey: KEY, apiSecret: SECRET, retryBaseMs: 5, timeoutMs: 2_000, ...opts });
}

const skuFor = (item: OrderItem) => ({ sku: item.sellerSku ?? item.orderItemId, mapped: true });

function amazonOrder(n: number, patch: Record<string, unknown> = {}): Order {
  return Order.parse({
    accountId: 'us-main',
    amazonOrderId: `113-0000000-${String(n).padStart(7, '0')}`,
    marketplaceId: 'ATVPDKIKX0DER',
    createdTime: '2024-12-24T18:15:00Z',
    lastUpdatedTime: '2024-12-24T18:20:00Z',
    status: 'unshipped',
    fulfilledBy: 'merchant',
    serviceLevel: 'STANDARD',
    shipBy: { latest: '2024-12-27T23:59:59Z' },
    isPrime: n % 3 === 0,
    isBusiness: false,
    buyer: { name: `Buyer ${n}`, email: `b${n}@marketplace.amazon.com` },
    shipTo: { name: `Buyer ${n}`, line1: '1 Main St', city: 'Austin', stateOrRegion: 'TX', postalCode: '78701', countryCode: 'US', addressType: 'residential' },
    items: [{ orderItemId: `${n}01`, sellerSku: 'MUG-BLUE', asin: 'B000MUG', title: 'Mug', quantityOrdered: 1 + (n % 2), unitPrice: 12, tax: 1 }],
    amountPaid: 13,
    taxTotal: 1,
    ...patch,
  });
}

const payloadFor = (n: number, patch: Record<string, unknown> = {}): CreateOrderInput =>
  toShipStationOrder(amazonOrder(n, patch), { storeId: 100001, warehouseId: 200001, skuFor }).payload;

describe('ShipStation client against the simulator', () => {
  it('creates 250 orders in three createorders calls', async () => {
    const s = await sim();
    const res = await client(s).createOrders(Array.from({ length: 250 }, (_, i) => payloadFor(i)));
    expect(res.hasErrors).toBe(false);
    expect(res.results).toHaveLength(250);
    expect(s.stats().createOrdersCalls).toBe(3);
    expect(s.orders()).toHaveLength(250);
    expect(s.getByOrderKey(orderKeyFor('us-main', '113-0000000-0000249'))?.orderNumber).toBe('113-0000000-0000249');
  });

  it('does not duplicate an order sent again with the same orderKey', async () => {
    const s = await sim();
    const c = client(s);
    await c.createOrders([payloadFor(1), payloadFor(2)]);
    const updated = await c.createOrder(payloadFor(1, { amountPaid: 99 }));
    await c.createOrders([payloadFor(2)]);
    expect(s.orders()).toHaveLength(2);
    expect(s.getByOrderNumber('113-0000000-0000001')).toHaveLength(1);
    expect(s.getByOrderNumber('113-0000000-0000001')[0]?.amountPaid).toBe(99);
    expect(updated.orderKey).toBe(orderKeyFor('us-main', '113-0000000-0000001'));
  });

  it('paces on the rate window: 50 calls over a 40-per-window limit meet at most one 429 and wait for Reset', async () => {
    const s = await sim({ rateScale: 60 });
    const c = client(s);
    const started = Date.now();
    for (let i = 0; i < 50; i++) await c.listTags();
    expect(s.stats().throttled).toBeLessThanOrEqual(1);
    expect(s.stats().requests['GET /accounts/listtags']).toBe(50);
    // The 41st call could only be answered in the next (1 s) window.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(c.budget()).toMatchObject({ limit: 40 });
  });

  it('waits for Reset after a 429 caused by another tool on the same key, then succeeds', async () => {
    const s = await sim({ rateScale: 60 });
    const other = client(s);
    for (let i = 0; i < 40; i++) await other.listStores();
    const c = client(s);
    const stores = await c.listStores();
    expect(stores[0]?.storeId).toBe(100001);
    expect(s.stats().throttled).toBe(1);
  });

  it('retries a GET through 5xx answers', async () => {
    const s = await sim();
    s.failNext(2, 503);
    const warehouses = await client(s).listWarehouses();
    expect(warehouses[0]?.warehouseId).toBe(200001);
    expect(s.stats().requests['GET /warehouses']).toBe(3);
  });

  it('retries createorders on a 500 because every order has an orderKey, without duplicating', async () => {
    const s = await sim();
    s.failNext(1, 500);
    const res = await client(s).createOrders([payloadFor(1), payloadFor(2)]);
    expect(res.hasErrors).toBe(false);
    expect(s.orders()).toHaveLength(2);
  });

  it('does not retry a createorder without an orderKey', async () => {
    const s = await sim();
    s.failNext(1, 500);
    const { orderKey: _drop, ...noKey } = payloadFor(1);
    await expect(client(s).createOrder(noKey)).rejects.toMatchObject({ code: 'shipstation.unreachable', status: 500 });
    expect(s.stats().requests['POST /orders/createorder']).toBe(1);
    expect(s.orders()).toHaveLength(0);
  });

  it('gives up after maxRetries with shipstation.unreachable', async () => {
    const s = await sim();
    s.failNext(5, 502);
    await expect(client(s, { maxRetries: 2 }).listTags()).rejects.toMatchObject({ code: 'shipstation.unreachable', transient: true });
    expect(s.stats().requests['GET /accounts/listtags']).toBe(3);
  });

  it('reports bad credentials as shipstation.auth_rejected', async () => {
    const s = await sim();
    await expect(createShipStationClient({ baseUrl: s.url, apiKey: KEY, apiSecret: 'wrong' }).listStores()).rejects.toMatchObject({
      code: 'shipstation.auth_rejected',
      status: 401,
    });
  });

  it('reports a plan without API access as shipstation.plan_refused', async () => {
    const s = await sim({ planRefusesApi: true });
    await expect(client(s).listStores()).rejects.toMatchObject({ code: 'shipstation.plan_refused' });
  });

  it('reports a refused order per order inside a batch', async () => {
    const s = await sim();
    const bad = payloadFor(2);
    bad.advancedOptions = { ...bad.advancedOptions, warehouseId: 999 };
    const res = await client(s).createOrders([payloadFor(1), bad, payloadFor(3)]);
    expect(res.hasErrors).toBe(true);
    expect(res.results.map((r) => r.success)).toEqual([true, false, true]);
    expect(res.results[1]?.errorMessage).toContain('warehouseId');
    expect(s.orders().map((o) => o.orderNumber)).toEqual(['113-0000000-0000001', '113-0000000-0000003']);
  });

  it('turns a 400 on a single createorder into shipstation.rejected with the reason', async () => {
    const s = await sim();
    await expect(client(s).createOrder({ ...payloadFor(1), orderDate: 'not a date' })).rejects.toMatchObject({
      code: 'shipstation.rejected',
      status: 400,
      message: expect.stringContaining('orderDate'),
    });
  });

  it('lists every page when asked and finds an order by orderKey', async () => {
    const s = await sim();
    const c = client(s);
    await c.createOrders(Array.from({ length: 120 }, (_, i) => payloadFor(i)));
    const all = await c.listOrders({ pageSize: 50, allPages: true });
    expect(all.orders).toHaveLength(120);
    expect(new Set(all.orders.map((o) => o.orderId)).size).toBe(120);
    const one = await c.listOrders({ pageSize: 50, page: 3 });
    expect(one.orders).toHaveLength(20);
    // Order numbers 113-0000000-000001x share a prefix: the orderKey picks the right one.
    const found = await c.findByOrderKey('113-0000000-0000001', orderKeyFor('us-main', '113-0000000-0000001'));
    expect(found?.orderNumber).toBe('113-0000000-0000001');
    expect(await c.findByOrderKey('113-0000000-0000001', 'dockhand:other:113-0000000-0000001')).toBeUndefined();
  });

  it('filters by modifyDateStart given as an ISO instant', async () => {
    let t = Date.parse('2024-12-24T18:00:00Z');
    const s = await sim({ clock: () => t });
    const c = client(s);
    await c.createOrders([payloadFor(1)]);
    t = Date.parse('2024-12-24T20:00:00Z');
    await c.createOrders([payloadFor(2)]);
    const res = await c.listOrders({ modifyDateStart: '2024-12-24T19:00:00Z' });
    expect(res.orders.map((o) => o.orderNumber)).toEqual(['113-0000000-0000002']);
  });

  it('gets an order, holds it and tags it', async () => {
    const s = await sim();
    const c = client(s);
    const created = await c.createOrder(payloadFor(7));
    const got = await c.getOrder(created.orderId);
    expect(got.orderKey).toBe(created.orderKey);
    expect((await c.holdUntil(created.orderId, '2024-12-26')).success).toBe(true);
    expect((await c.addTag(created.orderId, 300001)).success).toBe(true);
    const after = s.getByOrderKey(created.orderKey!)!;
    expect(after.orderStatus).toBe('on_hold');
    expect(after.holdUntilDate).toBe('2024-12-26');
    expect(after.tagIds).toEqual([300001]);
    expect((await c.listStores())[0]?.storeId).toBe(100001);
  });

  it('an update built with mergeForUpdate keeps what staff changed in ShipStation', async () => {
    const s = await sim({ warehouses: [{ warehouseId: 200001, warehouseName: 'Main', isDefault: true }, { warehouseId: 200002, warehouseName: 'Overflow' }] });
    const c = client(s);
    const created = await c.createOrder(payloadFor(5));
    s.staffEdit(created.orderId, { warehouseId: 200002, tagIds: [300002], internalNotes: 'call buyer first', carrierCode: 'ups', serviceCode: 'ups_ground' });
    const current = await c.getOrder(created.orderId);
    const next = payloadFor(5, { shipTo: { name: 'Buyer 5', line1: '9 New Rd', city: 'Austin', stateOrRegion: 'TX', postalCode: '78702', countryCode: 'US' } });
    await c.createOrder(mergeForUpdate(current, next));
    const after = s.getByOrderKey(created.orderKey!)!;
    expect(s.orders()).toHaveLength(1);
    expect(after.shipTo.street1).toBe('9 New Rd');
    expect(after.advancedOptions.warehouseId).toBe(200002);
    expect(after.tagIds).toEqual([300002]);
    expect(after.internalNotes).toBe('call buyer first');
    expect([after.carrierCode, after.serviceCode]).toEqual(['ups', 'ups_ground']);
  });
});

async function rawServer(handler: RequestListener): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler);
  open.push(server);
  return server;
}

describe('ShipStation client logging', () => {
  it('logs calls and retries without buyer data', async () => {
    const s = await sim();
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString('utf8')));
    const c = client(s, { logger: createLogger({ level: 'debug', destination: out }) });
    s.failNext(1, 503);
    await c.createOrders([payloadFor(42)]);
    await c.createOrder({ ...payloadFor(43), orderDate: 'bad' }).catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    expect(text).toContain('shipstation retry');
    expect(text).toContain('/orders/createorders');
    for (const secret of ['Buyer 42', 'Buyer 43', '1 Main St', 'b42@marketplace.amazon.com', SECRET]) expect(text).not.toContain(secret);
  });
});

describe('ShipStation client against a misbehaving server', () => {
  it('reports a 200 that is not JSON as shipstation.unparseable', async () => {
    const s = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>captive portal</html>');
    });
    await expect(client(s).listTags()).rejects.toMatchObject({ code: 'shipstation.unparseable' });
  });

  it('reports JSON of the wrong shape as shipstation.unparseable, naming paths only', async () => {
    const s = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify([{ tagId: 'secret-value', name: 5 }]));
    });
    const err = await client(s).listTags().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'shipstation.unparseable' });
    expect((err as Error).message).toContain('0.tagId');
    expect((err as Error).message).not.toContain('secret-value');
  });

  it('retries a GET that times out, then reports shipstation.unreachable', async () => {
    let hits = 0;
    const s = await rawServer(() => {
      hits += 1; // never answers
    });
    await expect(client(s, { timeoutMs: 100, maxRetries: 1 }).listTags()).rejects.toMatchObject({ code: 'shipstation.unreachable', transient: true });
    expect(hits).toBe(2);
  });

  it('retries a GET after the connection is reset', async () => {
    let hits = 0;
    const s = await rawServer((req, res) => {
      hits += 1;
      if (hits === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('[]');
    });
    expect(await client(s).listTags()).toEqual([]);
    expect(hits).toBe(2);
  });
});
