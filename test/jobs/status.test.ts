import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../src/cli/status';
import { gatherStatus } from '../../src/jobs/status';

describe('gatherStatus', () => {
  it('reports the SHIP_NOTIFY webhook the product registered, without its secret, and when the last one arrived', async () => {
    const { startHarness } = await import('../support/sandbox');
    const { createWritebackParts, shipNotifyContext } = await import('../../src/cli/writeback');
    const { ensureShipNotifyWebhook } = await import('../../src/writeback/ship-notify-webhook');
    const h = await startHarness();
    try {
      // `status` runs in a process whose config names no public URL, as against the sandbox.
      const statusConfig = structuredClone(h.rt.config);
      const before = formatStatus(await gatherStatus(statusConfig, h.rt.store, undefined, new Date())).join('\n');
      expect(before).toMatch(/labels\s+polling only/);

      h.rt.config.writeback.publicUrl = 'http://127.0.0.1:1';
      h.rt.config.writeback.webhookSecret = 'status-test-secret';
      const registered = await ensureShipNotifyWebhook(shipNotifyContext(h.rt));
      const parts = createWritebackParts(h.rt);
      // One SHIP_NOTIFY through the intake as ShipStation sends it.
      const { createServer } = await import('node:http');
      const server = createServer((req, res) => parts.intake.handle(req, res));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      const sent = await fetch(`http://127.0.0.1:${port}/webhooks/shipstation?secret=status-test-secret`, {
        method: 'POST',
        body: JSON.stringify({ resource_url: `${h.sandbox.shipstation.url}/shipments?batchId=1`, resource_type: 'SHIP_NOTIFY' }),
      });
      expect(sent.status).toBe(200);
      await parts.intake.drain();
      await new Promise<void>((r) => server.close(() => r()));

      const d = await gatherStatus(statusConfig, h.rt.store, undefined, new Date());
      expect(d.shipNotify).toMatchObject({ webhookId: registered.id, url: 'http://127.0.0.1:1/webhooks/shipstation' });
      expect(d.shipNotify?.lastNotifyAt).toBeDefined();
      const text = formatStatus(d).join('\n');
      expect(text).toMatch(new RegExp(`labels\\s+SHIP_NOTIFY webhook ${registered.id} → http://127\\.0\\.0\\.1:1/webhooks/shipstation \\(registered \\d+s ago\\), last SHIP_NOTIFY \\d+s ago; polling as the safety net`));
      expect(text).not.toContain('status-test-secret');

      // Started again without a public URL: polling only, whatever was registered before.
      h.rt.config.writeback.publicUrl = undefined;
      await ensureShipNotifyWebhook(shipNotifyContext(h.rt));
      expect(formatStatus(await gatherStatus(statusConfig, h.rt.store, undefined, new Date())).join('\n')).toMatch(/labels\s+polling only/);
    } finally {
      await h.close();
    }
  }, 20_000);
});

describe('sharedStatus', () => {
  it('shares one count among everyone asking within a few seconds, counts again after, and does not keep a failed count', async () => {
    const { sharedStatus } = await import('../../src/jobs/status');
    let t = 1_000_000;
    let counts = 0;
    let fail = false;
    const status = sharedStatus(async (now) => {
      counts++;
      if (fail) throw new Error('store down');
      return { now, accounts: [] };
    }, () => t);
    await Promise.all([status(), status()]);
    t += 4_000;
    await status();
    expect(counts).toBe(1);
    t += 2_000;
    expect((await status()).now).toEqual(new Date(t));
    expect(counts).toBe(2);
    fail = true;
    t += 6_000;
    await expect(status()).rejects.toThrow('store down');
    fail = false;
    await status();
    expect(counts).toBe(4);
  });
});
