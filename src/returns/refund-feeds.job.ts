import { randomUUID } from 'node:crypto';
import { toDockhandError } from '../domain/errors';
import type { RefundRecord } from '../domain/return';
import type { Logger } from '../log/logger';
import type { RefundFeed } from '../store/returns';
import type { Store } from '../store/store';
import { buildAdjustmentFeed, errorsByMessage, parseProcessingReport, type AdjustmentMessage, type ProcessingReport } from './adjustment-feed';
import type { AdjustmentFeedSender } from './ports';
import type { ReturnsConfig } from './returns-config';

/**
 * Approved refunds to Amazon, exactly once: the job that batches them into
 * POST_PAYMENT_ADJUSTMENT_DATA feeds, sends them, and reads each processing report back.
 *
 * Why exactly once holds:
 * - a refund exists once per (RMA, order item) (the store's primary key), claimed at approval;
 * - a feed's document and its refunds' MessageIDs are written (state `ready`) before anything
 *   is sent, and the feed is marked `submitting` before createFeed is called;
 * - a feed found `submitting` (the process died, or createFeed's answer was lost) is never sent
 *   again blindly: Amazon's own list of adjustment feeds created since then (getFeeds) is read
 *   first. One feed Dockhand doesn't know → that is it; none → createFeed never reached Amazon
 *   and the same document is sent; more than one → `uncertain`, for a person to decide;
 * - one account's feeds are worked under a lease, so two replicas never send side by side.
 * Batching keeps to createFeed's limit (0.0083 requests/s ≈ one per 2 minutes, burst 15):
 * approvals gather for `gatherSeconds`, then go in as few feeds as `maxMessages` allows, at
 * most one per `minIntervalSeconds` per account.
 */

export const REFUND_FEEDS_JOB = 'returns-refund-feeds';

/** How far before a feed was marked submitting Amazon's createdTime may be (clock skew between us and Amazon). */
const SKEW_MS = 5 * 60_000;

export interface RefundFeedDeps {
  store: Store;
  sender: AdjustmentFeedSender;
  /** Redraws an RMA's Slack message (ReturnActions.redraw). */
  redraw(accountId: string, rma: string, step?: string): Promise<void>;
  /** The MerchantIdentifier of the feed's header: the account's seller id. */
  sellerIdOf(accountId: string): string;
  feed: ReturnsConfig['feed'];
  /** This process, as lease owner. */
  owner: string;
  /** Whether a lease holder is a process that has died (same host, pid gone): its lease is taken over at once. */
  isLeaseOwnerGone?: (owner: string) => boolean;
  now: () => Date;
  logger: Logger;
}

export interface FeedPassSummary {
  submitted: number;
  messages: number;
  accepted: number;
  refused: number;
  recovered: number;
  uncertain: number;
  waiting: number;
}

/** One pass over every account with refunds to send or feeds to follow. */
export async function runRefundFeeds(deps: RefundFeedDeps): Promise<FeedPassSummary> {
  const sum: FeedPassSummary = { submitted: 0, messages: 0, accepted: 0, refused: 0, recovered: 0, uncertain: 0, waiting: 0 };
  const accounts = new Set([...(await deps.store.returns.accountsWithApproved()), ...(await deps.store.returns.accountsWithFeeds(['ready', 'submitting', 'submitted']))]);
  for (const accountId of accounts) {
    try {
      await deps.store.withLease(`returns:feeds:${accountId}`, deps.owner, () => passForAccount(deps, accountId, sum), { waitMs: 0, ...(deps.isLeaseOwnerGone ? { isGone: deps.isLeaseOwnerGone } : {}) });
    } catch (e) {
      const err = toDockhandError(e);
      if (err.code === 'store.lease_busy') continue; // another replica works this account now
      deps.logger.warn({ accountId, code: err.code, err: err.message }, 'refund feed pass failed; tried again on the next pass');
    }
  }
  return sum;
}

async function passForAccount(deps: RefundFeedDeps, accountId: string, sum: FeedPassSummary): Promise<void> {
  const { store } = deps;
  for (const feed of await store.returns.feeds(accountId, ['submitting'])) await recover(deps, feed, sum);
  for (const feed of await store.returns.feeds(accountId, ['submitted'])) await follow(deps, feed, sum);
  for (const feed of await store.returns.feeds(accountId, ['ready'])) {
    if (!(await mayCreateFeed(deps, accountId))) return;
    await submit(deps, feed, sum);
  }
  // New feeds while the limit allows and approvals have gathered.
  for (;;) {
    if (!(await mayCreateFeed(deps, accountId))) {
      if ((await store.returns.approvedToBatch(accountId, 1)).length > 0) sum.waiting++;
      return;
    }
    const feed = await makeFeed(deps, accountId);
    if (!feed) return;
    await submit(deps, feed, sum);
  }
}

