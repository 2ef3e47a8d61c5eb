import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrderFactory } from '../../src/sandbox/amazon/order-factory';
import { createInShipStation } from '../../src/sync/create-in-shipstation';
import { startHarness, type Harness } from '../support/sandbox';

describe("reconciliation's Create in ShipStation", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.close());

  it('creates an order ShipStation is missing, then says it is already current instead of creating it twice', async () => {
    const { lastUpdatedTime: _t, ...o } = createOrderFactory(78).make('standard');
    const order = h.sandbox.spApi.putOrder(o);
    const ctx = h.rt.contextFor(h.rt.config.accounts[0]!);

    expect(await createInShipStation(order.orderId, ctx)).toEqual({ ok: true, message: `Order ${order.orderId} is in ShipStation now.` });
    expect(await createInShipStation(order.orderId, ctx)).toEqual({ ok: true, message: `Order ${order.orderId} was already current in ShipStation.` });
    expect(h.sandbox.shipstation.getByOrderNumber(order.orderId)).toHaveLength(1);
  });

  it('does not send an order Dockhand leaves to Amazon (fulfilled by Amazon), and says why', async () => {
    const { lastUpdatedTime: _t, ...o } = createOrderFactory(79).make('afn');
    const order = h.sandbox.spApi.putOrder(o);
    const result = await createInShipStation(order.orderId, h.rt.contextFor(h.rt.config.accounts[0]!));
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(new RegExp(`Order ${order.orderId} is not one Dockhand sends`));
    expect(h.sandbox.shipstation.getByOrderNumber(order.orderId)).toHaveLength(0);
  });
});
