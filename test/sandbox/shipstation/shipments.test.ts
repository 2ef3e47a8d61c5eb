import { startLoopbackServer } from '../../support/loopback';
import { afterEach, describe, expect, it } from 'vitest';
import { startShipStationSimulator, type ShipStationSimulator, type ShipStationSimulatorOptions } from '../../../src/sandbox/shipstation/simulator';

const KEY = 'sandbox-key';
const SECRET = 'sandbox-secret';
const AUTH = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`;
const T0 = Date.parse('2026-11-28T17:15:00Z'); // 09:15 Pacific

const open: Array<{ close(): Promise<void> }> = [];
let sim: ShipStationSimulator;
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(extra: Partial<ShipStationSimulatorOptions> = {}) {
  let now = T0;
  sim = await startShipStationSimulator({ apiKey: KEY, apiSecret: SECRET, clock: () => now, rateScale: 60, ...extra });
  open.push(sim);
  return { advance: (ms: number) => void (now += ms) };
}

async function call(method: string, path: string, body?: unknown, auth: string | null = AUTH): Promise<{ status: number; body: any; text: string }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (auth) headers.Authorization = auth;
  const res = await fetch(`${sim.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

async function newOrder(n: number, storeId = 100001, items = [{ lineItemKey: `${n}01`, sku: 'MUG-01', quantity: 2, unitPrice: 12 }]): Promise<number> {
  const r = await call('POST', '/orders/createorder', {
    orderNumber: `113-${n}`,
    orderKey: `k${n}`,
    orderDate: '2026-11-28T08:00:00',
    orderStatus: 'awaiting_shipment',
    billTo: { name: 'Test Buyer' },
    shipTo: { name: `Test Buyer ${n}` },
    items,
    advancedOptions: { storeId },
  });
  expect(r.status).toBe(200);
  return r.body.orderId as number;
}

const labelBody = (orderId: number, patch: Record<string, unknown> = {}) => ({
  orderId,
  carrierCode: 'stamps_com',
  serviceCode: 'usps_priority_mail',
  packageCode: 'package',
  confirmation: 'delivery',
  shipDate: '2026-11-28',
  weight: { value: 12, units: 'ounces' },
  testLabel: false,
  ...patch,
});

describe('ShipStation simulator: new endpoints need auth and count against the rate limit', () => {
  it.each([
    ['GET', '/shipments'],
    ['GET', '/fulfillments'],
    ['GET', '/webhooks'],
    ['POST', '/webhooks/subscribe'],
    ['POST', '/shipments/voidlabel'],
    ['POST', '/orders/markasshipped'],
    ['POST', '/orders/createlabelfororder'],
    ['DELETE', '/webhooks/1'],
  ])('%s %s answers 401 without credentials', async (method, path) => {
    await start();
    expect((await call(method, path, method === 'GET' ? undefined : {}, null)).status).toBe(401);
  });

  it('throttles GET /shipments with the other calls', async () => {
    await start();
    for (let i = 0; i < 40; i++) await call('GET', i % 2 ? '/shipments' : '/fulfillments');
    expect((await call('GET', '/shipments')).status).toBe(429);
    expect(sim.stats().requests).toEqual({ 'GET /shipments': 20, 'GET /fulfillments': 20 });
  });
});

describe('ShipStation simulator: createlabelfororder and GET /shipments', () => {
  it('creates a shipment in Pacific time with a fresh tracking number and marks the order shipped', async () => {
    await start();
    const orderId = await newOrder(1);
    const r = await call('POST', '/orders/createlabelfororder', labelBody(orderId));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ shipmentId: expect.any(Number), trackingNumber: expect.stringMatching(/^\d{22}$/), labelData: expect.any(String), formData: null });
    const [s] = sim.shipments();
    expect(s).toMatchObject({
      shipmentId: r.body.shipmentId,
      orderId,
      orderKey: 'k1',
      orderNumber: '113-1',
      createDate: '2026-11-28T09:15:00',
      shipDate: '2026-11-28',
      confirmation: 'delivery',
      weight: { value: 12, units: 'ounces' },
      voided: false,
      advancedOptions: expect.objectContaining({ storeId: 100001 }),
      shipmentItems: [expect.objectContaining({ lineItemKey: '101', sku: 'MUG-01', quantity: 2 })],
      labelData: null,
    });
    expect(sim.orders()[0]).toMatchObject({ orderStatus: 'shipped', shipDate: '2026-11-28' });
  });

  it('stores nothing for a test label', async () => {
    await start();
    const orderId = await newOrder(1);
    expect((await call('POST', '/orders/createlabelfororder', labelBody(orderId, { testLabel: true }))).status).toBe(200);
    expect(sim.shipments()).toEqual([]);
    expect(sim.orders()[0]?.orderStatus).toBe('awaiting_shipment');
  });

  it.each([
    ['tracking-style misspelled field', { carrier_code: 'ups' }, 'request.carrier_code'],
    ['missing carrierCode', { carrierCode: undefined }, 'request.carrierCode'],
    ['missing serviceCode', { serviceCode: undefined }, 'request.serviceCode'],
    ['missing shipDate', { shipDate: undefined }, 'request.shipDate'],
    ['unreadable shipDate', { shipDate: 'tomorrow' }, 'request.shipDate'],
    ['missing testLabel', { testLabel: undefined }, 'request.testLabel'],
    ['orderId as a string', { orderId: '1' }, 'request.orderId'],
    ['unknown confirmation', { confirmation: 'maybe' }, 'request.confirmation'],
    ['weight in kilos', { weight: { value: 1, units: 'kilos' } }, 'request.weight'],
  ])('answers 400 ModelState for %s and creates nothing', async (_name, patch, key) => {
    await start();
    const orderId = await newOrder(1);
    const r = await call('POST', '/orders/createlabelfororder', labelBody(orderId, patch));
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.ModelState)).toContain(key);
    expect(sim.shipments()).toEqual([]);
  });

  it('refuses a label for an unknown or cancelled order', async () => {
    await start();
    expect((await call('POST', '/orders/createlabelfororder', labelBody(999))).status).toBe(400);
    const orderId = await newOrder(1);
    await call('POST', '/orders/createorder', { orderNumber: '113-1', orderKey: 'k1', orderDate: '2026-11-28', orderStatus: 'cancelled', billTo: { name: 'x' }, shipTo: { name: 'x' } });
    const r = await call('POST', '/orders/createlabelfororder', labelBody(orderId));
    expect(r.status).toBe(400);
    expect(r.body.Message).toMatch(/cancelled/);
  });

  const TWO_STORES = [
    { storeId: 100001, storeName: 'Main', marketplaceName: 'ShipStation' },
    { storeId: 100002, storeName: 'Amazon', marketplaceName: 'Amazon', marketplaceId: 2 },
  ];

  async function seed(advance: (ms: number) => void) {
    const stores = [100001, 100002];
    for (let i = 1; i <= 4; i++) {
      const orderId = await newOrder(i, stores[i % 2]!);
      sim.createLabel(orderId, { shipDate: `2026-11-${27 + (i % 2)}` });
      advance(3_600_000); // 09:15, 10:15, 11:15, 12:15 Pacific
    }
  }

  it.each([
    ['orderNumber', '?orderNumber=113-2', ['113-2']],
    ['storeId', '?storeId=100002', ['113-1', '113-3']],
    ['createDate range in Pacific wall time, both ends inclusive', '?createDateStart=2026-11-28%2010:15:00&createDateEnd=2026-11-28%2011:15:00', ['113-2', '113-3']],
    ['createDateStart as an instant with offset', '?createDateStart=2026-11-28T20:00:00Z', ['113-4']],
    ['shipDate range', '?shipDateStart=2026-11-28&shipDateEnd=2026-11-28', ['113-1', '113-3']],
    ['default order is createDate ascending', '', ['113-1', '113-2', '113-3', '113-4']],
    ['sortBy ShipDate DESC', '?sortBy=ShipDate&sortDir=DESC', ['113-3', '113-1', '113-4', '113-2']],
  ])('filters by %s', async (_name, query, numbers) => {
    const { advance } = await start({ stores: TWO_STORES });
    await seed(advance);
    const r = await call('GET', `/shipments${query}`);
    expect(r.status).toBe(200);
    expect(r.body.shipments.map((s: { orderNumber: string }) => s.orderNumber)).toEqual(numbers);
    expect(r.body.total).toBe(numbers.length);
  });

  it('filters by batchId and includes items only when asked, reading the boolean in any case', async () => {
    await start();
    sim.createLabel(await newOrder(1), { notify: false });
    const hook = await receiver();
    await call('POST', '/webhooks/subscribe', { target_url: hook.url, event: 'SHIP_NOTIFY', friendly_name: 'x' });
    const s = sim.createLabel(await newOrder(2));
    await sim.flushWebhooks();
    const resource = new URL(sim.webhookDeliveries()[0]!.resourceUrl);
    expect(resource.searchParams.get('includeShipmentItems')).toBe('False');
    const r = await call('GET', `${resource.pathname}${resource.search}`);
    expect(r.body.shipments.map((x: { shipmentId: number }) => x.shipmentId)).toEqual([s.shipmentId]);
    expect(r.body.shipments[0].shipmentItems).toBeNull();
    const withItems = await call('GET', `/shipments?batchId=${resource.searchParams.get('batchId')}&includeShipmentItems=TRUE`);
    expect(withItems.body.shipments[0].shipmentItems).toHaveLength(1);
  });

  it.each([
    ['includeShipmentItems not a boolean', '?includeShipmentItems=yes'],
    ['sortBy outside the enum', '?sortBy=OrderDate'],
    ['pageSize above 500', '?pageSize=501'],
    ['unreadable createDateStart', '?createDateStart=soon'],
    ['orderId not a number', '?orderId=abc'],
  ])('answers 400 for %s', async (_name, query) => {
    await start();
    expect((await call('GET', `/shipments${query}`)).status).toBe(400);
  });

  it('pages with page and pageSize', async () => {
    const { advance } = await start({ stores: TWO_STORES });
    await seed(advance);
    const r = await call('GET', '/shipments?pageSize=3&page=2');
    expect(r.body).toMatchObject({ total: 4, page: 2, pages: 2 });
    expect(r.body.shipments.map((s: { orderNumber: string }) => s.orderNumber)).toEqual(['113-4']);
  });
});

