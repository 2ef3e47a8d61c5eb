import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger';
import { DockhandError } from '../../src/domain/errors';
import {
  createAmazonOrdersClient,
  fetchDockhandOrder,
  fetchOrderPage,
  type AmazonOrdersClient,
  type AmazonOrdersClientOptions,
} from '../../src/amazon/orders-client';
import { createOrderFactory, UNKNOWN_MARKETPLACE_ID, US_MARKETPLACE_ID, type OrderKind } from '../../src/sandbox/amazon/order-factory';
import {
  LWA_STATS_KEY,
  SANDBOX_LWA_CREDENTIALS,
  startSpApiSimulator,
  type SpApiSimulator,
  type SpApiSimulatorOptions,
} from '../../src/sandbox/amazon/sp-api-simulator';
import { createSandboxTls, type SandboxTls } from '../../src/sandbox/tls';

const SINCE = '2020-01-01T00:00:00Z';
const HOUR = 3600_000;

let tls: SandboxTls;
beforeAll(() => {
  // One CA for the whole file: key generation is the slow part of starting a simulator.
  tls = createSandboxTls();
});

const open: { sims: SpApiSimulator[]; clients: AmazonOrdersClient[]; servers: Server[] } = { sims: [], clients: [], servers: [] };
afterEach(async () => {
  await Promise.all(open.clients.map((c) => c.close()));
  await Promise.all(open.sims.map((s) => s.close()));
  await Promise.all(open.servers.map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
  open.clients = [];
  open.sims = [];
  open.servers = [];
});

async function sim(opts: SpApiSimulatorOptions = {}): Promise<SpApiSimulator> {
  const s = await startSpApiSimulator({ tls, ...opts });
  open.sims.push(s);
  return s;
}

function client(s: { url: string; lwaUrl: string }, opts: Partial<AmazonOrdersClientOptions> = {}): AmazonOrdersClient {
  const c = createAmazonOrdersClient({
    region: 'na',
    clientId: SANDBOX_LWA_CREDENTIALS.clientId,
    clientSecret: SANDBOX_LWA_CREDENTIALS.clientSecret,
    refreshToken: SANDBOX_LWA_CREDENTIALS.refreshToken,
    spApiUrl: s.url,
    lwaUrl: s.lwaUrl,
    ca: tls.caCertPem,
    retryBaseMs: 5,
    random: () => 0.5,
    ...opts,
  });
  open.clients.push(c);
  return c;
}

async function caught(p: Promise<unknown>): Promise<DockhandError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DockhandError) return e;
    throw e;
  }
  throw new Error('expected a DockhandError');
}

/** Orders stamped an hour ago, so they sit well inside any search window ending now. */
function factory(seed = 1) {
  return createOrderFactory(seed, { now: () => Date.now() - HOUR });
}

describe('searchOrders', () => {
  it('walks every page and asks for all the datasets it maps', async () => {
    const s = await sim();
    const f = factory();
    const kinds: OrderKind[] = ['standard', 'prime_next_day', 'business_multi_line', 'gift', 'standard'];
    const ids = kinds.map((k) => s.putOrder(f.make(k)).orderId);
    const c = client(s);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await c.searchOrders({ marketplaceIds: [US_MARKETPLACE_ID], lastUpdatedAfter: SINCE, maxResultsPerPage: 2, ...(token ? { paginationToken: token } : {}) });
      pages += 1;
      for (const o of page.orders) {
        seen.push(String(o['orderId']));
        expect(o).toHaveProperty('buyer');
        expect(o).toHaveProperty('recipient.deliveryAddress');
        expect(o).toHaveProperty('fulfillment.fulfillmentStatus');
        expect(o).toHaveProperty('proceeds.grandTotal');
      }
      expect(page.lastUpdatedBefore).toMatch(/^\d{4}-/);
      token = page.nextToken;
    } while (token);

    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());
    expect(s.stats().requests['searchOrders']).toBe(3);
  });

  it('returns merchant-fulfilled orders only unless asked', async () => {
    const s = await sim();
    const f = factory(2);
    const mfn = s.putOrder(f.make('standard')).orderId;
    const afn = s.putOrder(f.make('afn')).orderId;
    const c = client(s);
    const merchant = await c.searchOrders({ marketplaceIds: [US_MARKETPLACE_ID], lastUpdatedAfter: SINCE });
    expect(merchant.orders.map((o) => o['orderId'])).toEqual([mfn]);
    const both = await c.searchOrders({ marketplaceIds: [US_MARKETPLACE_ID], lastUpdatedAfter: SINCE, fulfilledBy: ['MERCHANT', 'AMAZON'] });
    expect(both.orders.map((o) => o['orderId']).sort()).toEqual([mfn, afn].sort());
  });

  it("maps Amazon's 400 to amazon.rejected with Amazon's message", async () => {
    const s = await sim();
    const err = await caught(client(s).searchOrders({ marketplaceIds: [US_MARKETPLACE_ID], lastUpdatedAfter: SINCE, createdAfter: SINCE }));
    expect(err.code).toBe('amazon.rejected');
    expect(err.status).toBe(400);
    expect(err.message).toContain('InvalidInput');
    expect(err.message).toContain('createdAfter');
    expect(err.transient).toBe(false);
  });
});

