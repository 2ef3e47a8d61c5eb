import type { Order } from '../domain/order';
import type { OrderRecord } from '../store/records';

/**
 * What to do with one Amazon order version, given what we already did with it.
 * Pure: the sync job does the I/O.
 */
export type SyncAction =
  | { kind: 'upsert' } // create, or update from ShipStation's current copy
  | { kind: 'cancel' } // cancelled on Amazon after import: cancel in ShipStation
  | { kind: 'hold'; reason: string } // pending: never released to ship
  | { kind: 'skip'; reason: string } // never to be created
  | { kind: 'note'; reason: string } // record Amazon's new state; nothing to send
  | { kind: 'close' } // shipped or otherwise done on Amazon after import: nothing to send
  | { kind: 'ignore'; reason: string }; // nothing to do for this version

/** True when the record says the order exists in ShipStation (or may, after a crash). */
export function isInShipStation(record: OrderRecord | undefined): boolean {
  return !!record && (record.state === 'sent' || record.state === 'in_flight' || record.state === 'cancelled' || record.shipstationOrderId !== undefined);
}

export function decideAction(order: Order, record: OrderRecord | undefined): SyncAction {
  if (record && record.lastUpdatedTime > order.lastUpdatedTime) {
    return { kind: 'ignore', reason: 'an older version of an order already handled' };
  }
  // A quarantined order is retried when Amazon changes it or a person presses Retry,
  // not on every poll that re-reads the same version.
  if (record?.state === 'quarantined' && record.lastUpdatedTime === order.lastUpdatedTime) {
    return { kind: 'ignore', reason: 'quarantined; waiting for a change or a retry' };
  }
  // Re-reading a version already held, skipped or cancelled (the cursor overlaps) changes nothing.
  if (record?.lastUpdatedTime === order.lastUpdatedTime && (record.state === 'held' || record.state === 'skipped' || record.state === 'cancelled')) {
    return { kind: 'ignore', reason: `already ${record.state}` };
  }
  if (order.fulfilledBy === 'amazon') return { kind: 'skip', reason: 'fulfilled by Amazon' };

  const inShipStation = isInShipStation(record);
  switch (order.status) {
    case 'cancelled':
      if (record?.state === 'cancelled') return { kind: 'ignore', reason: 'already cancelled' };
      return inShipStation ? { kind: 'cancel' } : { kind: 'skip', reason: 'cancelled before import' };
    case 'shipped':
    case 'unfulfillable':
      return inShipStation ? { kind: 'close' } : { kind: 'skip', reason: `${order.status} before import` };
    case 'pending':
      return inShipStation ? { kind: 'ignore', reason: 'pending again after import' } : { kind: 'hold', reason: 'pending on Amazon' };
    case 'partially_shipped':
      // Once in ShipStation, a partial shipment is our own confirmation of one of its labels:
      // rewriting the order's lines under the labels (or into a shipped order) would undo it.
      return inShipStation ? { kind: 'note', reason: 'partly shipped; ShipStation holds the labels' } : { kind: 'upsert' };
    case 'unshipped':
      return { kind: 'upsert' };
  }
}
