import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_USAGE_PLANS } from '../amazon/pacer';
import { slackApiBaseUrl, type Config } from '../config/config';
import { createLogger } from '../log/logger';
import { createOrderFactory, ORDER_KINDS, SANDBOX_CATALOGUE, US_MARKETPLACE_ID } from '../sandbox/amazon/order-factory';
import { startOrderFeed, type OrderFeed } from '../sandbox/amazon/order-feed';
import { SANDBOX_LWA_CREDENTIALS, startSpApiSimulator, type SpApiSimulator } from '../sandbox/amazon/sp-api-simulator';
import { startShipStationSimulator, type ShipStationSimulator } from '../sandbox/shipstation/simulator';
import { startSqsSimulator, type SqsSimulator } from '../sandbox/sqs/sqs-simulator';
import { loadOrCreateSandboxTls } from '../sandbox/tls';
import type { EventHealth, OrderState } from '../store/records';
import { Store } from '../store/store';
import { startProduct } from './product';
import { ensureOrderChangeSubscription } from '../events/notifications-client';
import type { NoticeEcho } from '../domain/notifier';
import { loadOrCreateSigningSecret } from '../sandbox/slack/signing-secret';
import { startSlackSimulator } from '../sandbox/slack/web-api-simulator';
import { applySandbox, openRuntime, sandboxInfoPath, withSandboxRules, type SandboxInfo } from './runtime';
import { SANDBOX_WAREHOUSES } from './sandbox-defaults';
import { startSlackFace, type SlackFace } from './slack';
import { backfillSandboxHistory } from '../reports/history';
import { marketplaceById } from '../domain/marketplaces';
import { randomUUID } from 'node:crypto';
import { startWarehouse } from '../sandbox/shipstation/warehouse';
import { ensureShipNotifyWebhook, WEBHOOK_PATH } from '../writeback/ship-notify-webhook';
import { shipNotifyContext } from './writeback';
import { countOrders, type OrderCounts } from '../jobs/status';
import { QUARANTINED_ORDER } from '../sync/quarantine-alert';
import { SYNC_FAILED } from '../sync/sync-failed-alert';
import { UNMAPPED_SKU } from '../sync/unmapped-sku-alert';
import { DEADLINE } from '../writeback/deadline-alert';
import { WRITEBACK_PROBLEM } from '../writeback/writeback-alert';
import { LISTING_REJECTED, LOW_STOCK } from '../inventory/inventory-alerts';
import { seedSandboxInventory, withSandboxInventory } from './sandbox-inventory';
import { SANDBOX_SELLER_ID } from '../sandbox/amazon/sp-api-simulator';
import { startReturnStream } from '../sandbox/amazon/return-stream';
import { withSandboxReturns } from './sandbox-returns';

export { SANDBOX_DEFAULT_RATE_SCALE } from './sandbox-defaults';

/**
 * The sandbox's own Slack: the simulator's default channel and manager group. Its signing secret
 * is not here: it is random per data dir (`sandboxSigningSecret`), since anyone who knows it can
 * sign requests as the sandbox's manager.
 */
export const SANDBOX_SLACK = {
  botToken: 'xoxb-dockhand-sandbox',
  channel: 'C0OPS00001',
  managersGroup: 'S0MGRS0001',
} as const;

/** The seller's SQS queue in the sandbox. */
export const SANDBOX_QUEUE = 'dockhand-order-events';

export const SANDBOX_SHIPSTATION = { apiKey: 'sandbox-shipstation-key', apiSecret: 'sandbox-shipstation-secret' } as const;

export interface SandboxOptions {
  product: boolean;
  ordersPerMinute?: number;
  spike?: number;
  rateScale?: number;
  seed?: number;
  feed?: boolean;
}

export interface Sandbox {
  info: SandboxInfo;
  spApi: SpApiSimulator;
  shipstation: ShipStationSimulator;
  sqs: SqsSimulator;
  close(): Promise<void>;
}

/** The sandbox Slack's signing secret for this data dir: generated on the first start, then reused. */
export function sandboxSigningSecret(dataDir: string): string {
  return loadOrCreateSigningSecret(path.join(dataDir, 'sandbox'));
}

