/**
 * Every failure Dockhand reports carries a stable `code` (for alerts, exit codes and tests),
 * a message naming what failed, and a `hint` telling a person what to do next.
 * Unknown throws are wrapped once, at the edge, with `cause` kept.
 */
export type ErrorCode =
  // configuration and credentials
  | 'config.invalid'
  | 'config.missing'
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
  | 'sku.invalid_csv'
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
