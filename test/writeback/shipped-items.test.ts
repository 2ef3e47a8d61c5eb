import { describe, expect, it } from 'vitest';
import type { ConfirmationRecord } from '../../src/store/records';
import { shippedItems } from '../../src/writeback/confirm-labels.job';

const rec = (state: ConfirmationRecord['state'], items: Array<[string, number]>, over: Partial<ConfirmationRecord> = {}): ConfirmationRecord => ({
  labelId: `shipment:${Math.random()}`,
  accountId: 'a',
  amazonOrderId: '111-0000000-0000001',
  shipstationOrderId: 1,
  state,
  packageReferenceId: '1',
  carrierCode: 'USPS',
  trackingNumber: 'T',
  items: items.map(([orderItemId, quantity]) => ({ orderItemId, quantity })),
  labelCreatedAt: '2026-11-28T10:00:00Z',
  via: 'poll',
  at: '2026-11-28T10:00:00Z',
  attempts: 1,
  voidedAfterConfirm: false,
  ...over,
});
const order = (shipped: Array<[string, number, number]>) => ({ items: shipped.map(([orderItemId, quantityOrdered, quantityShipped]) => ({ orderItemId, quantityOrdered, quantityShipped })) });

describe('shippedItems: what an order already has on Amazon', () => {
  it.each<[string, ConfirmationRecord[], ReturnType<typeof order> | undefined, Array<[string, number]>]>([
    ['nothing yet', [], order([['A', 2, 0]]), []],
    ['our confirmed and in-flight packages count', [rec('confirmed', [['A', 1]]), rec('in_flight', [['A', 1]])], order([['A', 3, 0]]), [['A', 2]]],
    ['quarantined and skipped labels do not', [rec('quarantined', [['A', 1]]), rec('skipped', [['A', 1]])], undefined, []],
    ['a voided package does not: its replacement takes its place', [rec('confirmed', [['A', 2]], { voidedAfterConfirm: true })], undefined, []],
    ['Amazon shipped more than we know (Seller Central): Amazon wins', [rec('confirmed', [['A', 1]])], order([['A', 3, 2], ['B', 1, 1]]), [['A', 2], ['B', 1]]],
    ['Amazon not caught up with our confirmation: ours wins, never both', [rec('confirmed', [['A', 2]])], order([['A', 2, 0]]), [['A', 2]]],
  ])('%s', (_name, siblings, o, expected) => {
    expect(shippedItems(siblings, o).map((i) => [i.orderItemId, i.quantity])).toEqual(expected);
  });
});
