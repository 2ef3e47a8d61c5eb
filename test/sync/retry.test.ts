import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrderFactory, type OrderKind } from '../../src/sandbox/amazon/order-factory';
import { retryQuarantined } from '../../src/sync/retry';
import { DockhandError } from '../../src/domain/errors';
import { emptySummary, quarantine, run } from '../../src/sync/sync-orders.job';
import { startHarness, type Harness } from '../support/sandbox';

/** Retry all against the sandbox: it retries what a retry can help, and leaves what only Amazon can correct. */
describe('retry all', () => {
  let h: Harness;
  const ids = new Map<OrderKind, string>();

  beforeEach(async () => {
    h = await startHarness();
    const factory = createOrderFactory(909);
    for (const kind of ['standard', 'malformed', 'unknown_marketplace'] as const) {
      const { lastUpdatedTime: _t, ...o } = factory.make(kind);
      ids.set(kind, h.sandbox.spApi.putOrder(o).orderId);
    }
  });
  afterEach(async () => h.close());

  const ctx = () => h.rt.contextFor(h.rt.config.accounts[0]!);
  const getOrderCalls = () => Object.entries(h.sandbox.spApi.stats().requests).filter(([op]) => /getOrder$/i.test(op)).reduce((n, [, c]) => n + c, 0);

  it('skips the orders only Amazon can correct, says how many, and leaves them in quarantine', async () => {
    await run({ accountId: 'default' }, ctx());
    // Shipped in ShipStation, then cancelled on Amazon: locked, and a Retry helps once the label is voided.
    const standard = ids.get('standard')!;
    h.sandbox.shipstation.markShipped(h.sandbox.shipstation.getByOrderNumber(standard)[0]!.orderId);
    h.sandbox.spApi.cancelOrder(standard);
    await run({ accountId: 'default' }, ctx());
    // Polling asks for the account's marketplaces only: an order of another reaches Dockhand by an
    // ORDER_CHANGE notification, whose path quarantines it like this.
    const other = ids.get('unknown_marketplace')!;
    await quarantine('default', other, new DockhandError('order.unknown_marketplace', `Amazon order ${other} is from another marketplace`), ctx(), emptySummary('default', new Date().toISOString()));
    const codes = Object.fromEntries((await h.rt.store.quarantine.list()).map((q) => [q.amazonOrderId, q.code]));
    expect(codes).toEqual({ [standard]: 'order.locked_in_shipstation', [ids.get('malformed')!]: 'order.malformed', [ids.get('unknown_marketplace')!]: 'order.unknown_marketplace' });

    const before = getOrderCalls();
    const outcome = await retryQuarantined('all', ctx());
    expect(outcome).toEqual({ retried: 2, resolved: 0, stillQuarantined: 2, notFound: [], skipped: 1 });
    // Only the two it retried were read again from Amazon.
    expect(getOrderCalls() - before).toBe(2);
    const malformed = await h.rt.store.quarantine.get(`default:${ids.get('malformed')!}`);
    expect(malformed).toMatchObject({ code: 'order.malformed', attempts: 1 });
  });

  it('still retries a malformed order named on its own: someone asked, and Amazon may have fixed it', async () => {
    await run({ accountId: 'default' }, ctx());
    const outcome = await retryQuarantined(ids.get('malformed')!, ctx());
    expect(outcome).toMatchObject({ retried: 1, stillQuarantined: 1, skipped: 0 });
  });
});