/**
 * The sandbox's Slack settings: on loopback only, whatever HOST says (the sandbox's manager
 * needs no password, so its port must not be reachable from the network), and, given the
 * sandbox's own Slack simulator, its token, secret, URL, channel and manager group.
 */
export function withSandboxSlack(config: Config, sim?: { url: string; signingSecret: string }): Config {
  const slack = { ...config.slack, host: '127.0.0.1' };
  if (!sim) return { ...config, slack };
  return {
    ...config,
    slack: {
      ...slack,
      botToken: SANDBOX_SLACK.botToken,
      signingSecret: sim.signingSecret,
      apiUrl: slackApiBaseUrl(sim.url),
      channels: { default: SANDBOX_SLACK.channel, alerts: SANDBOX_SLACK.channel, ...config.slack.channels },
      managers: config.slack.managers.length > 0 ? config.slack.managers : [SANDBOX_SLACK.managersGroup],
    },
  };
}

/** Starts both simulators on loopback and writes the info file other commands connect with. */
export async function startSandboxServices(dataDir: string, opts: { rateScale?: number; shipstationTags?: string[] } = {}): Promise<Sandbox> {
  const dir = path.join(dataDir, 'sandbox');
  mkdirSync(dir, { recursive: true });
  const tls = loadOrCreateSandboxTls(dir);
  const sqs = await startSqsSimulator({ queues: [SANDBOX_QUEUE] });
  // Amazon delivers ORDER_CHANGE to the SQS queue a destination names; so does the sandbox.
  const spApi = await startSpApiSimulator({
    tls,
    rateScale: opts.rateScale ?? 1,
    onNotification: (destination, body) => {
      const queue = destination.arn.split(':').pop()!;
      if (destination.arn === sqs.queueArn(queue)) sqs.send(queue, body);
    },
  });
  // The tags the seller's config names (writeback.priorityTag), as a seller creates them once in ShipStation.
  const shipstation = await startShipStationSimulator({
    ...SANDBOX_SHIPSTATION,
    rateScale: opts.rateScale ?? 1,
    tagNames: opts.shipstationTags ?? [],
    warehouses: SANDBOX_WAREHOUSES,
    products: SANDBOX_CATALOGUE.map((p) => ({ sku: p.shipstationSku, name: p.title, weightOz: p.weightOz })),
  });
  const info: SandboxInfo = {
    pid: process.pid,
    spApiUrl: spApi.url,
    lwaUrl: spApi.lwaUrl,
    caPath: tls.caPath,
    shipstationUrl: shipstation.url,
    ...SANDBOX_LWA_CREDENTIALS,
    shipstationApiKey: SANDBOX_SHIPSTATION.apiKey,
    shipstationApiSecret: SANDBOX_SHIPSTATION.apiSecret,
    marketplaceIds: [US_MARKETPLACE_ID],
    sqsEndpoint: sqs.url,
    sqsQueueUrl: sqs.queueUrl(SANDBOX_QUEUE),
  };
  const infoFile = sandboxInfoPath(dataDir);
  writeFileSync(infoFile, JSON.stringify(info, null, 2), { mode: 0o600 });
  return {
    info,
    spApi,
    shipstation,
    sqs,
    async close() {
      rmSync(infoFile, { force: true });
      await spApi.close();
      await shipstation.close();
      await sqs.close();
    },
  };
}

/**
 * `dockhand sandbox` and `npm start` without credentials: simulators, one order of every
 * scenario, a continuous stream of orders, and (unless --no-product) Dockhand itself, printing
 * live progress until Ctrl-C.
 */
