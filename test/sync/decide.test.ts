import { describe, expect, it } from 'vitest';
import type { Order } from '../../src/domain/order';
import type { OrderRecord } from '../../src/store/records';
import { decideAction } from '../../src/sync/decide';

const T1 = '2026-11-28T10:00:00Z';
const T2 = '2026-11-28T11:00:00Z';

function order(status: Order['status'], over: Partial<Order> = {}): Order {
  return {
    accountId: 'acme',
    amazonOrderId: '111-0000001-0000001',
    marketplaceId: 'ATVPDKIKX0DER',
    createdTime: T1,
    lastUpdatedTime: T2,
    status,
    fulfilledBy: 'merchant',
    shipBy: {},
    deliverBy: {},
    programs: [],
    isPrime: false,
    isBusiness: false,
    buyer: {},
    shipTo: {},
    items: [{ orderItemId: '1', quantityOrdered: 1, quantityShipped: 0, tax: 0, shipping: 0, cancelRequested: false }],
    taxTotal: 0,
    shippingTotal: 0,
    isGift: false,
    packages: [],
    ...over,
  };
}

function record(state: OrderRecord['state'], over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    accountId: 'acme',
    amazonOrderId: '111-0000001-0000001',
    orderKey: 'k',
    state,
    amazonStatus: 'unshipped',
    lastUpdatedTime: T1,
    firstSeenAt: T1,
    unmappedSkus: [],
    isPrime: false,
    ...over,
  };
}

describe('decideAction', () => {
  it.each([
    ['a new unshipped order is sent', order('unshipped'), undefined, 'upsert'],
    ['a new partially shipped order is sent', order('partially_shipped'), undefined, 'upsert'],
    ['a changed order already in ShipStation is upserted', order('unshipped'), record('sent', { shipstationOrderId: 5 }), 'upsert'],
    ['a pending order is held, never released to ship', order('pending'), undefined, 'hold'],
    ['a pending order that turns unshipped is sent', order('unshipped'), record('held'), 'upsert'],
    ['an AFN order is never created', order('unshipped', { fulfilledBy: 'amazon' }), undefined, 'skip'],
    ['an order cancelled before import is not created', order('cancelled'), undefined, 'skip'],
    ['an order cancelled while held is not created', order('cancelled'), record('held'), 'skip'],
    ['an order cancelled after import is cancelled in ShipStation', order('cancelled'), record('sent', { shipstationOrderId: 5 }), 'cancel'],
    ['a cancel after a crash mid-send still reaches ShipStation', order('cancelled'), record('in_flight'), 'cancel'],
    ['an already cancelled order is left alone', order('cancelled'), record('cancelled', { shipstationOrderId: 5 }), 'ignore'],
    ['an order shipped before import is not created', order('shipped'), undefined, 'skip'],
    ['a partial shipment after import only notes the status: the labels live in ShipStation', order('partially_shipped'), record('sent', { shipstationOrderId: 5 }), 'note'],
    ['an order shipped after import closes the record', order('shipped'), record('sent', { shipstationOrderId: 5 }), 'close'],
    ['an older version never overwrites a newer one', order('unshipped', { lastUpdatedTime: T1 }), record('sent', { lastUpdatedTime: T2 }), 'ignore'],
    ['a quarantined order is not retried on every poll', order('unshipped'), record('quarantined', { lastUpdatedTime: T2 }), 'ignore'],
    ['re-reading a held version changes nothing', order('pending'), record('held', { lastUpdatedTime: T2 }), 'ignore'],
    ['re-reading a skipped version changes nothing', order('unshipped', { fulfilledBy: 'amazon' }), record('skipped', { lastUpdatedTime: T2 }), 'ignore'],
    ['a quarantined order that Amazon changed is tried again', order('unshipped'), record('quarantined', { lastUpdatedTime: T1 }), 'upsert'],
  ])('%s', (_name, o, r, expected) => {
    expect(decideAction(o, r).kind).toBe(expected);
  });
});
