import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Order } from '../src/domain/order';
import { silentLogger } from '../src/log/logger';
import type { AdjustmentFeedSender } from '../src/returns/ports';
import { runRefundFeeds } from '../src/returns/refund-feeds.job';
import { createReturnActions } from '../src/returns/return-actions';
import { DEFAULT_RETURNS_CONFIG } from '../src/returns/returns-config';
import { pollReturns } from '../src/returns/returns-poll.job';
import { DOCUMENTED_COLUMNS } from '../src/returns/returns-report';
import { processAdjustmentFeed } from '../src/sandbox/amazon/payment-adjustment-feed';
import { createAlertRecorder } from '../src/slack/alerts';
import { Store } from '../src/store/store';
import { percentile } from './harness';

/**
 * `npm run bench -- returns [--n 500]`: a burst of N returns and N approvals through the real
 * store (SQLite in a temp dir), the real poll, actions and feed job, with Amazon's Feeds side
 * played by the sandbox's adjustment checker on a simulated clock. Prints report-to-outbox time
 * (the Slack drain then paces posts at one per second per channel), approval latency
 * percentiles, and how the approvals were batched against createFeed's limit (0.0083/s, burst 15).
 */
export async function main(argv: string[]): Promise<void> {
  const n = Number(argv[argv.indexOf('--n') + 1] ?? 500) || 500;
  const dir = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-returns-'));
  let t = Date.parse('2026-12-01T12:00:00Z');
  const now = () => new Date(t);
  const store = await Store.open({ dataDir: dir, now: () => t });
  const orders = new Map<string, Order>();
  const rows: string[] = [DOCUMENTED_COLUMNS.join('\t')];
  for (let i = 0; i < n; i++) {
    const id = `112-${String(i).padStart(7, '0')}-0000001`;
    orders.set(id, {
      accountId: 'default', amazonOrderId: id, marketplaceId: 'ATVPDKIKX0DER', createdTime: '', lastUpdatedTime: '', status: 'shipped', fulfilledBy: 'merchant', shipBy: {}, deliverBy: {},
      programs: [], isPrime: false, isBusiness: false, buyer: {}, shipTo: {}, taxTotal: 0, shippingTotal: 0, isGift: false, packages: [], currency: 'USD',
      items: [{ orderItemId: String(10_000_000_000_000 + i), sellerSku: `SKU-${i}`, quantityOrdered: 1, quantityShipped: 1, unitPrice: 19.99, tax: 1.6, shipping: 0, cancelRequested: false }],
    });
    const cells: Record<string, string> = { 'Order ID': id, 'Amazon RMA ID': `R${i}`, 'Merchant SKU': `SKU-${i}`, 'Return quantity': '1', 'Return Reason': 'UNWANTED_ITEM', 'In policy': 'Y' };
    rows.push(DOCUMENTED_COLUMNS.map((c) => cells[c] ?? '').join('\t'));
  }
  const feeds: Array<{ feedId: string; createdAt: number; messages: number }> = [];
  const sender: AdjustmentFeedSender = {
    async submit(_a, _m, document) {
      const outcome = processAdjustmentFeed(document);
      feeds.push({ feedId: String(feeds.length + 1), createdAt: t, messages: outcome.processed });
      reports.set(String(feeds.length), outcome.report);
      return { feedId: String(feeds.length) };
    },
    progress: async (_a, feedId) => ({ state: 'done', report: reports.get(feedId)! }),
    feedsCreatedSince: async () => [],
  };
  const reports = new Map<string, string>();
  const notifier = createAlertRecorder({ store, now, logger: silentLogger });
  const actions = createReturnActions({ store, notifier, orders: { order: async (_a, id) => orders.get(id) }, isManager: async () => true, config: DEFAULT_RETURNS_CONFIG, now, logger: silentLogger });
  const text = rows.join('\n');

  const p0 = performance.now();
  await pollReturns({ store, source: { returnsReport: async () => text }, tag: 'Return expected', redraw: actions.redraw, accounts: [{ id: 'default', marketplaceIds: ['ATVPDKIKX0DER'] }], windowDays: 3, now, logger: silentLogger });
  const pollMs = performance.now() - p0;
  for (let i = 0; i < n; i++) await actions.received('UWARE', 'default', `R${i}`, { condition: 'ok' });

  const approvals: number[] = [];
  const a0 = performance.now();
  for (let i = 0; i < n; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, n - i) }, async (_, j) => {
        const s = performance.now();
        const r = await actions.approve('UMGR', 'default', `R${i + j}`);
        if (!r.ok) throw new Error(r.message);
        approvals.push(performance.now() - s);
      }),
    );
  }
  const approveMs = performance.now() - a0;
  const started = t;
  let passes = 0;
  const f0 = performance.now();
  while ((await store.returns.byStatus(['refund_pending'], 1)).length > 0 && passes < 100) {
    t += 10_000;
    passes++;
    await runRefundFeeds({ store, sender, redraw: actions.redraw, sellerIdOf: () => 'A2SELLER', feed: DEFAULT_RETURNS_CONFIG.feed, owner: 'bench', now, logger: silentLogger });
  }
  const feedMs = performance.now() - f0;
  approvals.sort((a, b) => a - b);
  const limitFeeds = 15 + Math.floor((t - started) / 1000 * 0.0083);
  const out = (l: string) => process.stdout.write(`${l}\n`);
  out(`returns bench, ${n} returns (SQLite, in-process fakes for Amazon; measured on a shared machine)`);
  out(`report → ${n} messages in the Slack outbox: ${pollMs.toFixed(0)} ms (${(pollMs / n).toFixed(2)} ms per return; the drain then posts at Slack's 1/s per channel)`);
  out(`approvals: ${n} in ${approveMs.toFixed(0)} ms; latency p50 ${percentile(approvals, 50).toFixed(1)} ms, p95 ${percentile(approvals, 95).toFixed(1)} ms, p99 ${percentile(approvals, 99).toFixed(1)} ms`);
  out(`feeds: ${feeds.length} createFeed call(s) carrying ${feeds.reduce((s, f) => s + f.messages, 0)} messages (${feeds.map((f) => f.messages).join(', ')}); simulated ${((t - started) / 1000).toFixed(0)} s from first approval pass to all refunded; createFeed allows ${limitFeeds} in that time → ratio ${(feeds.length / limitFeeds).toFixed(2)} of the limit`);
  out(`feed passes: ${passes}, ${feedMs.toFixed(0)} ms of work; refunded: ${(await store.returns.byStatus(['refunded'], n + 1)).length}/${n}`);
  out(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
