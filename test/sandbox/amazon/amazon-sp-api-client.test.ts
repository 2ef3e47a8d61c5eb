import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFactory } from '../../../src/sandbox/amazon/order-factory';
import {
  SANDBOX_LWA_CREDENTIALS,
  startSpApiSimulator,
  type SpApiSimulator,
} from '../../../src/sandbox/amazon/sp-api-simulator';
import type { WireOrder } from '../../../src/sandbox/amazon/wire-order';
import { createSandboxTls } from '../../../src/sandbox/tls';
import { fakeClock, schemaErrors, specValidator } from './support';

// amazon-sp-api is CommonJS; only the surface this test touches is typed here.
interface SellingPartnerClient {
  callAPI(params: Record<string, unknown>): Promise<unknown>;
}
const require = createRequire(import.meta.url);
const SellingPartner = require('amazon-sp-api') as new (config: Record<string, unknown>) => SellingPartnerClient;

/**
 * The client hard-codes sellingpartnerapi-na.amazon.com:443 and api.amazon.com for LWA; this
 * agent dials the simulator instead and verifies its certificate by the host dialled, 127.0.0.1
 * (servername '' sends no SNI, so TLS checks `host`), as an endpoint override does.
 */
class LoopbackAgent extends Agent {
  constructor(private readonly sim: SpApiSimulator) {
    super({ keepAlive: false });
  }
  override createConnection(options: ConnectionOptions): Duplex {
    return connect({
      ...options,
      host: '127.0.0.1',
      port: this.sim.port,
      servername: '',
      ca: this.sim.caCertPem,
    });
  }
}

describe('amazon-sp-api client against the simulator', () => {
  const clock = fakeClock();
  let sim: SpApiSimulator;
  let client: SellingPartnerClient;
  const factory = createOrderFactory(77, { now: () => clock.now() - 60 * 60 * 1000 });
  const placed: WireOrder[] = [];

  beforeAll(async () => {
    sim = await startSpApiSimulator({ tls: createSandboxTls(), clock: clock.now, tokenTtlSeconds: 3600 });
    for (const order of factory.mix(5)) placed.push(sim.putOrder(order));
    client = new SellingPartner({
      region: 'na',
      refresh_token: SANDBOX_LWA_CREDENTIALS.refreshToken,
      credentials: {
        SELLING_PARTNER_APP_CLIENT_ID: SANDBOX_LWA_CREDENTIALS.clientId,
        SELLING_PARTNER_APP_CLIENT_SECRET: SANDBOX_LWA_CREDENTIALS.clientSecret,
      },
      endpoints_versions: { orders: '2026-01-01' },
      options: { auto_request_throttled: false, retry_remote_timeout: false, https_proxy_agent: new LoopbackAgent(sim) },
    });
  });
  afterAll(() => sim.close());

  it('calls searchOrders with array params and gets schema-valid orders', async () => {
    const result = await client.callAPI({
      operation: 'orders.searchOrders',
      query: {
        lastUpdatedAfter: new Date(clock.now() - 24 * 60 * 60 * 1000).toISOString(),
        marketplaceIds: ['ATVPDKIKX0DER', 'A1PA6795UKMFR9', 'A1F83G8C2ARO7P', 'A2EUQ1WTGCTBG2', 'AZZSANDBOX0001'],
        includedData: ['BUYER', 'RECIPIENT', 'FULFILLMENT'],
      },
    });
    expect(schemaErrors(specValidator('orders_2026-01-01.json', 'SearchOrdersResponse'), result)).toBe('');
    const { orders } = result as { orders: WireOrder[] };
    expect(new Set(orders.map((o) => o.orderId))).toEqual(new Set(placed.map((o) => o.orderId)));
    expect(orders.every((o) => o.fulfillment !== undefined && o.proceeds === undefined)).toBe(true);
    expect(sim.stats().requests).toEqual({ lwaToken: 1, searchOrders: 1 });
  });

  it('refreshes an expired access token on its own and retries', async () => {
    sim.resetStats();
    clock.advance(3600 * 1000);
    const result = await client.callAPI({
      operation: 'orders.getOrder',
      path: { orderId: placed[0]!.orderId },
      query: { includedData: ['RECIPIENT'] },
    });
    expect((result as { order: WireOrder }).order.orderId).toBe(placed[0]!.orderId);
    expect(sim.stats().requests).toEqual({ lwaToken: 1, getOrder: 2 });
  });

  it('confirms a shipment through the v0 fallback the client picks for confirmShipment', async () => {
    const order = sim.orders().find((o) => o.fulfillment?.fulfillmentStatus === 'UNSHIPPED')!;
    const body = {
      marketplaceId: order.salesChannel.marketplaceId,
      packageDetail: {
        packageReferenceId: '1',
        carrierCode: 'UPS',
        trackingNumber: '1Z999AA10123456784',
        shipDate: new Date(clock.now()).toISOString(),
        orderItems: order.orderItems.map((item) => ({ orderItemId: item.orderItemId, quantity: item.quantityOrdered })),
      },
    };
    await expect(client.callAPI({ operation: 'orders.confirmShipment', path: { orderId: order.orderId }, body })).resolves.toEqual({
      success: true,
    });
    expect(sim.confirmations()).toEqual([{ orderId: order.orderId, body, at: clock.now() }]);
    expect(sim.getOrder(order.orderId)?.fulfillment?.fulfillmentStatus).toBe('SHIPPED');
  });

  it('surfaces QuotaExceeded as an error when auto-retry is off', async () => {
    sim.failNext(1, 429);
    await expect(
      client.callAPI({ operation: 'orders.getOrder', path: { orderId: placed[0]!.orderId } }),
    ).rejects.toMatchObject({ code: 'QuotaExceeded' });
  });

  it('creates a destination with a grantless token and subscribes with the seller token', async () => {
    sim.resetStats();
    const destination = (await client.callAPI({
      operation: 'createDestination',
      endpoint: 'notifications',
      body: { name: 'dockhand', resourceSpecification: { sqs: { arn: 'arn:aws:sqs:us-east-1:123456789012:dockhand' } } },
    })) as { destinationId: string };
    expect(schemaErrors(specValidator('notifications.json', 'Destination'), destination)).toBe('');
    expect(sim.destinations()).toEqual([destination]);
    // The client asked LWA for a client_credentials token, on top of its seller token.
    expect(sim.stats().requests).toEqual({ lwaToken: 1, createDestination: 1 });

    const subscription = (await client.callAPI({
      operation: 'createSubscription',
      endpoint: 'notifications',
      path: { notificationType: 'ORDER_CHANGE' },
      body: {
        payloadVersion: '1.0',
        destinationId: destination.destinationId,
        processingDirective: { eventFilter: { eventFilterType: 'ORDER_CHANGE', orderChangeTypes: ['OrderStatusChange'] } },
      },
    })) as { subscriptionId: string };
    const byId = await client.callAPI({
      operation: 'getSubscriptionById',
      endpoint: 'notifications',
      path: { notificationType: 'ORDER_CHANGE', subscriptionId: subscription.subscriptionId },
    });
    expect(byId).toEqual(subscription);
  });
});
