import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  startShipStationSimulator,
  type ShipStationSimulator,
  type ShipStationSimulatorOptions,
} from '../../../src/sandbox/shipstation/simulator';
import { readSpec } from '../../support/specs';

// ------------------------------------------------------------------ spec helpers

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  example?: unknown;
};
// The spec is read as plain data; the helpers below check the shapes they rely on.
const spec = parse(readSpec('shipstation/shipstation-v1-openapi.ballerina.yaml')) as any;

function deref(s: Schema): Schema {
  if (!s.$ref) return s;
  const name = s.$ref.replace('#/components/schemas/', '');
  const found = spec.components.schemas[name] as Schema | undefined;
  if (!found) throw new Error(`spec has no schema ${name}`);
  return found;
}

/** The 200 response schema of an operation, read from the spec's paths (not hard-coded). */
function responseSchema(path: string, method: string): Schema {
  return spec.paths[path][method].responses['200'].content['application/json'].schema as Schema;
}

/**
 * Every property the spec's schema lists must be present in the value (null allowed; the v1
 * schemas are loose about types). Recurses into non-null objects and arrays' first element.
 * Keys from the schema's own `example` count too, since some schemas list fields only there.
 */
function missingFields(value: unknown, schemaIn: Schema, at = '$'): string[] {
  const schema = deref(schemaIn);
  if (schema.type === 'array' || schema.items) {
    if (!Array.isArray(value)) return [`${at} (expected array)`];
    return value.length > 0 && schema.items ? missingFields(value[0], schema.items, `${at}[0]`) : [];
  }
  if (!schema.properties) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at} (expected object)`];
  const v = value as Record<string, unknown>;
  const exampleKeys =
    typeof schema.example === 'object' && schema.example !== null && !Array.isArray(schema.example) ? Object.keys(schema.example) : [];
  const out: string[] = [];
  for (const key of new Set([...Object.keys(schema.properties), ...exampleKeys])) {
    if (!(key in v)) out.push(`${at}.${key}`);
    else if (v[key] !== null && schema.properties[key]) out.push(...missingFields(v[key], schema.properties[key]!, `${at}.${key}`));
  }
  return out;
}

/** Builds a request body from the property `example`s a spec schema carries. */
function exampleFrom(schemaIn: Schema): unknown {
  const schema = deref(schemaIn);
  if (schema.example !== undefined) return schema.example;
  if (schema.items) {
    const one = exampleFrom(schema.items);
    return one === undefined ? [] : [one];
  }
  if (schema.properties) {
    return Object.fromEntries(
      Object.entries(schema.properties)
        .map(([k, s]) => [k, exampleFrom(s)] as const)
        .filter(([, v]) => v !== undefined),
    );
  }
  return undefined;
}

// ------------------------------------------------------------------ harness

const KEY = 'sandbox-key';
const SECRET = 'sandbox-secret';
const AUTH = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`;
const T0 = Date.parse('2026-11-28T17:15:00Z'); // 09:15 Pacific

let sim: ShipStationSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(extra: Partial<ShipStationSimulatorOptions> = {}) {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  sim = await startShipStationSimulator({ apiKey: KEY, apiSecret: SECRET, clock: clock.now, ...extra });
  return { sim, clock };
}

interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

