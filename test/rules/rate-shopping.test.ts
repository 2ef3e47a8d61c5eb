import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { nullNotifier } from '../../src/domain/notifier';
import { silentLogger } from '../../src/log/logger';
import { ShipStationNames } from '../../src/rules/names';
import { createRateShopper } from '../../src/rules/rate-shopper';
import { parseRules } from '../../src/rules/schema';
import { startShipStationSimulator, type ShipStationSimulator } from '../../src/sandbox/shipstation/simulator';
import { startShipStationV2Simulator, type ShipStationV2Simulator } from '../../src/sandbox/shipstation/v2-simulator';
import { createShipStationClient, type ShipStationClient } from '../../src/shipstation/client';
import type { GetRatesInput, Rate } from '../../src/shipstation/schemas';
import { createShipStationV2Client, type ShipStationV2Client, type V2RatesRequest, type V2RatesResponse } from '../../src/shipstation/v2-client';
import { Store } from '../../src/store/store';
import { orderKeyFor } from '../../src/sync/map-order';
import { readSpec } from '../support/specs';

/* eslint-disable @typescript-eslint/no-explicit-any */
const v1Spec = parse(readSpec('shipstation/shipstation-v1-openapi.ballerina.yaml')) as any;
const v2Spec = parse(readSpec('shipstation/shipstation-v2-openapi.yaml')) as any;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const v1Rates = ajv.compile({ type: 'array', items: { $ref: '#/components/schemas/GetRatesresponse' }, components: v1Spec.components });
const v2Rate = ajv.compile({ $ref: '#/components/schemas/rate', components: v2Spec.components });

/** Property names a v2 schema allows, through its allOf/oneOf parts. */
function v2Props(name: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  const walk = (s: any) => {
    if (!s || typeof s !== 'object') return;
    if (s.$ref) {
      const n = String(s.$ref).split('/').pop()!;
      if (!seen.has(n)) {
        seen.add(n);
        walk(v2Spec.components.schemas[n]);
      }
      return;
    }
    for (const k of Object.keys(s.properties ?? {})) out.add(k);
    for (const part of [...(s.allOf ?? []), ...(s.oneOf ?? []), ...(s.anyOf ?? [])]) walk(part);
  };
  walk(v2Spec.components.schemas[name]);
  return out;
}
const unknownKeys = (o: object, allowed: Set<string>) => Object.keys(o).filter((k) => !allowed.has(k));

const KEY = 'k';
const SECRET = 's';
const NOW = Date.parse('2026-03-02T18:00:00Z');
const DAY = 86_400_000;
const TRANSIT = { usps_first_class_mail: 3, usps_priority_mail: 2, usps_priority_mail_express: 1, ups_ground: 3, ups_2nd_day_air: 2, ups_next_day_air: 1, fedex_ground: 3, fedex_2day: 2, fedex_standard_overnight: 1 };

let sim: ShipStationSimulator;
let sim2: ShipStationV2Simulator;
let store: Store;
let client: ShipStationClient;
const sentV1: Array<{ input: GetRatesInput; rates: Rate[] }> = [];
const sentV2: Array<{ body: V2RatesRequest; res: V2RatesResponse }> = [];

beforeEach(async () => {
  sim = await startShipStationSimulator({
    apiKey: KEY,
    apiSecret: SECRET,
    clock: () => NOW,
    warehouses: [
      { warehouseId: 200001, warehouseName: 'Austin', isDefault: true },
      { warehouseId: 200002, warehouseName: 'Reno', origin: { city: 'Reno', state: 'NV', postalCode: '89501' } },
    ],
  });
  sim2 = await startShipStationV2Simulator({ apiKey: 'v2key', clock: () => NOW });
  store = await Store.open({ memory: true });
  const real = createShipStationClient({ baseUrl: sim.url, apiKey: KEY, apiSecret: SECRET, retryBaseMs: 1 });
  // Records what rate shopping sends and gets, to hold both against the spec.
  client = { ...real, getRates: async (input) => { const rates = await real.getRates(input); sentV1.push({ input, rates }); return rates; } };
  sentV1.length = 0;
  sentV2.length = 0;
});
afterEach(async () => {
  await sim.close();
  await sim2.close();
  await store.close();
});

