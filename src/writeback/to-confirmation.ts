import { z } from 'zod';
import type { ErrorCode } from '../domain/errors';
import type { Label } from '../domain/label';
import type { OrderStatus } from '../domain/order';
import type { ConfirmShipmentOrderItem, ConfirmShipmentRequest } from '../amazon/schemas';
import { amazonCarrierFor, shippingMethodFor } from './carrier-codes';
import { isKnownTimeZone, isoInZone, localDay, wallToEpoch } from '../domain/wall-clock';

export { ConfirmShipmentRequest } from '../amazon/schemas';

export interface ConfirmationInput {
  label: Label;
  order: {
    amazonOrderId: string;
    marketplaceId: string;
    /** ISO 8601 instant the order was placed. */
    createdTime: string;
    status: OrderStatus;
    items: Array<{ orderItemId: string; quantityOrdered: number }>;
  };
  /** What earlier packages of this order already confirmed on Amazon. */
  alreadyConfirmed: Array<{ orderItemId: string; quantity: number }>;
  /** The seller's IANA time zone, e.g. `America/Los_Angeles`. */
  timeZone: string;
  now: Date;
  /**
   * The label amends a package Amazon holds (sent again to correct it, or in place of a voided
   * one), so an order Amazon shows as shipped is no reason to skip it.
   */
  amends?: boolean;
}

export type SkipReason =
  | 'voided'
  | 'order_cancelled'
  | 'order_shipped'
  | 'order_unfulfillable'
  | 'order_pending'
  | 'nothing_left';

export type ConfirmationPlan =
  | {
      kind: 'confirm';
      body: ConfirmShipmentRequest;
      /** Items the label claimed more of than the order has left to confirm (worth a log line). */
      capped: Array<{ orderItemId: string; onLabel: number; sent: number }>;
    }
  | {
      kind: 'skip';
      reason: SkipReason;
      message: string;
      /** false when the same label may need confirming later (the order is still pending). */
      final: boolean;
    }
  | { kind: 'error'; code: ErrorCode; message: string; hint: string };

/**
 * Decides what to tell Amazon about one ShipStation label: the confirmShipment body, a reason
 * to send nothing, or an error a person must resolve. Pure: `now` and the zone come in.
 */
export function toConfirmation(input: ConfirmationInput): ConfirmationPlan {
  const { label, order } = input;
  const orderRef = `Amazon order ${order.amazonOrderId}`;

  if (label.voided) {
    return skip('voided', `${label.id} for ${orderRef} was voided; nothing is confirmed for it.`);
  }
  switch (order.status) {
    case 'cancelled':
      return skip('order_cancelled', `${orderRef} is cancelled, yet ShipStation shipped it (${label.id}).`);
    case 'shipped':
      // Amazon already considers every item shipped (possibly confirmed in Seller Central),
      // unless this label amends a package Amazon holds: then the shipped order is its target.
      if (input.amends) break;
      return skip('order_shipped', `${orderRef} is already shipped on Amazon; ${label.id} is not confirmed again.`);
    case 'unfulfillable':
      return skip('order_unfulfillable', `${orderRef} is unfulfillable; Amazon accepts no confirmation for it.`);
    case 'pending':
      return {
        kind: 'skip',
        reason: 'order_pending',
        message: `${orderRef} is still pending on Amazon; ${label.id} can be confirmed once it is unshipped.`,
        final: false,
      };
    case 'unshipped':
    case 'partially_shipped':
      break;
  }

  const trackingNumber = label.trackingNumber.trim();
  if (trackingNumber === '') {
    return {
      kind: 'error',
      code: 'writeback.nothing_to_confirm',
      message: `${label.id} for ${orderRef} has no tracking number; Amazon requires one.`,
      hint: 'Add the tracking number to the shipment in ShipStation, or confirm the shipment in Seller Central.',
    };
  }

  const left = remainingByItem(order.items, input.alreadyConfirmed);
  const wanted = wantedItems(label, left, orderRef);
  if ('kind' in wanted) return wanted;

  const orderItems: ConfirmShipmentOrderItem[] = [];
  const capped: Array<{ orderItemId: string; onLabel: number; sent: number }> = [];
  for (const [orderItemId, onLabel] of wanted) {
    const sent = Math.min(onLabel, left.get(orderItemId) ?? 0);
    if (sent < onLabel && label.items !== undefined) capped.push({ orderItemId, onLabel, sent });
    if (sent > 0) orderItems.push({ orderItemId, quantity: sent });
  }
  if (orderItems.length === 0) {
    return skip('nothing_left', `Every item on ${label.id} is already confirmed on ${orderRef}.`);
  }

  if (!isKnownTimeZone(input.timeZone)) {
    return {
      kind: 'error',
      code: 'config.invalid',
      message: `Time zone ${JSON.stringify(input.timeZone)} is not a known IANA zone.`,
      hint: 'Set the account time zone in the Dockhand config to an IANA name such as America/Los_Angeles.',
    };
  }
  if (!Number.isFinite(input.now.getTime())) throw new TypeError('toConfirmation: now is not a valid Date');
  let shipDate: string;
  try {
    shipDate = shipDateFor({
      labelShipDate: label.shipDate,
      labelCreatedAt: label.createdAt,
      orderCreatedTime: order.createdTime,
      timeZone: input.timeZone,
      now: input.now,
    });
  } catch {
    return {
      kind: 'error',
      code: 'shipstation.unparseable',
      message: `${label.id} carries no usable ship date (${JSON.stringify(label.shipDate)}, created ${JSON.stringify(label.createdAt)}).`,
      hint: 'Check the shipment in ShipStation; confirm it in Seller Central if it stays stuck.',
    };
  }

  const carrier = amazonCarrierFor(label.carrierCode);
  const shippingMethod = shippingMethodFor(label.serviceCode);
  const body: ConfirmShipmentRequest = {
    marketplaceId: order.marketplaceId,
    packageDetail: {
      packageReferenceId: String(label.numericId),
      carrierCode: carrier.carrierCode,
      ...(carrier.carrierName !== undefined ? { carrierName: carrier.carrierName } : {}),
      ...(shippingMethod !== undefined ? { shippingMethod } : {}),
      trackingNumber,
      shipDate,
      orderItems,
    },
  };
  return { kind: 'confirm', body, capped };
}