export async function runSandbox(given: Config, opts: SandboxOptions): Promise<void> {
  let config = given;
  const say = (line: string) => process.stdout.write(line + '\n');
  const sandbox = await startSandboxServices(config.dataDir, { ...(opts.rateScale ? { rateScale: opts.rateScale } : {}), shipstationTags: [config.writeback.priorityTag, config.returns.tag] });
  const factory = createOrderFactory(opts.seed ?? 42);
  for (const kind of ORDER_KINDS) sandbox.spApi.putOrder(withoutStamp(factory.make(kind)));
  // Three orders the warehouse has not got to, close to (or past) Amazon's ship-by: the deadline
  // guard escalates them in the Slack sandbox within its first minute.
  const overdue = new Set<string>();
  for (const [kind, minutes] of [['prime_next_day', 50], ['standard', 200], ['standard', -20]] as const) {
    const order = withShipByIn(withoutStamp(factory.make(kind)), minutes);
    overdue.add(order.orderId);
    sandbox.spApi.putOrder(order);
  }

  // The sandbox seller has mapped its catalogue, so only the deliberately unmapped SKU alerts.
  const store = await Store.open({ dataDir: config.dataDir, ...(config.storeUrl ? { storeUrl: config.storeUrl } : {}) });
  for (const p of SANDBOX_CATALOGUE) await store.putSkuMapping({ amazonSku: p.sellerSku, shipstationSku: p.shipstationSku, asin: p.asin });
  // The product table the rules read weights from, as `dockhand products sync` would fill it.
  await store.rules.putProducts(SANDBOX_CATALOGUE.map((p) => ({ sku: p.shipstationSku, weightOz: p.weightOz })), Date.now());
  // A month of fulfillment behind the sandbox seller, so the digest and its chart look real at once.
  const first = config.accounts[0];
  if (first) await backfillSandboxHistory(store, { now: new Date(), timeZone: config.reports.timeZone, accountId: first.id, currency: marketplaceById(sandbox.info.marketplaceIds[0] ?? '')?.currency ?? 'USD' });
  await seedSandboxInventory(sandbox, store, SANDBOX_CATALOGUE, SANDBOX_SELLER_ID, Date.now());
  await store.close();
  config = withSandboxRules(config);

  say('Dockhand sandbox');
  say(`  SP-API simulator      ${sandbox.spApi.url}  (LWA ${sandbox.spApi.lwaUrl}; CA ${sandbox.info.caPath})`);
  say(`  ShipStation simulator ${sandbox.shipstation.url}`);
  const scale = opts.rateScale ?? 1;
  say(`  rate limits           x${scale} of Amazon's and ShipStation's published limits${scale === 1 ? '' : ' (--rate-scale 1 for the real pace)'}`);
  say(`  placed                one order of each scenario (${ORDER_KINDS.join(', ')})`);

  let feed: OrderFeed | undefined;
  if (opts.feed !== false) {
    feed = startOrderFeed(sandbox.spApi, factory, {
      ordersPerMinute: opts.ordersPerMinute ?? 12,
      ...(opts.spike ? { spike: { at: 5_000, count: opts.spike } } : {}),
      seed: opts.seed ?? 42,
    });
    say(`  order stream          ${opts.ordersPerMinute ?? 12}/min${opts.spike ? `, spike of ${opts.spike} in 5 s` : ''}`);
  }

  let stopProduct: (() => Promise<void>) | undefined;
  if (opts.product) {
    // Problems are printed as lines of their own below; the log shows only errors.
    const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'error' });
    // Dockhand's cadence scales with the limits, as a real deployment's relates to the real ones.
    const paced = { ...config, sync: { intervalSeconds: config.sync.intervalSeconds / scale, overlapSeconds: config.sync.overlapSeconds / scale } };
    // Without a Slack token the sandbox brings its own Slack: a Web API simulator and a page.
    const signingSecret = paced.slack.botToken ? undefined : sandboxSigningSecret(config.dataDir);
    const slackSim = signingSecret ? await startSlackSimulator({ botToken: SANDBOX_SLACK.botToken, signingSecret }) : undefined;
    const live = withSandboxReturns(withSandboxInventory(applySandbox(withSandboxSlack(paced, slackSim && signingSecret ? { url: slackSim.url, signingSecret } : undefined), sandbox.info), sandbox.shipstation.url, SANDBOX_SELLER_ID, scale), scale);
    // ShipStation's SHIP_NOTIFY comes back to this app; the secret proves it is the simulator.
    live.writeback = { ...live.writeback, pollSeconds: live.writeback.pollSeconds / scale, webhookSecret: live.writeback.webhookSecret ?? randomUUID() };
    const echo: NoticeEcho = (p) => {
      if (QUARANTINED_ORDER.is(p)) say(`  ! quarantined ${p.notice.amazonOrderId}: ${p.notice.reason}`);
      else if (UNMAPPED_SKU.is(p)) say(`  ! unmapped SKU ${p.notice.amazonSku} (order ${p.notice.amazonOrderId}): sent with Amazon's SKU; map it in Slack or with \`dockhand sku import\``);
      else if (SYNC_FAILED.is(p)) say(`  ! sync failed: ${p.notice.message}`);
      else if (WRITEBACK_PROBLEM.is(p)) say(`  ! ${p.notice.amazonOrderId}: ${p.notice.message}`);
      else if (LOW_STOCK.is(p)) say(`  ! stock: ${p.notice.forecast.sku} ${p.notice.forecast.status === 'out' ? 'out of stock' : 'low'} (${p.notice.forecast.available} available, reorder point ${p.notice.forecast.reorderPoint})`);
      else if (LISTING_REJECTED.is(p)) say(`  ! Amazon refused quantity ${p.notice.quantity} for ${p.notice.amazonSku}: ${p.notice.messages.join('; ')}`);
      else if (DEADLINE.is(p)) {
        const n = p.notice;
        say(`  ! ship-by: ${n.orders.length} order(s) ${n.stage === 'at_risk' ? `within ${n.leadMinutes} min of the deadline` : n.stage.replace('_', ' ')}`);
      }
    };
    const rt = await openRuntime(live, logger, echo, { longRunning: true });
    // What `dockhand notifications setup` does for a real seller.
    const queueArn = sandbox.sqs.queueArn(SANDBOX_QUEUE);
    for (const account of live.accounts) {
      await ensureOrderChangeSubscription(rt.notificationsFor(account), { queueArn, marketplaceIds: account.marketplaceIds, name: `dockhand-${account.id}` });
    }
    const product = startProduct(rt);
    let face: SlackFace;
    try {
      face = await startSlackFace(rt, product);
    } catch (e) {
      // A taken PORT, say: stop everything started, so the error is the last word and the process ends.
      feed?.stop();
      await product.stop();
      await rt.close();
      await slackSim?.close();
      await sandbox.close();
      throw e;
    }
    slackSim?.setAppRequestUrl(`http://127.0.0.1:${face.port}/slack/events`);
    rt.config.writeback.publicUrl ??= `http://127.0.0.1:${face.port}`;
    await ensureShipNotifyWebhook(shipNotifyContext(rt));
    const warehouse = startWarehouse(sandbox.shipstation, { labelsPerMinute: (opts.ordersPerMinute ?? 12) * 1.5, leaveAlone: (n) => overdue.has(n), seed: opts.seed ?? 42 });
    say(`  ShipStation warehouse prints labels as orders arrive; SHIP_NOTIFY → ${rt.config.writeback.publicUrl}${WEBHOOK_PATH}`);
    // Buyers send some shipped orders back: the first return request about 40 s in, then one every 2 minutes.
    const returns = startReturnStream(sandbox.spApi, { firstAfterMs: 40_000, everyMs: 120_000, seed: opts.seed ?? 42 });
    say(`  returns               a shipped order comes back every 2 min; the returns report is read every ${Math.round(live.returns.pollMinutes * 60)} s → "Return on its way" in Slack`);
    say(`  Dockhand app          http://127.0.0.1:${face.port}  (Slack requests at /slack/events, health at /healthz)`);
    if (slackSim) say(`  Slack sandbox         ${slackSim.pageUrl}  ← open it: alerts, /dockhand commands, buttons and modals`);
    say('  Dockhand              syncing; progress every 5 s. Other commands work meanwhile: `npm run dockhand -- quarantine`');
    const started = Date.now();
    let behind = '';
    let printing = false;
    const timer = setInterval(() => {
      // A count still running (a spike's worth of orders) is let finish rather than doubled up.
      if (printing) return;
      printing = true;
      if (product.events) {
        void product.events.consumer
          .queueDepth()
          .then((d) => (behind = `, ${d.visible} waiting in SQS`))
          .catch(() => (behind = ', queue unreachable'));
      }
      const health = product.events?.handler.health();
      void dockhandProgress(rt.config, rt.store, health?.caughtByPolling)
        .then((dockhand) => {
          const amazon = rt.amazon.get('default')?.budget().searchOrders;
          const ss = rt.shipstation.budget();
          say(
            `[${Math.round((Date.now() - started) / 1000)}s] amazon: ${sandbox.spApi.orders().length} orders | ${dockhand}` +
              ` | budget: searchOrders ${amazon?.tokens ?? '?'}/${DEFAULT_USAGE_PLANS.searchOrders.burst}, ShipStation ${ss.remaining ?? '?'}/${ss.limit ?? 40}` +
              (health ? eventsLine(health) + behind : '') +
              ` | labels: ${warehouse.stats().labels} printed (${warehouse.stats().split} split, ${warehouse.stats().voided} voided), ${sandbox.spApi.confirmations().length} confirmed on Amazon` +
              ` | stock: ${sandbox.spApi.listings.patches().length} quantity update(s) on Amazon` +
              ` | returns: ${returns.requested()} requested, ${sandbox.spApi.feeds.feeds().filter((f) => f.feedType === 'POST_PAYMENT_ADJUSTMENT_DATA').length} refund feed(s) on Amazon`,
          );
        })
        .catch(() => undefined)
        .finally(() => (printing = false));
    }, 5_000);
    stopProduct = async () => {
      clearInterval(timer);
      warehouse.stop();
      returns.stop();
      await face.stop();
      await product.stop();
      await rt.close();
      await slackSim?.close();
    };
  } else {
    say('  simulators only: in another terminal run `npm run dockhand -- sync --once`');
  }
  say('  Ctrl-C stops.');

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  feed?.stop();
  await stopProduct?.();
  await sandbox.close();
}