describe('ShipStation simulator: partial packages and voids', () => {
  it('ships the order only when every item is boxed, and reopens it when the last live label is voided', async () => {
    await start();
    const orderId = await newOrder(1, 100001, [
      { lineItemKey: 'A', sku: 'A', quantity: 2, unitPrice: 1 },
      { lineItemKey: 'B', sku: 'B', quantity: 1, unitPrice: 1 },
    ]);
    const first = sim.createLabel(orderId, { items: [{ lineItemKey: 'A', quantity: 2 }] });
    expect(sim.orders()[0]?.orderStatus).toBe('awaiting_shipment');
    const second = sim.createLabel(orderId, { items: [{ lineItemKey: 'B', quantity: 1 }] });
    expect(sim.orders()[0]?.orderStatus).toBe('shipped');

    const v = await call('POST', '/shipments/voidlabel', { shipmentId: second.shipmentId });
    expect(v.body).toEqual({ approved: true, message: 'Label voided successfully' });
    // One live package is left: the order stays shipped.
    expect(sim.orders()[0]?.orderStatus).toBe('shipped');
    expect(sim.voidLabel(first.shipmentId)).toMatchObject({ voided: true, voidDate: '2026-11-28T09:15:00' });
    expect(sim.orders()[0]).toMatchObject({ orderStatus: 'awaiting_shipment', shipDate: null });
    // Voided labels are still listed, flagged.
    expect((await call('GET', '/shipments')).body.shipments.map((s: { voided: boolean }) => s.voided)).toEqual([true, true]);
  });

  it.each([
    ['an unknown line', [{ lineItemKey: 'nope', quantity: 1 }]],
    ['a zero quantity', [{ lineItemKey: '101', quantity: 0 }]],
  ])('createLabel throws for %s', async (_name, items) => {
    await start();
    const orderId = await newOrder(1);
    expect(() => sim.createLabel(orderId, { items })).toThrow(/simulator/);
  });

  it.each([
    ['a misspelled field', { shipment_id: 1 }],
    ['an unknown shipment', { shipmentId: 424242 }],
  ])('voidlabel answers 400 for %s', async (_name, body) => {
    await start();
    expect((await call('POST', '/shipments/voidlabel', body)).status).toBe(400);
  });
});

