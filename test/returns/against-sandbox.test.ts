import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySandbox, openRuntime, type Runtime } from '../../src/cli/runtime';
import { SANDBOX_SLACK, startSandboxServices, withSandboxSlack, type Sandbox } from '../../src/cli/sandbox';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/log/logger';
import { RETURN_ACTIONS } from '../../src/returns/return-message';
import { RETURN_VIEWS } from '../../src/returns/returns-slack';
import { createOrderFactory } from '../../src/sandbox/amazon/order-factory';
import { processAdjustmentFeed } from '../../src/sandbox/amazon/payment-adjustment-feed';
import type { WireOrder } from '../../src/sandbox/amazon/wire-order';
import { startSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/web-api-simulator';
import { startProductWithSlack } from '../support/slack-face';
import { XMLParser } from 'fast-xml-parser';

/**
 * The "Against the sandbox" checks, through the real wiring: `startProduct` and the Slack
 * face on the SP-API simulator (Reports with the gzipped returns report, Feeds with the adjustment
 * checker, Finances) and the Slack simulator, clicked as a warehouse user and as a manager.
 */
const MAYA = 'U0MAYA0001'; // in the sandbox managers group
const SAM = 'U0SAM00002'; // warehouse
const CHANNEL = SANDBOX_SLACK.channel;
const ADJUSTMENT = 'POST_PAYMENT_ADJUSTMENT_DATA';

let dataDir: string;
let sandbox: Sandbox;
let slack: SlackSimulator;
let rt: Runtime;
let running: { stop(): Promise<void> } | undefined;
const orders: WireOrder[] = [];

/* eslint-disable @typescript-eslint/no-explicit-any */
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-returns-sandbox-'));
  sandbox = await startSandboxServices(dataDir, { rateScale: 1000, shipstationTags: ['Return expected'] });
  slack = await startSlackSimulator({ botToken: SANDBOX_SLACK.botToken, signingSecret: 'returns-secret' });
  const own = loadConfig({ DOCKHAND_DATA_DIR: dataDir, DOCKHAND_SECRET_KEY: 'test', PORT: '0' }, dataDir);
  const config = applySandbox(withSandboxSlack(own, { url: slack.url, signingSecret: 'returns-secret' }), sandbox.info);
  // The returns report every 0.6 s; approvals gather 2 s, so two approved together share a feed.
  config.returns = { ...config.returns, pollMinutes: 0.01, feed: { maxMessages: 1000, gatherSeconds: 2, minIntervalSeconds: 0 } };
  const factory = createOrderFactory(11);
  for (let i = 0; i < 4; i++) {
    const { lastUpdatedTime: _t, ...o } = factory.make('standard');
    orders.push(sandbox.spApi.putOrder(o));
  }
  rt = await openRuntime(config, silentLogger);
  running = await startProductWithSlack(rt, slack);
}, 60_000);

afterAll(async () => {
  await running?.stop();
  await rt?.close();
  await slack?.close();
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A buyer returns one unit of the order's first line. */
function requestReturn(order: WireOrder, rma: string): void {
  const item = order.orderItems[0]!;
  sandbox.spApi.returns.add({ orderId: order.orderId, rma, sku: item.product!.sellerSku!, quantity: 1, reason: 'UNWANTED_ITEM', inPolicy: true, carrier: 'UPS', trackingId: `1Z${rma}`, currency: 'USD', requestedAt: new Date().toISOString() });
}

const messageOf = (rma: string) => slack.messages(CHANNEL).find((m) => JSON.stringify(m.blocks ?? '').includes(rma));
const buttonsOf = (m: any): string[] => (m?.blocks ?? []).filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements.map((e: any) => e.action_id));
const valueOf = (m: any, actionId: string): string => (m.blocks ?? []).filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements).find((e: any) => e.action_id === actionId).value;
const viewOf = (user: string, callbackId: string) => slack.views(user).find((v) => (v.view as any).callback_id === callbackId);
const adjustmentFeeds = () => sandbox.spApi.feeds.feeds().filter((f) => f.feedType === ADJUSTMENT);
const statusOf = async (rma: string) => (await rt.store.returns.byRma('default', rma))[0]?.status;

async function click(user: string, rma: string, actionId: string): Promise<void> {
  // The message is redrawn after each step; its buttons follow the return's status.
  await expect.poll(() => buttonsOf(messageOf(rma)), { timeout: 5_000 }).toContain(actionId);
  const m = messageOf(rma)!;
  await slack.clickButton({ user, channel: CHANNEL, ts: m.ts, actionId, value: valueOf(m, actionId) });
}

async function receive(rma: string, sku: string): Promise<void> {
  await click(SAM, rma, RETURN_ACTIONS.received);
  await expect.poll(() => viewOf(SAM, RETURN_VIEWS.received), { timeout: 5_000 }).toBeTruthy();
  await slack.submitView({ user: SAM, viewId: viewOf(SAM, RETURN_VIEWS.received)!.id, values: { condition: { value: 'ok' }, [`qty:${sku}`]: { value: '1' } } });
  await expect.poll(() => statusOf(rma), { timeout: 5_000 }).toBe('received');
}

