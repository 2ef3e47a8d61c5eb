import { describe, expect, it } from 'vitest';

describe('the running product with events', () => {
  it('takes orders from events, and counts an order only polling could bring (a lost notification)', async () => {
    const { startHarness } = await import('../support/sandbox');
    const { startProduct } = await import('../../src/cli/product');
    const { createOrderFactory } = await import('../../src/sandbox/amazon/order-factory');
    const h = await startHarness();
    try {
      h.rt.config.sync.intervalSeconds = 0.5;
      h.rt.config.events!.pollingSlowdown = 2;
      const product = startProduct(h.rt);
      const factory = createOrderFactory(77);
      const place = () => {
        const { lastUpdatedTime: _t, ...o } = factory.make('standard');
        return h.sandbox.spApi.putOrder(o);
      };
      const arrives = async (id: string) => {
        const deadline = Date.now() + 8_000;
        while (h.sandbox.shipstation.getByOrderNumber(id).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        return h.sandbox.shipstation.getByOrderNumber(id).length;
      };
      expect(await arrives(place().orderId)).toBe(1);
      // Whichever path got there first, the event was handled (sent on, or found already current).
      const deadline = Date.now() + 5_000;
      while (!product.events!.handler.health().lastEventAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(product.events!.handler.health().received).toBe(1);

      h.sandbox.spApi.dropNotifications(1);
      expect(await arrives(place().orderId)).toBe(1);
      await product.stop();
      expect((await h.rt.store.health.get('events'))?.caughtByPolling).toBeGreaterThanOrEqual(1);
    } finally {
      await h.close();
    }
  }, 20_000);
});

describe('the running product with tracking writeback', () => {
  it('registers SHIP_NOTIFY on its own HTTP server, confirms a label within seconds, refuses a forged call, and reports its jobs in /healthz', async () => {
    const { startHarness } = await import('../support/sandbox');
    const { startProduct } = await import('../../src/cli/product');
    const { startSlackFace } = await import('../../src/cli/slack');
    const { shipNotifyContext } = await import('../../src/cli/writeback');
    const { ensureShipNotifyWebhook, WEBHOOK_PATH } = await import('../../src/writeback/ship-notify-webhook');
    const { run } = await import('../../src/sync/sync-orders.job');
    const { createOrderFactory } = await import('../../src/sandbox/amazon/order-factory');
    const h = await startHarness();
    h.rt.config.slack.port = 0;
    h.rt.config.writeback.webhookSecret = 'product-test-secret';
    h.rt.config.writeback.pollSeconds = 3600; // only the webhook can be quick here
    const product = startProduct(h.rt);
    const face = await startSlackFace(h.rt, product);
    try {
      h.rt.config.writeback.publicUrl = `http://127.0.0.1:${face.port}`;
      const hook = await ensureShipNotifyWebhook(shipNotifyContext(h.rt));
      expect(hook.registered).toBe(true);
      expect(h.sandbox.shipstation.webhooks()).toHaveLength(1);
      // Registering again (a restart) keeps the one subscription.
      await ensureShipNotifyWebhook(shipNotifyContext(h.rt));
      expect(h.sandbox.shipstation.webhooks()).toHaveLength(1);

      const { lastUpdatedTime: _t, ...o } = createOrderFactory(5).make('standard');
      h.sandbox.spApi.putOrder(o);
      await run({ accountId: 'default' }, h.rt.contextFor(h.rt.config.accounts[0]!));
      h.sandbox.shipstation.createLabel(h.sandbox.shipstation.getByOrderNumber(o.orderId)[0]!.orderId);
      const deadline = Date.now() + 8_000;
      while (h.sandbox.spApi.confirmations().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(h.sandbox.spApi.confirmations().map((c) => c.orderId)).toEqual([o.orderId]);

      const forged = await fetch(`http://127.0.0.1:${face.port}${WEBHOOK_PATH}?secret=nope`, { method: 'POST', body: JSON.stringify({ resource_url: `${h.sandbox.shipstation.url}/shipments`, resource_type: 'SHIP_NOTIFY' }) });
      expect(forged.status).toBe(401);

      const health = (await (await fetch(`http://127.0.0.1:${face.port}/healthz`)).json()) as { jobs: Array<{ name: string }> };
      expect(health.jobs.map((j) => j.name)).toEqual(expect.arrayContaining(['poll-labels', 'deadline-guard', 'reconcile']));
    } finally {
      await face.stop();
      await product.stop();
      await h.close();
    }
  }, 20_000);
});
