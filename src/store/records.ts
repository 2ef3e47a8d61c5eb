import { z } from 'zod';
import { Label } from '../domain/label';

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
  marketplaceId: z.string().optional(),
  createdTime: z.string().optional(),
  items: z
    .array(
      z.object({
        orderItemId: z.string(),
        quantityOrdered: z.number().int(),
        quantityShipped: z.number().int().optional(),
        /** The seller SKU (or the ASIN when there is none), as Amazon sent it. */
        amazonSku: z.string().optional(),
        /** The ShipStation SKU it was sent as, through the SKU map. */
        sku: z.string().optional(),
      }),
    )
    .optional(),
  /** Amazon-fulfilled orders are skipped and never counted in the fulfillment facts. */
  fulfilledBy: z.enum(['merchant', 'amazon']).optional(),
  /** The buyer asked to cancel (an item's cancellation request). */
  cancelRequested: z.boolean().optional(),
  /** The packages Amazon holds for the order (includedData=PACKAGES), for reconciliation. */
  packages: z.array(z.object({ packageReferenceId: z.string(), trackingNumber: z.string().optional(), carrier: z.string().optional() })).optional(),
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
  /** Set when the pass did not run because someone paused the account's sync. */
  pausedBy: z.string().optional(),
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

/**
 * The SHIP_NOTIFY webhook as the running product registered it, and when ShipStation last called
 * it: written by `start` (and the sandbox), read by `status`, which runs in another process and
 * can't tell from its own config which path labels arrive by.
 */
export const ShipNotifyHealth = z.object({
  webhookId: z.number().int(),
  /** Where ShipStation posts, without the `?secret=` query. */
  url: z.string(),
  registeredAt: z.string(),
  /** When the last SHIP_NOTIFY with the right secret arrived. */
  lastNotifyAt: z.string().optional(),
});
export type ShipNotifyHealth = z.infer<typeof ShipNotifyHealth>;

/** One command or action, by a person in Slack or at the CLI: who, what, when, outcome. */
export const AuditEntry = z.object({
  at: z.string(),
  /** Slack user ID, or `cli:<os user>`. */
  actor: z.string(),
  source: z.enum(['slack', 'cli']),
  /** What was done, e.g. `command:/dockhand retry`, `action:retry_order`. */
  action: z.string(),
  target: z.string().optional(),
  outcome: z.enum(['ok', 'refused', 'failed']),
  detail: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** One Slack message per problem, updated in place as the problem changes. */
export const AlertRecord = z.object({
  /** The problem's stable key, e.g. `quarantine:default:111-…`, `unmapped:SKU-1`, `sync:default`. */
  key: z.string(),
  kind: z.string().min(1),
  /** The Slack channel it was posted to; absent until posted (a problem can be recorded where Slack is not configured). */
  channel: z.string().optional(),
  /** Slack message timestamp once posted. */
  ts: z.string().optional(),
  /** Bumped by every change, so the outbox drain deletes only the version it sent. */
  rev: z.number().int().optional(),
  /** In the outbox: this version starts a new message (the problem came back after it was resolved). */
  newMessage: z.boolean().optional(),
  /** In the outbox: a person's click made this change and they watch the message, so it goes before the channel's other sends. */
  awaited: z.boolean().optional(),
  state: z.enum(['open', 'resolved']),
  /** How many occurrences the message stands for (bursts collapse into one). */
  count: z.number().int(),
  /** The facts the message is rendered from (no buyer data). */
  facts: z.record(z.string(), z.string()),
  /** Who acted on it last, and when: written into the message. */
  lastActor: z.string().optional(),
  lastActionAt: z.string().optional(),
  lastActionText: z.string().optional(),
  updatedAt: z.string(),
});
export type AlertRecord = z.infer<typeof AlertRecord>;

/** Sync paused for an account from Slack or the CLI. */
export const PauseFlag = z.object({ paused: z.boolean(), by: z.string(), at: z.string() });
export type PauseFlag = z.infer<typeof PauseFlag>;

/**
 * The whole Dockhand order, encrypted (buyer data at rest), kept apart from the order's record
 * so that listing and counting records never reads or decrypts it. Dropped after retention.
 */
export const BuyerData = z.object({ sealed: z.string() });
export type BuyerData = z.infer<typeof BuyerData>;

/**
 * One ShipStation label (or fulfillment) and what Dockhand did with it on Amazon, keyed by the
 * label's id (`shipment:<id>`): the exactly-once ledger of tracking writeback.
 */
export const ConfirmationRecord = z.object({
  labelId: z.string(),
  accountId: z.string(),
  amazonOrderId: z.string(),
  shipstationOrderId: z.number().int(),
  state: z.enum([
    'in_flight', // sent to Amazon, answer not recorded: re-sent after a crash (same packageReferenceId replaces)
    'confirmed',
    'skipped', // nothing to confirm: voided first, order cancelled, nothing left to ship
    'quarantined', // Amazon refused it, or it can't be mapped: waits for Retry
  ]),
  packageReferenceId: z.string(),
  carrierCode: z.string(),
  carrierName: z.string().optional(),
  serviceCode: z.string().optional(),
  trackingNumber: z.string(),
  /** What the label cost (shipment plus insurance), when ShipStation said. */
  cost: z.number().optional(),
  /** The ShipStation warehouse (Ship From) it shipped from, when known. */
  warehouseId: z.string().optional(),
  shipDate: z.string().optional(),
  items: z.array(z.object({ orderItemId: z.string(), quantity: z.number().int() })).default([]),
  /** When ShipStation created the label. */
  labelCreatedAt: z.string(),
  /** Which path saw it first. */
  via: z.enum(['webhook', 'poll', 'retry', 'reconcile']),
  at: z.string(),
  confirmedAt: z.string().optional(),
  code: z.string().optional(),
  reason: z.string().optional(),
  hint: z.string().optional(),
  attempts: z.number().int().default(0),
  /** The label was voided after Amazon accepted it: Amazon can't un-confirm. */
  voidedAfterConfirm: z.boolean().default(false),
  /** The label whose tracking was sent in place of this voided one (same packageReferenceId). */
  replacedBy: z.string().optional(),
});
export type ConfirmationRecord = z.infer<typeof ConfirmationRecord>;

/** Labels seen per order (order record key → label ids), so partial shipments add up. */
export const OrderLabels = z.object({ labelIds: z.array(z.string()) });
export type OrderLabels = z.infer<typeof OrderLabels>;

/** Where the label polling pass got to, per ShipStation API key. */
export const WritebackCursor = z.object({ createdAfter: z.string(), updatedAt: z.string() });
export type WritebackCursor = z.infer<typeof WritebackCursor>;

/** A label whose confirmation failed for a passing reason (429, Amazon down), kept for the next pass. */
export const PendingConfirmation = z.object({ at: z.string(), label: Label });
export type PendingConfirmation = z.infer<typeof PendingConfirmation>;

/** An order record's key: the account and the AmazonOrderId. */
export function orderRecordKey(accountId: string, amazonOrderId: string): string {
  return `${accountId}:${amazonOrderId}`;
}

/** The keys of the reconciliation problems alerted for an account and not yet gone. */
export const FindingKeys = z.object({ keys: z.array(z.string()) });
export type FindingKeys = z.infer<typeof FindingKeys>;
