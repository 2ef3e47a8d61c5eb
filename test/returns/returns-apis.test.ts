import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFeedsClient } from '../../src/amazon/feeds-client';
import { createFinancesSpClient } from '../../src/amazon/finances-client';
import { createReportsClient } from '../../src/amazon/reports-client';
import { silentLogger } from '../../src/log/logger';
import { buildAdjustmentFeed } from '../../src/returns/adjustment-feed';
import { feedsAdjustmentSender, financesPostings, reportsReturnsSource } from '../../src/returns/amazon-ports';
import { parseReturnsReport } from '../../src/returns/returns-report';
import { createOrderFactory } from '../../src/sandbox/amazon/order-factory';
import { SANDBOX_LWA_CREDENTIALS, startSpApiSimulator, type SpApiSimulator } from '../../src/sandbox/amazon/sp-api-simulator';
import { createSandboxTls, type SandboxTls } from '../../src/sandbox/tls';
import { accessToken, call, schemaErrors, specValidator } from '../sandbox/amazon/support';

/**
 * The returns adapters over the generic Reports, Feeds and Finances clients against the SP-API
 * simulator, whose answers are held to Amazon's models (reports, feeds, financesV0).
 */
let tls: SandboxTls;
let sim: SpApiSimulator;
const close: Array<() => unknown> = [];
beforeAll(() => {
  tls = createSandboxTls();
});
afterEach(async () => {
  for (const c of close.splice(0)) await c();
});

async function setUp() {
  sim = await startSpApiSimulator({ tls, refundPostingMs: 0 });
  close.push(() => sim.close());
  const creds = { region: 'na' as const, ...SANDBOX_LWA_CREDENTIALS, spApiUrl: sim.url, lwaUrl: sim.lwaUrl, ca: tls.caCertPem, logger: silentLogger, retryBaseMs: 5 };
  const reports = createReportsClient({ ...creds, sleep: async () => undefined });
  const feeds = createFeedsClient(creds);
  const finances = createFinancesSpClient(creds);
  close.push(() => reports.close(), () => feeds.close(), () => finances.close());
  const { lastUpdatedTime: _t, ...o } = createOrderFactory(8).make('standard');
  const order = sim.putOrder(o);
  return { reports: reportsReturnsSource(() => reports, { pollMs: 0 }), sender: feedsAdjustmentSender(() => feeds), postings: financesPostings(() => finances), order };
}

const window = (days: number) => ({ accountId: 'default', marketplaceId: 'ATVPDKIKX0DER', since: new Date(Date.now() - days * 86_400_000), until: new Date() });