async function call(method: string, path: string, body?: unknown, auth: string | null = AUTH): Promise<Reply> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (auth) headers.Authorization = auth;
  const res = await fetch(`${sim!.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

function order(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderNumber: '113-1234567-1234567',
    orderDate: '2026-11-28T08:00:00.0000000',
    paymentDate: '2026-11-28T08:00:05.0000000',
    shipByDate: '2026-11-30T00:00:00.0000000',
    orderStatus: 'awaiting_shipment',
    customerUsername: 'buyer-1',
    billTo: { name: 'Test Buyer' },
    shipTo: { name: 'Test Buyer', street1: '1 Main St', city: 'Austin', state: 'TX', postalCode: '78701', country: 'US', residential: true },
    items: [{ lineItemKey: '50501234567890', sku: 'MUG-01', name: 'Mug', quantity: 2, unitPrice: 12.5, weight: { value: 10, units: 'ounces' } }],
    amountPaid: 30,
    taxAmount: 2,
    shippingAmount: 3,
    requestedShippingService: 'Standard',
    advancedOptions: { storeId: 100001, customField1: 'amazon' },
    ...overrides,
  };
}

const ORDER_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$/;

// ------------------------------------------------------------------ tests

describe('ShipStation simulator: auth', () => {
  it.each([
    ['no Authorization header', null],
    ['wrong secret', `Basic ${Buffer.from(`${KEY}:nope`).toString('base64')}`],
    ['not Basic', 'Bearer abc'],
  ])('answers 401 with no JSON body for %s', async (_name, auth) => {
    await start();
    const r = await call('GET', '/stores', undefined, auth);
    expect(r.status).toBe(401);
    expect(r.body).toBeUndefined();
  });

  it('answers 200 with the right key and secret', async () => {
    await start();
    const r = await call('GET', '/stores');
    expect(r.status).toBe(200);
    expect(r.body).toEqual([expect.objectContaining({ storeId: 100001, storeName: 'Dockhand Sandbox', active: true })]);
  });

  it('refuses a plan without API access differently from bad credentials', async () => {
    await start({ planRefusesApi: true });
    const ok = await call('POST', '/orders/createorder', order());
    expect(ok.status).toBe(402);
    expect(ok.body.Message).toMatch(/plan/i);
    const bad = await call('GET', '/stores', undefined, null);
    expect(bad.status).toBe(401);
    expect(sim!.orders()).toHaveLength(0);
  });
});

describe('ShipStation simulator: rate limit', () => {
  it('counts down 40 requests per window, then answers 429 until the window resets', async () => {
    const { clock } = await start();
    const remaining: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await call('GET', '/warehouses');
      expect(r.status).toBe(200);
      expect(r.headers.get('X-Rate-Limit-Limit')).toBe('40');
      remaining.push(r.headers.get('X-Rate-Limit-Remaining')!);
    }
    expect(remaining[0]).toBe('39');
    expect(remaining[39]).toBe('0');
    clock.advance(20_500);
    const throttled = await call('GET', '/warehouses');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('X-Rate-Limit-Remaining')).toBe('0');
    expect(throttled.headers.get('X-Rate-Limit-Reset')).toBe('40');
    expect(sim!.stats().throttled).toBe(1);
    clock.advance(39_500);
    const again = await call('GET', '/warehouses');
    expect(again.status).toBe(200);
    expect(again.headers.get('X-Rate-Limit-Remaining')).toBe('39');
    expect(again.headers.get('X-Rate-Limit-Reset')).toBe('60');
  });

  it('shrinks the window by rateScale and keeps the 40-request limit', async () => {
    const { clock } = await start({ rateScale: 60 });
    for (let i = 0; i < 40; i++) await call('GET', '/accounts/listtags');
    const r = await call('GET', '/accounts/listtags');
    expect(r.status).toBe(429);
    expect(r.headers.get('X-Rate-Limit-Reset')).toBe('1');
    clock.advance(1_000);
    expect((await call('GET', '/accounts/listtags')).status).toBe(200);
  });
});

describe('ShipStation simulator: createorder', () => {
  it('creates one order, formats dates in Pacific time, and derives totals', async () => {
    await start();
    const r = await call('POST', '/orders/createorder', order());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      orderNumber: '113-1234567-1234567',
      orderStatus: 'awaiting_shipment',
      createDate: '2026-11-28T09:15:00.0000000',
      orderDate: '2026-11-28T08:00:00.0000000',
      orderTotal: 30,
      shipTo: { residential: true, addressVerified: 'Address not yet validated' },
      advancedOptions: { storeId: 100001, warehouseId: 200001, customField1: 'amazon' },
    });
    expect(r.body.modifyDate).toMatch(ORDER_FORMAT);
    expect(typeof r.body.orderKey).toBe('string');
    expect(r.body.items[0]).toMatchObject({ lineItemKey: '50501234567890', orderItemId: expect.any(Number) });
  });

  it('does not create a second order when the same orderKey is sent twice; it updates the first', async () => {
    const { clock } = await start();
    const first = await call('POST', '/orders/createorder', order({ orderKey: 'amzn-113-1234567-1234567' }));
    clock.advance(60_000);
    const second = await call('POST', '/orders/createorder', order({ orderKey: 'amzn-113-1234567-1234567', internalNotes: 'second push' }));
    expect(second.status).toBe(200);
    expect(second.body.orderId).toBe(first.body.orderId);
    expect(second.body.items[0].orderItemId).toBe(first.body.items[0].orderItemId);
    expect(second.body.createDate).toBe(first.body.createDate);
    expect(second.body.modifyDate).toBe('2026-11-28T09:16:00.0000000');
    expect(sim!.orders()).toHaveLength(1);
    expect(sim!.getByOrderKey('amzn-113-1234567-1234567')?.internalNotes).toBe('second push');
  });

  it('creates a new order with its own generated orderKey each time no orderKey is sent', async () => {
    await start();
    const a = await call('POST', '/orders/createorder', order());
    const b = await call('POST', '/orders/createorder', order());
    expect(a.body.orderId).not.toBe(b.body.orderId);
    expect(a.body.orderKey).not.toBe(b.body.orderKey);
    expect(sim!.getByOrderNumber('113-1234567-1234567')).toHaveLength(2);
  });

  it.each([
    ['shipped in the UI', (s: ShipStationSimulator, id: number) => void s.markShipped(id)],
    ['cancelled through the API', async (_s: ShipStationSimulator, _id: number) => {
      await call('POST', '/orders/createorder', order({ orderKey: 'locked-key', orderStatus: 'cancelled' }));
    }],
  ])('refuses to update an order %s (locked) and leaves it unchanged', async (_name, lock) => {
    await start();
    const created = await call('POST', '/orders/createorder', order({ orderKey: 'locked-key' }));
    await lock(sim!, created.body.orderId as number);
    const before = sim!.getByOrderKey('locked-key');
    const r = await call('POST', '/orders/createorder', order({ orderKey: 'locked-key', internalNotes: 'too late' }));
    expect(r.status).toBe(400);
    expect(r.body.Message).toMatch(/locked/);
    expect(sim!.getByOrderKey('locked-key')).toEqual(before);
  });

  it.each([
    ['missing orderNumber', { orderNumber: undefined }, 'apiOrder.orderNumber'],
    ['numeric orderNumber', { orderNumber: 123 }, 'apiOrder.orderNumber'],
    ['missing orderDate', { orderDate: undefined }, 'apiOrder.orderDate'],
    ['unparseable orderDate', { orderDate: 'yesterday' }, 'apiOrder.orderDate'],
    ['status outside the createorder table', { orderStatus: 'pending_fulfillment' }, 'apiOrder.orderStatus'],
    ['missing billTo', { billTo: undefined }, 'apiOrder.billTo'],
    ['missing shipTo', { shipTo: null }, 'apiOrder.shipTo'],
    ['items not an array', { items: { sku: 'X' } }, 'apiOrder.items'],
    ['fractional quantity', { items: [{ sku: 'X', quantity: 1.5, unitPrice: 1 }] }, 'apiOrder.items[0].quantity'],
    ['unknown weight unit', { weight: { value: 1, units: 'kilos' } }, 'apiOrder.weight.units'],
    ['unknown confirmation', { confirmation: 'maybe' }, 'apiOrder.confirmation'],
    ['unknown storeId', { advancedOptions: { storeId: 999 } }, 'apiOrder.advancedOptions.storeId'],
    ['unknown warehouseId', { advancedOptions: { warehouseId: 999 } }, 'apiOrder.advancedOptions.warehouseId'],
    ['tagIds not integers', { tagIds: ['Prime'] }, 'apiOrder.tagIds'],
  ])('answers 400 ModelState for %s', async (_name, patch, key) => {
    await start();
    const r = await call('POST', '/orders/createorder', order(patch));
    expect(r.status).toBe(400);
    expect(r.body.Message).toBe('The request is invalid.');
    expect(Object.keys(r.body.ModelState)).toContain(key);
    expect(sim!.orders()).toHaveLength(0);
  });

  it('answers 400 for a body that is not JSON', async () => {
    await start();
    const res = await fetch(`${sim!.url}/orders/createorder`, { method: 'POST', headers: { Authorization: AUTH }, body: '{nope' });
    expect(res.status).toBe(400);
  });
});

describe('ShipStation simulator: createorders', () => {
  it('processes each order alone: a bad one fails, the others are stored', async () => {
    await start();
    const r = await call('POST', '/orders/createorders', [
      order({ orderNumber: 'A-1', orderKey: 'k-a1' }),
      order({ orderNumber: undefined, orderKey: 'k-bad' }),
      order({ orderNumber: 'A-3', orderKey: 'k-a3' }),
    ]);
    expect(r.status).toBe(200);
    expect(r.body.hasErrors).toBe(true);
    expect(r.body.results.map((x: { success: boolean }) => x.success)).toEqual([true, false, true]);
    expect(r.body.results[1]).toMatchObject({ orderKey: 'k-bad', orderId: 0, errorMessage: expect.stringMatching(/orderNumber/) });
    expect(sim!.orders().map((o) => o.orderKey)).toEqual(['k-a1', 'k-a3']);
    expect(sim!.stats().createOrdersCalls).toBe(1);
  });

  it('reports a locked order in its result without failing the batch', async () => {
    await start();
    await call('POST', '/orders/createorders', [order({ orderKey: 'k1' })]);
    sim!.markShipped(sim!.getByOrderKey('k1')!.orderId);
    const r = await call('POST', '/orders/createorders', [order({ orderKey: 'k1' }), order({ orderKey: 'k2' })]);
    expect(r.body.results.map((x: { success: boolean }) => x.success)).toEqual([false, true]);
    expect(r.body.results[0].errorMessage).toMatch(/locked/);
  });

  it('rejects more than 100 orders in one request and stores none', async () => {
    await start();
    const batch = Array.from({ length: 101 }, (_, i) => order({ orderNumber: `N-${i}`, orderKey: `k-${i}` }));
    const r = await call('POST', '/orders/createorders', batch);
    expect(r.status).toBe(400);
    expect(r.body.Message).toBe('The request is invalid.');
    expect(sim!.orders()).toHaveLength(0);
    const ok = await call('POST', '/orders/createorders', batch.slice(0, 100));
    expect(ok.body.hasErrors).toBe(false);
    expect(sim!.orders()).toHaveLength(100);
  });
});

describe('ShipStation simulator: GET /orders', () => {
  async function seed() {
    const { clock } = await start({
      stores: [
        { storeId: 100001, storeName: 'Dockhand Sandbox', marketplaceName: 'ShipStation' },
        { storeId: 100002, storeName: 'Amazon US', marketplaceName: 'Amazon', marketplaceId: 2 },
      ],
    });
    for (let i = 1; i <= 5; i++) {
      await call('POST', '/orders/createorder', order({
        orderNumber: i <= 3 ? `113-00${i}` : `114-00${i}`,
        orderKey: `k${i}`,
        orderStatus: i === 5 ? 'on_hold' : 'awaiting_shipment',
        advancedOptions: { storeId: i % 2 === 0 ? 100002 : 100001 },
      }));
      clock.advance(3_600_000); // one hour apart: 09:15, 10:15, ... Pacific
    }
    return clock;
  }

  it.each([
    ['orderNumber is a starts-with search', '?orderNumber=113', ['k1', 'k2', 'k3']],
    ['orderStatus', '?orderStatus=on_hold', ['k5']],
    ['storeId', '?storeId=100002', ['k2', 'k4']],
    ['createDate range (Pacific, no offset)', '?createDateStart=2026-11-28%2010:00:00&createDateEnd=2026-11-28%2012:00:00', ['k2', 'k3']],
    ['modifyDateStart', '?modifyDateStart=2026-11-28%2013:00:00', ['k5']],
    ['sortBy CreateDate DESC', '?sortBy=CreateDate&sortDir=DESC', ['k5', 'k4', 'k3', 'k2', 'k1']],
  ])('filters by %s', async (_name, query, keys) => {
    await seed();
    const r = await call('GET', `/orders${query}`);
    expect(r.status).toBe(200);
    expect(r.body.orders.map((o: { orderKey: string }) => o.orderKey)).toEqual(keys);
    expect(r.body.total).toBe(keys.length);
  });

  it('pages with page and pageSize', async () => {
    await seed();
    const r = await call('GET', '/orders?pageSize=2&page=2');
    expect(r.body).toMatchObject({ total: 5, page: 2, pages: 3 });
    expect(r.body.orders.map((o: { orderKey: string }) => o.orderKey)).toEqual(['k3', 'k4']);
    const past = await call('GET', '/orders?pageSize=2&page=4');
    expect(past.body.orders).toEqual([]);
  });

  it.each([['pageSize above 500', '?pageSize=501'], ['unknown orderStatus', '?orderStatus=lost'], ['bad date', '?createDateStart=soon']])(
    'answers 400 for %s',
    async (_name, query) => {
      await start();
      expect((await call('GET', `/orders${query}`)).status).toBe(400);
    },
  );

  it('gets one order by id, 404s an unknown id, and hides deleted orders', async () => {
    await start();
    const created = await call('POST', '/orders/createorder', order({ orderKey: 'k1' }));
    const id = created.body.orderId as number;
    expect((await call('GET', `/orders/${id}`)).body).toEqual(created.body);
    expect((await call('GET', '/orders/999')).status).toBe(404);
    const del = await call('DELETE', `/orders/${id}`);
    expect(del.body).toEqual({ success: true, message: 'The requested order has been deleted.' });
    expect((await call('GET', `/orders/${id}`)).status).toBe(404);
    expect((await call('GET', '/orders')).body.total).toBe(0);
  });
});

describe('ShipStation simulator: holduntil, addtag, staff edits, failures, stats', () => {
  it('holds an order until a date and tags it with a known tag', async () => {
    await start();
    const { body: o } = await call('POST', '/orders/createorder', order());
    const held = await call('POST', '/orders/holduntil', { orderId: o.orderId, holdUntilDate: '2026-12-01' });
    expect(held.body).toEqual({ success: true, message: 'Order held successfully.' });
    const tagged = await call('POST', '/orders/addtag', { orderId: o.orderId, tagId: 300001 });
    expect(tagged.body).toEqual({ success: true, message: 'Tag added successfully.' });
    expect((await call('POST', '/orders/addtag', { orderId: o.orderId, tagId: 1 })).status).toBe(400);
    expect(sim!.orders()[0]).toMatchObject({ orderStatus: 'on_hold', holdUntilDate: '2026-12-01', tagIds: [300001] });
  });

  it('records a staff edit with a new modifyDate, and a later full upsert replaces it', async () => {
    const { clock } = await start();
    const { body: o } = await call('POST', '/orders/createorder', order({ orderKey: 'k1' }));
    clock.advance(5 * 60_000);
    const edited = sim!.staffEdit(o.orderId, { warehouseId: 200001, tagIds: [300002], internalNotes: 'check address', serviceCode: 'usps_priority_mail' });
    expect(edited.modifyDate).toBe('2026-11-28T09:20:00.0000000');
    expect((await call('GET', `/orders/${o.orderId}`)).body).toMatchObject({ internalNotes: 'check address', tagIds: [300002], serviceCode: 'usps_priority_mail' });
    // ShipStation's createorder replaces the whole order: fields left out are cleared.
    await call('POST', '/orders/createorder', order({ orderKey: 'k1' }));
    expect(sim!.getByOrderKey('k1')).toMatchObject({ internalNotes: null, tagIds: null, serviceCode: null });
  });

  it('fails the next calls with the requested status, then recovers', async () => {
    await start();
    sim!.failNext(2, 503);
    expect((await call('POST', '/orders/createorder', order())).status).toBe(503);
    expect((await call('GET', '/stores')).status).toBe(503);
    expect((await call('POST', '/orders/createorder', order())).status).toBe(200);
    sim!.failNext(1, 500);
    const r = await call('GET', '/orders');
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ Message: 'An error has occurred.' });
    expect(sim!.orders()).toHaveLength(1);
  });

  it('counts requests by method and path template until reset', async () => {
    await start();
    await call('GET', '/orders/1');
    await call('GET', '/orders/2');
    await call('GET', '/Orders?page=1');
    expect(sim!.stats()).toEqual({ requests: { 'GET /orders/{orderId}': 2, 'GET /orders': 1 }, throttled: 0, createOrdersCalls: 0 });
    sim!.resetStats();
    expect(sim!.stats()).toEqual({ requests: {}, throttled: 0, createOrdersCalls: 0 });
  });
});

describe('ShipStation simulator: responses carry every field the v1 spec lists', () => {
  const SPEC_STORE = 12345; // ids from the spec's AdvancedOptions example
  const SPEC_WAREHOUSE = 98765;
  const specOpts = {
    stores: [{ storeId: SPEC_STORE, storeName: 'Spec Store', marketplaceName: 'ShipStation' }],
    warehouses: [{ warehouseId: SPEC_WAREHOUSE, warehouseName: 'Spec Warehouse', isDefault: true }],
  };
  const specOrder = () => exampleFrom({ $ref: '#/components/schemas/CreateOrUpdateMultipleOrdersrequest' }) as Record<string, unknown>;

  it('accepts an order built from the spec request examples', async () => {
    await start(specOpts);
    const body = specOrder();
    expect(body.orderDate).toBe('6/29/2015 8:46:27 AM');
    const r = await call('POST', '/orders/createorder', body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ orderNumber: 'TEST-ORDER-API-DOCS', orderDate: '2015-06-29T08:46:27.0000000', orderKey: body.orderKey });
  });

  it.each([
    ['POST /orders/createorder', '/orders/createorder', 'post'],
    ['GET /orders/{orderId}', '/orders/{orderId}', 'get'],
    ['GET /orders', '/orders', 'get'],
    ['POST /orders/createorders', '/orders/createorders', 'post'],
    ['GET /stores', '/stores', 'get'],
    ['GET /warehouses', '/warehouses', 'get'],
    ['GET /accounts/listtags', '/accounts/listtags', 'get'],
    ['POST /orders/createlabelfororder', '/orders/createlabelfororder', 'post'],
    ['GET /shipments (with items)', '/shipments', 'get'],
    ['POST /shipments/voidlabel', '/shipments/voidlabel', 'post'],
    ['POST /orders/markasshipped', '/orders/markasshipped', 'post'],
    ['GET /fulfillments', '/fulfillments', 'get'],
    ['POST /webhooks/subscribe', '/webhooks/subscribe', 'post'],
    ['GET /webhooks', '/webhooks', 'get'],
  ])('%s', async (_name, specPath, method) => {
    await start(specOpts);
    const created = await call('POST', '/orders/createorder', { ...specOrder(), tagIds: [300001] });
    const id = created.body.orderId as number;
    // Request bodies come from the spec's own examples, pointed at the order just created.
    const fromSpec = (schema: string, patch: Record<string, unknown> = {}) => ({
      ...(exampleFrom({ $ref: `#/components/schemas/${schema}` }) as Record<string, unknown>),
      ...patch,
    });
    const label = () => call('POST', '/orders/createlabelfororder', fromSpec('CreateLabelforOrderrequest', { orderId: id }));
    const reply = {
      '/orders/createlabelfororder': label,
      '/shipments': async () => {
        await label();
        return call('GET', '/shipments?includeShipmentItems=true');
      },
      '/shipments/voidlabel': async () => {
        const { body } = await label();
        return call('POST', '/shipments/voidlabel', fromSpec('VoidLabelrequest', { shipmentId: body.shipmentId }));
      },
      '/orders/markasshipped': () => call('POST', '/orders/markasshipped', fromSpec('MarkanOrderasShippedrequest', { orderId: id })),
      '/fulfillments': async () => {
        await call('POST', '/orders/markasshipped', fromSpec('MarkanOrderasShippedrequest', { orderId: id }));
        return call('GET', '/fulfillments');
      },
      '/webhooks/subscribe': () => call('POST', '/webhooks/subscribe', fromSpec('SubscribetoWebhookrequest')),
      '/webhooks': async () => {
        await call('POST', '/webhooks/subscribe', fromSpec('SubscribetoWebhookrequest'));
        return call('GET', '/webhooks');
      },
      '/orders/createorder': () => Promise.resolve(created),
      '/orders/{orderId}': () => call('GET', `/orders/${id}`),
      '/orders': () => call('GET', '/orders'),
      '/orders/createorders': () => call('POST', '/orders/createorders', [specOrder()]),
      '/stores': () => call('GET', '/stores'),
      '/warehouses': () => call('GET', '/warehouses'),
      '/accounts/listtags': () => call('GET', '/accounts/listtags'),
    }[specPath]!;
    const r = await reply();
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const schema = responseSchema(specPath, method);
    expect(missingFields(r.body, schema)).toEqual([]);
  });

  it('the checker itself notices a missing field', () => {
    const schema = responseSchema('/orders/createorders', 'post');
    expect(missingFields({ hasErrors: false, results: [{ orderId: 1, orderNumber: 'x', success: true, errorMessage: null }] }, schema)).toEqual([
      '$.results[0].orderKey',
    ]);
  });
});