async function placeOrder(n: number, opts: { weightOz?: number; prime?: boolean; latestDelivery?: number; rule?: string } = {}) {
  const amazonOrderId = `111-0000000-000000${n}`;
  const orderKey = orderKeyFor('us', amazonOrderId);
  const o = await client.createOrder({
    orderNumber: amazonOrderId,
    orderKey,
    orderDate: '2026-03-02T08:00:00.0000000',
    orderStatus: 'awaiting_shipment',
    billTo: { name: 'B' },
    shipTo: { name: 'B', street1: '1 Market St', city: 'San Francisco', state: 'CA', postalCode: '94105', country: 'US', residential: true },
    items: [{ lineItemKey: '1', sku: 'WH-1', quantity: 1 }],
    ...(opts.weightOz ? { weight: { value: opts.weightOz, units: 'ounces' } } : {}),
    advancedOptions: { warehouseId: 200002 },
  });
  const key = `us:${amazonOrderId}`;
  await store.orders.set(key, { accountId: 'us', amazonOrderId, orderKey, state: 'sent', amazonStatus: 'unshipped', lastUpdatedTime: '2026-03-02T08:00:00Z', firstSeenAt: '2026-03-02T08:00:00Z', unmappedSkus: [], isPrime: opts.prime ?? false, shipstationOrderId: o.orderId });
  await store.rules.requestRateShops([{ orderKey: key, accountId: 'us', amazonOrderId, requestedAt: new Date(NOW).toISOString(), rule: opts.rule ?? 'shop', latestDeliveryAt: new Date(opts.latestDelivery ?? NOW + 2 * DAY).toISOString(), prime: opts.prime ?? false }]);
  return { key, orderId: o.orderId };
}

function shopper(v2?: ShipStationV2Client, createLabel = false) {
  const { rules } = parseRules([
    { name: 'shop', then: { rateShop: { policy: 'cheapest_on_time', carriers: ['ups', 'fedex', 'stamps_com'], createLabel } } },
    { name: 'cheap', then: { rateShop: { policy: 'cheapest', carriers: ['ups', 'stamps_com'] } } },
  ]);
  return createRateShopper({
    store,
    shipstation: client,
    ...(v2 ? { v2 } : {}),
    names: new ShipStationNames(client, () => NOW),
    rules,
    config: { transitDays: TRANSIT, cacheMinutes: 60 },
    notifier: nullNotifier,
    logger: silentLogger,
    now: () => new Date(NOW),
  });
}