describe('returns over the generic SP-API clients', () => {
  it('reads the gzipped returns report by its column names, and an empty window (CANCELLED) as none', async () => {
    const { reports, order } = await setUp();
    expect(await reports.returnsReport(window(3))).toBe('none');
    const sku = order.orderItems[0]!.product!.sellerSku!;
    sim.returns.add({ orderId: order.orderId, rma: 'RMA-R1', sku, quantity: 1, reason: 'DEFECTIVE', inPolicy: false, carrier: 'UPS', trackingId: '1ZR1', currency: 'USD', requestedAt: new Date().toISOString(), deliveredAt: new Date().toISOString() });
    const text = await reports.returnsReport(window(3));
    expect(text).not.toBe('none');
    const parsed = parseReturnsReport(text as string);
    expect(parsed.problems).toEqual([]);
    expect(parsed.returns).toEqual([expect.objectContaining({ amazonOrderId: order.orderId, rma: 'RMA-R1', sku, quantity: 1, reason: 'DEFECTIVE', inPolicy: false, carrier: 'UPS', tracking: '1ZR1', currency: 'USD' })]);
    expect(sim.reportRequests().map((r) => [r.reportType, r.processingStatus])).toEqual([
      ['GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE', 'CANCELLED'],
      ['GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE', 'DONE'],
    ]);
  });

  it('sends an adjustment feed, reads its processing report, finds it again through getFeeds, and Finances shows the refund', async () => {
    const { sender, postings, order } = await setUp();
    const item = order.orderItems[0]!;
    const doc = buildAdjustmentFeed('A1DOCKHANDSANDBOX', [{ messageId: 1, amazonOrderId: order.orderId, currency: 'USD', items: [{ orderItemId: item.orderItemId, adjustmentId: 'RMA-F1-1', quantity: 1, components: { principal: 1999, tax: 160, shipping: 0, shippingTax: 0 }, restockingFee: 0 }] }]);
    const since = new Date(Date.now() - 1000);
    const { feedId } = await sender.submit('default', ['ATVPDKIKX0DER'], doc);
    expect(sim.feeds.feeds().map((f) => [f.feedId, f.feedType])).toEqual([[feedId, 'POST_PAYMENT_ADJUSTMENT_DATA']]);
    expect(await sender.feedsCreatedSince('default', since)).toEqual([{ feedId, createdTime: expect.any(String) }]);
    expect(await sender.feedsCreatedSince('default', new Date(Date.now() + 60_000))).toEqual([]);
    let progress = await sender.progress('default', feedId);
    for (let i = 0; i < 5 && progress.state === 'in_progress'; i++) progress = await sender.progress('default', feedId);
    expect(progress.state).toBe('done');
    expect((progress as { report: string }).report).toContain('<MessagesSuccessful>1</MessagesSuccessful>');
    // What was uploaded (text/xml; charset=UTF-8) is the document, byte for byte.
    expect(sim.feeds.feeds()[0]!.content!.toString('utf8')).toBe(doc);
    expect(await postings.postedRefunds('default', order.orderId)).toEqual([expect.objectContaining({ orderItemId: item.orderItemId, amountCents: -2159, currency: 'USD' })]);
  });

  it('answers getFeeds and listFinancialEventsByOrderId as the models say, pages getFeeds by nextToken alone, and refuses nextToken with filters', async () => {
    const { sender, postings, order } = await setUp();
    const item = order.orderItems[0]!;
    for (const n of [1, 2, 3]) {
      await sender.submit('default', ['ATVPDKIKX0DER'], buildAdjustmentFeed('A1DOCKHANDSANDBOX', [{ messageId: 1, amazonOrderId: order.orderId, currency: 'USD', items: [{ orderItemId: item.orderItemId, adjustmentId: `RMA-P${n}`, quantity: 1, components: { principal: 100, tax: 0, shipping: 0, shippingTax: 0 }, restockingFee: 0 }] }]));
    }
    const token = await accessToken(sim);
    const first = await call(sim, 'GET', '/feeds/2021-06-30/feeds?feedTypes=POST_PAYMENT_ADJUSTMENT_DATA&pageSize=2', { token });
    expect([first.status, schemaErrors(specValidator('feeds_2021-06-30.json', 'GetFeedsResponse'), first.json)]).toEqual([200, '']);
    const page = first.json as { feeds: unknown[]; nextToken?: string };
    expect(page.feeds).toHaveLength(2);
    const second = await call(sim, 'GET', `/feeds/2021-06-30/feeds?nextToken=${encodeURIComponent(page.nextToken!)}`, { token });
    expect((second.json as { feeds: unknown[]; nextToken?: string }).feeds).toHaveLength(1);
    expect((second.json as { nextToken?: string }).nextToken).toBeUndefined();
    const mixed = await call(sim, 'GET', `/feeds/2021-06-30/feeds?nextToken=${encodeURIComponent(page.nextToken!)}&pageSize=2`, { token });
    expect([mixed.status, schemaErrors(specValidator('feeds_2021-06-30.json', 'ErrorList'), mixed.json)]).toEqual([400, '']);
    const none = await call(sim, 'GET', '/feeds/2021-06-30/feeds', { token });
    expect(none.status).toBe(400);
    // Processed, so Finances has them.
    for (const f of sim.feeds.feeds()) for (let i = 0; i < 3; i++) await call(sim, 'GET', `/feeds/2021-06-30/feeds/${f.feedId}`, { token });
    const events = await call(sim, 'GET', `/finances/v0/orders/${order.orderId}/financialEvents?MaxResultsPerPage=2`, { token });
    expect([events.status, schemaErrors(specValidator('financesV0.json', 'ListFinancialEventsResponse'), events.json)]).toEqual([200, '']);
    expect(await postings.postedRefunds('default', order.orderId)).toHaveLength(3);
  });
});
