import type { Label } from '../domain/label';
import type { Order, OrderPackage } from '../domain/order';

/**
 * Reconciliation: compares what Amazon holds for an account's recent orders with what ShipStation
 * holds, and names each disagreement a person (or a button) must fix. Pure: the job fetches,
 * this decides, Slack renders. Each finding has a stable `key` so an alert is sent once.
 */

/** The slice of a Dockhand `Order` reconcile reads; a full `Order` fits. */
export type ReconcileAmazonOrder = Pick<Order, 'accountId' | 'amazonOrderId' | 'status' | 'createdTime' | 'fulfilledBy'> & {
  /** When present, the grace period for a cancellation counts from here (cancelling updates the order). */
  lastUpdatedTime?: string;
  packages: ReadonlyArray<Pick<OrderPackage, 'packageReferenceId' | 'trackingNumber' | 'carrier'>>;
};

/** A ShipStation order that belongs to an Amazon order (by Dockhand's orderKey, or in watch mode by orderNumber). */
export interface ReconcileShipStationOrder {
  amazonOrderId: string;
  /** ShipStation orderId. */
  orderId: number;
  /** ShipStation orderStatus: awaiting_payment, awaiting_shipment, pending_fulfillment, on_hold, shipped, cancelled, ... */
  orderStatus: string;
  /** ShipStation modifyDate as an ISO 8601 instant, when known: the grace period for "shipped only in ShipStation" counts from it. */
  updatedAt?: string;
}

export interface ReconcileLabel {
  amazonOrderId: string;
  label: Label;
}

export interface ReconcileInput {
  now: Date;
  /** Anything younger than this is not judged yet. Default 15. */
  graceMinutes?: number;
  /** Open and recently shipped orders Amazon holds for one account. */
  amazonOrders: ReadonlyArray<ReconcileAmazonOrder>;
  shipstationOrders: ReadonlyArray<ReconcileShipStationOrder>;
  /** ShipStation shipments and fulfillments of recent days for those orders. */
  labels: ReadonlyArray<ReconcileLabel>;
  /** import: Dockhand creates the ShipStation orders. watch: ShipStation's own Amazon store does. */
  mode: 'import' | 'watch';
}

/** What a button on the finding may do. Absent when only a person can fix it. */
export type FixAction = 'create_in_shipstation' | 'confirm_now';

interface FindingBase {
  /** Stable across runs for the same problem: the exactly-once alert key. */
  key: string;
  accountId: string;
  amazonOrderId: string;
  /** Plain words, ids and tracking numbers only: never buyer data. */
  message: string;
  hint: string;
  fix?: FixAction;
}

export type Finding =
  | (FindingBase & { kind: 'missing_in_shipstation' })
  | (FindingBase & { kind: 'label_not_on_amazon'; label: Label })
  | (FindingBase & { kind: 'tracking_mismatch'; label: Label; amazonTracking?: string })
  | (FindingBase & { kind: 'voided_but_confirmed'; label: Label })
  | (FindingBase & { kind: 'shipped_in_shipstation_only'; shipstationOrderId: number })
  | (FindingBase & { kind: 'cancelled_on_amazon_open_in_shipstation'; shipstationOrderId: number; shipstationStatus: string });

export type FindingKind = Finding['kind'];

/** Every kind, in the order findings of one Amazon order are listed. */
export const FINDING_KINDS = [
  'missing_in_shipstation',
  'cancelled_on_amazon_open_in_shipstation',
  'voided_but_confirmed',
  'tracking_mismatch',
  'label_not_on_amazon',
  'shipped_in_shipstation_only',
] as const satisfies readonly FindingKind[];

export const DEFAULT_GRACE_MINUTES = 15;

/**
 * ShipStation statuses in which an order still sits on someone's pick list. on_hold counts: a
 * hold with a hold-until date goes back to awaiting_shipment by itself.
 */
const OPEN_IN_SHIPSTATION = new Set(['awaiting_payment', 'awaiting_shipment', 'pending_fulfillment', 'on_hold']);

