import { describe, expect, it } from 'vitest';
import { gatherStatus } from '../../src/jobs/status';
import { dockhandProgress } from '../../src/cli/sandbox';
import { createOrderFactory, ORDER_KINDS } from '../../src/sandbox/amazon/order-factory';
import { run } from '../../src/sync/sync-orders.job';
import { startHarness } from '../support/sandbox';

describe("the sandbox's progress line", () => {
  it('gives the same numbers as status after a sync, and counts each order once however many passes read it', async () => {
    const h = await startHarness();
    try {
      const factory = createOrderFactory(7);
      for (const kind of ORDER_KINDS) {
        const { lastUpdatedTime: _t, ...o } = factory.make(kind);
        h.sandbox.spApi.putOrder(o);
      }
      const ctx = h.rt.contextFor(h.rt.config.accounts[0]!);
      // Two passes: the second re-reads the overlap, which summed pass totals counted twice.
      await run({ accountId: 'default' }, ctx);
      await run({ accountId: 'default' }, ctx);

      const line = await dockhandProgress(h.rt.config, h.rt.store, 0);
      const m = /^dockhand: (\d+) seen, (\d+) in ShipStation \(by polling: 0 that events missed\), (\d+) held, (\d+) cancelled, (\d+) skipped, (\d+) quarantined$/.exec(line);
      expect(m, line).not.toBeNull();
      const [seen, sent, held, cancelled, skipped, quarantined] = m!.slice(1).map(Number);

      const status = (await gatherStatus(h.rt.config, h.rt.store, undefined, new Date())).accounts[0]!;
      const s = status.states;
      expect({ sent, held, cancelled, skipped, quarantined }).toEqual({ sent: s.sent ?? 0, held: s.held ?? 0, cancelled: s.cancelled ?? 0, skipped: s.skipped ?? 0, quarantined: status.quarantined });
      expect(seen).toBe(Object.values(s).reduce((n, v) => n + (v ?? 0), 0));
      // Every order placed that is Dockhand's to know (one record each), never more than Amazon holds.
      expect(seen).toBeLessThanOrEqual(h.sandbox.spApi.orders().length);
      expect(sent).toBe(h.sandbox.shipstation.orders().filter((o) => o.orderStatus !== 'cancelled').length);
      expect(quarantined).toBeGreaterThan(0);
      expect(held).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('leaves "by polling" out without an event path', async () => {
    const h = await startHarness();
    try {
      expect(await dockhandProgress(h.rt.config, h.rt.store)).toBe('dockhand: 0 seen, 0 in ShipStation, 0 held, 0 cancelled, 0 skipped, 0 quarantined');
    } finally {
      await h.close();
    }
  });
});
