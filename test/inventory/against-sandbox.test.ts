import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFeedsClient } from '../../src/amazon/feeds-client';
import { createListingsClient } from '../../src/amazon/listings-client';
import type { Notifier, Problem } from '../../src/domain/notifier';
import type { PushTarget } from '../../src/inventory/amazon-push';
import { inventoryConfigOf } from '../../src/inventory/config';
import { DAY_MS } from '../../src/inventory/forecast';
import { INVENTORY_ACTIONS, LISTING_REJECTED, LOW_STOCK } from '../../src/inventory/inventory-alerts';
import { createInventoryRunner, runInventoryPass, type InventoryJobContext } from '../../src/inventory/inventory.job';
import { signBody, signedHeaders, verifySignature } from '../../src/inventory/signature';
import { createInventoryOps } from '../../src/inventory/slack';
import { handleStockWebhook } from '../../src/inventory/stock-webhook';
import { silentLogger } from '../../src/log/logger';
import { SANDBOX_LWA_CREDENTIALS, startSpApiSimulator, type SpApiSimulator } from '../../src/sandbox/amazon/sp-api-simulator';
import { createSandboxTls, type SandboxTls } from '../../src/sandbox/tls';
import { alertMessage } from '../../src/slack/alert-kinds';
import type { OrderRecord } from '../../src/store/records';
import { Store } from '../../src/store/store';
import { jsonSchemaValidator, schemaErrors, specValidator } from '../sandbox/amazon/support';

/** The "against the sandbox" checks: Dockhand's inventory against the simulators. */

const SELLER = 'A1DOCKHANDSANDBOX';
const MARKETPLACE = 'ATVPDKIKX0DER';
let tls: SandboxTls;
beforeAll(() => {
  tls = createSandboxTls();
});

const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** Records what is raised and resolved, by key: the outbox's view without Slack. */
function recordingNotifier() {
  const raised: Problem[] = [];
  const resolved: string[] = [];
  const notifier: Notifier = { raise: async (p) => void raised.push(p), resolve: async (k) => void resolved.push(k) };
  return { notifier, raised, resolved };
}

async function setup(env: Record<string, string> = {}, file: Record<string, unknown> = {}) {
  const sim: SpApiSimulator = await startSpApiSimulator({ tls });
  open.push(() => sim.close());
  const store = await Store.open({ memory: true });
  open.push(() => store.close());
  const creds = { region: 'na' as const, ...SANDBOX_LWA_CREDENTIALS, spApiUrl: sim.url, lwaUrl: sim.lwaUrl, ca: tls.caCertPem, retryBaseMs: 5 };
  const target: PushTarget = { accountId: 'default', sellerId: SELLER, marketplaceIds: [MARKETPLACE], listings: createListingsClient(creds), feeds: createFeedsClient(creds) };
  open.push(() => target.listings.close());
  open.push(() => target.feeds.close());
  const rec = recordingNotifier();
  let now = Date.parse('2026-12-01T12:00:00.000Z');
  const ctx: InventoryJobContext = {
    store,
    config: inventoryConfigOf({ source: 'webhook', bufferUnits: 0, leadTimeDays: 7, safetyDays: 3, pushToAmazon: true, feedThreshold: 200, intervalSeconds: 60, ...file } as never, env),
    notifier: rec.notifier,
    logger: silentLogger,
    now: () => new Date(now),
    targets: [target],
    feedPoll: { pollMs: 20, timeoutMs: 10_000 },
  };
  return { sim, store, ctx, rec, advance: (ms: number) => (now += ms), nowMs: () => now };
}

/** An order of `quantity` units of `sku`, shipped (Amazon closed it) `daysAgo` days before `at`. */
function shipped(id: string, sku: string, quantity: number, at: number, daysAgo: number): OrderRecord {
  const closed = new Date(at - daysAgo * DAY_MS).toISOString();
  return {
    accountId: 'default',
    amazonOrderId: id,
    orderKey: `dockhand:default:${id}`,
    state: 'sent',
    amazonStatus: 'shipped',
    closedAt: closed,
    lastUpdatedTime: closed,
    firstSeenAt: closed,
    unmappedSkus: [],
    isPrime: false,
    items: [{ orderItemId: `${id}-1`, quantityOrdered: quantity, quantityShipped: quantity, amazonSku: sku, sku }],
  };
}

