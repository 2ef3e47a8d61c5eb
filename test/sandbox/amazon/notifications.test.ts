import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ORDER_KINDS, createOrderFactory } from '../../../src/sandbox/amazon/order-factory';
import { v0OrderStatus } from '../../../src/sandbox/amazon/order-change';
import {
  SANDBOX_APPLICATION_ID,
  SANDBOX_SELLER_ID,
  startSpApiSimulator,
  type NotificationDestination,
  type SpApiSimulator,
  type SpApiSimulatorOptions,
} from '../../../src/sandbox/amazon/sp-api-simulator';
import type { WireFulfillmentStatus } from '../../../src/sandbox/amazon/wire-order';
import { createSandboxTls } from '../../../src/sandbox/tls';
import { accessToken, call, fakeClock, grantlessToken, orderChangeValidator, schemaErrors, specValidator } from './support';

const tls = createSandboxTls();
const spec = (definition: string) => specValidator('notifications.json', definition);
const validOrderChange = orderChangeValidator();
const ARN = 'arn:aws:sqs:us-east-1:123456789012:dockhand-order-change';
const DESTINATIONS = '/notifications/v1/destinations';
const ORDER_CHANGE = '/notifications/v1/subscriptions/ORDER_CHANGE';

interface Envelope {
  NotificationType: string;
  Payload: {
    OrderChangeNotification: {
      SellerId: string;
      AmazonOrderId: string;
      OrderChangeType: string;
      OrderChangeTrigger: { TimeOfOrderChange: string; ChangeReason: string };
      Summary: {
        MarketplaceId: string;
        OrderStatus: string;
        FulfillmentType: string;
        OrderItems: { IsBuyerRequestedCancel: boolean; QuantityShipped: number }[];
      };
    };
  };
  NotificationMetadata: { ApplicationId: string; SubscriptionId: string; NotificationId: string };
}

