/**
 * The port through which background jobs tell people about problems. Each call resolves once the
 * problem is durable (in the store's alert outbox), so a job awaits it in the step that records
 * the problem, before anything is sent; the Slack app posts the outbox whenever it runs.
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
  orderQuarantined(n: QuarantineNotice): Promise<void>;
  unmappedSku(n: UnmappedSkuNotice): Promise<void>;
  syncFailed(n: SyncFailureNotice): Promise<void>;
  writebackProblem(n: WritebackNotice): Promise<void>;
  /** The problem under `key` is gone (confirmed on retry, found on Amazon...). */
  writebackResolved(key: string): Promise<void>;
  deadlineEscalation(n: DeadlineNotice): Promise<void>;
}

const done = (): Promise<void> => Promise.resolve();

export const nullNotifier: Notifier = {
  orderQuarantined: done,
  unmappedSku: done,
  syncFailed: done,
  writebackProblem: done,
  writebackResolved: done,
  deadlineEscalation: done,
};

/** One line per notice, for a terminal that shows problems as they happen (the sandbox). */
export type NoticeEcho = { [K in keyof Notifier]?: (n: Parameters<Notifier[K]>[0]) => void };

/** `notifier` with each notice also echoed; the echo runs first and never holds the notice up. */
export function withEcho(notifier: Notifier, echo: NoticeEcho): Notifier {
  const both = <K extends keyof Notifier>(method: K) =>
    ((n: Parameters<Notifier[K]>[0]) => {
      (echo[method] as ((x: typeof n) => void) | undefined)?.(n);
      return (notifier[method] as (x: typeof n) => Promise<void>)(n);
    }) as Notifier[K];
  return {
    orderQuarantined: both('orderQuarantined'),
    unmappedSku: both('unmappedSku'),
    syncFailed: both('syncFailed'),
    writebackProblem: both('writebackProblem'),
    writebackResolved: both('writebackResolved'),
    deadlineEscalation: both('deadlineEscalation'),
  };
}
