import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrderFactory } from '../../src/sandbox/amazon/order-factory';
import { run as runSync } from '../../src/sync/sync-orders.job';
import { holdOrder, markPriority } from '../../src/writeback/order-actions';
import { startHarness, type Harness } from '../support/sandbox';

/** Hold and Mark priority on an order sync put in the sandbox ShipStation (test/sandbox/mark-priority.test.ts tags one). */
describe('Hold and Mark priority', () => {
  let h: Harness;
  let orderId: number;
  let orderNumber: string;
  beforeEach(async () => {
    h = await startHarness();
    const { lastUpdatedTime: _t, ...o } = createOrderFactory(616).make('standard');
    orderNumber = h.sandbox.spApi.putOrder(o).orderId;
    await runSync({ accountId: 'default' }, h.rt.contextFor(h.rt.config.accounts[0]!));
    orderId = h.sandbox.shipstation.getByOrderNumber(orderNumber)[0]!.orderId;
  });
  afterEach(async () => h.close());

  it('holds the order for a week from now', async () => {
    expect(await holdOrder(h.rt.shipstation, orderId, new Date('2026-12-01T12:00:00Z'))).toEqual({ ok: true, message: 'On hold in ShipStation for 7 days.' });
    expect(h.sandbox.shipstation.getByOrderNumber(orderNumber)[0]!.holdUntilDate).toMatch(/^2026-12-08/);
  });

  it('asks a person to create the priority tag when ShipStation has none by that name, and tags nothing', async () => {
    const result = await markPriority(h.rt.shipstation, 'Rush', orderId);
    expect(result).toEqual({ ok: false, message: expect.stringContaining('ShipStation has no tag named "Rush"') });
    expect(h.sandbox.shipstation.getByOrderNumber(orderNumber)[0]!.tagIds ?? []).toEqual([]);
  });
});
