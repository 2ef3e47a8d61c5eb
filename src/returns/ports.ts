import type { Order } from '../domain/order';

/**
 * What the returns work needs from the outside, narrowed to its questions. The adapters over
 * the generic Reports and Feeds clients, Orders, Finances and ShipStation implement them at the
 * composition root; tests use in-memory fakes. Each port speaks our words, never a vendor's
 * wire shape.
 */

/** One poll's window of the returns report, per account and marketplace. */
export interface ReportWindow {
  accountId: string;
  marketplaceId: string;
  /** dataStartTime / dataEndTime of createReport. */
  since: Date;
  until: Date;
}

/**
 * GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE through the Reports API: createReport, getReport
 * until DONE / CANCELLED / FATAL, getReportDocument, download (gunzipped when GZIP).
 */
export interface ReturnsReportSource {
  /**
   * The report's TSV text; `'none'` when Amazon CANCELLED it, which for this report means no
   * returns in the window. Throws (a DockhandError) on FATAL or when Amazon can't be reached.
   */
  returnsReport(window: ReportWindow): Promise<string | 'none'>;
}

/** Where a submitted feed stands. */
export type FeedProgress =
  | { state: 'in_progress' }
  /** DONE: the processing report's text (XML for this feed type). */
  | { state: 'done'; report: string }
  /** CANCELLED before processing: nothing was applied. */
  | { state: 'cancelled' }
  /** FATAL: some, none or all messages may have been applied; a report only in some cases. */
  | { state: 'fatal'; report?: string };

/**
 * POST_PAYMENT_ADJUSTMENT_DATA through the Feeds API: createFeedDocument, upload with the same
 * content type, createFeed; getFeed, and the result document when done.
 */
export interface AdjustmentFeedSender {
  /** Uploads the document and creates the feed; resolves with Amazon's feedId once createFeed answered. */
  submit(accountId: string, marketplaceIds: string[], document: string): Promise<{ feedId: string }>;
  progress(accountId: string, feedId: string): Promise<FeedProgress>;
  /**
   * The adjustment feeds (POST_PAYMENT_ADJUSTMENT_DATA) created since `since` (getFeeds with
   * feedTypes and createdSince): how a feed whose createFeed answer was lost is found again
   * instead of being sent a second time.
   */
  feedsCreatedSince(accountId: string, since: Date): Promise<Array<{ feedId: string; createdTime: string }>>;
}

/** The order a return belongs to, for the refund's amounts and Amazon's item codes. */
export interface OrderSource {
  /** undefined when Amazon has no such order for the account. */
  order(accountId: string, amazonOrderId: string): Promise<Order | undefined>;
}

/** A refund Amazon's Finances shows as posted (listFinancialEventsByOrderId → RefundEventList). */
export interface PostedRefund {
  postedDate?: string;
  orderItemId?: string;
  sellerSku?: string;
  /** Charge adjustments as Finances reports them (negative for money back to the buyer). */
  amountCents: number;
  currency?: string;
}

export interface RefundPostings {
  postedRefunds(accountId: string, amazonOrderId: string): Promise<PostedRefund[]>;
}

/** What the warehouse side of ShipStation can do for a return on its way. */
export interface ReturnWarehouse {
  /**
   * A return label for the outbound label the order shipped with, when ShipStation v2 is
   * configured and the label was bought in ShipStation (POST /v2/labels/{label_id}/return);
   * undefined when that does not apply, so the caller tags the order instead.
   */
  createReturnLabel?(accountId: string, amazonOrderId: string): Promise<{ labelId: string; trackingNumber?: string } | undefined>;
  /** Tags the original ShipStation order (v1 POST /orders/addtag); false when the order is not in ShipStation. */
  tagOrder(accountId: string, amazonOrderId: string, tag: string): Promise<boolean>;
}
