import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWritebackParts, pollContext, type WritebackParts } from '../../src/cli/writeback';
import { createOrderFactory } from '../../src/sandbox/amazon/order-factory';
import { run as runSync } from '../../src/sync/sync-orders.job';
import { runPollPass } from '../../src/writeback/poll-labels.job';
import { confirmNow, retryConfirmation, type ConfirmOnRequestContext } from '../../src/writeback/retry-confirmation';
import { startHarness, type Harness } from '../support/sandbox';

/** Retry on a refused confirmation, and reconciliation's Confirm now, against the sandbox. */
describe('confirming one label on request', () => {
  let h: Harness;
  let parts: WritebackParts;
  let ctx: ConfirmOnRequestContext;
  const factory = createOrderFactory(515);

  beforeEach(async () => {
    h = await startHarness();
    parts = createWritebackParts(h.rt);
    ctx = { store: h.rt.store, shipstation: h.rt.shipstation, writeback: parts.writeback };
  });
  afterEach(async () => h.close());

  const labelledOrder = async () => {
    const { lastUpdatedTime: _t, ...o } = factory.make('standard');
    const order = h.sandbox.spApi.putOrder(o);
    await runSync({ accountId: 'default' }, h.rt.contextFor(h.rt.config.accounts[0]!));
    const label = h.sandbox.shipstation.createLabel(h.sandbox.shipstation.getByOrderNumber(order.orderId)[0]!.orderId, { notify: false });
    return { order, label, labelId: `shipment:${label.shipmentId}` };
  };

  it('Retry confirms a confirmation Amazon refused once the cause is gone, and says what Amazon holds', async () => {
    const { order, label, labelId } = await labelledOrder();
    h.sandbox.spApi.failNext(1, 400);
    expect((await runPollPass(pollContext(h.rt, parts))).quarantined).toBe(1);

    const result = await retryConfirmation(labelId, ctx);
    expect(result.outcome).toBe('confirmed');
    expect(result.message).toContain(`Amazon has the tracking for order ${order.orderId}`);
    expect(result.message).toContain(label.trackingNumber);
    expect(h.sandbox.spApi.getOrder(order.orderId)?.packages?.map((p) => p.trackingNumber)).toEqual([label.trackingNumber]);
  });

  it('says so when Dockhand has no record of the label', async () => {
    expect(await retryConfirmation('shipment:999999', ctx)).toEqual({ outcome: 'not_found', message: 'Dockhand has no record of label shipment:999999.' });
  });

  it('Confirm now sends a label Amazon never received, and finds nothing for a label ShipStation does not have', async () => {
    const { order, label, labelId } = await labelledOrder();
    expect((await confirmNow('default', order.orderId, labelId, ctx)).outcome).toBe('confirmed');
    expect(h.sandbox.spApi.getOrder(order.orderId)?.packages?.map((p) => p.trackingNumber)).toEqual([label.trackingNumber]);
    expect(await confirmNow('default', order.orderId, 'shipment:999999', ctx)).toEqual({ outcome: 'not_found', message: `ShipStation has no label shipment:999999 for order ${order.orderId}.` });
  });
});