describe('fetchOrderPage', () => {
  it('maps good orders and sets bad ones aside without losing the page', async () => {
    const s = await sim();
    const f = factory(3);
    const good = [s.putOrder(f.make('standard')).orderId, s.putOrder(f.make('international')).orderId];
    const malformed = s.putOrder(f.make('malformed')).orderId;
    const foreign = s.putOrder(f.make('unknown_marketplace')).orderId;
    const international = s.getOrder(good[1]!)!.salesChannel.marketplaceId!;
    const c = client(s);

    const page = await fetchOrderPage(
      c,
      { marketplaceIds: [US_MARKETPLACE_ID, international, UNKNOWN_MARKETPLACE_ID], lastUpdatedAfter: SINCE },
      { accountId: 'acme', marketplaceIds: [US_MARKETPLACE_ID, international] },
    );
    expect(page.orders.map((o) => o.amazonOrderId).sort()).toEqual([...good].sort());
    expect(page.orders.every((o) => o.accountId === 'acme' && o.fulfilledBy === 'merchant')).toBe(true);
    expect(page.orders.find((o) => o.amazonOrderId === good[1])?.shipTo.line3).toBeDefined();
    expect(page.rejected.map((r) => [r.amazonOrderId, r.error.code]).sort()).toEqual(
      [[malformed, 'order.malformed'], [foreign, 'order.unknown_marketplace']].sort(),
    );
    expect(page.lastUpdatedBefore).toBeDefined();
    expect(page.nextToken).toBeUndefined();
  });
});

describe('logging', () => {
  it('logs ids, counts and statuses but never buyer data', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const logger = createLogger({ level: 'debug', destination: sink });
    const s = await sim();
    const f = factory(11);
    const wires = [s.putOrder(f.make('gift')), s.putOrder(f.make('malformed')), s.putOrder(f.make('business_multi_line'))];
    s.failNext(1, 500);
    const c = client(s, { logger });
    await fetchOrderPage(c, { marketplaceIds: [US_MARKETPLACE_ID], lastUpdatedAfter: SINCE }, { accountId: 'acme' }, logger);

    const log = lines.join('');
    expect(log).toContain('"status":500');
    expect(log).toContain(wires[1]!.orderId); // the rejected order is named
    for (const w of wires) {
      const a = w.recipient?.deliveryAddress;
      for (const secret of [w.buyer?.buyerName, w.buyer?.buyerEmail, a?.name, a?.addressLine1, a?.phone, a?.postalCode]) {
        if (secret) expect(log).not.toContain(secret);
      }
    }
  });
});

describe('getOrder', () => {
  it('fetches one order with every dataset and maps it', async () => {
    const s = await sim();
    const id = s.putOrder(factory(4).make('prime_next_day')).orderId;
    const order = await fetchDockhandOrder(client(s), id, { accountId: 'acme', marketplaceIds: [US_MARKETPLACE_ID] });
    expect(order).toMatchObject({ amazonOrderId: id, isPrime: true, status: 'unshipped' });
    expect(order.shipTo.line1).toBeTruthy();
    expect(order.buyer.email).toBeTruthy();
  });

  it('maps an unknown order to amazon.rejected 404', async () => {
    const s = await sim();
    const err = await caught(client(s).getOrder('111-0000000-0000000'));
    expect(err).toMatchObject({ code: 'amazon.rejected', status: 404, transient: false });
    expect(err.message).toContain('111-0000000-0000000');
  });
});

