import { z } from 'zod';

/**
 * A seller-fulfilled return as Dockhand keeps it: one row per (Order ID, Amazon RMA ID, Merchant
 * SKU) of Amazon's returns report, with what the warehouse found and what was decided; and one
 * refund per (RMA, order item), the unit Amazon's adjustment feed is sent and answered in.
 * Schemas only (the store parses what it reads with them); the decisions are in src/returns.
 */

export const ReturnStatus = z.enum(['expected', 'received', 'refund_pending', 'refunded', 'rejected', 'replaced']);
export type ReturnStatus = z.infer<typeof ReturnStatus>;

export const ReturnCondition = z.enum(['ok', 'damaged', 'wrong_item', 'missing']);
export type ReturnCondition = z.infer<typeof ReturnCondition>;

/** The report's facts about one returned SKU (see src/returns/returns-report.ts for the columns). */
export const ReturnFacts = z.object({
  amazonOrderId: z.string().min(1),
  rma: z.string().min(1),
  sku: z.string().min(1),
  quantity: z.number().int().positive(),
  asin: z.string().optional(),
  itemName: z.string().optional(),
  reason: z.string().default(''),
  inPolicy: z.boolean().optional(),
  returnType: z.string().optional(),
  resolution: z.string().optional(),
  requestStatus: z.string().optional(),
  requestedAt: z.string().optional(),
  deliveredAt: z.string().optional(),
  carrier: z.string().optional(),
  tracking: z.string().optional(),
  labelPaidBy: z.string().optional(),
  labelType: z.string().optional(),
  labelCost: z.string().optional(),
  currency: z.string().optional(),
  merchantRmaId: z.string().optional(),
  isPrime: z.boolean().optional(),
  aToZClaim: z.boolean().optional(),
  refundedAmount: z.string().optional(),
});
export type ReturnFacts = z.infer<typeof ReturnFacts>;

export const ReturnRecord = ReturnFacts.extend({
  accountId: z.string().min(1),
  marketplaceId: z.string().min(1),
  status: ReturnStatus,
  firstSeenAt: z.string(),
  updatedAt: z.string(),
  condition: ReturnCondition.optional(),
  quantityReceived: z.number().int().nonnegative().optional(),
  notes: z.string().optional(),
  receivedBy: z.string().optional(),
  receivedAt: z.string().optional(),
  /** Who approved, rejected or replaced it, and when. */
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  rejectReason: z.string().optional(),
  /** What the warehouse was given in ShipStation: a return label, or a tag on the original order. */
  warehouse: z
    .object({ kind: z.enum(['return_label', 'tagged', 'not_in_shipstation', 'failed']), labelId: z.string().optional(), trackingNumber: z.string().optional(), message: z.string().optional() })
    .optional(),
});
export type ReturnRecord = z.infer<typeof ReturnRecord>;

/**
 * A refund's way to Amazon: `approved` (waiting for a feed) → `batched` (in a feed document not
 * yet created on Amazon) → `submitted` (in a feed Amazon has) → `accepted` (its message had no
 * error) → `posted` (Finances shows it); or `error` (Amazon refused its message: Retry puts it
 * back to `approved`), or `uncertain` (its feed's fate is unknown: a person decides).
 */
export const RefundState = z.enum(['approved', 'batched', 'submitted', 'accepted', 'posted', 'error', 'uncertain']);
export type RefundState = z.infer<typeof RefundState>;

export const Cents = z.object({
  principal: z.number().int().nonnegative(),
  tax: z.number().int().nonnegative(),
  shipping: z.number().int().nonnegative(),
  shippingTax: z.number().int().nonnegative(),
});

export const RefundRecord = z.object({
  accountId: z.string(),
  marketplaceId: z.string(),
  rma: z.string(),
  orderItemId: z.string(),
  amazonOrderId: z.string(),
  sku: z.string(),
  quantity: z.number().int().positive(),
  currency: z.string().length(3),
  components: Cents,
  restockingFee: z.number().int().nonnegative(),
  /** Net to the buyer, cents. */
  total: z.number().int().positive(),
  /** MerchantAdjustmentItemID sent with it. */
  adjustmentId: z.string(),
  state: RefundState,
  approvedBy: z.string(),
  approvedAt: z.string(),
  /** Sends so far (a Retry after Amazon's refusal is one more). */
  attempt: z.number().int().positive().default(1),
  batchId: z.string().optional(),
  messageId: z.number().int().positive().optional(),
  feedId: z.string().optional(),
  /** Amazon's ResultMessageCode and ResultDescription when it refused the message. */
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  acceptedAt: z.string().optional(),
  postedAt: z.string().optional(),
  updatedAt: z.string(),
});
export type RefundRecord = z.infer<typeof RefundRecord>;

/** One adjustment feed: its document is written before it is sent, and its feedId once Amazon answered. */
export const RefundFeedState = z.enum(['ready', 'submitting', 'submitted', 'done', 'uncertain']);
export type RefundFeedState = z.infer<typeof RefundFeedState>;