/** Tracking numbers are compared without spaces, hyphens and case: carriers and screens format them differently. */
export function normalizeTracking(tracking: string | undefined): string {
  return (tracking ?? '').replace(/[\s-]+/g, '').toUpperCase();
}

/**
 * Lists every disagreement between Amazon and ShipStation for one account, sorted by account,
 * Amazon order, kind (as in FINDING_KINDS), then key. Pure.
 *
 * - `missing_in_shipstation`: merchant-fulfilled, unshipped or partially shipped on Amazon, older
 *   than the grace period, and neither a ShipStation order nor a label for it.
 * - `cancelled_on_amazon_open_in_shipstation`: cancelled on Amazon, open in ShipStation.
 * - `voided_but_confirmed`: a voided label whose tracking Amazon still shows (and no live label
 *   carries the same number).
 * - `tracking_mismatch`: a live label whose tracking is on no Amazon package, while Amazon has a
 *   package under the label's packageReferenceId (String(numericId)) with other tracking.
 * - `label_not_on_amazon`: a live label with tracking that is on no Amazon package, for an order
 *   Amazon would accept a confirmation for (merchant-fulfilled; unshipped, partially shipped or shipped).
 * - `shipped_in_shipstation_only`: every ShipStation order for it is shipped, Amazon still
 *   expects items, and no live label explains the gap (none with tracking Amazon lacks). This is
 *   what label_not_on_amazon cannot see: marked shipped without tracking, or a label that
 *   covered only some items.
 *
 * Labels and ShipStation orders of Amazon orders not in `amazonOrders` are ignored: without the
 * Amazon side there is nothing to compare. Duplicates (the same label twice, the same Amazon
 * order twice) are read once.
 */
