import { createFeedsClient, type FeedsClient } from '../amazon/feeds-client';
import { createFinancesSpClient } from '../amazon/finances-client';
import { fetchDockhandOrder } from '../amazon/orders-client';
import { createReportsClient, type ReportsClient } from '../amazon/reports-client';
import type { AccountConfig } from '../config/config';
import { runUnderLease } from '../jobs/lease';
import { startLoop, type Loop } from '../jobs/loop';
import { amazonOrderSource, feedsAdjustmentSender, financesPostings, reportsReturnsSource } from '../returns/amazon-ports';
import { confirmPostedRefunds, REFUND_CONFIRM_JOB } from '../returns/refund-confirm.job';
import { REFUND_FEEDS_JOB, runRefundFeeds, type RefundFeedDeps } from '../returns/refund-feeds.job';
import { createReturnActions, type ReturnActions } from '../returns/return-actions';
import { escalateAging, RETURN_AGING_JOB } from '../returns/return-aging';
import { pollReturns, RETURNS_POLL_JOB, type ReturnsPollDeps } from '../returns/returns-poll.job';
import { shipstationWarehouse } from '../returns/shipstation-warehouse';
import { createShipStationV2Client } from '../shipstation/v2-client';
import type { Runtime } from './runtime';

/**
 * Returns wired onto a runtime: per account a Reports, a Feeds and a Finances client (the generic
 * ones), the order source over the Orders client, the ShipStation warehouse (v2 return labels
 * when SHIPSTATION_V2_API_KEY is set, else v1 tags), the actions, and the four loops. Wiring only.
 */

export interface ReturnsParts {
  poll: ReturnsPollDeps;
  feeds: RefundFeedDeps;
  /** The steps people take, with who counts as a manager (the Slack role resolver). */
  actionsFor(isManager: (actor: string) => Promise<boolean>): ReturnActions;
  /** The poll, feeds, Finances and aging loops; each runs under a lease (the feeds per account). */
  start(isGone?: (owner: string) => boolean): Loop[];
  close(): Promise<void>;
}

/** Accounts with an Amazon refresh token: only they can be asked for returns. */
function withCredentials(rt: Runtime): AccountConfig[] {
  return rt.config.accounts.filter((a) => a.refreshToken);
}

