import type { FeedsClient } from '../amazon/feeds-client';
import type { FinancesClient } from '../amazon/finances-client';
import type { ReportsClient } from '../amazon/reports-client';
import { DockhandError } from '../domain/errors';
import type { Order } from '../domain/order';
import type { AdjustmentFeedSender, FeedProgress, OrderSource, RefundPostings, ReturnsReportSource } from './ports';

/**
 * The returns ports over the generic Amazon clients, one client per account: the returns report
 * through the Reports API, the adjustment feed through the Feeds API, the order through Orders,
 * posted refunds through Finances. Each adapter only translates between the port's words and the
 * client's calls; pacing, retries and error codes are the clients'.
 */

export const RETURNS_REPORT_TYPE = 'GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE';
export const ADJUSTMENT_FEED_TYPE = 'POST_PAYMENT_ADJUSTMENT_DATA';
/** feeds-xml.md: XML feeds are uploaded with this content type, the same at createFeedDocument and at the upload. */
export const ADJUSTMENT_CONTENT_TYPE = 'text/xml; charset=UTF-8';

/** A client for an account, or undefined when the account has none (no credentials for it). */
type PerAccount<T> = (accountId: string) => T | undefined;

function clientOf<T>(of: PerAccount<T>, accountId: string, what: string): T {
  const c = of(accountId);
  if (!c) throw new DockhandError('config.missing', `no Amazon ${what} client for account ${accountId}`, { hint: 'Set the account’s refresh token.' });
  return c;
}

export function reportsReturnsSource(of: PerAccount<ReportsClient>, poll: { pollMs: number; timeoutMs?: number }): ReturnsReportSource {
  return {
    async returnsReport(w) {
      const client = clientOf(of, w.accountId, 'Reports');
      const reportId = await client.createReport({ reportType: RETURNS_REPORT_TYPE, marketplaceIds: [w.marketplaceId], dataStartTime: w.since.toISOString(), dataEndTime: w.until.toISOString() });
      const report = await client.waitForReport(reportId, { pollMs: poll.pollMs, ...(poll.timeoutMs ? { timeoutMs: poll.timeoutMs } : {}) });
      // For this report CANCELLED means there were no returns in the window.
      if (report.processingStatus === 'CANCELLED') return 'none';
      if (report.processingStatus !== 'DONE' || !report.reportDocumentId) {
        throw new DockhandError('amazon.rejected', `the returns report ${reportId} ended ${report.processingStatus}`, { hint: 'Amazon could not make it; it is asked for again on the next poll. Check that the app has the Selling Partner Insights (returns) role.' });
      }
      const bytes = await client.download(await client.getReportDocument(report.reportDocumentId));
      return bytes.toString('utf8');
    },
  };
}

export function feedsAdjustmentSender(of: PerAccount<FeedsClient>): AdjustmentFeedSender {
  return {
    async submit(accountId, marketplaceIds, document) {
      const client = clientOf(of, accountId, 'Feeds');
      const doc = await client.createFeedDocument(ADJUSTMENT_CONTENT_TYPE);
      await client.upload(doc.url, document, ADJUSTMENT_CONTENT_TYPE);
      return { feedId: await client.createFeed({ feedType: ADJUSTMENT_FEED_TYPE, marketplaceIds, inputFeedDocumentId: doc.feedDocumentId }) };
    },
    async progress(accountId, feedId): Promise<FeedProgress> {
      const client = clientOf(of, accountId, 'Feeds');
      const feed = await client.getFeed(feedId);
      const status = feed.processingStatus;
      if (status === 'IN_QUEUE' || status === 'IN_PROGRESS') return { state: 'in_progress' };
      if (status === 'CANCELLED') return { state: 'cancelled' };
      const report = feed.resultFeedDocumentId ? (await client.download(await client.getFeedDocument(feed.resultFeedDocumentId))).toString('utf8') : undefined;
      if (status === 'DONE') {
        if (report === undefined) return { state: 'fatal' };
        return { state: 'done', report };
      }
      return { state: 'fatal', ...(report !== undefined ? { report } : {}) };
    },
    async feedsCreatedSince(accountId, since) {
      const client = clientOf(of, accountId, 'Feeds');
      const feeds = await client.getFeeds({ feedTypes: [ADJUSTMENT_FEED_TYPE], createdSince: since.toISOString() });
      return feeds.map((f) => ({ feedId: f.feedId, createdTime: f.createdTime }));
    },
  };
}

export function amazonOrderSource(fetch: (accountId: string, amazonOrderId: string) => Promise<Order>): OrderSource {
  return {
    async order(accountId, amazonOrderId) {
      try {
        return await fetch(accountId, amazonOrderId);
      } catch (e) {
        // 404: Amazon has no such order for this seller; anything else is worth saying.
        if (e instanceof DockhandError && e.status === 404) return undefined;
        throw e;
      }
    },
  };
}

export function financesPostings(of: PerAccount<FinancesClient>): RefundPostings {
  return {
    postedRefunds: (accountId, amazonOrderId) => clientOf(of, accountId, 'Finances').refundsForOrder(amazonOrderId),
  };
}
