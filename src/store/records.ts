import { z } from 'zod';

/** Stored records: every value read back from the store is parsed with these. */

export const OrderState = z.enum([
  'in_flight', // sent to ShipStation, answer not yet recorded: resent (same orderKey) after a crash
  'sent', // in ShipStation, matching `hash`
  'held', // pending on Amazon: not released to ship
  'skipped', // never created: fulfilled by Amazon, cancelled or shipped before import
  'cancelled', // cancelled on Amazon after import; cancelled in ShipStation
  'quarantined',
]);
export type OrderState = z.infer<typeof OrderState>;

export const OrderRecord = z.object({
  accountId: z.string(),
  amazonOrderId: z.string(),
  orderKey: z.string(),
  state: OrderState,
  amazonStatus: z.string(),
  /** Amazon's lastUpdatedTime of the version last handled: an older version never overwrites it. */
  lastUpdatedTime: z.string(),
  hash: z.string().optional(),
  shipstationOrderId: z.number().optional(),
  firstSeenAt: z.string(),
  sentAt: z.string().optional(),
  /** When Amazon reported it shipped or cancelled: starts the buyer-data retention clock. */
  closedAt: z.string().optional(),
  skipReason: z.string().optional(),
  unmappedSkus: z.array(z.string()).default([]),
  isPrime: z.boolean().default(false),
  shipByLatest: z.string().optional(),
  /** The whole Dockhand order, encrypted: buyer data at rest. Dropped after retention. */
  sealedOrder: z.string().optional(),
});
export type OrderRecord = z.infer<typeof OrderRecord>;

export const QuarantineEntry = z.object({
  accountId: z.string(),
  amazonOrderId: z.string(),
  code: z.string(),
  reason: z.string(),
  hint: z.string().default(''),
  at: z.string(),
  attempts: z.number().int().default(1),
  /** The raw Amazon order when it could not even be parsed; encrypted. */
  sealedRaw: z.string().optional(),
});
export type QuarantineEntry = z.infer<typeof QuarantineEntry>;

export const SkuMapping = z.object({
  amazonSku: z.string().min(1),
  shipstationSku: z.string().min(1),
  asin: z.string().optional(),
});
export type SkuMapping = z.infer<typeof SkuMapping>;

export const UnmappedSku = z.object({
  amazonSku: z.string(),
  asin: z.string().optional(),
  title: z.string().optional(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  orderCount: z.number().int(),
  /** A few recent order IDs, for the Slack alert. */
  recentOrderIds: z.array(z.string()),
});
export type UnmappedSku = z.infer<typeof UnmappedSku>;

export const SyncCursor = z.object({
  lastUpdatedAfter: z.string(),
  /** Set once the first (look-back) import has completed. */
  initialised: z.boolean(),
  updatedAt: z.string(),
});
export type SyncCursor = z.infer<typeof SyncCursor>;

export const Lease = z.object({ owner: z.string(), expiresAt: z.number() });
export type Lease = z.infer<typeof Lease>;

export const RunSummary = z.object({
  accountId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
  seen: z.number(),
  created: z.number(),
  updated: z.number(),
  cancelled: z.number(),
  unchanged: z.number(),
  held: z.number(),
  skipped: z.number(),
  quarantined: z.number(),
  pages: z.number(),
  /** Set when the pass did not run because another replica holds the account's lease. */
  leaseHeldBy: z.string().optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** How the ORDER_CHANGE path is doing, written by the running product, read by `status`. */
export const EventHealth = z.object({
  updatedAt: z.string(),
  received: z.number().int(),
  processed: z.number().int(),
  ignored: z.number().int(),
  retried: z.number().int(),
  quarantined: z.number().int(),
  lastEventAt: z.string().optional(),
  /** Milliseconds from Amazon publishing the last event to Dockhand finishing it. */
  lastLagMs: z.number().optional(),
  queueErrors: z.number().int(),
  lastQueueError: z.string().optional(),
  lastQueueErrorAt: z.string().optional(),
  /** Orders the polling safety net had to send while events were flowing: a sign events are lost. */
  caughtByPolling: z.number().int(),
  lastCaughtAt: z.string().optional(),
});
export type EventHealth = z.infer<typeof EventHealth>;