export function reconcile(input: ReconcileInput): Finding[] {
  const nowMs = input.now.getTime();
  const grace = Number.isFinite(input.graceMinutes) ? Math.max(0, input.graceMinutes!) : DEFAULT_GRACE_MINUTES;
  const graceMs = grace * 60_000;
  // An unparseable time counts as old: hiding a problem forever is worse than one early alert.
  const isSettled = (...times: (string | undefined)[]): boolean => {
    const ms = times.filter((t): t is string => t !== undefined).map((t) => Date.parse(t)).filter((t) => !Number.isNaN(t));
    return ms.length === 0 || nowMs - Math.max(...ms) >= graceMs;
  };

  const amazon = new Map<string, ReconcileAmazonOrder>();
  for (const order of input.amazonOrders) {
    const k = `${order.accountId}\u0000${order.amazonOrderId}`;
    const seen = amazon.get(k);
    // Two reads of one order (overlapping pages): the later version wins.
    if (!seen || (order.lastUpdatedTime ?? '') >= (seen.lastUpdatedTime ?? '')) amazon.set(k, order);
  }
  // ShipStation orders and labels carry no account: Amazon order ids are unique across sellers.
  const shipstation = groupBy(
    dedupe(input.shipstationOrders, (o) => `${o.amazonOrderId}\u0000${o.orderId}`),
    (o) => o.amazonOrderId,
  );
  const labels = groupBy(
    dedupe(input.labels, (l) => `${l.amazonOrderId}\u0000${l.label.id}`),
    (l) => l.amazonOrderId,
  );

  const findings: Finding[] = [];
  for (const order of amazon.values()) {
    const base = { accountId: order.accountId, amazonOrderId: order.amazonOrderId };
    const id = order.amazonOrderId;
    const keyOf = (prefix: string, ...rest: (string | number)[]): string => [prefix, order.accountId, id, ...rest].join(':');
    const ssOrders = [...(shipstation.get(id) ?? [])].sort((a, b) => a.orderId - b.orderId);
    const orderLabels = [...(labels.get(id) ?? [])].map((l) => l.label).sort(byCreatedThenId);
    const merchant = order.fulfilledBy === 'merchant';
    const awaitingItems = merchant && (order.status === 'unshipped' || order.status === 'partially_shipped');

    const amazonTracking = new Set(order.packages.map((p) => normalizeTracking(p.trackingNumber)).filter((t) => t !== ''));
    const live = orderLabels.filter((l) => !l.voided);
    const liveTracking = new Set(live.map((l) => normalizeTracking(l.trackingNumber)).filter((t) => t !== ''));

    if (awaitingItems && ssOrders.length === 0 && orderLabels.length === 0 && isSettled(order.createdTime)) {
      findings.push({
        ...base,
        kind: 'missing_in_shipstation',
        key: keyOf('missing'),
        message: `Amazon order ${id} is waiting to ship but is not in ShipStation.`,
        ...(input.mode === 'import'
          ? {
              hint: 'Press Create in ShipStation. If it keeps happening, check Dockhand’s quarantine and the sync status for this account.',
              fix: 'create_in_shipstation' as const,
            }
          : {
              hint: 'ShipStation’s Amazon store has not imported it yet: update the store in ShipStation (Stores → Update All Stores), and check the store’s connection if it stays missing.',
            }),
      });
    }

    if (order.status === 'cancelled') {
      for (const ss of ssOrders) {
        if (!OPEN_IN_SHIPSTATION.has(ss.orderStatus)) continue;
        if (!isSettled(order.lastUpdatedTime ?? order.createdTime)) continue;
        findings.push({
          ...base,
          kind: 'cancelled_on_amazon_open_in_shipstation',
          key: keyOf('cancelled_open', ss.orderId),
          shipstationOrderId: ss.orderId,
          shipstationStatus: ss.orderStatus,
          message: `Amazon order ${id} is cancelled, but ShipStation order ${ss.orderId} is still ${ss.orderStatus.replace(/_/g, ' ')}.`,
          hint:
            ss.orderStatus === 'on_hold'
              ? 'Cancel it in ShipStation so nobody ships it: a hold is released by itself on its hold-until date.'
              : 'Cancel it in ShipStation (or put it on hold) so nobody ships it.',
        });
      }
    }

    for (const label of orderLabels.filter((l) => l.voided)) {
      const tracking = normalizeTracking(label.trackingNumber);
      if (tracking === '' || !amazonTracking.has(tracking) || liveTracking.has(tracking)) continue;
      if (!isSettled(label.createdAt, label.voidedAt)) continue;
      const replacements = live.filter((l) => normalizeTracking(l.trackingNumber) !== '');
      const pendingReplacement = replacements.find((l) => !amazonTracking.has(normalizeTracking(l.trackingNumber)));
      findings.push({
        ...base,
        kind: 'voided_but_confirmed',
        key: keyOf('voided', label.id),
        label,
        message: `Amazon order ${id} shows tracking ${label.trackingNumber}, but that label (${label.id}) was voided in ShipStation.`,
        hint: pendingReplacement
          ? `Amazon cannot take a confirmation back. Confirm the replacement label (${pendingReplacement.id}) so the buyer gets working tracking.`
          : replacements.length > 0
            ? 'Amazon cannot take a confirmation back. The replacement label is on Amazon too, so the buyer sees both numbers; tell the buyer which one is live if they ask.'
            : 'Amazon cannot take a confirmation back. Ship with a new label and confirm it, or contact the buyer through Seller Central.',
      });
    }

    const unconfirmed = new Set<string>();
    for (const label of live) {
      const tracking = normalizeTracking(label.trackingNumber);
      // No tracking: nothing Amazon could be told. shipped_in_shipstation_only covers it.
      if (tracking === '' || amazonTracking.has(tracking) || !isConfirmable(order)) continue;
      // The same number on two labels (a shipment and the fulfillment mirroring it): report it once.
      if (unconfirmed.has(tracking)) continue;
      unconfirmed.add(tracking);
      if (!isSettled(label.createdAt)) continue;
      const sameRef = order.packages.find((p) => p.packageReferenceId === String(label.numericId));
      if (sameRef) {
        const held = sameRef.trackingNumber?.trim() ? sameRef.trackingNumber : undefined;
        findings.push({
          ...base,
          kind: 'tracking_mismatch',
          key: keyOf('mismatch', label.id),
          label,
          ...(held === undefined ? {} : { amazonTracking: held }),
          message: `Amazon order ${id} shows ${held === undefined ? 'no tracking' : `tracking ${held}`} for package ${label.numericId}, but ShipStation’s label ${label.id} has ${label.trackingNumber}.`,
          hint: 'Press Confirm now to send ShipStation’s tracking number again under the same package; Amazon replaces the old one.',
          fix: 'confirm_now',
        });
        continue;
      }
      findings.push({
        ...base,
        kind: 'label_not_on_amazon',
        key: keyOf('unconfirmed', label.id),
        label,
        message: `ShipStation label ${label.id} (tracking ${label.trackingNumber}) for Amazon order ${id} is not on Amazon.`,
        hint:
          (input.mode === 'watch'
            ? 'ShipStation’s Amazon store did not send it. Press Confirm now, or check the store’s “notify marketplace” setting in ShipStation.'
            : 'Press Confirm now to send the tracking number to Amazon.') +
          (order.status === 'shipped' ? ' Amazon already marks the order shipped with other tracking; confirm only if this is an extra box.' : ' Until then Amazon counts the order as not shipped.'),
        fix: 'confirm_now',
      });
    }

    const allShipped = ssOrders.length > 0 && ssOrders.every((ss) => ss.orderStatus === 'shipped');
    if (awaitingItems && allShipped && unconfirmed.size === 0) {
      // The latest ShipStation order is the one to open; a split order has several.
      const latest = ssOrders[ssOrders.length - 1]!;
      if (isSettled(...ssOrders.map((ss) => ss.updatedAt), ...orderLabels.map((l) => l.createdAt))) {
        const noTracking = live.length === 0 || live.every((l) => normalizeTracking(l.trackingNumber) === '');
        findings.push({
          ...base,
          kind: 'shipped_in_shipstation_only',
          key: keyOf('shipped_only'),
          shipstationOrderId: latest.orderId,
          message: noTracking
            ? `ShipStation has Amazon order ${id} shipped, but Amazon still shows it ${order.status.replace(/_/g, ' ')} and Dockhand has no tracking number to send.`
            : `ShipStation has Amazon order ${id} shipped and its labels are on Amazon, but Amazon still expects more items.`,
          hint: noTracking
            ? 'Confirm the shipment in Seller Central with its tracking number, or it counts as late.'
            : 'Some items were left off the labels sent to Amazon. Ship or confirm the rest in Seller Central, or cancel those items with the buyer’s agreement.',
        });
      }
    }
  }

  const rank = (k: FindingKind): number => FINDING_KINDS.indexOf(k);
  return findings.sort(
    (a, b) =>
      compare(a.accountId, b.accountId) ||
      compare(a.amazonOrderId, b.amazonOrderId) ||
      rank(a.kind) - rank(b.kind) ||
      compare(a.key, b.key),
  );
}

/** Amazon takes a confirmation only for merchant-fulfilled orders it has released and not cancelled. */
function isConfirmable(order: ReconcileAmazonOrder): boolean {
  return order.fulfilledBy === 'merchant' && (order.status === 'unshipped' || order.status === 'partially_shipped' || order.status === 'shipped');
}

function byCreatedThenId(a: Label, b: Label): number {
  // Instants, not strings: "…:00Z" and "…:00.000Z" are the same moment.
  const at = (l: Label): number => Date.parse(l.createdAt) || 0;
  return at(a) - at(b) || compare(a.id, b.id);
}

/** Code-unit order, not locale order: the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function dedupe<T>(items: ReadonlyArray<T>, keyOf: (t: T) => string): T[] {
  const out = new Map<string, T>();
  for (const item of items) out.set(keyOf(item), item);
  return [...out.values()];
}

function groupBy<T>(items: ReadonlyArray<T>, keyOf: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
