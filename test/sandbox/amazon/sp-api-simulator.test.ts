import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOrderFactory } from '../../../src/sandbox/amazon/order-factory';
import {
  SANDBOX_LWA_CREDENTIALS,
  startSpApiSimulator,
  type SpApiSimulator,
} from '../../../src/sandbox/amazon/sp-api-simulator';
import type { WireOrder } from '../../../src/sandbox/amazon/wire-order';
import { createSandboxTls } from '../../../src/sandbox/tls';
import { accessToken, call, fakeClock, schemaErrors, specValidator } from './support';
import { readSpec } from '../../support/specs';

const tls = createSandboxTls();
const validSearch = specValidator('orders_2026-01-01.json', 'SearchOrdersResponse');
const validGet = specValidator('orders_2026-01-01.json', 'GetOrderResponse');
const validErrors = specValidator('orders_2026-01-01.json', 'ErrorList');
const validConfirmRequest = specValidator('ordersV0.json', 'ConfirmShipmentRequest');
const validConfirmError = specValidator('ordersV0.json', 'ConfirmShipmentErrorResponse');

const SEARCH = '/orders/2026-01-01/orders';
const ALL_DATA = 'BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT,FULFILLMENT_ORDERS';

interface SearchBody {
  orders: WireOrder[];
  pagination?: { nextToken: string };
  lastUpdatedBefore?: string;
  createdBefore?: string;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

describe('SP-API simulator', () => {
  const clock = fakeClock();
  let sim: SpApiSimulator;
  let token: string;

  beforeAll(async () => {
    // Rates scaled up so the default buckets never get in the way of the functional tests.
    sim = await startSpApiSimulator({ tls, clock: clock.now, rateScale: 1000 });
  });
  afterAll(() => sim.close());

  // Each test starts a minute later, so the usage-plan buckets refill between tests.
  beforeEach(async () => {
    clock.advance(60_000);
    token = await accessToken(sim);
  });

  /** Replaces `{now-90s}`-style placeholders with times relative to the fake clock. */
  const at = (query: string): string =>
    query.replace(/\{now([+-]\d+)s\}/g, (_m, offset: string) => iso(clock.now() + Number(offset) * 1000));

  describe('Login with Amazon', () => {
    const refreshGrant = {
      grant_type: 'refresh_token',
      refresh_token: SANDBOX_LWA_CREDENTIALS.refreshToken,
      client_id: SANDBOX_LWA_CREDENTIALS.clientId,
      client_secret: SANDBOX_LWA_CREDENTIALS.clientSecret,
    };

    it.each([
      ['application/json', JSON.stringify(refreshGrant)],
      ['application/x-www-form-urlencoded', new URLSearchParams(refreshGrant).toString()],
    ])('issues a bearer token for a refresh_token grant sent as %s', async (contentType, body) => {
      const reply = await call(sim, 'POST', '/auth/o2/token', { body, contentType });
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({
        access_token: expect.stringMatching(/^Atza\|/),
        refresh_token: SANDBOX_LWA_CREDENTIALS.refreshToken,
        token_type: 'bearer',
        expires_in: 3600,
      });
    });

    it.each([
      ['a wrong client secret', { ...refreshGrant, client_secret: 'nope' }, 401, 'invalid_client'],
      ['an unknown client id', { ...refreshGrant, client_id: 'amzn1.application-oa2-client.other' }, 401, 'invalid_client'],
      ['a revoked refresh token', { ...refreshGrant, refresh_token: 'Atzr|revoked' }, 400, 'invalid_grant'],
      ['an unsupported grant', { ...refreshGrant, grant_type: 'password' }, 400, 'unsupported_grant_type'],
      ['a grantless call without a scope', { ...refreshGrant, grant_type: 'client_credentials' }, 400, 'invalid_scope'],
    ])('answers %s like LWA does', async (_case, body, status, error) => {
      const reply = await call(sim, 'POST', '/auth/o2/token', { body: JSON.stringify(body) });
      expect(reply.status).toBe(status);
      expect(reply.json).toEqual({ error, error_description: expect.any(String) });
    });

    it('issues grantless tokens that the Orders API does not accept', async () => {
      const reply = await call(sim, 'POST', '/auth/o2/token', {
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'sellingpartnerapi::notifications',
          client_id: SANDBOX_LWA_CREDENTIALS.clientId,
          client_secret: SANDBOX_LWA_CREDENTIALS.clientSecret,
        }).toString(),
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(reply.status).toBe(200);
      const grantless = (reply.json as { access_token: string }).access_token;
      const search = await call(sim, 'GET', `${SEARCH}?lastUpdatedAfter=2026-01-01T00:00:00Z`, { token: grantless });
      expect(search.status).toBe(403);
    });
  });

  describe('access tokens', () => {
    it.each([
      ['missing', undefined],
      ['unknown', 'Atza|made-up'],
    ])('denies a %s token with 403 Unauthorized and no rate-limit header', async (_case, badToken) => {
      const reply = await call(sim, 'GET', `${SEARCH}?lastUpdatedAfter=2026-01-01T00:00:00Z`, { token: badToken });
      expect(reply.status).toBe(403);
      expect(reply.json).toEqual({
        errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' }],
      });
      expect(schemaErrors(validErrors, reply.json)).toBe('');
      expect(reply.headers['x-amzn-requestid']).toEqual(expect.any(String));
      expect(reply.headers['x-amzn-ratelimit-limit']).toBeUndefined();
    });

    it('reports an expired token in a way amazon-sp-api recognises', async () => {
      clock.advance(3600 * 1000);
      const reply = await call(sim, 'GET', `${SEARCH}?lastUpdatedAfter=2026-01-01T00:00:00Z`, { token });
      expect(reply.status).toBe(403);
      const error = (reply.json as { errors: { code: string; details: string }[] }).errors[0];
      expect(error?.code).toBe('Unauthorized');
      expect(error?.details).toBe('The access token you provided has expired.');
      expect(error?.details).toMatch(/access token.*expired/);
    });
  });

  describe('searchOrders', () => {
    const factory = createOrderFactory(7, { now: () => Date.parse('2026-03-02T11:00:00.000Z') });
    const seeded: WireOrder[] = [];

    beforeAll(() => {
      // 25 orders updated one minute apart, from 10:00 to 10:24.
      for (let i = 0; i < 25; i++) {
        const order = factory.make(i % 5 === 0 ? 'prime_next_day' : 'standard');
        order.lastUpdatedTime = iso(Date.parse('2026-03-02T10:00:00.000Z') + i * 60_000);
        seeded.push(sim.putOrder(order));
      }
      const afn = factory.make('afn');
      afn.lastUpdatedTime = '2026-03-02T10:30:00.000Z';
      seeded.push(sim.putOrder(afn));
    });

    async function search(query: string): Promise<{ status: number; body: SearchBody; raw: unknown; headers: Record<string, unknown> }> {
      const reply = await call(sim, 'GET', `${SEARCH}?${query}`, { token });
      return { status: reply.status, body: reply.json as SearchBody, raw: reply.json, headers: reply.headers };
    }

    it('returns a schema-valid response with every dataset included', async () => {
      const { status, raw, headers, body } = await search(`lastUpdatedAfter=2026-03-02T00:00:00Z&includedData=${ALL_DATA}`);
      expect(status).toBe(200);
      expect(schemaErrors(validSearch, raw)).toBe('');
      expect(body.orders).toHaveLength(26);
      expect(headers['x-amzn-ratelimit-limit']).toBe('5.6');
      expect(headers['x-amzn-requestid']).toEqual(expect.any(String));
    });

    it('sorts by lastUpdatedTime then orderId and reports the upper bound it used', async () => {
      const { body } = await search('lastUpdatedAfter=2026-03-02T10:05:00Z');
      const keys = body.orders.map((o) => [Date.parse(o.lastUpdatedTime), o.orderId] as const);
      expect(keys).toEqual([...keys].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1])));
      expect(body.orders[0]?.lastUpdatedTime).toBe('2026-03-02T10:05:00.000Z');
      expect(body.lastUpdatedBefore).toBe(iso(clock.now()));
      expect(body.createdBefore).toBeUndefined();
    });

    it('echoes createdBefore when searching by creation time', async () => {
      const { status, body } = await search('createdAfter=2026-03-01T00:00:00Z&createdBefore=2026-03-02T11:30:00.000Z');
      expect(status).toBe(200);
      expect(body.createdBefore).toBe('2026-03-02T11:30:00.000Z');
      expect(body.lastUpdatedBefore).toBeUndefined();
    });

    it.each([
      ['no includedData', '', []],
      ['BUYER only', 'BUYER', ['buyer']],
      ['RECIPIENT,FULFILLMENT', 'RECIPIENT,FULFILLMENT', ['recipient', 'fulfillment']],
      ['PROCEEDS', 'PROCEEDS', ['proceeds']],
    ])('includes only the requested blocks (%s)', async (_case, includedData, expected) => {
      const { body, raw } = await search(`lastUpdatedAfter=2026-03-02T00:00:00Z${includedData ? `&includedData=${includedData}` : ''}`);
      expect(schemaErrors(validSearch, raw)).toBe('');
      const optional = ['buyer', 'recipient', 'proceeds', 'fulfillment', 'packages', 'tax', 'payment'];
      for (const order of body.orders) {
        expect(optional.filter((key) => key in order)).toEqual(expected);
        for (const item of order.orderItems) {
          expect('proceeds' in item).toBe(expected.includes('proceeds'));
          expect('fulfillment' in item).toBe(expected.includes('fulfillment'));
          expect(item.product.sellerSku).toEqual(expect.any(String));
        }
      }
    });

    it('accepts includedData and marketplaceIds the way amazon-sp-api encodes them (comma, %2C-escaped)', async () => {
      const { status, body } = await search(
        'includedData=BUYER%2CFULFILLMENT&lastUpdatedAfter=2026-03-02T00%3A00%3A00Z&marketplaceIds=ATVPDKIKX0DER%2CA2EUQ1WTGCTBG2',
      );
      expect(status).toBe(200);
      expect(body.orders).toHaveLength(26);
      expect(body.orders[0]?.buyer).toBeDefined();
      expect(body.orders[0]?.fulfillment).toBeDefined();
    });

    it.each([
      ['fulfilledBy=AMAZON', 1],
      ['fulfilledBy=MERCHANT', 25],
      ['fulfilledBy=MERCHANT,AMAZON', 26],
      ['fulfillmentStatuses=SHIPPED', 1],
      ['fulfillmentStatuses=UNSHIPPED,PENDING', 25],
      ['marketplaceIds=A1F83G8C2ARO7P', 0],
    ])('filters with %s', async (filter, expected) => {
      const { status, body } = await search(`lastUpdatedAfter=2026-03-02T00:00:00Z&${filter}`);
      expect(status).toBe(200);
      expect(body.orders).toHaveLength(expected);
    });

    it('walks pages that stay stable while orders change between calls', async () => {
      const base = 'lastUpdatedAfter=2026-03-02T00:00:00Z&maxResultsPerPage=10';
      const first = await search(base);
      expect(first.body.orders).toHaveLength(10);
      expect(first.body.pagination?.nextToken).toEqual(expect.any(String));
      const bound = first.body.lastUpdatedBefore;

      // Between pages: an order already returned is updated, a new order arrives, time moves on.
      clock.advance(30_000);
      sim.updateOrder(first.body.orders[0]!.orderId, (o) => {
        o.recipient!.deliveryAddress!.addressLine1 = '1 Changed St';
      });
      sim.putOrder({ ...factory.make('standard'), lastUpdatedTime: undefined });

      const second = await search(`${base}&includedData=BUYER&paginationToken=${first.body.pagination!.nextToken}`);
      const third = await search(`${base}&paginationToken=${second.body.pagination!.nextToken}`);
      expect(third.body.pagination).toBeUndefined();
      expect(second.body.lastUpdatedBefore).toBe(bound);
      expect(third.body.lastUpdatedBefore).toBe(bound);

      const walked = [...first.body.orders, ...second.body.orders, ...third.body.orders].map((o) => o.orderId);
      // Nothing skipped, nothing duplicated; the update and the new order (both stamped after
      // the bound) belong to the next window.
      expect(new Set(walked).size).toBe(walked.length);
      expect(walked.slice(0, 10)).toEqual(first.body.orders.map((o) => o.orderId));
      expect(new Set(walked)).toEqual(new Set(seeded.map((o) => o.orderId)));
      expect(second.body.orders[0]?.buyer).toBeDefined();

      const next = await search(`lastUpdatedAfter=${bound}`);
      expect(next.body.orders.map((o) => o.orderId)).toContain(first.body.orders[0]!.orderId);
      expect(next.body.orders).toHaveLength(2);
    });

    it('rejects a paginationToken reused with different filters', async () => {
      const first = await search('lastUpdatedAfter=2026-03-02T00:00:00Z&maxResultsPerPage=5');
      const reply = await search(`lastUpdatedAfter=2026-03-02T01:00:00Z&paginationToken=${first.body.pagination!.nextToken}`);
      expect(reply.status).toBe(400);
      expect(schemaErrors(validErrors, reply.raw)).toBe('');
    });

    it.each([
      ['neither createdAfter nor lastUpdatedAfter', 'fulfilledBy=MERCHANT'],
      ['both createdAfter and lastUpdatedAfter', 'createdAfter=2026-03-01T00:00:00Z&lastUpdatedAfter=2026-03-01T00:00:00Z'],
      ['createdAfter with lastUpdatedBefore', 'createdAfter=2026-03-01T00:00:00Z&lastUpdatedBefore=2026-03-02T00:00:00Z'],
      ['lastUpdatedAfter with createdBefore', 'lastUpdatedAfter=2026-03-01T00:00:00Z&createdBefore=2026-03-02T00:00:00Z'],
      ['createdBefore earlier than createdAfter', 'createdAfter=2026-03-02T00:00:00Z&createdBefore=2026-03-01T00:00:00Z'],
      ['createdBefore within two minutes of now', 'createdAfter=2026-03-01T00:00:00Z&createdBefore={now-90s}'],
      ['lastUpdatedBefore in the future', 'lastUpdatedAfter=2026-03-01T00:00:00Z&lastUpdatedBefore={now+3600s}'],
      ['a date that is not ISO 8601', 'lastUpdatedAfter=03/01/2026'],
      ['a date without a time', 'lastUpdatedAfter=2026-03-01'],
      ['maxResultsPerPage 0', 'lastUpdatedAfter=2026-03-01T00:00:00Z&maxResultsPerPage=0'],
      ['maxResultsPerPage 101', 'lastUpdatedAfter=2026-03-01T00:00:00Z&maxResultsPerPage=101'],
      ['an unknown fulfillment status', 'lastUpdatedAfter=2026-03-01T00:00:00Z&fulfillmentStatuses=LOST'],
      ['an unknown includedData value', 'lastUpdatedAfter=2026-03-01T00:00:00Z&includedData=BUYER,SECRETS'],
      ['a garbage paginationToken', 'lastUpdatedAfter=2026-03-01T00:00:00Z&paginationToken=not-a-token'],
    ])('answers 400 InvalidInput for %s', async (_case, query) => {
      const reply = await search(at(query));
      expect(reply.status).toBe(400);
      expect(schemaErrors(validErrors, reply.raw)).toBe('');
      expect((reply.raw as { errors: { code: string }[] }).errors[0]?.code).toBe('InvalidInput');
      expect(reply.headers['x-amzn-ratelimit-limit']).toBe('5.6');
    });

    it.each([
      ['exactly two minutes before now', 'createdAfter=2026-03-01T00:00:00Z&createdBefore={now-120s}'],
      ['createdBefore equal to createdAfter', 'createdAfter=2026-03-01T00:00:00Z&createdBefore=2026-03-01T00:00:00Z'],
      ['an offset instead of Z', 'lastUpdatedAfter=2026-03-02T05:00:00%2B05:00'],
      ['fractional seconds', 'lastUpdatedAfter=2026-03-02T00:00:00.000Z'],
    ])('accepts %s', async (_case, query) => {
      expect((await search(at(query))).status).toBe(200);
    });
  });

  describe('getOrder', () => {
    it('returns a schema-valid order with the requested datasets', async () => {
      const order = sim.putOrder(createOrderFactory(3).make('business_multi_line'));
      const reply = await call(sim, 'GET', `/orders/2026-01-01/orders/${order.orderId}?includedData=BUYER,RECIPIENT`, { token });
      expect(reply.status).toBe(200);
      expect(schemaErrors(validGet, reply.json)).toBe('');
      const wire = (reply.json as { order: WireOrder }).order;
      expect(wire.buyer?.buyerPurchaseOrderNumber).toEqual(expect.any(String));
      expect(wire.proceeds).toBeUndefined();
      expect(reply.headers['x-amzn-ratelimit-limit']).toBe('500');
    });

    it('answers 404 with an ErrorList for an unknown order', async () => {
      const reply = await call(sim, 'GET', '/orders/2026-01-01/orders/999-0000000-0000000', { token });
      expect(reply.status).toBe(404);
      expect(schemaErrors(validErrors, reply.json)).toBe('');
      expect(reply.headers['x-amzn-ratelimit-limit']).toBe('500');
    });
  });

  describe('confirmShipment', () => {
    let order: WireOrder;
    const body = (overrides: Record<string, unknown> = {}, detail: Record<string, unknown> = {}): Record<string, unknown> => ({
      marketplaceId: 'ATVPDKIKX0DER',
      packageDetail: {
        packageReferenceId: '1',
        carrierCode: 'USPS',
        shippingMethod: 'USPS Ground Advantage',
        trackingNumber: '9400111899223197428490',
        shipDate: '2026-03-02T11:00:00Z',
        orderItems: order.orderItems.map((item) => ({ orderItemId: item.orderItemId, quantity: item.quantityOrdered })),
        ...detail,
      },
      ...overrides,
    });

    beforeEach(() => {
      order = sim.putOrder(createOrderFactory(11).make('standard'));
    });

    const path = (): string => `/orders/v0/orders/${order.orderId}/shipmentConfirmation`;

    it('records a valid confirmation, answers 204 and marks the order shipped', async () => {
      const request = body();
      expect(schemaErrors(validConfirmRequest, request)).toBe('');
      const reply = await call(sim, 'POST', path(), { token, body: JSON.stringify(request) });
      expect(reply.status).toBe(204);
      expect(reply.text).toBe('');
      expect(reply.headers['x-amzn-ratelimit-limit']).toBe('2000');
      expect(sim.confirmations().at(-1)).toEqual({ orderId: order.orderId, body: request, at: clock.now() });
      const after = sim.getOrder(order.orderId)!;
      expect(after.fulfillment?.fulfillmentStatus).toBe('SHIPPED');
      expect(after.packages?.[0]?.trackingNumber).toBe('9400111899223197428490');
      expect(Date.parse(after.lastUpdatedTime)).toBeGreaterThan(Date.parse(order.lastUpdatedTime));
    });

    it.each([
      ['no marketplaceId', () => body({ marketplaceId: undefined })],
      ['no trackingNumber', () => body({}, { trackingNumber: undefined })],
      ['a US-style shipDate', () => body({}, { shipDate: '03/02/2026' })],
      ['a fractional quantity', () => body({}, { orderItems: [{ orderItemId: order.orderItems[0]!.orderItemId, quantity: 1.5 }] })],
      ['an unknown codCollectionMethod', () => body({ codCollectionMethod: 'Cash' })],
    ])('rejects a body the ordersV0 schema rejects: %s', async (_case, make) => {
      const request = JSON.parse(JSON.stringify(make())) as unknown;
      expect(schemaErrors(validConfirmRequest, request)).not.toBe('');
      const before = sim.confirmations().length;
      const reply = await call(sim, 'POST', path(), { token, body: JSON.stringify(request) });
      expect(reply.status).toBe(400);
      expect(schemaErrors(validConfirmError, reply.json)).toBe('');
      expect(sim.confirmations()).toHaveLength(before);
    });

    it.each([
      ['another marketplace', () => body({ marketplaceId: 'A1F83G8C2ARO7P' })],
      ['an item of another order', () => body({}, { orderItems: [{ orderItemId: '00000000000000', quantity: 1 }] })],
      ['more units than ordered', () => body({}, { orderItems: [{ orderItemId: order.orderItems[0]!.orderItemId, quantity: 99 }] })],
      ['a non-numeric packageReferenceId', () => body({}, { packageReferenceId: 'PKG-A' })],
    ])('rejects a schema-valid body that names %s', async (_case, make) => {
      const reply = await call(sim, 'POST', path(), { token, body: JSON.stringify(make()) });
      expect(reply.status).toBe(400);
      expect(schemaErrors(validConfirmError, reply.json)).toBe('');
    });

    it('refuses to confirm a cancelled order', async () => {
      sim.cancelOrder(order.orderId);
      const reply = await call(sim, 'POST', path(), { token, body: JSON.stringify(body()) });
      expect(reply.status).toBe(400);
    });

    it('answers 404 for an unknown order', async () => {
      const reply = await call(sim, 'POST', '/orders/v0/orders/999-0000000-0000000/shipmentConfirmation', {
        token,
        body: JSON.stringify(body()),
      });
      expect(reply.status).toBe(404);
    });
  });

  describe('store handle', () => {
    it('stamps strictly increasing lastUpdatedTime values even within one millisecond', () => {
      const order = sim.putOrder({ ...createOrderFactory(5).make('standard'), lastUpdatedTime: undefined });
      expect(Date.parse(order.lastUpdatedTime)).toBeGreaterThanOrEqual(clock.now());
      const stamps = [order.lastUpdatedTime];
      for (let i = 0; i < 3; i++) stamps.push(sim.updateOrder(order.orderId, () => undefined).lastUpdatedTime);
      const ms = stamps.map((s) => Date.parse(s));
      expect(ms.every((value, i) => i === 0 || value > ms[i - 1]!)).toBe(true);
    });

    it('cancels every line with Amazon cancellation details', () => {
      const order = sim.putOrder(createOrderFactory(6).make('business_multi_line'));
      const cancelled = sim.cancelOrder(order.orderId);
      expect(cancelled.fulfillment?.fulfillmentStatus).toBe('CANCELLED');
      for (const item of cancelled.orderItems) {
        expect(item.cancellation?.cancellationExecution?.cancelledBy).toBe('BUYER');
      }
    });
  });
});