describe('inventory against the sandbox', () => {
  it('raises one low-stock alert with its buttons when a SKU is drawn down below its reorder point', async () => {
    const { sim, store, ctx, rec } = await setup();
    sim.listings.put({ sellerId: SELLER, sku: 'WH-1000', productType: 'HEADPHONES', quantity: {} });
    // 28 units in 14 days: 2 a day, reorder point 2 × (7 + 3) = 20.
    for (let i = 0; i < 14; i++) await store.orders.set(`default:O${i}`, shipped(`111-0000000-00000${10 + i}`, 'WH-1000', 2, ctx.now().getTime(), i + 0.5));
    await store.inventory.putStockLevels([{ sku: 'WH-1000', onHand: 50 }], 'webhook', ctx.now().getTime());
    await runInventoryPass(ctx);
    expect(rec.raised.filter((p) => p.kind === LOW_STOCK.name)).toHaveLength(0);
    // Drawn down to 18 (≤ 20): low. Two passes after it: still one alert.
    await store.inventory.putStockLevels([{ sku: 'WH-1000', onHand: 18 }], 'webhook', ctx.now().getTime());
    await runInventoryPass(ctx);
    await runInventoryPass(ctx);
    const alerts = rec.raised.filter((p) => p.kind === LOW_STOCK.name);
    expect(alerts.map((a) => [a.key, a.facts.status, a.facts.available])).toEqual([['stock:WH-1000', 'low', '18']]);
    const msg = alertMessage({ key: alerts[0]!.key, kind: alerts[0]!.kind, state: 'open', count: 1, facts: alerts[0]!.facts, updatedAt: ctx.now().toISOString() }, {});
    const buttons = (msg.blocks ?? []).flatMap((b) => ((b as { type: string }).type === 'actions' ? (b as { elements: Array<{ action_id: string }> }).elements.map((e) => e.action_id) : []));
    expect(buttons).toEqual([INVENTORY_ACTIONS.snooze, INVENTORY_ACTIONS.reorder, INVENTORY_ACTIONS.pushNow]);
    // And Amazon was told the 18 that can ship.
    expect(sim.listings.get(SELLER, 'WH-1000')?.quantity[MARKETPLACE]).toBe(18);
  });

  it('Push quantity now sends a patch the simulator accepts and that validates against the Listings model', async () => {
    const { sim, store, ctx } = await setup();
    sim.listings.put({ sellerId: SELLER, sku: 'WH-2000', productType: 'HEADPHONES', quantity: { [MARKETPLACE]: 99 } });
    await store.inventory.putStockLevels([{ sku: 'WH-2000', onHand: 7 }], 'csv', ctx.now().getTime());
    await runInventoryPass(ctx);
    const ops = createInventoryOps({ store, config: ctx.config, runner: createInventoryRunner(ctx), now: ctx.now });
    // Already pushed: the button sends it again anyway.
    const detail = await ops.pushNow('WH-2000');
    expect(detail).toBe('Amazon: 1 accepted, 0 refused, 0 to retry');
    const patches = sim.listings.patches().filter((p) => p.sku === 'WH-2000');
    expect(patches).toHaveLength(2);
    const validate = specValidator('listingsItems_2021-08-01.json', 'ListingsItemPatchRequest');
    for (const p of patches) {
      expect(schemaErrors(validate, p.body)).toBe('');
      expect(p).toMatchObject({ status: 'ACCEPTED', via: 'patch', body: { productType: 'HEADPHONES', patches: [{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 7 }] }] } });
    }
    // The productType was asked for once, then cached.
    expect(sim.stats().requests.getListingsItem).toBe(1);
  });

  it('sends a burst of 1,000 changed SKUs as one JSON_LISTINGS_FEED whose messages validate, and alerts the SKUs Amazon refused', async () => {
    const { sim, store, ctx, rec } = await setup();
    const skus = Array.from({ length: 1000 }, (_, i) => `SKU-${String(i).padStart(4, '0')}`);
    // SKU-0999 has no listing: Amazon's report names it.
    for (const sku of skus.slice(0, 999)) sim.listings.put({ sellerId: SELLER, sku, productType: 'PRODUCT', quantity: {} });
    await store.inventory.putStockLevels(skus.map((sku, i) => ({ sku, onHand: i + 1 })), 'csv', ctx.now().getTime());
    const s = await runInventoryPass(ctx);
    expect(s.push).toMatchObject({ fed: 999, rejected: 1, patched: 0 });
    const feeds = sim.feeds.feeds();
    expect(feeds.map((f) => [f.feedType, f.processingStatus])).toEqual([['JSON_LISTINGS_FEED', 'DONE']]);
    const document = JSON.parse(feeds[0]!.content!.toString('utf8')) as { messages: unknown[] };
    expect(document.messages).toHaveLength(1000);
    expect(schemaErrors(jsonSchemaValidator('listings-feed-schema-v2.json'), document)).toBe('');
    expect(sim.listings.get(SELLER, 'SKU-0500')?.quantity[MARKETPLACE]).toBe(501);
    const refused = rec.raised.filter((p) => p.kind === LISTING_REJECTED.name);
    expect(refused.map((p) => p.facts.amazonSku)).toEqual(['SKU-0999']);
    expect(refused[0]!.facts.messages).toMatch(/SKU-0999 does not match any listing/);
    // Nothing changed: nothing is sent again.
    await runInventoryPass(ctx);
    expect(sim.feeds.feeds()).toHaveLength(1);
  });

  it('posts signed bodies to the ERP webhook, and refuses forged or stale stock webhooks with 401', async () => {
    const secret = 'erp-secret-for-tests';
    const received: Array<{ body: string; timestamp: string; signature: string }> = [];
    const erp = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), timestamp: String(req.headers['x-dockhand-timestamp']), signature: String(req.headers['x-dockhand-signature']) });
        res.writeHead(200).end();
      });
    });
    const erpUrl = await listen(erp);
    const { store, ctx } = await setup({ DOCKHAND_ERP_WEBHOOK_SECRET: secret }, { erpWebhookUrl: `${erpUrl}/stock`, pushToAmazon: false });
    ctx.targets = [];
    ctx.erpPost = async (url, body, headers) => {
      const r = await fetch(url, { method: 'POST', body, headers });
      return { status: r.status };
    };
    const runner = createInventoryRunner(ctx);
    // The stock webhook, on a server of its own, as the product serves it.
    const app = createServer((req, res) =>
      handleStockWebhook({ secret, now: () => ctx.now().getTime(), logger: silentLogger, store: (levels) => store.inventory.putStockLevels(levels, 'webhook', ctx.now().getTime()), onChanged: (skus) => void runner.changed(skus) }, req, res),
    );
    const appUrl = await listen(app);
    const body = JSON.stringify({ levels: [{ sku: 'WH-1000', onHand: 12, warehouse: 'Reno' }] });
    const nowS = Math.floor(ctx.now().getTime() / 1000);
    expect(await post(`${appUrl}/webhooks/stock`, body, { 'X-Dockhand-Timestamp': String(nowS), 'X-Dockhand-Signature': 'v1=' + '0'.repeat(64) })).toBe(401);
    expect(await post(`${appUrl}/webhooks/stock`, body, { 'X-Dockhand-Timestamp': String(nowS - 301), 'X-Dockhand-Signature': signBody(secret, nowS - 301, body) })).toBe(401);
    expect(await post(`${appUrl}/webhooks/stock`, body, {})).toBe(401);
    const bad = JSON.stringify({ levels: [{ sku: 'A', onHand: 1 }, { sku: 'B', onHand: -2 }] });
    expect(await post(`${appUrl}/webhooks/stock`, bad, signedHeaders(secret, bad, ctx.now().getTime()), (t) => expect(t).toMatch(/levels\[1\] \(sku B\): onHand/))).toBe(400);
    expect(await store.inventory.levelsOf('A')).toEqual([]);
    expect(await post(`${appUrl}/webhooks/stock`, body, signedHeaders(secret, body, ctx.now().getTime()))).toBe(204);
    await until(() => received.length === 1);
    const got = received[0]!;
    expect(verifySignature(secret, { timestamp: got.timestamp, signature: got.signature }, got.body, ctx.now().getTime())).toEqual({ ok: true });
    expect(JSON.parse(got.body)).toEqual({ sku: 'WH-1000', available: 12, onHand: 12, committed: 0, velocity14: 0, status: 'ok', at: ctx.now().toISOString() });
  });
});

function listen(server: Server): Promise<string> {
  open.push(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
}

function post(url: string, body: string, headers: Record<string, string>, onText?: (t: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        onText?.(Buffer.concat(chunks).toString('utf8'));
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