async function mayCreateFeed(deps: RefundFeedDeps, accountId: string): Promise<boolean> {
  const last = await deps.store.returns.lastSubmissionAt(accountId);
  return last === undefined || deps.now().getTime() - last >= deps.feed.minIntervalSeconds * 1000;
}

/** Writes the next feed (ready) from approved refunds that have gathered; undefined when none should go yet. */
async function makeFeed(deps: RefundFeedDeps, accountId: string): Promise<RefundFeed | undefined> {
  const { store, feed: limits } = deps;
  const now = deps.now();
  const approved = await store.returns.approvedToBatch(accountId, limits.maxMessages * 10);
  if (approved.length === 0) return undefined;
  const oldest = Date.parse(approved[0]!.approvedAt);
  const orders = new Set(approved.map((r) => r.amazonOrderId));
  if (now.getTime() - oldest < limits.gatherSeconds * 1000 && orders.size < limits.maxMessages) return undefined;
  // One marketplace per feed (createFeed names them); the oldest approval's goes first.
  const marketplaceId = approved[0]!.marketplaceId;
  const byOrder = new Map<string, RefundRecord[]>();
  for (const r of approved) {
    if (r.marketplaceId !== marketplaceId) continue;
    const list = byOrder.get(r.amazonOrderId) ?? [];
    if (list.length === 0 && byOrder.size >= limits.maxMessages) continue;
    list.push(r);
    byOrder.set(r.amazonOrderId, list);
  }
  const messages: AdjustmentMessage[] = [];
  const members: Array<{ refund: RefundRecord; messageId: number }> = [];
  let messageId = 0;
  for (const [amazonOrderId, refunds] of byOrder) {
    messageId++;
    messages.push({
      messageId,
      amazonOrderId,
      currency: refunds[0]!.currency,
      items: refunds.map((r) => ({ orderItemId: r.orderItemId, adjustmentId: r.adjustmentId, quantity: r.quantity, components: r.components, restockingFee: r.restockingFee })),
    });
    for (const refund of refunds) members.push({ refund, messageId });
  }
  const feed: Omit<RefundFeed, 'state'> = {
    id: `${accountId}:${now.getTime()}:${randomUUID().slice(0, 8)}`,
    accountId,
    createdAt: now.getTime(),
    document: buildAdjustmentFeed(deps.sellerIdOf(accountId), messages),
    meta: { marketplaceIds: [marketplaceId], messages: messages.length },
  };
  if (!(await store.returns.createFeed(feed, members, now.toISOString()))) return undefined;
  deps.logger.info({ accountId, feed: feed.id, messages: messages.length, refunds: members.length }, 'adjustment feed written');
  for (const rma of new Set(members.map((m) => m.refund.rma))) await deps.redraw(accountId, rma);
  return { ...feed, state: 'ready' };
}

/** Marks the feed submitting (durable), then uploads and creates it; an unanswered createFeed leaves it submitting for `recover`. */
async function submit(deps: RefundFeedDeps, feed: RefundFeed, sum: FeedPassSummary): Promise<void> {
  const { store } = deps;
  const t = deps.now().getTime();
  if (!(await store.returns.moveFeed(feed.id, 'ready', 'submitting', t, { submittingAt: t }))) return;
  let feedId: string;
  try {
    ({ feedId } = await deps.sender.submit(feed.accountId, feed.meta.marketplaceIds, feed.document));
  } catch (e) {
    const err = toDockhandError(e);
    // Whether createFeed reached Amazon is unknown: the next pass asks Amazon before sending again.
    deps.logger.warn({ accountId: feed.accountId, feed: feed.id, code: err.code, err: err.message }, 'adjustment feed not confirmed by Amazon; checked on the next pass');
    return;
  }
  await store.returns.moveFeed(feed.id, 'submitting', 'submitted', deps.now().getTime(), { feedId, refundState: 'submitted' });
  sum.submitted++;
  sum.messages += feed.meta.messages;
  deps.logger.info({ accountId: feed.accountId, feed: feed.id, feedId, messages: feed.meta.messages }, 'adjustment feed sent');
  for (const rma of new Set((await store.returns.refundsInFeed(feed.id)).map((r) => r.rma))) await deps.redraw(feed.accountId, rma);
}

