import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Order } from '../../src/domain/order';
import { silentLogger } from '../../src/log/logger';
import { createReturnActions, type ReturnActions } from '../../src/returns/return-actions';
import { runRefundFeeds, type FeedPassSummary } from '../../src/returns/refund-feeds.job';
import type { AdjustmentFeedSender, FeedProgress, OrderSource, ReturnsReportSource, ReportWindow } from '../../src/returns/ports';
import { DEFAULT_RETURNS_CONFIG } from '../../src/returns/returns-config';
import { DOCUMENTED_COLUMNS } from '../../src/returns/returns-report';
import { pollReturns, type ReturnsPollSummary } from '../../src/returns/returns-poll.job';
import { processAdjustmentFeed, type AppliedAdjustment } from '../../src/sandbox/amazon/payment-adjustment-feed';
import { createAlertRecorder } from '../../src/slack/alerts';
import { Store } from '../../src/store/store';
import { freshPostgresDatabase } from '../support/postgres';

/**
 * In-memory stand-ins behind the returns ports: a returns report per account and marketplace, an
 * Amazon that runs every adjustment feed through the sandbox's checker and remembers what it
 * applied (so a test counts adjustments, not calls), and the orders the refunds are computed from.
 */

export const MANAGER = 'UMAYA001';
export const WAREHOUSE = 'USAM0002';

export function order(amazonOrderId: string, items: Array<{ id: string; sku: string; qty: number; price: number; tax: number; shipping?: number }>, currency = 'USD'): Order {
  return {
    accountId: 'default', amazonOrderId, marketplaceId: 'ATVPDKIKX0DER', createdTime: '2026-11-01T00:00:00Z', lastUpdatedTime: '2026-11-02T00:00:00Z', status: 'shipped', fulfilledBy: 'merchant',
    shipBy: {}, deliverBy: {}, programs: [], isPrime: false, isBusiness: false, buyer: {}, shipTo: {}, taxTotal: 0, shippingTotal: 0, isGift: false, packages: [], currency,
    items: items.map((i) => ({ orderItemId: i.id, sellerSku: i.sku, quantityOrdered: i.qty, quantityShipped: i.qty, unitPrice: i.price, tax: i.tax, shipping: i.shipping ?? 0, cancelRequested: false })),
  };
}

/** A returns report with the documented columns, one row per object. */
export function report(rows: Array<Record<string, string>>): string {
  return [DOCUMENTED_COLUMNS.join('\t'), ...rows.map((r) => DOCUMENTED_COLUMNS.map((c) => r[c] ?? '').join('\t'))].join('\n') + '\n';
}

export function returnRow(amazonOrderId: string, rma: string, sku: string, qty = 1, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'Order ID': amazonOrderId, 'Amazon RMA ID': rma, 'Merchant SKU': sku, 'Return quantity': String(qty), 'Return Reason': 'UNWANTED_ITEM', 'In policy': 'Y',
    'Return carrier': 'UPS', 'Tracking ID': `1Z${rma}`, Resolution: 'StandardRefund', 'Currency code': 'USD', 'Return request date': '2026-11-28T10:00:00Z', ...extra,
  };
}

export class FakeReports implements ReturnsReportSource {
  texts = new Map<string, string | 'none'>();
  windows: ReportWindow[] = [];
  async returnsReport(w: ReportWindow): Promise<string | 'none'> {
    this.windows.push(w);
    return this.texts.get(`${w.accountId}/${w.marketplaceId}`) ?? 'none';
  }
}