describe('confirmShipment', () => {
  it('confirms through Orders v0 and Amazon records the package', async () => {
    const s = await sim();
    const order = s.putOrder(factory(5).make('standard'));
    const item = order.orderItems[0]!;
    await client(s).confirmShipment(order.orderId, {
      marketplaceId: US_MARKETPLACE_ID,
      packageDetail: {
        packageReferenceId: '1',
        carrierCode: 'UPS',
        trackingNumber: '1Z999AA10123456784',
        shipDate: '2026-03-02T15:00:00Z',
        orderItems: [{ orderItemId: item.orderItemId, quantity: item.quantityOrdered }],
      },
    });
    expect(s.confirmations().map((c) => [c.orderId, c.body.packageDetail.trackingNumber])).toEqual([[order.orderId, '1Z999AA10123456784']]);
    expect(s.getOrder(order.orderId)?.fulfillment?.fulfillmentStatus).toBe('SHIPPED');
  });

  // The simulator drops `packages` unless includedData has PACKAGES, so this also checks we ask for it.
  it('reads confirmed packages back through getOrder and searchOrders', async () => {
    const s = await sim();
    const order = s.putOrder(factory(7).make('business_multi_line'));
    const [first] = order.orderItems;
    const c = client(s);
    const confirm = (ref: string, tracking: string, item: typeof first) =>
      c.confirmShipment(order.orderId, {
        marketplaceId: US_MARKETPLACE_ID,
        packageDetail: {
          packageReferenceId: ref,
          carrierCode: 'USPS',
          trackingNumber: tracking,
          shipDate: '2026-03-02T15:00:00Z',
          orderItems: [{ orderItemId: item!.orderItemId, quantity: item!.quantityOrdered }],
        },
      });
    await confirm('101', '9400100000000000000001', first);
    const ctx = { accountId: 'acme', marketplaceIds: [US_MARKETPLACE_ID] };
    const partial = await fetchDockhandOrder(c, order.orderId, ctx);
    expect(partial.status).toBe('partially_shipped');
    expect(partial.packages).toEqual([
      {
        packageReferenceId: '101',
        carrier: 'USPS',
        trackingNumber: '9400100000000000000001',
        shipTime: '2026-03-02T15:00:00.000Z',
        status: 'SHIPPED',
        items: [{ orderItemId: first!.orderItemId, quantity: first!.quantityOrdered }],
      },
    ]);

    // A corrected tracking number re-sent under the same packageReferenceId replaces the package.
    await confirm('101', '9400100000000000000009', first);
    const page = await fetchOrderPage(c, { marketplaceIds: [US_MARKETPLACE_ID], lastUpdatedAfter: SINCE }, ctx);
    const found = page.orders.find((o) => o.amazonOrderId === order.orderId);
    expect(found?.packages.map((p) => [p.packageReferenceId, p.trackingNumber])).toEqual([['101', '9400100000000000000009']]);
    expect(found?.status).toBe('partially_shipped');
  });

  it('refuses to send an incomplete body', async () => {
    const s = await sim();
    const order = s.putOrder(factory(6).make('standard'));
    const err = await caught(
      client(s).confirmShipment(order.orderId, {
        marketplaceId: US_MARKETPLACE_ID,
        packageDetail: { packageReferenceId: 'PKG-1', carrierCode: 'UPS', trackingNumber: 'x', shipDate: '2026-03-02T15:00:00Z', orderItems: [] },
      }),
    );
    expect(err.message).toContain('packageReferenceId');
    expect(s.stats().requests['confirmShipment']).toBeUndefined();
  });
});

describe('credentials', () => {
  it.each([
    ['client secret', { clientSecret: 'wrong' }, 'invalid_client'],
    ['refresh token', { refreshToken: 'Atzr|revoked' }, 'invalid_grant'],
  ])('maps a wrong %s to amazon.auth_rejected without calling the API', async (_name, bad, lwaCode) => {
    const s = await sim();
    const c = client(s, bad);
    const err = await caught(c.searchOrders({ marketplaceIds: [US_MARKETPLACE_ID], lastUpdatedAfter: SINCE }));
    expect(err.code).toBe('amazon.auth_rejected');
    expect(err.message).toContain(lwaCode);
    expect(err.hint).toContain('SELLING_PARTNER_APP_CLIENT_ID');
    expect(err.hint).toContain('AMAZON_REFRESH_TOKEN');
    expect((await caught(c.checkCredentials())).code).toBe('amazon.auth_rejected');
    expect(s.stats().requests['searchOrders']).toBeUndefined();
  });

  it('passes checkCredentials with good credentials', async () => {
    const s = await sim();
    await client(s).checkCredentials();
    expect(s.stats().requests[LWA_STATS_KEY]).toBe(1);
  });

  it('refreshes an expired access token once and carries on', async () => {
    let now = Date.now();
    const s = await sim({ clock: () => now, tokenTtlSeconds: 60 });
    const id = s.putOrder(factory(7).make('standard')).orderId;
    const c = client(s);
    await c.getOrder(id);
    now += 61_000;
    expect((await c.getOrder(id))['orderId']).toBe(id);
    expect(s.stats().requests[LWA_STATS_KEY]).toBe(2);
    expect(s.stats().requests['getOrder']).toBe(3); // ok, 403 expired, ok
  });
});

