/**
 * Every failure Dockhand reports carries a stable `code` (for alerts, exit codes and tests),
 * a message naming what failed, and a `hint` telling a person what to do next.
 * Unknown throws are wrapped once, at the edge, with `cause` kept.
 */
export type ErrorCode =
  // configuration and credentials
  | 'config.invalid'
  | 'config.missing'
  | 'config.port_in_use'
  // Amazon SP-API
  | 'amazon.auth_rejected'
  | 'amazon.rate_limited'
  | 'amazon.rejected'
  | 'amazon.unreachable'
  | 'amazon.unparseable'
  // ShipStation v1
  | 'shipstation.auth_rejected'
  | 'shipstation.plan_refused'
  | 'shipstation.rate_limited'
  | 'shipstation.rejected'
  | 'shipstation.unreachable'
  | 'shipstation.unparseable'
  // ORDER_CHANGE notifications over SQS
  | 'events.unparseable'
  | 'events.queue_unreachable'
  | 'events.subscription_conflict'
  // tracking writeback
  | 'writeback.forged_webhook'
  | 'writeback.unknown_item'
  | 'writeback.nothing_to_confirm'
  | 'writeback.order_cancelled'
  | 'writeback.confirmation_rejected'
  // order processing
  | 'order.malformed'
  | 'order.unknown_marketplace'
  | 'order.locked_in_shipstation'
  // store
  | 'store.unavailable'
  | 'store.corrupt'
  | 'store.migration_failed'
  | 'store.lease_busy'
  | 'sku.invalid_csv'
  // returns and refunds
  | 'returns.illegal_transition'
  | 'returns.report_unparseable'
  | 'returns.refund_too_high'
  | 'returns.refund_not_computable'
  | 'returns.not_found'
  | 'returns.feed_rejected'
  | 'returns.feed_uncertain'
  // reports
  | 'report.invalid_period'
  | 'report.unavailable'
  | 'internal';

export class DockhandError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  /** HTTP status from a vendor, when the failure came from one. */
  readonly status?: number;
  /** true when retrying the same call later may succeed (5xx, timeouts, 429). */
  readonly transient: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { hint?: string; cause?: unknown; status?: number; transient?: boolean } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DockhandError';
    this.code = code;
    this.hint = opts.hint ?? '';
    if (opts.status !== undefined) this.status = opts.status;
    this.transient = opts.transient ?? false;
  }
}

export function isDockhandError(e: unknown): e is DockhandError {
  return e instanceof DockhandError;
}

/** Wraps anything thrown into a DockhandError exactly once, keeping the original as `cause`. */
export function toDockhandError(e: unknown, code: ErrorCode = 'internal', hint = ''): DockhandError {
  if (e instanceof DockhandError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new DockhandError(code, message, { cause: e, hint });
}

/**
 * What pressing Retry can do for an order quarantined with `code`, and what clears it when a
 * Retry can't. A retry re-reads the order from Amazon and sends it again, so:
 * - `retry`: it may go through now, or once the fix its hint names is made in Dockhand or
 *   ShipStation (a SKU mapped, a label voided, a ShipStation outage over).
 * - `after_config`: it goes through only once Dockhand's config changes and Dockhand restarts
 *   (its marketplaces are read at start). Retry is still offered: after the restart it is how the
 *   order comes in, since nothing changed on Amazon to bring it by itself.
 * - `amazon_only`: Amazon sent something Dockhand can't ship (no address, no SKU or ASIN, a
 *   non-decimal price); re-reading the same version gives the same answer, and the sync imports
 *   the order by itself once Amazon updates it. No Retry is offered and Retry all skips it.
 * A code not listed gets `retry`: offering it costs one re-read. Pure.
 */
export type RetryAdvice = { kind: 'retry' } | { kind: 'after_config' | 'amazon_only'; clears: string };

const RETRY_ADVICE: Partial<Record<ErrorCode, RetryAdvice>> = {
  'order.malformed': {
    kind: 'amazon_only',
    clears: 'Amazon must correct this order (check it in Seller Central); Dockhand imports it automatically when Amazon updates it. A retry cannot help before then.',
  },
  'order.unknown_marketplace': {
    kind: 'after_config',
    clears: 'Dockhand reads its marketplaces when it starts: after changing the config, restart Dockhand, then press Retry.',
  },
};

export function retryAdvice(code: string): RetryAdvice {
  return RETRY_ADVICE[code as ErrorCode] ?? { kind: 'retry' };
}

/** True when a Retry can send the order without Amazon changing it first. Pure. */
export function isRetryable(code: string): boolean {
  return retryAdvice(code).kind !== 'amazon_only';
}