/**
 * The progress line's `dockhand:` part, from the query `status` makes (orders by state and
 * quarantine, per account, summed): "seen" is each order Dockhand holds, once, however many
 * passes re-read it. "by polling" is what polling had to send that events never delivered
 * (shown when events are configured).
 */
export async function dockhandProgress(config: Config, store: Store, caughtByPolling?: number): Promise<string> {
  const counts = [...(await countOrders(store, config.accounts.map((a) => a.id), new Date())).values()];
  const sum = (f: (c: OrderCounts) => number) => counts.reduce((n, c) => n + f(c), 0);
  const state = (s: OrderState) => sum((c) => c.states[s] ?? 0);
  const seen = sum((c) => Object.values(c.states).reduce((n, v) => n + (v ?? 0), 0));
  return (
    `dockhand: ${seen} seen, ${state('sent')} in ShipStation${caughtByPolling !== undefined ? ` (by polling: ${caughtByPolling} that events missed)` : ''}, ` +
    `${state('held')} held, ${state('cancelled')} cancelled, ${state('skipped')} skipped, ${sum((c) => c.quarantined)} quarantined`
  );
}

function eventsLine(h: EventHealth): string {
  return ` | events: ${h.received} received, ${h.processed} sent on${h.lastLagMs !== undefined ? `, lag ${(h.lastLagMs / 1000).toFixed(1)} s` : ''}`;
}

/** The order with Amazon's latest ship date `minutes` from now (negative: already past). */
function withShipByIn<T extends { orderId: string; fulfillment?: { shipByWindow?: { earliestDateTime?: string; latestDateTime?: string } } }>(order: T, minutes: number): T {
  const latest = new Date(Date.now() + minutes * 60_000).toISOString();
  const window = order.fulfillment?.shipByWindow;
  const earliest = new Date(Date.now() + Math.min(0, minutes) * 60_000 - 3_600_000).toISOString();
  return { ...order, fulfillment: { ...order.fulfillment, shipByWindow: { ...window, earliestDateTime: earliest, latestDateTime: latest } } };
}

function withoutStamp<T extends { lastUpdatedTime?: string }>(order: T): Omit<T, 'lastUpdatedTime'> {
  const { lastUpdatedTime: _drop, ...rest } = order;
  return rest;
}
