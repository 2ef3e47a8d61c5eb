/**
 * The port through which background jobs tell people about problems. The Slack app
 * implements it; without Slack, problems are logged (never with buyer data).
 */
export interface QuarantineNotice {
  accountId: string;
  amazonOrderId: string;
  code: string;
  reason: string;
  hint: string;
}

export interface UnmappedSkuNotice {
  accountId: string;
  amazonSku: string;
  asin?: string;
  amazonOrderId: string;
}

export interface SyncFailureNotice {
  accountId: string;
  code: string;
  message: string;
  hint: string;
}

/** A tracking-writeback or reconciliation problem about one order, with the fix when there is one. */
export interface WritebackNotice {
  /** Stable problem key: `writeback:<labelId>`, `voided:<labelId>`, `reconcile:<finding key>`... One Slack message per key. */
  key: string;
  kind:
    | 'confirmation_quarantined' // Amazon refused the confirmation, or the label can't be mapped: Retry
    | 'voided_after_confirm' // Amazon holds tracking for a label that was voided: Amazon can't un-confirm
    | 'cancelled_before_confirm' // the order was cancelled on Amazon before the label was confirmed
    | 'missing_in_shipstation' // Amazon's open order is not in ShipStation: Create in ShipStation
    | 'label_not_on_amazon' // a ShipStation label Amazon never received: Confirm now
    | 'tracking_mismatch' // Amazon holds another tracking number for the package: Confirm now
    | 'cancelled_open_in_shipstation'; // cancelled on Amazon, still open in ShipStation: Hold
  accountId: string;
  amazonOrderId: string;
  /** `shipment:<id>` / `fulfillment:<id>`. */
  labelId?: string;
  shipstationOrderId?: number;
  trackingNumber?: string;
  carrier?: string;
  code: string;
  message: string;
  hint: string;
  /** The button that fixes it. */
  fix?: 'retry_confirmation' | 'confirm_now' | 'create_in_shipstation' | 'hold_order';
}

/** An imported, not yet shipped order and how long is left before Amazon's latest ship date. */
export interface AtRiskOrder {
  accountId: string;
  amazonOrderId: string;
  isPrime: boolean;
  /** Absent only for a cancellation request on an order whose ship-by date is unknown. */
  shipByLatest?: string;
  /** Negative once the deadline has passed; absent with shipByLatest. */
  minutesLeft?: number;
  shipstationOrderId?: number;
}

/** One escalation: orders reaching a lead time, orders gone late, or buyers asking to cancel. */
export interface DeadlineNotice {
  stage: 'at_risk' | 'late' | 'cancel_requested';
  /** For `at_risk`: the lead time reached, in minutes. */
  leadMinutes?: number;
  /** Prime first, then least time left. */
  orders: AtRiskOrder[];
}

export interface Notifier {
  orderQuarantined(n: QuarantineNotice): void;
  unmappedSku(n: UnmappedSkuNotice): void;
  syncFailed(n: SyncFailureNotice): void;
  writebackProblem(n: WritebackNotice): void;
  /** The problem under `key` is gone (confirmed on retry, found on Amazon...). */
  writebackResolved(key: string): void;
  deadlineEscalation(n: DeadlineNotice): void;
}

export const nullNotifier: Notifier = {
  orderQuarantined: () => undefined,
  unmappedSku: () => undefined,
  syncFailed: () => undefined,
  writebackProblem: () => undefined,
  writebackResolved: () => undefined,
  deadlineEscalation: () => undefined,
};

/**
 * A Notifier that forwards to whatever is attached: the background jobs are wired before the
 * Slack app exists, and keep working (logging only) when Slack is not configured.
 */
export interface NotifierRelay extends Notifier {
  attach(target: Notifier): void;
}

export function createNotifierRelay(always: Notifier): NotifierRelay {
  let attached: Notifier | undefined;
  const both = <K extends keyof Notifier>(method: K) =>
    ((n: Parameters<Notifier[K]>[0]) => {
      (always[method] as (x: typeof n) => void)(n);
      if (attached) (attached[method] as (x: typeof n) => void)(n);
    }) as Notifier[K];
  return {
    orderQuarantined: both('orderQuarantined'),
    unmappedSku: both('unmappedSku'),
    syncFailed: both('syncFailed'),
    writebackProblem: both('writebackProblem'),
    writebackResolved: both('writebackResolved'),
    deadlineEscalation: both('deadlineEscalation'),
    attach(target) {
      attached = target;
    },
  };
}