/** A feed left submitting: find it on Amazon, or learn that createFeed never got there. */
async function recover(deps: RefundFeedDeps, feed: RefundFeed, sum: FeedPassSummary): Promise<void> {
  const { store } = deps;
  const since = new Date((feed.submittingAt ?? feed.createdAt) - SKEW_MS);
  const listed = await deps.sender.feedsCreatedSince(feed.accountId, since);
  const known = await store.returns.knownFeedIds(feed.accountId, listed.map((f) => f.feedId));
  const unknown = listed.filter((f) => !known.has(f.feedId));
  const t = deps.now().getTime();
  if (unknown.length === 1) {
    await store.returns.moveFeed(feed.id, 'submitting', 'submitted', t, { feedId: unknown[0]!.feedId, refundState: 'submitted' });
    sum.recovered++;
    deps.logger.info({ accountId: feed.accountId, feed: feed.id, feedId: unknown[0]!.feedId }, 'adjustment feed found on Amazon after a lost answer');
    return;
  }
  if (unknown.length === 0) {
    // Amazon has no adjustment feed from that moment: createFeed never reached it. Same document, sent now.
    await store.returns.moveFeed(feed.id, 'submitting', 'ready', t);
    if (await mayCreateFeed(deps, feed.accountId)) await submit(deps, { ...feed, state: 'ready' }, sum);
    return;
  }
  const why = `${unknown.length} adjustment feeds Dockhand does not know were created on Amazon since ${since.toISOString()}: which one is this is unknown`;
  await store.returns.moveFeed(feed.id, 'submitting', 'uncertain', t, { meta: { ...feed.meta, uncertainWhy: why }, refundState: 'uncertain' });
  sum.uncertain++;
  deps.logger.warn({ accountId: feed.accountId, feed: feed.id, candidates: unknown.length }, 'adjustment feed uncertain: not resent');
  for (const rma of new Set((await store.returns.refundsInFeed(feed.id)).map((r) => r.rma))) await deps.redraw(feed.accountId, rma, 'Dockhand cannot tell whether Amazon received this refund: check Seller Central; it is not resent');
}

/** A sent feed: once Amazon is done, each message's result goes to its refunds and returns. */
async function follow(deps: RefundFeedDeps, feed: RefundFeed, sum: FeedPassSummary): Promise<void> {
  const { store } = deps;
  const progress = await deps.sender.progress(feed.accountId, feed.feedId!);
  if (progress.state === 'in_progress') return;
  const t = deps.now().getTime();
  if (progress.state === 'cancelled') {
    // Cancelled before processing: nothing was applied, so the refunds go in the next feed.
    await store.returns.moveFeed(feed.id, 'submitted', 'done', t, { refundState: 'approved' });
    return;
  }
  let report: ProcessingReport | undefined;
  try {
    if (progress.report !== undefined) report = parseProcessingReport(progress.report);
  } catch (e) {
    deps.logger.warn({ accountId: feed.accountId, feedId: feed.feedId, err: (e as Error).message }, 'processing report unreadable');
  }
  if (!report) {
    // FATAL without a report (or one we cannot read): some, none or all may have been applied.
    await store.returns.moveFeed(feed.id, 'submitted', 'uncertain', t, { meta: { ...feed.meta, uncertainWhy: `Amazon ended feed ${feed.feedId} as ${progress.state} without a readable processing report` }, refundState: 'uncertain' });
    sum.uncertain++;
    for (const rma of new Set((await store.returns.refundsInFeed(feed.id)).map((r) => r.rma))) await deps.redraw(feed.accountId, rma, `Amazon ended the refund feed ${feed.feedId} as ${progress.state}: check Seller Central; it is not resent`);
    return;
  }
  const errors = errorsByMessage(report);
  // A result for MessageID 0 (the whole document refused) fails every message.
  const whole = errors.get(0);
  const written = await store.returns.finishFeed(
    feed.id,
    (r) => {
      const e = whole ?? errors.get(r.messageId ?? -1);
      return e ? { state: 'error', errorCode: e.messageCode, errorMessage: e.description } : { state: 'accepted' };
    },
    { ...feed.meta, summary: { processed: report.processed, successful: report.successful, withError: report.withError } },
    new Date(t).toISOString(),
    { from: 'refund_pending', to: 'refunded' },
  );
  if (!written) return;
  sum.accepted += written.filter((r) => r.state === 'accepted').length;
  sum.refused += written.filter((r) => r.state === 'error').length;
  for (const rma of new Set(written.map((r) => r.rma))) {
    const mine = written.filter((r) => r.rma === rma);
    const refused = mine.find((r) => r.state === 'error');
    await deps.redraw(feed.accountId, rma, refused ? `Amazon refused the refund (feed ${feed.feedId}): ${refused.errorMessage ?? refused.errorCode ?? ''}` : `Amazon accepted the refund (feed ${feed.feedId})`);
  }
}