export function createReturnsParts(rt: Runtime): ReturnsParts {
  const cfg = rt.config.returns;
  const logger = rt.logger.child({ part: 'returns' });
  const accounts = withCredentials(rt);
  // Each client is made the first time it is needed: a process that never refunds carries no Feeds or Finances client.
  const lazily = <T>(make: (a: AccountConfig, logger: Runtime['logger']) => T, vendor: string) => {
    const made = new Map<string, T>();
    const get = (accountId: string): T | undefined => {
      const account = accounts.find((a) => a.id === accountId);
      if (!account) return undefined;
      if (!made.has(accountId)) made.set(accountId, make(account, rt.logger.child({ vendor, accountId })));
      return made.get(accountId);
    };
    return { get, made: () => [...made.values()] };
  };
  const reports = lazily((a, logger): ReportsClient => createReportsClient({ ...rt.credentialsFor(a), logger }), 'amazon-reports');
  const feeds = lazily((a, logger): FeedsClient => createFeedsClient({ ...rt.credentialsFor(a), logger }), 'amazon-feeds');
  const finances = lazily((a, logger) => createFinancesSpClient({ ...rt.credentialsFor(a), logger }), 'amazon-finances');
  const v2 = rt.config.shipstationV2 ? createShipStationV2Client({ baseUrl: rt.config.shipstationV2.baseUrl, apiKey: rt.config.shipstationV2.apiKey, logger: rt.logger.child({ vendor: 'shipstation-v2' }) }) : undefined;
  const orders = amazonOrderSource(async (accountId, amazonOrderId) => {
    const account = rt.config.accounts.find((a) => a.id === accountId);
    const client = rt.amazon.get(accountId);
    if (!account || !client) throw new Error(`no Amazon Orders client for account ${accountId}`);
    return fetchDockhandOrder(client, amazonOrderId, { accountId, marketplaceIds: account.marketplaceIds });
  });
  const now = () => new Date();
  const actionsFor = (isManager: (actor: string) => Promise<boolean>) =>
    createReturnActions({ store: rt.store, notifier: rt.notifier, orders, isManager, config: cfg, now, logger: logger.child({ job: 'returns-actions' }) });
  // The jobs only redraw messages: nobody acts through them, so nobody is a manager there.
  const jobs = actionsFor(async () => false);
  const poll: ReturnsPollDeps = {
    store: rt.store,
    source: reportsReturnsSource(reports.get, { pollMs: rt.config.useSandbox ? 200 : cfg.reportPollSeconds * 1000 }),
    warehouse: shipstationWarehouse({ store: rt.store, v1: rt.shipstation, ...(v2 ? { v2 } : {}) }),
    tag: cfg.tag,
    redraw: jobs.redraw,
    accounts: accounts.map((a) => ({ id: a.id, marketplaceIds: a.marketplaceIds })),
    windowDays: cfg.windowDays,
    now,
    logger,
  };
  const sellerIds = new Map(rt.config.accounts.map((a) => [a.id, a.sellerId]));
  const feedDeps: RefundFeedDeps = {
    store: rt.store,
    sender: feedsAdjustmentSender(feeds.get),
    redraw: jobs.redraw,
    // MerchantIdentifier: the seller id when configured; Amazon identifies the seller by the token either way.
    sellerIdOf: (id) => sellerIds.get(id) ?? id,
    feed: cfg.feed,
    owner: rt.owner,
    now,
    logger,
  };
  return {
    poll,
    feeds: feedDeps,
    actionsFor,
    start(isGone) {
      if (accounts.length === 0) return [];
      const leased = (name: string, pass: () => Promise<unknown>) => () => runUnderLease(rt.store, name, rt.owner, async () => void (await pass()), { ...(isGone ? { isGone } : {}) }).then(() => undefined);
      return [
        startLoop(RETURNS_POLL_JOB, leased(RETURNS_POLL_JOB, () => pollReturns(poll)), () => cfg.pollMinutes * 60_000, logger),
        // Often enough that a gathered batch goes out on time and a sent feed's result is read soon after.
        startLoop(REFUND_FEEDS_JOB, () => runRefundFeeds({ ...feedDeps, ...(isGone ? { isLeaseOwnerGone: isGone } : {}) }).then(() => undefined), () => Math.max(1, Math.min(15, cfg.feed.gatherSeconds / 2)) * 1000, logger),
        startLoop(REFUND_CONFIRM_JOB, leased(REFUND_CONFIRM_JOB, () => confirmPostedRefunds({ store: rt.store, postings: financesPostings(finances.get), notifier: rt.notifier, redraw: jobs.redraw, now, logger })), () => 30 * 60_000, logger),
        startLoop(RETURN_AGING_JOB, leased(RETURN_AGING_JOB, () => escalateAging({ store: rt.store, notifier: rt.notifier, receiveDays: cfg.receiveDays, now, logger })), () => 15 * 60_000, logger),
      ];
    },
    async close() {
      for (const c of reports.made()) c.close();
      await Promise.all([...feeds.made(), ...finances.made()].map((c) => c.close()));
    },
  };
}

/** `returns sync --once`'s poll over a runtime opened for the command, its clients closed after. */
export function withReturnsPoll(withRuntime: <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>) {
  return <T>(fn: (deps: ReturnsPollDeps) => Promise<T>): Promise<T> =>
    withRuntime(async (rt) => {
      const parts = createReturnsParts(rt);
      try {
        return await fn(parts.poll);
      } finally {
        await parts.close();
      }
    });
}