describe('retries and pacing', () => {
  it('adopts the rate Amazon reports in x-amzn-RateLimit-Limit', async () => {
    const s = await sim({ rateScale: 100 });
    const c = client(s);
    expect(c.budget().searchOrders.ratePerSecond).toBe(0.0056);
    await c.searchOrders({ marketplaceIds: [US_MARKETPLACE_ID], lastUpdatedAfter: SINCE });
    expect(c.budget().searchOrders.ratePerSecond).toBeCloseTo(0.56, 6);
    expect(c.budget().getOrder.ratePerSecond).toBe(0.5); // untouched until getOrder answers
  });

  it('retries a 5xx and succeeds', async () => {
    const s = await sim();
    const id = s.putOrder(factory(8).make('standard')).orderId;
    s.failNext(2, 500);
    expect((await client(s).getOrder(id))['orderId']).toBe(id);
    expect(s.stats().requests['getOrder']).toBe(3);
  });

  it('gives up on persistent 503s after maxRetries as a transient amazon.unreachable', async () => {
    const s = await sim();
    s.failNext(10, 503);
    const err = await caught(client(s, { maxRetries: 2 }).getOrder('111-0000000-0000001'));
    expect(err).toMatchObject({ code: 'amazon.unreachable', status: 503, transient: true });
    expect(s.stats().requests['getOrder']).toBe(3);
  });

  it('does not hammer after a 429: waits at least one token per retry', async () => {
    // getOrder at 0.5/s × 10 = 5/s, so one token takes 200 ms.
    const s = await sim({ rateScale: 10 });
    const id = s.putOrder(factory(9).make('standard')).orderId;
    const c = client(s);
    await c.getOrder(id); // learns the 5/s rate from the header
    s.resetStats();
    s.failNext(2, 429);
    const t0 = Date.now();
    expect((await c.getOrder(id))['orderId']).toBe(id);
    const elapsed = Date.now() - t0;
    expect(s.stats().requests['getOrder']).toBe(3);
    expect(elapsed).toBeGreaterThanOrEqual(2 * 200 - 20);
  });

  it('reports amazon.rate_limited once retries are spent, after exactly 1 + maxRetries requests', async () => {
    const s = await sim({ rateScale: 100 });
    const id = s.putOrder(factory(10).make('standard')).orderId;
    const c = client(s, { maxRetries: 2 });
    await c.getOrder(id);
    s.resetStats();
    s.failNext(10, 429);
    const err = await caught(c.getOrder(id));
    expect(err).toMatchObject({ code: 'amazon.rate_limited', status: 429, transient: true });
    expect(s.stats().requests['getOrder']).toBe(3);
    expect(c.budget().getOrder.tokens).toBe(0);
  });
});

describe('transport failures', () => {
  it('maps a dead endpoint to a transient amazon.unreachable after retrying', async () => {
    const s = await sim();
    const deadUrl = s.url;
    const deadLwa = s.lwaUrl;
    await s.close();
    open.sims = [];
    const err = await caught(client({ url: deadUrl, lwaUrl: deadLwa }, { maxRetries: 1 }).getOrder('111-0000000-0000001'));
    expect(err).toMatchObject({ code: 'amazon.unreachable', transient: true });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('keeps certificate checks on: an untrusted sandbox is unreachable, not trusted', async () => {
    const s = await sim();
    const err = await caught(client(s, { ca: createSandboxTls().caCertPem }).getOrder('111-0000000-0000001'));
    expect(err.code).toBe('amazon.unreachable');
    expect(err.transient).toBe(false);
    expect(err.hint).toContain('CA');
    expect(s.stats().requests[LWA_STATS_KEY]).toBeUndefined();
  });

  it('maps a body that is not JSON to amazon.unparseable', async () => {
    const server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, (req, res) => {
      if (req.url === '/auth/o2/token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'Atza|x', token_type: 'bearer', expires_in: 3600 }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"order": {"orderId": "111-');
    });
    open.servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const err = await caught(client({ url, lwaUrl: `${url}/auth/o2/token` }).getOrder('111-0000000-0000001'));
    expect(err.code).toBe('amazon.unparseable');
  });
});

