import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_QUEUE } from '../../src/cli/sandbox';
import { DockhandError } from '../../src/domain/errors';
import { startSqsConsumer } from '../../src/events/sqs-consumer';
import { silentLogger } from '../../src/log/logger';
import { createOrderFactory, type OrderKind } from '../../src/sandbox/amazon/order-factory';
import { createOrderEvents, EVENTS_QUARANTINE_ACCOUNT, type OrderEvents } from '../../src/sync/order-events.job';
import { run } from '../../src/sync/sync-orders.job';
import { startHarness, type Harness } from '../support/sandbox';

/**
 * ORDER_CHANGE path end to end: the SP-API simulator publishes to the SQS simulator, the real
 * SQS client receives, Dockhand reads the order with getOrder and upserts it in ShipStation.
 */
describe('order events through SQS', () => {
  let h: Harness;
  let events: OrderEvents;
  const factory = createOrderFactory(404);
  const account = () => h.rt.config.accounts[0]!;

  beforeEach(async () => {
    h = await startHarness();
    events = createOrderEvents({ accounts: h.rt.config.accounts, contextFor: (a) => h.rt.contextFor(a), now: () => new Date() });
  });
  afterEach(async () => h.close());

  const place = (kind: OrderKind = 'standard') => {
    const { lastUpdatedTime: _t, ...o } = factory.make(kind);
    return h.sandbox.spApi.putOrder(o);
  };
  /** Receives what is in the queue and hands each body to Dockhand, as the consumer does. */
  const drain = async () => {
    const out = await h.rt.sqs!.send(new ReceiveMessageCommand({ QueueUrl: h.sandbox.info.sqsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const bodies = (out.Messages ?? []).map((m) => m.Body!);
    const outcomes = [];
    for (const [i, body] of bodies.entries()) outcomes.push(await events.handle(body, { messageId: `m${i}`, receiveCount: 1 }));
    return { bodies, outcomes };
  };
  const getOrderCalls = () => h.sandbox.spApi.stats().requests.getOrder ?? 0;

  it('brings a new order into ShipStation from its notification, without a polling pass', async () => {
    const consumer = startSqsConsumer({ sqs: h.rt.sqs!, queueUrl: h.sandbox.info.sqsQueueUrl, handle: events.handle, waitTimeSeconds: 1, logger: silentLogger });
    try {
      const order = place('prime_next_day');
      const deadline = Date.now() + 5_000;
      while (h.sandbox.shipstation.getByOrderNumber(order.orderId).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(h.sandbox.shipstation.getByOrderNumber(order.orderId)).toHaveLength(1);
      expect(h.sandbox.spApi.stats().requests.searchOrders ?? 0).toBe(0);
      await new Promise((r) => setTimeout(r, 100));
      expect(h.sandbox.sqs.depth(SANDBOX_QUEUE)).toMatchObject({ visible: 0, inFlight: 0 });
    } finally {
      await consumer.stop();
    }
  });

  it('creates one order when SQS delivers the notification twice, and the second costs no getOrder', async () => {
    h.sandbox.spApi.duplicateNotifications(true);
    const order = place();
    const { bodies, outcomes } = await drain();
    expect(bodies).toHaveLength(2);
    expect(outcomes).toEqual(['done', 'done']);
    expect(h.sandbox.shipstation.getByOrderNumber(order.orderId)).toHaveLength(1);
    expect(getOrderCalls()).toBe(1);
  });

  it('lets an older event arrive after a newer one without rolling the order back', async () => {
    const order = place();
    const [created] = (await drain()).bodies;
    h.sandbox.spApi.cancelOrder(order.orderId);
    await drain();
    expect(h.sandbox.shipstation.getByOrderNumber(order.orderId)[0]).toMatchObject({ orderStatus: 'cancelled' });
    const calls = getOrderCalls();
    expect(await events.handle(created!, { messageId: 'late', receiveCount: 1 })).toBe('done');
    expect(getOrderCalls()).toBe(calls);
    expect(h.sandbox.shipstation.getByOrderNumber(order.orderId)[0]).toMatchObject({ orderStatus: 'cancelled' });
  });

  it('has no duplicate after a crash between sending the order and deleting its message', async () => {
    const order = place();
    const out = await h.rt.sqs!.send(new ReceiveMessageCommand({ QueueUrl: h.sandbox.info.sqsQueueUrl, VisibilityTimeout: 0 }));
    const body = out.Messages![0]!.Body!;
    expect(await events.handle(body, { messageId: 'x', receiveCount: 1 })).toBe('done');
    // The process died here: the message was never deleted and comes back.
    const again = await h.rt.sqs!.send(new ReceiveMessageCommand({ QueueUrl: h.sandbox.info.sqsQueueUrl }));
    expect(again.Messages?.[0]?.Body).toBe(body);
    const fresh = createOrderEvents({ accounts: h.rt.config.accounts, contextFor: (a) => h.rt.contextFor(a), now: () => new Date() });
    expect(await fresh.handle(body, { messageId: 'x', receiveCount: 2 })).toBe('done');
    expect(h.sandbox.shipstation.getByOrderNumber(order.orderId)).toHaveLength(1);
  });

  it('quarantines a malformed order once, whether its event or the next polling pass sees it first', async () => {
    const order = place('malformed');
    expect((await drain()).outcomes).toEqual(['done']);
    await run({ accountId: account().id }, h.rt.contextFor(account()));
    await run({ accountId: account().id }, h.rt.contextFor(account()));
    expect(await h.rt.store.quarantine.get(`${account().id}:${order.orderId}`)).toMatchObject({ code: 'order.malformed', attempts: 1 });
    expect(h.notices.quarantined.filter((n) => n.amazonOrderId === order.orderId)).toHaveLength(1);
  });

  it('quarantines an unparseable message with its raw body and lets it be deleted', async () => {
    expect(await events.handle('{"NotificationType":"ANY_OFFER_CHANGED"}', { messageId: 'bad1', receiveCount: 1 })).toBe('done');
    const entries = await h.rt.store.quarantine.list();
    expect(entries).toEqual([expect.objectContaining({ accountId: EVENTS_QUARANTINE_ACCOUNT, amazonOrderId: 'message-bad1', code: 'events.unparseable' })]);
    expect(h.rt.sealer.open(entries[0]!.sealedRaw!)).toBe('{"NotificationType":"ANY_OFFER_CHANGED"}');
  });

  it.each([
    ['another seller', (b: Record<string, any>) => (b.Payload.OrderChangeNotification.SellerId = 'A2OTHERSELLER99')],
    ['an Amazon-fulfilled order', (b: Record<string, any>) => (b.Payload.OrderChangeNotification.Summary.FulfillmentType = 'AFN')],
    ['a marketplace the account does not sell in', (b: Record<string, any>) => (b.Payload.OrderChangeNotification.Summary.MarketplaceId = 'A1PA6795UKMFR9')],
  ])('ignores an event for %s', async (_n, mutate) => {
    h.rt.config.accounts[0]!.sellerId = 'A1DOCKHANDSANDBOX';
    place();
    const [body] = (await drain()).bodies;
    const parsed = JSON.parse(body!);
    mutate(parsed);
    const calls = getOrderCalls();
    expect(await events.handle(JSON.stringify(parsed), { messageId: 'o', receiveCount: 1 })).toBe('done');
    expect(getOrderCalls()).toBe(calls);
    expect(events.health().ignored).toBe(1);
  });

  it('keeps going through a queue outage: polling still brings every order, nothing is lost', async () => {
    const consumer = startSqsConsumer({ sqs: h.rt.sqs!, queueUrl: h.sandbox.info.sqsQueueUrl, handle: events.handle, waitTimeSeconds: 1, errorBackoffBaseMs: 20, logger: silentLogger, onError: (e) => events.noteQueueError(e.message) });
    try {
      h.sandbox.sqs.setDown(true);
      const during = place();
      await run({ accountId: 'default' }, h.rt.contextFor(account()));
      expect(h.sandbox.shipstation.getByOrderNumber(during.orderId)).toHaveLength(1);
      const seen = Date.now() + 5_000;
      while (events.health().queueErrors === 0 && Date.now() < seen) await new Promise((r) => setTimeout(r, 20));
      h.sandbox.sqs.setDown(false);
      const after = place();
      const deadline = Date.now() + 5_000;
      while (h.sandbox.shipstation.getByOrderNumber(after.orderId).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(h.sandbox.shipstation.getByOrderNumber(after.orderId)).toHaveLength(1);
      expect(events.health().queueErrors).toBeGreaterThan(0);
    } finally {
      await consumer.stop();
    }
  });

  it('hands an event back while Amazon cannot be reached, and the order arrives on the next delivery', async () => {
    let down = true;
    // Amazon unreachable for the first delivery: the client's own retries are spent (transport injected).
    const flaky = createOrderEvents({
      accounts: h.rt.config.accounts,
      now: () => new Date(),
      contextFor: (a) => {
        const ctx = h.rt.contextFor(a);
        const fetchOrder = ctx.amazon.fetchOrder;
        return {
          ...ctx,
          amazon: {
            ...ctx.amazon,
            fetchOrder: async (id: string) => {
              if (down) throw new DockhandError('amazon.unreachable', 'SP-API did not answer', { transient: true });
              return fetchOrder(id);
            },
          },
        };
      },
    });
    const order = place();
    const out = await h.rt.sqs!.send(new ReceiveMessageCommand({ QueueUrl: h.sandbox.info.sqsQueueUrl }));
    const body = out.Messages![0]!.Body!;
    expect(await flaky.handle(body, { messageId: 'f', receiveCount: 1 })).toBe('retry');
    expect(h.sandbox.shipstation.getByOrderNumber(order.orderId)).toHaveLength(0);
    down = false;
    expect(await flaky.handle(body, { messageId: 'f', receiveCount: 2 })).toBe('done');
    expect(h.sandbox.shipstation.getByOrderNumber(order.orderId)).toHaveLength(1);
  });
});