describe('ShipStation simulator: markasshipped and GET /fulfillments', () => {
  it('records a fulfillment with the fields staff gave', async () => {
    await start();
    const orderId = await newOrder(1);
    const r = await call('POST', '/orders/markasshipped', { orderId, carrierCode: 'usps', shipDate: '2026-11-27', trackingNumber: '9400100000000000000001', notifyCustomer: true, notifySalesChannel: true });
    expect(r.body).toEqual({ orderId, orderNumber: '113-1' });
    const list = await call('GET', '/fulfillments?orderId=' + orderId);
    expect(list.body).toMatchObject({ total: 1, page: 1, pages: 1 });
    expect(list.body.fulfillments[0]).toMatchObject({
      orderId,
      orderNumber: '113-1',
      trackingNumber: '9400100000000000000001',
      carrierCode: 'usps',
      createDate: '2026-11-28T09:15:00',
      shipDate: '2026-11-27T00:00:00',
      voided: false,
      voidDate: null,
      // A plain ShipStation store has no sales channel to notify.
      marketplaceNotified: false,
    });
    expect(sim.orders()[0]).toMatchObject({ orderStatus: 'shipped', shipDate: '2026-11-27' });
  });

  it.each([
    ['a misspelled optional field', { tracking_number: '1Z' }, 'request.tracking_number'],
    ['missing carrierCode', { carrierCode: undefined }, 'request.carrierCode'],
    ['notifyCustomer as a string', { notifyCustomer: 'true' }, 'request.notifyCustomer'],
    ['unreadable shipDate', { shipDate: 'today' }, 'request.shipDate'],
  ])('answers 400 ModelState for %s', async (_name, patch, key) => {
    await start();
    const orderId = await newOrder(1);
    const r = await call('POST', '/orders/markasshipped', { orderId, carrierCode: 'usps', ...patch });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.ModelState)).toContain(key);
    expect(sim.fulfillments()).toEqual([]);
  });

  it.each([
    ['fulfillmentId', (f: { fulfillmentId: number }) => `?fulfillmentId=${f.fulfillmentId}`, ['113-2']],
    ['trackingNumber', () => '?trackingNumber=T-3', ['113-3']],
    ['orderNumber', () => '?orderNumber=113-1', ['113-1']],
    ['createDate range', () => '?createDateStart=2026-11-28%2010:00:00&createDateEnd=2026-11-28%2011:15:00', ['113-2', '113-3']],
    ['shipDate range', () => '?shipDateStart=2026-11-02&shipDateEnd=2026-11-03', ['113-2', '113-3']],
    ['sortBy ShipDate DESC', () => '?sortBy=ShipDate&sortDir=DESC', ['113-3', '113-2', '113-1']],
  ])('filters by %s', async (_name, query, numbers) => {
    const { advance } = await start();
    for (let i = 1; i <= 3; i++) {
      sim.markShipped(await newOrder(i), `2026-11-0${i}`, { carrierCode: 'ups', trackingNumber: `T-${i}` });
      advance(3_600_000);
    }
    const second = sim.fulfillments()[1]!;
    const r = await call('GET', `/fulfillments${query(second)}`);
    expect(r.status).toBe(200);
    expect(r.body.fulfillments.map((f: { orderNumber: string }) => f.orderNumber)).toEqual(numbers);
  });

  it('the sandbox markShipped makes up a carrier and tracking number when none are given', async () => {
    await start();
    sim.markShipped(await newOrder(1));
    expect(sim.fulfillments()[0]).toMatchObject({ carrierCode: 'usps', trackingNumber: expect.stringMatching(/^\d+$/), shipDate: '2026-11-28T00:00:00' });
  });
});