describe('rate shopping with ShipStation v1', () => {
  it('puts the cheapest on-time service on the order and keeps the runner-up and the saving', async () => {
    const { key, orderId } = await placeOrder(1, { weightOz: 12 });
    const r = await shopper().drainAll();
    expect(r).toEqual({ chosen: 1, failed: 0, waiting: 0 });
    const order = sim.orders().find((o) => o.orderId === orderId)!;
    // Two days to deliver: first class (3 days) and ground are too slow; Priority Mail is the cheapest that arrives.
    expect([order.carrierCode, order.serviceCode]).toEqual(['stamps_com', 'usps_priority_mail']);
    expect(order.advancedOptions.warehouseId).toBe(200002);
    const choice = (await store.rules.rateChoiceOf(key))!;
    expect(choice).toMatchObject({ state: 'chosen', chosen: { serviceCode: 'usps_priority_mail', estimated: 'table' }, runnerUp: { serviceCode: 'fedex_2day' } });
    expect(choice.saving).toBeCloseTo(choice.runnerUp!.cost - choice.chosen!.cost, 2);
    // One getrates call per allowed carrier, from the Reno warehouse's postal code.
    expect(sentV1.map((s) => s.input.carrierCode).sort()).toEqual(['fedex', 'stamps_com', 'ups']);
    expect(new Set(sentV1.map((s) => s.input.fromPostalCode))).toEqual(new Set(['89501']));
  });

  it('sends getrates requests and reads answers as the v1 spec has them', async () => {
    await placeOrder(1, { weightOz: 12 });
    await shopper().drainAll();
    const allowed = new Set(Object.keys(v1Spec.components.schemas.GetRatesrequest.properties));
    for (const { input, rates } of sentV1) {
      expect(unknownKeys(input, allowed)).toEqual([]);
      // The field table's required fields (the generated schema marks more).
      for (const k of ['carrierCode', 'fromPostalCode', 'toCountry', 'toPostalCode', 'weight']) expect(input).toHaveProperty(k);
      expect(v1Rates(rates), JSON.stringify(v1Rates.errors)).toBe(true);
    }
  });

  it('quotes a burst of similar orders from the cache', async () => {
    for (let i = 1; i <= 5; i++) await placeOrder(i, { weightOz: 12 + i / 10 });
    const s = shopper();
    expect((await s.drainAll()).chosen).toBe(5);
    expect(sentV1).toHaveLength(3);
    expect(s.stats()).toMatchObject({ cacheMisses: 3, cacheHits: 12 });
  });

  it('leaves the order without a service and says why when no service meets the promise', async () => {
    const { key, orderId } = await placeOrder(1, { weightOz: 12, latestDelivery: NOW + DAY / 2 });
    expect((await shopper().drainAll()).failed).toBe(1);
    expect(sim.orders().find((o) => o.orderId === orderId)!.serviceCode).toBeNull();
    expect((await store.rules.rateChoiceOf(key))!.why).toBe("no service meets Amazon's latest delivery date");
  });

  it('says the weight is unknown rather than guessing', async () => {
    const { key } = await placeOrder(1);
    await shopper().drainAll();
    expect((await store.rules.rateChoiceOf(key))!).toMatchObject({ state: 'failed', why: expect.stringMatching(/weight unknown/) });
  });

  it('keeps a service staff set in ShipStation', async () => {
    const { orderId, key } = await placeOrder(1, { weightOz: 12 });
    sim.staffEdit(orderId, { carrierCode: 'ups', serviceCode: 'ups_ground' });
    await shopper().drainAll();
    expect(sim.orders().find((o) => o.orderId === orderId)!.serviceCode).toBe('ups_ground');
    expect((await store.rules.rateChoiceOf(key))!.state).toBe('failed');
  });

  it('reads a burst of waiting orders back with one GET /orders page, not one GET each', async () => {
    for (let i = 1; i <= 5; i++) await placeOrder(i, { weightOz: 12 });
    sim.resetStats();
    expect((await shopper().drainAll()).chosen).toBe(5);
    const req = sim.stats().requests;
    expect(req['GET /orders']).toBe(1);
    expect(req['GET /orders/{orderId}']).toBeUndefined();
    expect(sim.orders().every((o) => o.serviceCode === 'usps_priority_mail')).toBe(true);
  });

  it('keeps what staff changed in ShipStation when the orders are read back in a page', async () => {
    const a = await placeOrder(1, { weightOz: 12 });
    const b = await placeOrder(2, { weightOz: 12 });
    sim.staffEdit(a.orderId, { carrierCode: 'ups', serviceCode: 'ups_ground' });
    sim.staffEdit(b.orderId, { internalNotes: 'gift wrap' });
    await shopper().drainAll();
    const [oa, ob] = [a.orderId, b.orderId].map((id) => sim.orders().find((o) => o.orderId === id)!);
    expect(oa!.serviceCode).toBe('ups_ground');
    expect((await store.rules.rateChoiceOf(a.key))!.state).toBe('failed');
    expect(ob!.serviceCode).toBe('usps_priority_mail');
    expect(ob!.internalNotes).toBe('gift wrap');
    // Every order exactly once in ShipStation.
    expect(sim.orders()).toHaveLength(2);
  });

  it("stops quoting for the import's share of the window and says when it resets", async () => {
    await placeOrder(1, { weightOz: 12 });
    await placeOrder(2, { weightOz: 12 });
    // Other work (the import) has left fewer than 10 calls in this window.
    for (let i = 0; i < 32; i++) await client.listTags();
    sim.resetStats();
    const s = shopper();
    const r = await s.drainOnce(10);
    expect(r).toMatchObject({ chosen: 0, waiting: 2 });
    expect(r.budgetResetAt).toBeGreaterThan(Date.now());
    expect(sim.stats().requests).toEqual({});
    // The next pass is due when the window resets, not a whole idle interval later.
    const before = Date.now();
    expect(s.nextPassInMs(r, 3_600_000)).toBeLessThanOrEqual(r.budgetResetAt! - before + 50);
    expect(s.nextPassInMs({ chosen: 1, failed: 0, waiting: 0 }, 5_000)).toBe(5_000);
  });

  it('gives way to an import pass: what it quoted goes out, the rest waits, and it looks again soon', async () => {
    const a = await placeOrder(1, { weightOz: 12 });
    const b = await placeOrder(2, { weightOz: 12 });
    const s = shopper();
    sim.resetStats();
    expect(await s.drainOnce(0, 200, () => true)).toEqual({ chosen: 0, failed: 0, waiting: 0, yielded: true });
    expect(sim.stats().requests).toEqual({});
    // The import starts while the first order is being quoted.
    let asked = 0;
    const r = await s.drainOnce(0, 200, () => ++asked > 2);
    expect(r).toMatchObject({ chosen: 1, waiting: 1, yielded: true });
    expect(s.nextPassInMs(r, 5_000)).toBe(250);
    expect((await store.rules.rateChoiceOf(a.key))!.state).toBe('chosen');
    expect((await store.rules.rateChoiceOf(b.key))!.state).toBe('pending');
    expect((await s.drainAll()).chosen).toBe(1);
  });

  it('buys the label when the rule says so, but never for Seller Fulfilled Prime', async () => {
    await placeOrder(1, { weightOz: 12 });
    await placeOrder(2, { weightOz: 12, prime: true });
    await shopper(undefined, true).drainAll();
    expect(sim.shipments().map((s) => s.orderNumber)).toEqual(['111-0000000-0000001']);
  });

  it('retries rates after a passing failure without holding other orders up', async () => {
    const { key } = await placeOrder(1, { weightOz: 12 });
    sim.failNext(4, 503);
    const s = shopper();
    const first = await s.drainOnce(0);
    expect(first.waiting).toBe(1);
    expect((await store.rules.rateChoiceOf(key))!.state).toBe('pending');
    expect((await s.drainAll()).chosen).toBe(1);
  });
});