/** Opens the Approve modal as the manager and returns it (the amounts it offers). */
async function openApprove(rma: string): Promise<any> {
  const before = slack.views(MAYA).length;
  await click(MAYA, rma, RETURN_ACTIONS.approve);
  await expect.poll(() => slack.views(MAYA).length > before || !!viewOf(MAYA, RETURN_VIEWS.approve), { timeout: 5_000 }).toBe(true);
  return viewOf(MAYA, RETURN_VIEWS.approve)!;
}

function amountsIn(view: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const b of view.view.blocks) if (String(b.block_id).startsWith('amount:')) out[b.block_id] = b.element.initial_value;
  return out;
}

async function submitApprove(view: any): Promise<void> {
  const values = Object.fromEntries(Object.entries(amountsIn(view)).map(([k, v]) => [k, { value: v }]));
  await slack.submitView({ user: MAYA, viewId: view.id, values });
}

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => ['Message', 'AdjustedItem', 'Component'].includes(name) });
/** Every AdjustedItem the simulated Amazon received, with its order and component amounts. */
function adjustedItems(): Array<{ feedId: string; amazonOrderId: string; code: string; amounts: Record<string, string> }> {
  return adjustmentFeeds().flatMap((f) =>
    (xml.parse(f.content!.toString('utf8')).AmazonEnvelope.Message as any[]).flatMap((m) =>
      (m.OrderAdjustment.AdjustedItem as any[]).map((i) => ({
        feedId: f.feedId,
        amazonOrderId: m.OrderAdjustment.AmazonOrderID,
        code: i.AmazonOrderItemCode,
        amounts: Object.fromEntries((i.ItemPriceAdjustments.Component as any[]).map((c) => [c.Type, typeof c.Amount === 'object' ? c.Amount['#text'] : c.Amount])),
      })),
    ),
  );
}

/** What Amazon's order says one unit of its first line cost: the line's ITEM, TAX and SHIPPING per unit. */
function paidForOneUnit(order: WireOrder): Record<string, string> {
  const item = order.orderItems[0]! as any;
  const q = item.quantityOrdered as number;
  const of = (type: string) => Math.round((Number(item.proceeds.breakdowns.find((b: any) => b.type === type).subtotal.amount) * 100) / q);
  const out: Record<string, string> = { Principal: (Math.round(Number(item.product.price.unitPrice.amount) * 100) / 100).toFixed(2), Tax: (of('TAX') / 100).toFixed(2) };
  if (of('SHIPPING') > 0) out.Shipping = (of('SHIPPING') / 100).toFixed(2);
  return out;
}