function skip(reason: SkipReason, message: string): ConfirmationPlan {
  return { kind: 'skip', reason, message, final: true };
}

function remainingByItem(
  items: ConfirmationInput['order']['items'],
  alreadyConfirmed: ConfirmationInput['alreadyConfirmed'],
): Map<string, number> {
  const done = new Map<string, number>();
  for (const c of alreadyConfirmed) done.set(c.orderItemId, (done.get(c.orderItemId) ?? 0) + c.quantity);
  const left = new Map<string, number>();
  for (const item of items) {
    // Summed, in case Amazon lists one OrderItemId twice; a cancelled line has quantityOrdered 0.
    const ordered = (left.get(item.orderItemId) ?? 0) + item.quantityOrdered;
    left.set(item.orderItemId, ordered);
  }
  for (const [id, ordered] of left) left.set(id, Math.max(0, ordered - (done.get(id) ?? 0)));
  return left;
}

/** Quantity per orderItemId this label ships, in the order first seen; or the error to report. */
function wantedItems(
  label: Label,
  left: Map<string, number>,
  orderRef: string,
): Map<string, number> | Extract<ConfirmationPlan, { kind: 'error' }> {
  const wanted = new Map<string, number>();
  if (label.items === undefined) {
    // ShipStation did not say what is in the package (a fulfillment): the whole remaining order.
    for (const [id, n] of left) wanted.set(id, n);
    return wanted;
  }

  const unknown: string[] = [];
  for (const item of label.items) {
    if (item.quantity <= 0) continue;
    const id = item.lineItemKey?.trim();
    if (!id || !left.has(id)) {
      unknown.push(item.sku?.trim() || (id ? `line ${id}` : 'an item without SKU'));
      continue;
    }
    wanted.set(id, (wanted.get(id) ?? 0) + item.quantity);
  }
  if (unknown.length > 0) {
    // Confirming only the known items would tell the buyer a partial story and leave Amazon
    // expecting more packages; a person decides instead.
    return {
      kind: 'error',
      code: 'writeback.unknown_item',
      message: `${label.id} for ${orderRef} holds ${unknown.join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not on the Amazon order.`,
      hint:
        'An item was added by hand or the order was merged in ShipStation. Confirm the shipment in Seller Central, ' +
        'or fix the items in ShipStation and re-create the label.',
    };
  }
  if (wanted.size === 0) {
    return {
      kind: 'error',
      code: 'writeback.nothing_to_confirm',
      message: `${label.id} for ${orderRef} lists no items with a quantity.`,
      hint: 'Check the shipment items in ShipStation, or confirm the shipment in Seller Central.',
    };
  }
  return wanted;
}

// ---------------------------------------------------------------------------------------------
// Ship date in the seller's zone

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Amazon rejects a ship date before the order or in the future; this is the default hour otherwise. */
const DEFAULT_HOUR = 9;

/**
 * The `shipDate` Amazon gets, as ISO 8601 with the seller's offset (`2026-11-28T09:15:00-08:00`).
 * ShipStation gives a calendar day and the label's creation instant: when the label was created
 * on that day (in the seller's zone) the creation instant is used, else that day at 09:00 local.
 * Clamped to [order placed, now], as Amazon rejects dates outside it.
 * @throws RangeError for an unknown time zone; Error when neither date can be read.
 */
export function shipDateFor(input: {
  labelShipDate: string;
  labelCreatedAt: string;
  orderCreatedTime: string;
  timeZone: string;
  now: Date;
}): string {
  const { timeZone } = input;
  if (!isKnownTimeZone(timeZone)) throw new RangeError(`Unknown time zone: ${timeZone}`);
  const nowMs = input.now.getTime();
  if (!Number.isFinite(nowMs)) throw new TypeError('now is not a valid Date');
  const createdMs = Date.parse(input.labelCreatedAt);
  const day = DAY.exec(input.labelShipDate.trim().slice(0, 10));

  let candidate: number;
  if (day && Number.isFinite(createdMs) && localDay(createdMs, timeZone) === day[0]) {
    candidate = createdMs;
  } else if (day) {
    const wall = { year: +day[1]!, month: +day[2]!, day: +day[3]!, hour: DEFAULT_HOUR, minute: 0, second: 0, ms: 0 };
    candidate = wallToEpoch(wall, timeZone);
  } else if (Number.isFinite(createdMs)) {
    candidate = createdMs;
  } else {
    throw new Error(`No usable ship date in ${JSON.stringify(input.labelShipDate)} / ${JSON.stringify(input.labelCreatedAt)}`);
  }

  const placedMs = Date.parse(input.orderCreatedTime);
  // Whole seconds: Amazon has no use for milliseconds. Floor, except when that would fall
  // before the order was placed.
  let ms = Math.min(candidate, nowMs);
  if (Number.isFinite(placedMs) && ms < placedMs && placedMs <= nowMs) ms = placedMs;
  let seconds = Math.floor(ms / 1000) * 1000;
  if (Number.isFinite(placedMs) && seconds < placedMs && placedMs <= nowMs) seconds += 1000;
  return isoInZone(seconds, timeZone);
}

