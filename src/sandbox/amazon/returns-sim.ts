import { processAdjustmentFeed, type OrderLookup } from './payment-adjustment-feed';
import type { FinancesApi } from './finances-api';
import type { FeedProcessor } from './listings-api';
import type { ReportGenerator } from './reports-api';

/**
 * Seller-fulfilled returns in the simulated Amazon: the returns a buyer has requested, served as
 * GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE (tab-separated, one row per returned SKU of an RMA,
 * the columns named as Amazon's "Returns reports attributes" page names them), and the
 * POST_PAYMENT_ADJUSTMENT_DATA processor that applies a refund feed and posts what it applied to
 * Finances a while later, as Amazon's Finances lags. Written from Amazon's documents, never from
 * Dockhand's parser or builder.
 */

/** One returned SKU of an RMA, as the simulated Amazon holds it. */
export interface SimReturn {
  orderId: string;
  rma: string;
  sku: string;
  asin?: string;
  itemName?: string;
  quantity: number;
  reason: string;
  inPolicy: boolean;
  carrier?: string;
  trackingId?: string;
  resolution?: string;
  currency?: string;
  orderDate?: string;
  /** When the buyer asked: what the report's date window selects on. */
  requestedAt: string;
  deliveredAt?: string;
  labelPaidBy?: string;
}

/** Amazon's column order for this report (its attributes page). A real file may add columns; readers go by name. */
const COLUMNS = [
  'Order ID', 'Order date', 'Return request date', 'Return request status', 'Amazon RMA ID', 'Merchant RMA ID', 'Label type', 'Label cost', 'Currency code',
  'Return carrier', 'Tracking ID', 'Label to be paid by', 'A-to-Z Claim', 'Is prime', 'ASIN', 'Merchant SKU', 'Item Name', 'Return quantity', 'Return Reason',
  'In policy', 'Return type', 'Resolution', 'Invoice number', 'Return delivery date', 'Order Amount', 'Order quantity', 'SafeT action reason', 'SafeT claim id',
  'SafeT claim state', 'SafeT claim creation time', 'SafeT claim reimbursement amount', 'Refunded Amount',
] as const;

export interface ReturnsSim {
  add(r: SimReturn): void;
  all(): SimReturn[];
  /** The report generator the Reports API registers for GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE. */
  report: ReportGenerator;
}

const clean = (s: string | undefined) => (s ?? '').replace(/[\t\r\n]+/g, ' ');

export function createReturnsSim(): ReturnsSim {
  const returns: SimReturn[] = [];
  return {
    add: (r) => void returns.push({ ...r }),
    all: () => returns.map((r) => ({ ...r })),
    report(req, now) {
      const from = req.dataStartTime ? Date.parse(req.dataStartTime) : now.getTime() - 30 * 86_400_000;
      const to = req.dataEndTime ? Date.parse(req.dataEndTime) : now.getTime();
      const rows = returns.filter((r) => {
        const t = Date.parse(r.requestedAt);
        return t >= from && t <= to;
      });
      const lines = rows.map((r) => {
        const cells: Partial<Record<(typeof COLUMNS)[number], string>> = {
          'Order ID': r.orderId,
          'Order date': r.orderDate,
          'Return request date': r.requestedAt,
          'Return request status': r.deliveredAt ? 'Completed' : 'Approved',
          'Amazon RMA ID': r.rma,
          'Label type': 'AmazonPrePaidLabel',
          'Currency code': r.currency,
          'Return carrier': r.carrier,
          'Tracking ID': r.trackingId,
          'Label to be paid by': r.labelPaidBy ?? 'Seller',
          'A-to-Z Claim': 'N',
          'Is prime': 'N',
          ASIN: r.asin,
          'Merchant SKU': r.sku,
          'Item Name': r.itemName,
          'Return quantity': String(r.quantity),
          'Return Reason': r.reason,
          'In policy': r.inPolicy ? 'Y' : 'N',
          'Return type': 'C-Returns',
          Resolution: r.resolution ?? 'StandardRefund',
          'Return delivery date': r.deliveredAt,
        };
        return COLUMNS.map((c) => clean(cells[c])).join('\t');
      });
      // A window without returns: Amazon ends the report CANCELLED, with no document.
      if (lines.length === 0) return undefined;
      return { content: [COLUMNS.join('\t'), ...lines].join('\n') + '\n', contentType: 'text/tab-separated-values;charset=UTF-8' };
    },
  };
}

/**
 * POST_PAYMENT_ADJUSTMENT_DATA: each Message is checked against the OrderAdjustment structure; the
 * adjustments of the good ones are applied and posted to Finances `postDelayMs` later; the
 * processing report (XML) answers each message that failed.
 */
export function paymentAdjustmentProcessor(opts: { finances: FinancesApi; lookup: OrderLookup; clock: () => number; postDelayMs: number; onApplied?: (applied: ReturnType<typeof processAdjustmentFeed>['applied']) => void }): FeedProcessor {
  return (input) => {
    const outcome = processAdjustmentFeed(input.content.toString('utf8'), { lookup: opts.lookup, transactionId: input.feedId });
    const postedAt = new Date(opts.clock() + opts.postDelayMs).toISOString();
    for (const a of outcome.applied) {
      opts.finances.post({ amazonOrderId: a.amazonOrderId, orderItemId: a.orderItemId, ...(a.adjustmentId ? { adjustmentId: a.adjustmentId } : {}), amounts: a.amounts, currency: a.currency ?? 'USD', postedAt });
    }
    opts.onApplied?.(outcome.applied);
    return { status: 'DONE', report: outcome.report, contentType: 'text/xml; charset=UTF-8' };
  };
}