describe('SP-API simulator rate limits and faults', () => {
  const clock = fakeClock();
  let sim: SpApiSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  const query = `${SEARCH}?lastUpdatedAfter=2026-03-01T00:00:00Z`;

  it('serves the searchOrders burst of 20, then 429 QuotaExceeded until the bucket refills', async () => {
    sim = await startSpApiSimulator({ tls, clock: clock.now });
    const token = await accessToken(sim);
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await call(sim, 'GET', query, { token })).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);

    const throttled = await call(sim, 'GET', query, { token });
    expect(throttled.status).toBe(429);
    expect(throttled.json).toEqual({
      errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }],
    });
    expect(schemaErrors(validErrors, throttled.json)).toBe('');
    expect(throttled.headers['x-amzn-ratelimit-limit']).toBeUndefined();
    expect(throttled.headers['x-amzn-requestid']).toEqual(expect.any(String));
    expect(statuses[20]).toBe(429);

    // One token every 1/0.0056 s ≈ 178.6 s.
    clock.advance(178_000);
    expect((await call(sim, 'GET', query, { token })).status).toBe(429);
    clock.advance(1_000);
    const restored = await call(sim, 'GET', query, { token });
    expect(restored.status).toBe(200);
    expect(restored.headers['x-amzn-ratelimit-limit']).toBe('0.0056');
    expect(sim.stats()).toEqual({ requests: { lwaToken: 1, searchOrders: 24 }, throttled: { searchOrders: 3 } });
    sim.resetStats();
    expect(sim.stats()).toEqual({ requests: {}, throttled: {} });
  });

  it('scales rates with rateScale but keeps the burst', async () => {
    sim = await startSpApiSimulator({ tls, clock: clock.now, rateScale: 100 });
    const token = await accessToken(sim);
    for (let i = 0; i < 30; i++) await call(sim, 'GET', '/orders/2026-01-01/orders/111-0000000-0000000', { token });
    const throttled = await call(sim, 'GET', '/orders/2026-01-01/orders/111-0000000-0000000', { token });
    expect(throttled.status).toBe(429);
    clock.advance(21); // 0.5/s × 100 = 50/s → one token per 20 ms
    const reply = await call(sim, 'GET', '/orders/2026-01-01/orders/111-0000000-0000000', { token });
    expect(reply.status).toBe(404);
    expect(reply.headers['x-amzn-ratelimit-limit']).toBe('50');
  });

  it.each([
    [500, 'InternalFailure'],
    [503, 'ServiceUnavailable'],
  ])('fails the next N API calls with %i %s, leaving LWA alone', async (status, code) => {
    sim = await startSpApiSimulator({ tls, clock: clock.now });
    sim.failNext(2, status);
    const token = await accessToken(sim);
    const first = await call(sim, 'GET', query, { token });
    expect(first.status).toBe(status);
    expect((first.json as { errors: { code: string }[] }).errors[0]?.code).toBe(code);
    expect(schemaErrors(validErrors, first.json)).toBe('');
    expect(first.headers['x-amzn-ratelimit-limit']).toBeUndefined();
    expect((await call(sim, 'GET', query, { token })).status).toBe(status);
    expect((await call(sim, 'GET', query, { token })).status).toBe(200);
  });

  it('expires tokens after tokenTtlSeconds', async () => {
    sim = await startSpApiSimulator({ tls, clock: clock.now, tokenTtlSeconds: 60 });
    const token = await accessToken(sim);
    clock.advance(59_999);
    expect((await call(sim, 'GET', query, { token })).status).toBe(200);
    clock.advance(1);
    expect((await call(sim, 'GET', query, { token })).status).toBe(403);
  });
});

