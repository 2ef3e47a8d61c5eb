import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DockhandError } from '../../src/domain/errors';
import {
  createNotificationsClient,
  ensureOrderChangeSubscription,
  queueArnFromUrl,
  resolveQueueArn,
  type NotificationsClient,
} from '../../src/events/notifications-client';
import { SANDBOX_LWA_CREDENTIALS, startSpApiSimulator, type SpApiSimulator } from '../../src/sandbox/amazon/sp-api-simulator';
import { startSqsSimulator, type SqsSimulator } from '../../src/sandbox/sqs/sqs-simulator';
import { createSandboxTls, type SandboxTls } from '../../src/sandbox/tls';

let tls: SandboxTls;
beforeAll(() => {
  tls = createSandboxTls();
});

const open: { sims: { close(): Promise<void> }[]; clients: NotificationsClient[]; sqs: SQSClient[] } = { sims: [], clients: [], sqs: [] };
afterEach(async () => {
  await Promise.all(open.clients.map((c) => c.close()));
  open.sqs.forEach((c) => c.destroy());
  await Promise.all(open.sims.map((s) => s.close()));
  open.sims = [];
  open.clients = [];
  open.sqs = [];
});

async function spApi(): Promise<{ sim: SpApiSimulator; client: NotificationsClient }> {
  const sim = await startSpApiSimulator({ tls });
  open.sims.push(sim);
  const client = createNotificationsClient({
    region: 'na',
    ...SANDBOX_LWA_CREDENTIALS,
    spApiUrl: sim.url,
    lwaUrl: sim.lwaUrl,
    ca: tls.caCertPem,
    retryBaseMs: 5,
  });
  open.clients.push(client);
  return { sim, client };
}

const ARN = 'arn:aws:sqs:us-east-1:123456789012:dockhand-orders';
const MARKETPLACES = ['ATVPDKIKX0DER'];

describe('queueArnFromUrl', () => {
  it.each<[string, string | undefined]>([
    ['https://sqs.us-east-1.amazonaws.com/123456789012/dockhand-orders', 'arn:aws:sqs:us-east-1:123456789012:dockhand-orders'],
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo', 'arn:aws:sqs:eu-west-1:123456789012:orders.fifo'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q', 'arn:aws-cn:sqs:cn-north-1:123456789012:q'],
    ['http://127.0.0.1:4566/000000000000/dockhand-orders', undefined],
    ['https://sqs.us-east-1.amazonaws.com/not-an-account/q', undefined],
    ['https://queue.amazonaws.com/123456789012/q', undefined],
    ['not a url', undefined],
  ])('%s → %s', (url, arn) => expect(queueArnFromUrl(url)).toBe(arn));
});

describe('resolveQueueArn', () => {
  it('asks SQS for the ARN of a sandbox queue', async () => {
    const sim: SqsSimulator = await startSqsSimulator({ queues: ['dockhand-orders'] });
    open.sims.push(sim);
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: sim.url, credentials: { accessKeyId: 't', secretAccessKey: 't' }, maxAttempts: 1 });
    open.sqs.push(sqs);
    expect(await resolveQueueArn(sqs, sim.queueUrl('dockhand-orders'))).toBe(sim.queueArn('dockhand-orders'));
    sim.setDown(true);
    await expect(resolveQueueArn(sqs, sim.queueUrl('dockhand-orders'))).rejects.toMatchObject({ code: 'events.queue_unreachable' });
  });
});

describe('ensureOrderChangeSubscription', () => {
  it('creates the destination and subscription once, then reuses them', async () => {
    const { sim, client } = await spApi();
    const first = await ensureOrderChangeSubscription(client, { queueArn: ARN, marketplaceIds: MARKETPLACES, name: 'dockhand' });
    expect(first.created).toEqual({ destination: true, subscription: true });
    const again = await ensureOrderChangeSubscription(client, { queueArn: ARN, marketplaceIds: MARKETPLACES, name: 'dockhand' });
    expect(again).toEqual({ destinationId: first.destinationId, subscriptionId: first.subscriptionId, created: { destination: false, subscription: false } });
    expect(sim.destinations()).toHaveLength(1);
    expect(sim.subscriptions()).toEqual([
      expect.objectContaining({
        notificationType: 'ORDER_CHANGE',
        destinationId: first.destinationId,
        processingDirective: {
          eventFilter: { eventFilterType: 'ORDER_CHANGE', marketplaceIds: MARKETPLACES, orderChangeTypes: ['OrderStatusChange', 'BuyerRequestedChange'] },
        },
      }),
    ]);
  });

  it('reports a subscription that points at another queue instead of moving it', async () => {
    const { sim, client } = await spApi();
    const other = 'arn:aws:sqs:us-east-1:123456789012:someone-else';
    await ensureOrderChangeSubscription(client, { queueArn: other, marketplaceIds: MARKETPLACES, name: 'other' });
    const err = await ensureOrderChangeSubscription(client, { queueArn: ARN, marketplaceIds: MARKETPLACES, name: 'dockhand' }).catch((e) => e);
    expect(err).toBeInstanceOf(DockhandError);
    expect(err).toMatchObject({ code: 'events.subscription_conflict', message: expect.stringContaining('someone-else') });
    expect(sim.subscriptions()).toHaveLength(1);
  });

  it('deletes a subscription by id', async () => {
    const { sim, client } = await spApi();
    const r = await ensureOrderChangeSubscription(client, { queueArn: ARN, marketplaceIds: MARKETPLACES, name: 'dockhand' });
    await client.deleteSubscriptionById('ORDER_CHANGE', r.subscriptionId);
    expect(sim.subscriptions()).toEqual([]);
    expect(await client.getSubscription('ORDER_CHANGE')).toBeUndefined();
  });

  it('maps refused credentials to amazon.auth_rejected', async () => {
    const { sim } = await spApi();
    const bad = createNotificationsClient({ region: 'na', ...SANDBOX_LWA_CREDENTIALS, clientSecret: 'wrong', spApiUrl: sim.url, lwaUrl: sim.lwaUrl, ca: tls.caCertPem, retryBaseMs: 5 });
    open.clients.push(bad);
    await expect(bad.getDestinations()).rejects.toMatchObject({ code: 'amazon.auth_rejected' });
  });
});