describe('rate shopping with ShipStation v2', () => {
  it('quotes every carrier in one /v2/rates call and uses its delivery estimates', async () => {
    const real = createShipStationV2Client({ baseUrl: sim2.url, apiKey: 'v2key' });
    const v2: ShipStationV2Client = { ...real, calculateRates: async (body) => { const res = await real.calculateRates(body); sentV2.push({ body, res }); return res; } };
    const { key, orderId } = await placeOrder(1, { weightOz: 12, latestDelivery: NOW + 2 * DAY + 3_600_000 });
    await placeOrder(2, { weightOz: 11.5, latestDelivery: NOW + 2 * DAY + 3_600_000 });
    expect((await shopper(v2).drainAll()).chosen).toBe(2);
    expect(sentV2).toHaveLength(1);
    expect(sentV1).toHaveLength(0);
    expect(sim.orders().find((o) => o.orderId === orderId)!.serviceCode).toBe('usps_priority_mail');
    expect((await store.rules.rateChoiceOf(key))!.chosen!.estimated).toBe('v2');
  });

  it('sends /v2/rates requests and reads answers as the v2 spec has them', async () => {
    const real = createShipStationV2Client({ baseUrl: sim2.url, apiKey: 'v2key' });
    const v2: ShipStationV2Client = { ...real, calculateRates: async (body) => { const res = await real.calculateRates(body); sentV2.push({ body, res }); return res; } };
    await placeOrder(1, { weightOz: 12 });
    await shopper(v2).drainAll();
    const { body, res } = sentV2[0]!;
    expect(unknownKeys(body, v2Props('calculate_rates_request_body'))).toEqual([]);
    expect(unknownKeys(body.rate_options, v2Props('rate_request_body'))).toEqual([]);
    expect(body.rate_options.carrier_ids.every((id) => /^se(-[a-z0-9]+)+$/.test(id))).toBe(true);
    expect(unknownKeys(body.shipment, v2Props('address_validating_shipment'))).toEqual([]);
    expect(unknownKeys(body.shipment.ship_to, v2Props('address'))).toEqual([]);
    expect(unknownKeys(body.shipment.packages[0]!, v2Props('package'))).toEqual([]);
    expect(res.rate_response.rates!.length).toBeGreaterThan(0);
    for (const rate of res.rate_response.rates!) expect(v2Rate(rate), JSON.stringify(v2Rate.errors)).toBe(true);
  });

  it("waits out v2's Retry-After when the key's 200 calls a minute are spent, then answers", async () => {
    // The simulator's clock runs with ours, and jumps by what the client waits: the 201st call of the minute meets a 429.
    let t = NOW;
    const realStart = Date.now();
    const waits: number[] = [];
    const limited = await startShipStationV2Simulator({ apiKey: 'v2key', rateScale: 1, clock: () => t + (Date.now() - realStart) });
    try {
      const v2 = createShipStationV2Client({ baseUrl: limited.url, apiKey: 'v2key', sleep: async (ms) => void (waits.push(ms), (t += ms)) });
      const answers = [];
      for (let i = 0; i < 202; i++) answers.push(await v2.listCarriers());
      expect(answers.every((a) => a.length > 0)).toBe(true);
      expect(limited.stats()['429']).toBe(1);
      // It waited what Retry-After said (the rest of the minute) and the call went through.
      expect(waits[0]).toBeGreaterThan(50_000);
    } finally {
      await limited.close();
    }
  });

  it('refuses a call without the API key', async () => {
    const bad = createShipStationV2Client({ baseUrl: sim2.url, apiKey: 'wrong' });
    await expect(bad.listCarriers()).rejects.toMatchObject({ code: 'shipstation.auth_rejected' });
  });
});
