import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOrderFactory } from '../../../src/sandbox/amazon/order-factory';
import { startOrderFeed } from '../../../src/sandbox/amazon/order-feed';
import { startSpApiSimulator, type SpApiSimulator } from '../../../src/sandbox/amazon/sp-api-simulator';
import { createSandboxTls } from '../../../src/sandbox/tls';
import { accessToken, call, fakeClock } from './support';

describe('startOrderFeed', () => {
  const clock = fakeClock();
  let sim: SpApiSimulator;
  beforeAll(async () => {
    sim = await startSpApiSimulator({ tls: createSandboxTls(), clock: clock.now });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('places orders at the configured rate, plus a spike, stamped by the simulator clock', async () => {
    const before = sim.orders().length;
    const factory = createOrderFactory(4, { now: clock.now });
    const feed = startOrderFeed(sim, factory, { ordersPerMinute: 60, spike: { at: 5_000, count: 25 } });
    vi.advanceTimersByTime(4_000);
    expect(feed.placed()).toBe(4);
    vi.advanceTimersByTime(1_000);
    expect(feed.placed()).toBe(30);
    feed.stop();
    vi.advanceTimersByTime(60_000);
    expect(feed.placed()).toBe(30);
    expect(sim.orders().length - before).toBe(30);

    // The placed orders are what a poller sees over HTTPS.
    const token = await accessToken(sim);
    const reply = await call(sim, 'GET', '/orders/2026-01-01/orders?lastUpdatedAfter=2026-03-02T12:00:00Z', { token });
    expect((reply.json as { orders: unknown[] }).orders).toHaveLength(30);
  });

  it('sometimes cancels an open order or changes its address', () => {
    const factory = createOrderFactory(5, { now: clock.now });
    const feed = startOrderFeed(sim, factory, { ordersPerMinute: 600, cancelChance: 0.3, addressChangeChance: 0.3, seed: 3 });
    vi.advanceTimersByTime(10_000);
    feed.stop();
    const orders = sim.orders();
    // Orders the factory made as 'cancelled' don't count: only ones the feed cancelled later.
    const cancelledByFeed = orders.filter(
      (o) => o.fulfillment?.fulfillmentStatus === 'CANCELLED' && factory.kindOf(o.orderId) !== 'cancelled',
    );
    expect(cancelledByFeed.length).toBeGreaterThan(0);
    expect(cancelledByFeed[0]?.orderItems[0]?.cancellation?.cancellationExecution?.cancelledBy).toBe('BUYER');
    expect(orders.some((o) => o.recipient?.deliveryAddress?.addressLine1?.endsWith('Corrected Ave'))).toBe(true);
  });
});
