import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, expect, it } from 'vitest';
import { createNotificationsClient, ensureOrderChangeSubscription, resolveQueueArn } from '../../src/events/notifications-client';
import { parseOrderChange, routeEvent, type OrderChangeEvent } from '../../src/events/order-change';
import { startSqsConsumer } from '../../src/events/sqs-consumer';
import { silentLogger } from '../../src/log/logger';
import { createOrderFactory, US_MARKETPLACE_ID } from '../../src/sandbox/amazon/order-factory';
import { SANDBOX_LWA_CREDENTIALS, startSpApiSimulator } from '../../src/sandbox/amazon/sp-api-simulator';
import { startSqsSimulator } from '../../src/sandbox/sqs/sqs-simulator';
import { createSandboxTls } from '../../src/sandbox/tls';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup.length = 0;
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('an order placed at Amazon reaches the handler as a routed ORDER_CHANGE event', async () => {
  const sqsSim = await startSqsSimulator({ queues: ['dockhand-orders'] });
  cleanup.push(() => sqsSim.close());
  const tls = createSandboxTls();
  const spSim = await startSpApiSimulator({ tls });
  cleanup.push(() => spSim.close());
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: sqsSim.url, credentials: { accessKeyId: 't', secretAccessKey: 't' }, maxAttempts: 1 });
  cleanup.push(() => sqs.destroy());
  const notifications = createNotificationsClient({ region: 'na', ...SANDBOX_LWA_CREDENTIALS, spApiUrl: spSim.url, lwaUrl: spSim.lwaUrl, ca: tls.caCertPem, retryBaseMs: 5 });
  cleanup.push(() => notifications.close());

  const queueArn = await resolveQueueArn(sqs, sqsSim.queueUrl('dockhand-orders'));
  await ensureOrderChangeSubscription(notifications, { queueArn, marketplaceIds: [US_MARKETPLACE_ID], name: 'dockhand' });
  spSim.setNotificationSink((dest, body) => {
    if (dest.arn === queueArn) sqsSim.send('dockhand-orders', body);
  });

  const routed: { event: OrderChangeEvent; accountId: string }[] = [];
  const consumer = startSqsConsumer({
    sqs,
    queueUrl: sqsSim.queueUrl('dockhand-orders'),
    waitTimeSeconds: 1,
    logger: silentLogger,
    handle: async (body) => {
      const parsed = parseOrderChange(body);
      if (!parsed.ok) return 'done';
      const route = routeEvent(parsed.event, [{ id: 'main', marketplaceIds: [US_MARKETPLACE_ID] }]);
      if (route.kind === 'process') routed.push({ event: parsed.event, accountId: route.accountId });
      return 'done';
    },
  });
  cleanup.push(() => consumer.stop());

  const order = spSim.putOrder(createOrderFactory(7).make('standard'));
  await until(() => routed.some((r) => r.event.amazonOrderId === order.orderId));
  expect(routed.find((r) => r.event.amazonOrderId === order.orderId)).toMatchObject({ accountId: 'main', event: { fulfillmentType: 'MFN' } });
});