/** Amazon's Feeds side: every created feed is processed by the sandbox checker at once. */
export class FakeAmazonFeeds implements AdjustmentFeedSender {
  feeds: Array<{ feedId: string; createdTime: string; document: string; report: string }> = [];
  applied: AppliedAdjustment[] = [];
  /** What the next submit does after (or instead of) creating the feed. */
  nextSubmit: 'ok' | 'die_before_create' | 'lose_answer' = 'ok';
  private n = 0;
  constructor(private readonly orders: Map<string, Order>, private readonly now: () => Date) {}
  async submit(_accountId: string, _marketplaceIds: string[], document: string): Promise<{ feedId: string }> {
    const mode = this.nextSubmit;
    this.nextSubmit = 'ok';
    if (mode === 'die_before_create') throw new Error('connection reset before createFeed');
    const feedId = String(50_000 + ++this.n);
    const outcome = processAdjustmentFeed(document, {
      lookup: (id) => {
        const o = this.orders.get(id);
        return o ? { items: o.items.map((i) => i.orderItemId), ...(o.currency ? { currency: o.currency } : {}) } : undefined;
      },
      transactionId: feedId,
    });
    this.applied.push(...outcome.applied);
    this.feeds.push({ feedId, createdTime: this.now().toISOString(), document, report: outcome.report });
    if (mode === 'lose_answer') throw new Error('socket hang up after createFeed');
    return { feedId };
  }
  async progress(_accountId: string, feedId: string): Promise<FeedProgress> {
    const f = this.feeds.find((x) => x.feedId === feedId);
    return f ? { state: 'done', report: f.report } : { state: 'in_progress' };
  }
  async feedsCreatedSince(_accountId: string, since: Date) {
    return this.feeds.filter((f) => Date.parse(f.createdTime) >= since.getTime()).map((f) => ({ feedId: f.feedId, createdTime: f.createdTime }));
  }
}

export interface World {
  store: Store;
  actions: ReturnActions;
  reports: FakeReports;
  amazon: FakeAmazonFeeds;
  orders: Map<string, Order>;
  clock: { t: number };
  poll(days?: number): Promise<ReturnsPollSummary>;
  feeds(): Promise<FeedPassSummary>;
  /** The facts of an RMA's Slack message, as the outbox (or Slack) holds them. */
  message(rma: string): Promise<Record<string, string> | undefined>;
  /** A new "process" on the same store (the same file or database), with the same fakes. */
  restart(): Promise<World>;
  /** A second replica on the same store, running beside this one (close it with `store.close()`). */
  replica(): Promise<World>;
  close(): Promise<void>;
}

export type Backend = 'sqlite' | 'postgres';

/** A store for one test: a SQLite file in a temp dir, or a fresh Postgres database. */
export async function openTestStore(backend: Backend, now: () => number): Promise<{ open(): Promise<Store>; drop(): Promise<void> }> {
  if (backend === 'postgres') {
    const db = await freshPostgresDatabase();
    return { open: () => Store.open({ storeUrl: db.url, now }), drop: () => db.drop() };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'dockhand-returns-'));
  return { open: () => Store.open({ dataDir: dir, now }), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function world(backend: Backend = 'sqlite', shared?: { reports: FakeReports; amazon: FakeAmazonFeeds; orders: Map<string, Order>; clock: { t: number }; db: Awaited<ReturnType<typeof openTestStore>> }): Promise<World> {
  const clock = shared?.clock ?? { t: Date.parse('2026-12-01T12:00:00Z') };
  const now = () => new Date(clock.t);
  const orders = shared?.orders ?? new Map<string, Order>();
  const reports = shared?.reports ?? new FakeReports();
  const amazon = shared?.amazon ?? new FakeAmazonFeeds(orders, now);
  const db = shared?.db ?? (await openTestStore(backend, () => clock.t));
  const store = await db.open();
  const notifier = createAlertRecorder({ store, now, logger: silentLogger });
  const orderSource: OrderSource = { order: async (_a, id) => orders.get(id) };
  const actions = createReturnActions({ store, notifier, orders: orderSource, isManager: async (u) => u === MANAGER, config: DEFAULT_RETURNS_CONFIG, now, logger: silentLogger });
  const w: World = {
    store,
    actions,
    reports,
    amazon,
    orders,
    clock,
    poll: (days) => pollReturns({ store, source: reports, tag: 'Return expected', redraw: actions.redraw, accounts: [{ id: 'default', marketplaceIds: ['ATVPDKIKX0DER'] }], windowDays: 3, now, logger: silentLogger }, days ? { days } : {}),
    feeds: () => runRefundFeeds({ store, sender: amazon, redraw: actions.redraw, sellerIdOf: () => 'A2SELLER', feed: DEFAULT_RETURNS_CONFIG.feed, owner: `test:${Math.random()}`, now, logger: silentLogger }),
    async message(rma) {
      const key = `return:default:${rma}`;
      return (await store.outbox.get(key))?.facts ?? (await store.alerts.get(key))?.facts;
    },
    async restart() {
      await store.close();
      return world(backend, { reports, amazon, orders, clock, db });
    },
    replica: () => world(backend, { reports, amazon, orders, clock, db }),
    async close() {
      await store.close();
      await db.drop();
    },
  };
  return w;
}