describe('query parameters the spec does not define', () => {
  it('are refused, so a client that drifts from the spec fails its tests', async () => {
    const spec = JSON.parse(readSpec('amazon/orders_2026-01-01.json'));
    const names = spec.paths['/orders/2026-01-01/orders'].get.parameters.map((p: { name: string }) => p.name).sort();
    expect(names).toEqual(['createdAfter', 'createdBefore', 'fulfilledBy', 'fulfillmentStatuses', 'includedData', 'lastUpdatedAfter', 'lastUpdatedBefore', 'marketplaceIds', 'maxResultsPerPage', 'paginationToken']);

    const sim = await startSpApiSimulator({ tls: createSandboxTls() });
    try {
      const token = await accessToken(sim);
      const typo = await call(sim, 'GET', '/orders/2026-01-01/orders?marketplaceIds=ATVPDKIKX0DER&lastUpdatedAfter=2026-01-01T00:00:00Z&LastUpdatedAfter=x', { token });
      expect(typo.status).toBe(400);
      expect(typo.text).toContain('Unknown query parameter: LastUpdatedAfter.');
      const ok = await call(sim, 'GET', '/orders/2026-01-01/orders?marketplaceIds=ATVPDKIKX0DER&lastUpdatedAfter=2026-01-01T00:00:00Z', { token });
      expect(ok.status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});