describe('returns against the sandbox', () => {
  it('a return Amazon reports appears in Slack once, with the order, reason, policy, tracking and its buttons', { timeout: 30_000 }, async () => {
    requestReturn(orders[0]!, 'RMA-A1');
    await expect.poll(() => messageOf('RMA-A1'), { timeout: 15_000 }).toBeTruthy();
    const m = messageOf('RMA-A1')!;
    const text = JSON.stringify(m.blocks);
    expect(text).toContain(orders[0]!.orderId);
    expect(text).toContain('UNWANTED_ITEM');
    expect(text).toContain('1ZRMA-A1');
    expect(buttonsOf(m)).toEqual(expect.arrayContaining([RETURN_ACTIONS.received]));
    // The report came from the Reports API, gzipped; polls keep reading it and post nothing new.
    expect(sandbox.spApi.reportRequests().filter((r) => r.reportType === 'GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE').length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(slack.messages(CHANNEL).filter((x) => JSON.stringify(x.blocks ?? '').includes('RMA-A1'))).toHaveLength(1);
  });

  it('a warehouse user marks it received but cannot approve; the refused click changes nothing and is audited', { timeout: 30_000 }, async () => {
    await expect.poll(() => messageOf('RMA-A1'), { timeout: 15_000 }).toBeTruthy();
    await receive('RMA-A1', orders[0]!.orderItems[0]!.product!.sellerSku!);
    await expect.poll(() => JSON.stringify(messageOf('RMA-A1')?.blocks ?? ''), { timeout: 5_000 }).toContain('marked it received');
    await click(SAM, 'RMA-A1', RETURN_ACTIONS.approve);
    await expect.poll(() => slack.ephemerals(SAM).map((e) => e.text).join('\n'), { timeout: 5_000 }).toContain('Only managers may approve');
    expect(viewOf(SAM, RETURN_VIEWS.approve)).toBeUndefined();
    expect(await statusOf('RMA-A1')).toBe('received');
    const audit = await rt.store.recentAudit(20);
    expect(audit.find((a) => a.actor === SAM && a.action === 'returns:approve_refund' && a.outcome === 'refused')).toBeTruthy();
  });

  it('a manager approves; the feed Amazon receives is valid and carries exactly the computed amounts; a double click sends one adjustment', { timeout: 40_000 }, async () => {
    await expect.poll(() => statusOf('RMA-A1'), { timeout: 15_000 }).toBe('received');
    const view = await openApprove('RMA-A1');
    // Double click: the modal's Approve pressed twice before it closed.
    await Promise.all([submitApprove(view), submitApprove(view)]);
    await expect.poll(() => statusOf('RMA-A1'), { timeout: 5_000 }).toBe('refund_pending');
    await expect.poll(async () => (await rt.store.returns.refundsForRma('default', 'RMA-A1'))[0]?.state, { timeout: 20_000 }).toBe('accepted');
    expect(await statusOf('RMA-A1')).toBe('refunded');

    const feeds = adjustmentFeeds();
    expect(feeds.map((f) => f.processingStatus)).toEqual(['DONE']);
    // Valid by the simulator's own reading of feeds-xml.md: no message refused.
    expect(processAdjustmentFeed(feeds[0]!.content!.toString('utf8')).errors).toEqual([]);
    const items = adjustedItems();
    expect(items).toEqual([{ feedId: feeds[0]!.feedId, amazonOrderId: orders[0]!.orderId, code: orders[0]!.orderItems[0]!.orderItemId, amounts: paidForOneUnit(orders[0]!) }]);
    // The modal offered the same total.
    const total = Object.values(paidForOneUnit(orders[0]!)).reduce((s, v) => s + Math.round(Number(v) * 100), 0);
    expect(Object.values(amountsIn(view))).toEqual([(total / 100).toFixed(2)]);
    // Amazon applied it once: Finances holds one refund for that item.
    expect(sandbox.spApi.finances.posted().filter((p) => p.amazonOrderId === orders[0]!.orderId)).toHaveLength(1);
    await expect.poll(() => JSON.stringify(messageOf('RMA-A1')?.blocks ?? ''), { timeout: 5_000 }).toContain('Amazon accepted the refund');
    // Both submissions reached Dockhand: one approved, the other was refused and audited.
    const approvals = (await rt.store.recentAudit(50)).filter((a) => a.actor === MAYA && a.action === 'returns:approve_refund' && a.target === 'return:default:RMA-A1');
    expect(approvals.map((a) => a.outcome).sort()).toEqual(['ok', 'refused']);
  });

  it('a feed Amazon refuses for one order shows Amazon’s message and a Retry, while the other order is refunded', { timeout: 40_000 }, async () => {
    const [good, bad] = [orders[1]!, orders[2]!];
    requestReturn(good, 'RMA-B1');
    requestReturn(bad, 'RMA-B2');
    await expect.poll(() => !!messageOf('RMA-B1') && !!messageOf('RMA-B2'), { timeout: 15_000 }).toBe(true);
    await receive('RMA-B1', good.orderItems[0]!.product!.sellerSku!);
    await receive('RMA-B2', bad.orderItems[0]!.product!.sellerSku!);
    const feedsBefore = adjustmentFeeds().length;
    await submitApprove(await openApprove('RMA-B1'));
    await submitApprove(await openApprove('RMA-B2'));
    await expect.poll(async () => [await statusOf('RMA-B1'), await statusOf('RMA-B2')], { timeout: 5_000 }).toEqual(['refund_pending', 'refund_pending']);
    // Amazon's order changes under the approved refund (the item is no longer there): Amazon refuses that message.
    sandbox.spApi.updateOrder(bad.orderId, (o) => void (o.orderItems[0]!.orderItemId = '99999999999999'));
    await expect.poll(async () => (await rt.store.returns.refundsForRma('default', 'RMA-B2'))[0]?.state, { timeout: 20_000 }).toBe('error');
    expect((await rt.store.returns.refundsForRma('default', 'RMA-B1'))[0]?.state).toBe('accepted');
    // Both went in one feed.
    expect(adjustmentFeeds().length).toBe(feedsBefore + 1);
    await expect.poll(() => JSON.stringify(messageOf('RMA-B2')?.blocks ?? ''), { timeout: 5_000 }).toContain(`was not found in order ${bad.orderId}`);
    expect(buttonsOf(messageOf('RMA-B2'))).toContain(RETURN_ACTIONS.retry);
    await expect.poll(() => JSON.stringify(messageOf('RMA-B1')?.blocks ?? ''), { timeout: 5_000 }).toContain('Amazon accepted the refund');
    expect(buttonsOf(messageOf('RMA-B1'))).not.toContain(RETURN_ACTIONS.retry);
    expect(sandbox.spApi.finances.posted().map((p) => p.amazonOrderId)).toContain(good.orderId);
    expect(sandbox.spApi.finances.posted().map((p) => p.amazonOrderId)).not.toContain(bad.orderId);
  });
});