async function receiver(status = 200) {
  let hits = 0;
  const server = await startLoopbackServer((req, res) => {
    hits += 1;
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  const handle = { url: `${server.url}/hook`, hits: () => hits, close: server.close };
  open.push(handle);
  return handle;
}

describe('ShipStation simulator: webhooks', () => {
  it('subscribes, lists in the spec shape, and unsubscribes', async () => {
    await start();
    const sub = await call('POST', '/webhooks/subscribe', { target_url: 'https://example.test/ship', event: 'SHIP_NOTIFY', store_id: 100001, friendly_name: 'Dockhand' });
    expect(sub.body).toEqual({ id: expect.any(Number) });
    const list = await call('GET', '/webhooks');
    expect(list.body.webhooks).toEqual([
      expect.objectContaining({ WebHookID: sub.body.id, HookType: 'SHIP_NOTIFY', StoreID: 100001, Url: 'https://example.test/ship', Name: 'Dockhand', MessageFormat: 'Json', Active: true, WebhookLogs: [] }),
    ]);
    const del = await call('DELETE', `/webhooks/${sub.body.id}`);
    expect(del).toMatchObject({ status: 200, text: '' });
    expect(sim.webhooks()).toEqual([]);
    expect((await call('DELETE', `/webhooks/${sub.body.id}`)).status).toBe(404);
  });

  it.each([
    ['snake_case misread as camelCase', { targetUrl: 'https://example.test/', event: 'SHIP_NOTIFY', friendly_name: 'x' }, 400],
    ['an unknown event', { target_url: 'https://example.test/', event: 'LABEL_NOTIFY', friendly_name: 'x' }, 400],
    ['a relative target_url', { target_url: '/hook', event: 'SHIP_NOTIFY', friendly_name: 'x' }, 400],
    ['an ftp target_url', { target_url: 'ftp://example.test/', event: 'SHIP_NOTIFY', friendly_name: 'x' }, 400],
    ['an unknown store', { target_url: 'https://example.test/', event: 'SHIP_NOTIFY', store_id: 5, friendly_name: 'x' }, 400],
  ])('refuses %s', async (_name, body, status) => {
    await start();
    expect((await call('POST', '/webhooks/subscribe', body)).status).toBe(status);
    expect(sim.webhooks()).toEqual([]);
  });

  it('delivers SHIP_NOTIFY only to SHIP_NOTIFY hooks of the label store, and records what the target answered', async () => {
    await start({ stores: [
      { storeId: 100001, storeName: 'Main', marketplaceName: 'ShipStation' },
      { storeId: 100002, storeName: 'Other', marketplaceName: 'ShipStation' },
    ] });
    const ok = await receiver(200);
    const failing = await receiver(500);
    const otherStore = await receiver(200);
    const orderHook = await receiver(200);
    await call('POST', '/webhooks/subscribe', { target_url: ok.url, event: 'SHIP_NOTIFY', friendly_name: 'all stores' });
    await call('POST', '/webhooks/subscribe', { target_url: failing.url, event: 'SHIP_NOTIFY', store_id: 100001, friendly_name: 'main' });
    await call('POST', '/webhooks/subscribe', { target_url: otherStore.url, event: 'SHIP_NOTIFY', store_id: 100002, friendly_name: 'other' });
    await call('POST', '/webhooks/subscribe', { target_url: orderHook.url, event: 'ORDER_NOTIFY', friendly_name: 'orders' });
    const orderId = await newOrder(1, 100001);
    await call('POST', '/orders/createlabelfororder', labelBody(orderId));
    await sim.flushWebhooks();
    expect(sim.webhookDeliveries().map((d) => [d.targetUrl, d.status])).toEqual([
      [ok.url, 200],
      [failing.url, 500],
    ]);
    expect([ok.hits(), failing.hits(), otherStore.hits(), orderHook.hits()]).toEqual([1, 1, 0, 0]);
  });

  it('records a target that cannot be reached as an error, and does not fail the label', async () => {
    await start();
    const gone = await receiver();
    await gone.close();
    await call('POST', '/webhooks/subscribe', { target_url: gone.url, event: 'SHIP_NOTIFY', friendly_name: 'x' });
    const r = await call('POST', '/orders/createlabelfororder', labelBody(await newOrder(1)));
    expect(r.status).toBe(200);
    await sim.flushWebhooks();
    expect(sim.webhookDeliveries()).toEqual([expect.objectContaining({ dropped: false, error: expect.any(String) })]);
    expect(sim.webhookDeliveries()[0]).not.toHaveProperty('status');
  });

  it('drops exactly the next n deliveries, then delivers again', async () => {
    await start();
    const hook = await receiver();
    await call('POST', '/webhooks/subscribe', { target_url: hook.url, event: 'SHIP_NOTIFY', friendly_name: 'x' });
    sim.dropWebhooks(2);
    for (let i = 1; i <= 3; i++) sim.createLabel(await newOrder(i));
    sim.createLabel(await newOrder(4), { notify: false });
    await sim.flushWebhooks();
    expect(sim.webhookDeliveries().map((d) => d.dropped)).toEqual([true, true, false]);
    expect(hook.hits()).toBe(1);
  });
});