describe('Notifications API', () => {
  const clock = fakeClock();
  let sim: SpApiSimulator;
  let seller: string;
  let grantless: string;

  beforeAll(async () => {
    sim = await startSpApiSimulator({ tls, clock: clock.now, rateScale: 1000 });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    clock.advance(60_000);
    seller = await accessToken(sim);
    grantless = await grantlessToken(sim);
  });

  const createDestination = async (arn = ARN) =>
    call(sim, 'POST', DESTINATIONS, { token: grantless, body: JSON.stringify({ name: 'dockhand', resourceSpecification: { sqs: { arn } } }) });

  it('creates, lists, gets and deletes an SQS destination with spec-shaped bodies', async () => {
    const created = await createDestination();
    expect(created.status).toBe(200);
    expect(schemaErrors(spec('CreateDestinationResponse'), created.json)).toBe('');
    const destination = (created.json as { payload: { destinationId: string } }).payload;
    expect(destination).toEqual({ destinationId: expect.any(String), name: 'dockhand', resource: { sqs: { arn: ARN } } });
    expect(created.headers['x-amzn-ratelimit-limit']).toBe('1000');

    const list = await call(sim, 'GET', DESTINATIONS, { token: grantless });
    expect(schemaErrors(spec('GetDestinationsResponse'), list.json)).toBe('');
    expect((list.json as { payload: unknown[] }).payload).toContainEqual(destination);

    const one = await call(sim, 'GET', `${DESTINATIONS}/${destination.destinationId}`, { token: grantless });
    expect(schemaErrors(spec('GetDestinationResponse'), one.json)).toBe('');
    expect((one.json as { payload: unknown }).payload).toEqual(destination);

    const deleted = await call(sim, 'DELETE', `${DESTINATIONS}/${destination.destinationId}`, { token: grantless });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({});
    expect(schemaErrors(spec('DeleteDestinationResponse'), deleted.json)).toBe('');
    const gone = await call(sim, 'GET', `${DESTINATIONS}/${destination.destinationId}`, { token: grantless });
    expect(gone.status).toBe(404);
    expect(schemaErrors(spec('GetDestinationResponse'), gone.json)).toBe('');
  });

  it.each([
    ['no name', { resourceSpecification: { sqs: { arn: ARN } } }],
    ['an empty name', { name: '', resourceSpecification: { sqs: { arn: ARN } } }],
    ['no resourceSpecification', { name: 'x' }],
    ['an ARN that is not SQS', { name: 'x', resourceSpecification: { sqs: { arn: 'arn:aws:sns:us-east-1:1:topic' } } }],
    ['an ARN without account and queue', { name: 'x', resourceSpecification: { sqs: { arn: 'arn:aws:sqs:us-east-1' } } }],
    ['both sqs and eventBridge', { name: 'x', resourceSpecification: { sqs: { arn: ARN }, eventBridge: { region: 'us-east-1', accountId: '1' } } }],
    ['invalid JSON', '{"name":'],
  ])('refuses createDestination with %s as 400 InvalidInput', async (_case, body) => {
    const reply = await call(sim, 'POST', DESTINATIONS, { token: grantless, body: typeof body === 'string' ? body : JSON.stringify(body) });
    expect(reply.status).toBe(400);
    expect(schemaErrors(spec('CreateDestinationResponse'), reply.json)).toBe('');
    expect((reply.json as { errors: { code: string }[] }).errors[0]?.code).toBe('InvalidInput');
  });

  // Grantless per notifications.json: the destination operations and get/deleteSubscriptionById.
  it.each([
    ['getDestinations', 'GET', DESTINATIONS, true],
    ['createDestination', 'POST', DESTINATIONS, true],
    ['getDestination', 'GET', `${DESTINATIONS}/x`, true],
    ['deleteDestination', 'DELETE', `${DESTINATIONS}/x`, true],
    ['getSubscriptionById', 'GET', `${ORDER_CHANGE}/x`, true],
    ['deleteSubscriptionById', 'DELETE', `${ORDER_CHANGE}/x`, true],
    ['getSubscription', 'GET', ORDER_CHANGE, false],
    ['createSubscription', 'POST', ORDER_CHANGE, false],
  ])('%s accepts only the right kind of token', async (op, method, path, isGrantless) => {
    const wrong = isGrantless ? seller : grantless;
    const right = isGrantless ? grantless : seller;
    const body = method === 'POST' ? '{}' : undefined;
    const denied = await call(sim, method, path, { token: wrong, ...(body ? { body } : {}) });
    expect(denied.status).toBe(403);
    expect(denied.json).toEqual({ errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' }] });
    expect(schemaErrors(spec('ErrorList'), (denied.json as { errors: unknown }).errors)).toBe('');
    const allowed = await call(sim, method, path, { token: right, ...(body ? { body } : {}) });
    expect(allowed.status).not.toBe(403);
    expect(sim.stats().requests[op]).toBeGreaterThanOrEqual(2);
  });

  it('does not take a grantless token issued for another scope', async () => {
    const rotation = await grantlessToken(sim, 'sellingpartnerapi::client_credential:rotation');
    expect((await call(sim, 'GET', DESTINATIONS, { token: rotation })).status).toBe(403);
  });

  describe('subscriptions', () => {
    let destinationId: string;
    beforeEach(async () => {
      for (const s of sim.subscriptions()) {
        await call(sim, 'DELETE', `/notifications/v1/subscriptions/${s.notificationType}/${s.subscriptionId}`, { token: grantless });
      }
      destinationId = ((await createDestination()).json as { payload: { destinationId: string } }).payload.destinationId;
    });
    const subscribe = (body: Record<string, unknown>, type = 'ORDER_CHANGE') =>
      call(sim, 'POST', `/notifications/v1/subscriptions/${type}`, { token: seller, body: JSON.stringify({ destinationId, payloadVersion: '1.0', ...body }) });
    const filter = (eventFilter: Record<string, unknown>) => ({ processingDirective: { eventFilter: { eventFilterType: 'ORDER_CHANGE', ...eventFilter } } });

    it('creates an ORDER_CHANGE subscription, answers 409 for a second one, then gets and deletes it', async () => {
      const created = await subscribe(filter({ marketplaceIds: ['ATVPDKIKX0DER'], orderChangeTypes: ['OrderStatusChange', 'BuyerRequestedChange'] }));
      expect(created.status).toBe(200);
      expect(schemaErrors(spec('CreateSubscriptionResponse'), created.json)).toBe('');
      const subscription = (created.json as { payload: { subscriptionId: string } }).payload;
      expect(subscription).toEqual({
        subscriptionId: expect.any(String),
        payloadVersion: '1.0',
        destinationId,
        processingDirective: { eventFilter: { eventFilterType: 'ORDER_CHANGE', marketplaceIds: ['ATVPDKIKX0DER'], orderChangeTypes: ['OrderStatusChange', 'BuyerRequestedChange'] } },
      });

      const again = await subscribe(filter({}));
      expect(again.status).toBe(409);
      expect(schemaErrors(spec('CreateSubscriptionResponse'), again.json)).toBe('');
      const conflict = (again.json as { errors: { code: string; details: string }[] }).errors[0];
      expect(conflict?.code).toBe('StateConflict');
      expect(conflict?.details).toContain(subscription.subscriptionId);
      expect(again.headers['x-amzn-ratelimit-limit']).toBeUndefined();

      const got = await call(sim, 'GET', `${ORDER_CHANGE}?payloadVersion=1.0`, { token: seller });
      expect(schemaErrors(spec('GetSubscriptionResponse'), got.json)).toBe('');
      expect((got.json as { payload: unknown }).payload).toEqual(subscription);
      const byId = await call(sim, 'GET', `${ORDER_CHANGE}/${subscription.subscriptionId}`, { token: grantless });
      expect(schemaErrors(spec('GetSubscriptionByIdResponse'), byId.json)).toBe('');
      expect((byId.json as { payload: unknown }).payload).toEqual(subscription);

      // A destination in use can't go away.
      expect((await call(sim, 'DELETE', `${DESTINATIONS}/${destinationId}`, { token: grantless })).status).toBe(409);
      const deleted = await call(sim, 'DELETE', `${ORDER_CHANGE}/${subscription.subscriptionId}`, { token: grantless });
      expect(deleted.status).toBe(200);
      expect(schemaErrors(spec('DeleteSubscriptionByIdResponse'), deleted.json)).toBe('');
      const missing = await call(sim, 'GET', ORDER_CHANGE, { token: seller });
      expect(missing.status).toBe(404);
      expect(schemaErrors(spec('GetSubscriptionResponse'), missing.json)).toBe('');
    });

    it.each([
      ['an unknown destinationId', { destinationId: 'nope', ...filter({}) }, 'ORDER_CHANGE'],
      ['payloadVersion 2.0', { payloadVersion: '2.0', ...filter({}) }, 'ORDER_CHANGE'],
      ['no payloadVersion', { payloadVersion: undefined, ...filter({}) }, 'ORDER_CHANGE'],
      ['no processingDirective', {}, 'ORDER_CHANGE'],
      ['another eventFilterType', { processingDirective: { eventFilter: { eventFilterType: 'ANY_OFFER_CHANGED' } } }, 'ORDER_CHANGE'],
      ['an unknown orderChangeType', filter({ orderChangeTypes: ['AddressChange'] }), 'ORDER_CHANGE'],
      ['marketplaceIds that are not strings', filter({ marketplaceIds: [1] }), 'ORDER_CHANGE'],
      ['an unknown notificationType', filter({}), 'ORDER_TELEPATHY'],
    ])('refuses createSubscription with %s as 400 InvalidInput', async (_case, body, type) => {
      const reply = await subscribe(body, type);
      expect(reply.status).toBe(400);
      expect(schemaErrors(spec('CreateSubscriptionResponse'), reply.json)).toBe('');
      expect((reply.json as { errors: { code: string }[] }).errors[0]?.code).toBe('InvalidInput');
      expect(sim.subscriptions()).toEqual([]);
    });
  });
});

describe('Notifications API rate limits', () => {
  it('serves a burst of 5 createDestination calls, then 429 until a token refills at 1/s', async () => {
    const clock = fakeClock();
    const sim = await startSpApiSimulator({ tls, clock: clock.now });
    try {
      const token = await grantlessToken(sim);
      const body = JSON.stringify({ name: 'q', resourceSpecification: { sqs: { arn: ARN } } });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await call(sim, 'POST', DESTINATIONS, { token, body })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      clock.advance(1000);
      const reply = await call(sim, 'POST', DESTINATIONS, { token, body });
      expect(reply.status).toBe(200);
      expect(reply.headers['x-amzn-ratelimit-limit']).toBe('1');
      expect(sim.stats().throttled).toEqual({ createDestination: 1 });
    } finally {
      await sim.close();
    }
  });
});

describe('ORDER_CHANGE publishing', () => {
  const clock = fakeClock();
  const factory = createOrderFactory(21, { now: () => clock.now() - 60 * 60 * 1000 });
  let sim: SpApiSimulator | undefined;
  let received: { destination: NotificationDestination; body: string }[];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  /** A simulator with an SQS destination and an ORDER_CHANGE subscription made over HTTP. */
  async function subscribed(eventFilter: Record<string, unknown> = {}, opts: SpApiSimulatorOptions = {}): Promise<SpApiSimulator> {
    received = [];
    const started = await startSpApiSimulator({
      tls,
      clock: clock.now,
      rateScale: 1000,
      onNotification: (destination, body) => received.push({ destination, body }),
      ...opts,
    });
    sim = started;
    const grantless = await grantlessToken(started);
    const destination = await call(started, 'POST', DESTINATIONS, {
      token: grantless,
      body: JSON.stringify({ name: 'dockhand', resourceSpecification: { sqs: { arn: ARN } } }),
    });
    const { destinationId } = (destination.json as { payload: { destinationId: string } }).payload;
    const subscription = await call(started, 'POST', ORDER_CHANGE, {
      token: await accessToken(started),
      body: JSON.stringify({ destinationId, payloadVersion: '1.0', processingDirective: { eventFilter: { eventFilterType: 'ORDER_CHANGE', ...eventFilter } } }),
    });
    expect(subscription.status).toBe(200);
    return started;
  }

  const bodies = (): Envelope[] =>
    received.map(({ body }) => {
      const parsed = JSON.parse(body) as Envelope;
      expect(schemaErrors(validOrderChange, parsed)).toBe('');
      return parsed;
    });
  const kinds = (): [string, string][] =>
    bodies().map((n) => [n.Payload.OrderChangeNotification.OrderChangeType, n.Payload.OrderChangeNotification.Summary.OrderStatus]);

  it('publishes a schema-valid OrderStatusChange for a new order to the subscribed SQS destination', async () => {
    const s = await subscribed();
    const order = s.putOrder({ ...factory.make('standard'), lastUpdatedTime: undefined });
    expect(received).toHaveLength(1);
    expect(received[0]?.destination).toEqual({ destinationId: s.destinations()[0]?.destinationId, arn: ARN });
    const [n] = bodies();
    const change = n!.Payload.OrderChangeNotification;
    expect(n!.NotificationType).toBe('ORDER_CHANGE');
    expect(change).toMatchObject({
      SellerId: SANDBOX_SELLER_ID,
      AmazonOrderId: order.orderId,
      OrderChangeType: 'OrderStatusChange',
      OrderChangeTrigger: { TimeOfOrderChange: order.lastUpdatedTime },
      Summary: { MarketplaceId: 'ATVPDKIKX0DER', OrderStatus: 'Unshipped', FulfillmentType: 'MFN' },
    });
    expect(n!.NotificationMetadata).toEqual({
      ApplicationId: SANDBOX_APPLICATION_ID,
      SubscriptionId: s.subscriptions()[0]?.subscriptionId,
      PublishTime: expect.any(String),
      NotificationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it.each(ORDER_KINDS)('builds a schema-valid notification for a %s factory order', async (kind) => {
    await subscribed({}, { sellerId: 'A2OTHERSELLER', applicationId: 'amzn1.sellerapps.app.other' });
    sim!.putOrder(factory.make(kind));
    const [n] = bodies();
    expect(n?.Payload.OrderChangeNotification.SellerId).toBe('A2OTHERSELLER');
    expect(n?.NotificationMetadata.ApplicationId).toBe('amzn1.sellerapps.app.other');
  });

  it('publishes status changes from updateOrder and confirmShipment, but not an address edit', async () => {
    const s = await subscribed();
    const order = s.putOrder(factory.make('pending'));
    s.updateOrder(order.orderId, (o) => {
      o.fulfillment!.fulfillmentStatus = 'UNSHIPPED';
    });
    s.updateOrder(order.orderId, (o) => {
      o.recipient!.deliveryAddress!.addressLine1 = '1 Changed St';
    });
    const current = s.getOrder(order.orderId)!;
    const reply = await call(s, 'POST', `/orders/v0/orders/${order.orderId}/shipmentConfirmation`, {
      token: await accessToken(s),
      body: JSON.stringify({
        marketplaceId: 'ATVPDKIKX0DER',
        packageDetail: {
          packageReferenceId: '1',
          carrierCode: 'UPS',
          trackingNumber: '1Z999AA10123456784',
          shipDate: new Date(clock.now()).toISOString(),
          orderItems: current.orderItems.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantityOrdered })),
        },
      }),
    });
    expect(reply.status).toBe(204);
    expect(kinds()).toEqual([
      ['OrderStatusChange', 'Pending'],
      ['OrderStatusChange', 'Unshipped'],
      ['OrderStatusChange', 'Shipped'],
    ]);
    const shipped = bodies()[2]!.Payload.OrderChangeNotification;
    expect(shipped.OrderChangeTrigger.TimeOfOrderChange).toBe(s.getOrder(order.orderId)!.lastUpdatedTime);
    expect(shipped.Summary.OrderItems.every((i) => i.QuantityShipped > 0)).toBe(true);
  });

  it('reports a buyer cancellation as BuyerRequestedChange and then the Canceled status', async () => {
    const s = await subscribed();
    const order = s.putOrder(factory.make('standard'));
    s.requestBuyerCancellation(order.orderId);
    s.cancelOrder(order.orderId);
    expect(kinds()).toEqual([
      ['OrderStatusChange', 'Unshipped'],
      ['BuyerRequestedChange', 'Unshipped'],
      ['BuyerRequestedChange', 'Canceled'],
      ['OrderStatusChange', 'Canceled'],
    ]);
    const request = bodies()[1]!.Payload.OrderChangeNotification;
    expect(request.OrderChangeTrigger.ChangeReason).toBe('Buyer Requested Cancel');
    expect(request.Summary.OrderItems.every((i) => i.IsBuyerRequestedCancel)).toBe(true);
  });

  it.each([
    ['a marketplace outside marketplaceIds', { marketplaceIds: ['A1F83G8C2ARO7P'] }, 0],
    ['a marketplace inside marketplaceIds', { marketplaceIds: ['A1F83G8C2ARO7P', 'ATVPDKIKX0DER'] }, 3],
    ['only BuyerRequestedChange', { orderChangeTypes: ['BuyerRequestedChange'] }, 1],
    ['only OrderStatusChange', { orderChangeTypes: ['OrderStatusChange'] }, 2],
  ])('applies the event filter: %s', async (_case, eventFilter, expected) => {
    const s = await subscribed(eventFilter);
    const order = s.putOrder(factory.make('standard'));
    s.cancelOrder(order.orderId, { cancelledBy: 'BUYER' });
    expect(received).toHaveLength(expected);
  });

  it('loses dropped notifications while polling still sees every order', async () => {
    const s = await subscribed();
    s.dropNotifications(2);
    const placed = [0, 1, 2].map(() => s.putOrder({ ...factory.make('standard'), lastUpdatedTime: undefined }));
    expect(bodies().map((n) => n.Payload.OrderChangeNotification.AmazonOrderId)).toEqual([placed[2]!.orderId]);
    const search = await call(s, 'GET', '/orders/2026-01-01/orders?lastUpdatedAfter=2026-01-01T00:00:00Z', { token: await accessToken(s) });
    expect((search.json as { orders: { orderId: string }[] }).orders.map((o) => o.orderId).sort()).toEqual(placed.map((o) => o.orderId).sort());
  });

  it('delivers each notification twice, with the same NotificationId, while duplicating', async () => {
    const s = await subscribed();
    s.duplicateNotifications(true);
    s.putOrder(factory.make('standard'));
    s.duplicateNotifications(false);
    s.putOrder(factory.make('standard'));
    expect(received).toHaveLength(3);
    expect(received[0]?.body).toBe(received[1]?.body);
  });

  it('delivers after notificationDelayMs rather than inside the change', async () => {
    const s = await subscribed({}, { notificationDelayMs: 20 });
    s.putOrder(factory.make('standard'));
    expect(received).toHaveLength(0);
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 2000 });
  });

  it('publishes to a sink set later and nowhere once it is removed', async () => {
    const s = await subscribed();
    const later: string[] = [];
    s.setNotificationSink((_destination, body) => later.push(body));
    s.putOrder(factory.make('standard'));
    s.setNotificationSink(undefined);
    s.putOrder(factory.make('standard'));
    expect(later).toHaveLength(1);
    expect(received).toHaveLength(0);
  });

  it('publishes nothing without a subscription', async () => {
    received = [];
    sim = await startSpApiSimulator({ tls, clock: clock.now, onNotification: (destination, body) => received.push({ destination, body }) });
    sim.putOrder(factory.make('standard'));
    expect(received).toEqual([]);
  });
});

describe('v0OrderStatus', () => {
  it.each([
    ['PENDING_AVAILABILITY', 'PendingAvailability'],
    ['PENDING', 'Pending'],
    ['UNSHIPPED', 'Unshipped'],
    ['PARTIALLY_SHIPPED', 'PartiallyShipped'],
    ['SHIPPED', 'Shipped'],
    ['CANCELLED', 'Canceled'],
    ['UNFULFILLABLE', 'Unfulfillable'],
  ] as [WireFulfillmentStatus, string][])('maps %s to %s', (status, expected) => {
    expect(v0OrderStatus(status)).toBe(expected);
  });
});
