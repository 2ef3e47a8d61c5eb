import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrderFactory } from '../../src/sandbox/amazon/order-factory';
import { mapSku } from '../../src/sync/map-sku';
import { run as runSync } from '../../src/sync/sync-orders.job';
import { startHarness, type Harness } from '../support/sandbox';

describe('mapping a SKU from Slack', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.close());

  it("re-sends the open order that went out with Amazon's SKU, updated in place (not a second order)", async () => {
    const { lastUpdatedTime: _t, ...o } = createOrderFactory(77).make('unmapped_sku');
    const order = h.sandbox.spApi.putOrder(o);
    const account = h.rt.config.accounts[0]!;
    await runSync({ accountId: account.id }, h.rt.contextFor(account));
    const amazonSku = order.orderItems.find((i) => i.product?.sellerSku?.startsWith('UNMAPPED'))!.product!.sellerSku!;
    expect(h.sandbox.shipstation.getByOrderNumber(order.orderId)[0]!.items.map((i) => i.sku)).toContain(amazonSku);

    await mapSku({ amazonSku, shipstationSku: 'MAPPED-NOW' }, { store: h.rt.store, accounts: h.rt.config.accounts, contextFor: (a) => h.rt.contextFor(a), now: () => new Date() });

    const inShipStation = h.sandbox.shipstation.getByOrderNumber(order.orderId);
    expect(inShipStation).toHaveLength(1);
    expect(inShipStation[0]!.items.map((i) => i.sku)).toContain('MAPPED-NOW');
    expect(inShipStation[0]!.items.map((i) => i.sku)).not.toContain(amazonSku);
    expect(await h.rt.store.unmapped.get(amazonSku)).toBeUndefined();
  });
});
