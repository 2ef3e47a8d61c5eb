import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { loadConfig, missingForLive, readEnv, type Config } from '../config/config';
import { DockhandError, toDockhandError } from '../domain/errors';
import { createLogger, type Logger } from '../log/logger';
import type { RunSummary } from '../store/records';
import { parseSkuCsv, toSkuCsv } from '../store/sku-csv';
import { Store } from '../store/store';
import { setPaused } from '../sync/pause';
import { dismissNotifications, retryQuarantined } from '../sync/retry';
import { run as runSync } from '../sync/sync-orders.job';
import { ensureOrderChangeSubscription, resolveQueueArn } from '../events/notifications-client';
import { checkConnections } from './config-check';
import { formatStatus } from './status';
import { gatherStatus } from '../jobs/status';
import { startProduct } from './product';
import { createWritebackParts, pollContext, reconcileContext, shipNotifyContext } from './writeback';
import { labelSource } from '../writeback/label-source';
import { ensureShipNotifyWebhook } from '../writeback/ship-notify-webhook';
import { runPollPass, type PollSummary } from '../writeback/poll-labels.job';
import { runUnderLease } from '../jobs/lease';
import { formatOrderTimeline, isUnknownOrder, orderTimeline } from '../sync/order-timeline';
import { formatLateOrders, lateOrders } from '../writeback/late-orders';
import { runReconcile, type ReconcileSummary } from '../writeback/reconcile.job';
import { formatReconcileReport, toReconcileReport } from '../writeback/reconcile-report';
import { startSlackFace } from './slack';
import { openRuntime, withSandboxConnections, type Runtime } from './runtime';
import { SANDBOX_DEFAULT_RATE_SCALE } from './sandbox-defaults';
import { registerReturnsCommands } from '../returns/returns-cli';
import { withReturnsPoll } from './returns';
import { registerRulesCommands } from './rules';
import { registerReportCommands } from './reports';
import { registerInventoryCommands } from './inventory';

/** Exit codes: 0 all went through, 2 some orders were quarantined, 1 a fatal error. */
export const EXIT_OK = 0;
export const EXIT_FATAL = 1;
export const EXIT_QUARANTINED = 2;

const out = (line = ''): void => {
  process.stdout.write(line + '\n');
};

/** One line for a writeback pass: what was seen and what happened to it. */
export function writebackLine(s: PollSummary): string {
  const parts = [`${s.seen} label(s) seen`, `${s.confirmed} confirmed`];
  if (s.alreadyDone) parts.push(`${s.alreadyDone} already done`);
  if (s.skipped) parts.push(`${s.skipped} skipped`);
  if (s.ignored) parts.push(`${s.ignored} not from Amazon`);
  if (s.retryLater) parts.push(`${s.retryLater} to retry`);
  if (s.quarantined) parts.push(`${s.quarantined} quarantined`);
  return parts.join(', ');
}

/**
 * The simulators (node-forge, three HTTP servers, the order factory) are loaded only by the
 * commands that run them: `start` with real credentials never executes them, and loading them
 * cost its process some 20 MB of resident memory (bench/spike.ts prints it).
 */
const loadSandbox = () => import('./sandbox');

function config(): Config {
  return loadConfig(readEnv());
}

async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const cfg = withSandboxConnections(config());
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const rt = await openRuntime(cfg, logger);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

async function withStore<T>(fn: (store: Store, cfg: Config) => Promise<T>): Promise<T> {
  const cfg = config();
  const store = await Store.open({ dataDir: cfg.dataDir, ...(cfg.storeUrl ? { storeUrl: cfg.storeUrl } : {}) });
  try {
    return await fn(store, cfg);
  } finally {
    await store.close();
  }
}

function accountsOf(cfg: Config, only?: string) {
  const list = only ? cfg.accounts.filter((a) => a.id === only) : cfg.accounts;
  if (only && list.length === 0) {
    throw new DockhandError('config.invalid', `no account "${only}" in the configuration`, {
      hint: `Known accounts: ${cfg.accounts.map((a) => a.id).join(', ')}`,
    });
  }
  return list;
}

export function summaryLine(s: Pick<RunSummary, 'seen' | 'created' | 'updated' | 'cancelled' | 'unchanged' | 'held' | 'skipped' | 'quarantined' | 'pages'>): string {
  return `${s.seen} seen in ${s.pages} page(s): ${s.created} created, ${s.updated} updated, ${s.cancelled} cancelled, ${s.unchanged} unchanged, ${s.held} held (pending), ${s.skipped} skipped, ${s.quarantined} quarantined`;
}

export function buildCli(): Command {
  const program = new Command('dockhand')
    .description('Amazon Seller Central → ShipStation order sync, run from Slack. Without Amazon credentials it runs against a local sandbox.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('start')
    .description('run the product: background sync (and the sandbox when no Amazon credentials are set)')
    .action(async () => {
      const cfg = config();
      if (cfg.useSandbox) return (await loadSandbox()).runSandbox(cfg, { product: true, rateScale: SANDBOX_DEFAULT_RATE_SCALE });
      const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
      const rt = await openRuntime(cfg, logger, undefined, { longRunning: true });
      const product = startProduct(rt);
      const face = await startSlackFace(rt, product).catch(async (e: unknown) => {
        // A port already taken (or Slack refusing to start) ends the process, not just the face.
        await product.stop();
        await rt.close();
        throw e;
      });
      const hook = await ensureShipNotifyWebhook(shipNotifyContext(rt));
      logger.info(
        { accounts: cfg.accounts.map((a) => a.id), port: face.port, slack: cfg.slack.appToken ? 'socket mode' : cfg.slack.botToken ? 'http' : 'off', shipNotify: hook.registered ? `webhook ${hook.id}` : hook.reason },
        'Dockhand running',
      );
      await untilSignal();
      await face.stop();
      await product.stop();
      await rt.close();
    });

  program
    .command('sandbox')
    .description('start loopback simulators of SP-API and ShipStation v1 with a stream of realistic orders, and run Dockhand against them')
    .option('--no-product', 'run only the simulators (then use `dockhand sync --once` by hand)')
    .option('--orders-per-minute <n>', 'new Amazon orders per minute', (v) => positive(v, '--orders-per-minute'), 12)
    .option('--spike <n>', 'place this many orders at once after start-up', (v) => positive(v, '--spike'))
    .option('--rate-scale <n>', "multiply every API rate limit and Dockhand's poll cadence (1 = Amazon's and ShipStation's real limits)", (v) => positive(v, '--rate-scale'), SANDBOX_DEFAULT_RATE_SCALE)
    .option('--seed <n>', 'random seed of the order stream', (v) => positive(v, '--seed'), 42)
    .option('--no-feed', 'place only the scenario orders, no continuous stream')
    .action(async (opts: { product: boolean; ordersPerMinute: number; spike?: number; rateScale: number; seed: number; feed: boolean }) => {
      await (await loadSandbox()).runSandbox(config(), opts);
    });

  program
    .command('sync')
    .description('sync orders from Amazon to ShipStation')
    .requiredOption('--once', 'run one pass and exit (0: all went through, 2: some quarantined, 1: fatal error)')
    .option('--account <id>', 'only this account')
    .action(async (opts: { account?: string }) => {
      const code = await withRuntime(async (rt) => {
        let quarantined = 0;
        for (const account of accountsOf(rt.config, opts.account)) {
          const s = await runSync({ accountId: account.id }, rt.contextFor(account));
          if (s.pausedBy) {
            out(`sync ${account.id}: paused by ${s.pausedBy}; \`dockhand resume ${account.id}\` resumes it`);
            continue;
          }
          if (s.leaseHeldBy) {
            throw new DockhandError('store.unavailable', `account ${account.id} is being synced by another Dockhand process (${s.leaseHeldBy})`, {
              hint: 'Let that process finish, or stop it; its lease expires a minute after it stops renewing it.',
            });
          }
          quarantined += s.quarantined;
          const waiting = (await rt.store.quarantine.countByAccount()).get(account.id) ?? 0;
          out(`sync ${account.id}: ${summaryLine(s)}${waiting > 0 ? `; ${waiting} in quarantine (dockhand quarantine)` : ''}`);
        }
        // Rate shopping for the orders just sent finishes before the process exits.
        const shop = await rt.rules.rateShopper.drainAll();
        await rt.rules.flushMatches();
        if (shop.chosen + shop.failed > 0) out(`rate shopping: ${shop.chosen} service(s) chosen, ${shop.failed} without a service${shop.waiting ? `, ${shop.waiting} still waiting` : ''}`);
        return quarantined > 0 ? EXIT_QUARANTINED : EXIT_OK;
      });
      process.exitCode = code;
    });

  program
    .command('writeback')
    .description('confirm ShipStation labels on Amazon (tracking writeback)')
    .requiredOption('--once', 'run one polling pass and exit (0: all confirmed or nothing to do, 2: some quarantined, 1: fatal error)')
    .action(async () => {
      const code = await withRuntime(async (rt) => {
        const parts = createWritebackParts(rt);
        const s = await runPollPass(pollContext(rt, parts));
        if (!s.ok) throw new DockhandError('shipstation.unreachable', `writeback pass failed: ${s.error}`, { hint: 'Check the ShipStation credentials and `dockhand config check`.' });
        out(`writeback: ${writebackLine(s)}`);
        const waiting = await rt.store.confirmations.countQuarantined();
        if (waiting > 0) out(`${waiting} confirmation(s) in quarantine: retry them from Slack once the cause is fixed`);
        return s.quarantined > 0 ? EXIT_QUARANTINED : EXIT_OK;
      });
      process.exitCode = code;
    });

  const sku = program.command('sku').description('the SKU/ASIN map from Amazon SKUs to ShipStation SKUs');
  sku
    .command('import <csv>')
    .description('add or replace mappings from a CSV file with columns amazon_sku,shipstation_sku[,asin]')
    .action(async (file: string) => {
      const mappings = parseSkuCsv(readFileSync(file, 'utf8'), file);
      await withStore(async (store) => {
        for (const m of mappings) await store.putSkuMapping(m);
      });
      out(`imported ${mappings.length} mapping(s) from ${file}`);
    });
  sku
    .command('export')
    .description('print the SKU map as CSV (or write it to --out)')
    .option('--out <file>', 'write to this file')
    .action(async (opts: { out?: string }) => {
      const csv = await withStore((store) => store.skuMappings().then(toSkuCsv));
      if (opts.out) writeFileSync(opts.out, csv);
      else process.stdout.write(csv);
    });
  sku
    .command('unmapped')
    .description('list Amazon SKUs seen in orders that have no ShipStation mapping')
    .action(async () => {
      const list = await withStore((store) => store.unmapped.list());
      if (list.length === 0) return out('every SKU seen so far is mapped');
      out('amazon_sku\tasin\torders\tlast seen\trecent orders');
      for (const u of list.sort((a, b) => b.orderCount - a.orderCount)) {
        out(`${u.amazonSku}\t${u.asin ?? ''}\t${u.orderCount}\t${u.lastSeenAt}\t${u.recentOrderIds.join(' ')}`);
      }
      out('\nmap them with: dockhand sku import <csv>   (columns amazon_sku,shipstation_sku[,asin])');
    });

  program
    .command('quarantine')
    .description('list orders that could not be processed, with the reason')
    .action(async () => {
      const list = await withStore((store) => store.quarantine.list());
      if (list.length === 0) return out('no orders in quarantine');
      for (const q of list) {
        out(`${q.amazonOrderId}  [${q.accountId}]  ${q.code}  since ${q.at}  (${q.attempts} attempt(s))`);
        out(`    ${q.reason}`);
        if (q.hint) out(`    → ${q.hint}`);
      }
      out(`\n${list.length} order(s) in quarantine. Retry one with \`dockhand retry <AmazonOrderId>\` or all with \`dockhand retry all\`.`);
    });

  program
    .command('retry <target>')
    .description('retry a quarantined order (AmazonOrderId) or all of them ("all")')
    .option('--account <id>', 'only this account')
    .action(async (target: string, opts: { account?: string }) => {
      const code = await withRuntime(async (rt) => {
        // Audited like pause and resume: who retried what from the terminal, and what came of it.
        const audit = (outcome: 'ok' | 'failed', detail: string) =>
          rt.store.recordAudit({ at: new Date().toISOString(), actor: `cli:${userInfo().username}`, source: 'cli', action: 'retry', target, outcome, detail: detail.slice(0, 500) });
        const totals = { retried: 0, resolved: 0, still: 0 };
        try {
          const dismissed = await dismissNotifications(target, rt.store);
          if (dismissed > 0) out(`dismissed ${dismissed} unparseable notification(s)`);
          for (const account of accountsOf(rt.config, opts.account)) {
            const r = await retryQuarantined(target, rt.contextFor(account));
            totals.retried += r.retried;
            totals.resolved += r.resolved;
            totals.still += r.stillQuarantined;
            if (r.retried > 0) out(`retry ${account.id}: ${r.retried} retried, ${r.resolved} went through, ${r.stillQuarantined} still quarantined`);
          }
          if (totals.retried + dismissed === 0) {
            const none = target === 'all' ? 'no orders in quarantine' : `order ${target} is not in quarantine`;
            out(none);
            await audit(target === 'all' ? 'ok' : 'failed', none);
            return target === 'all' ? EXIT_OK : EXIT_FATAL;
          }
          const detail = [`${totals.retried} retried, ${totals.resolved} went through, ${totals.still} still quarantined`, ...(dismissed > 0 ? [`${dismissed} notification(s) dismissed`] : [])].join('; ');
          await audit(totals.still > 0 ? 'failed' : 'ok', detail);
          return totals.still > 0 ? EXIT_QUARANTINED : EXIT_OK;
        } catch (e) {
          const err = toDockhandError(e);
          await audit('failed', `${err.code}: ${err.message}`).catch(() => undefined);
          throw e;
        }
      });
      process.exitCode = code;
    });

  for (const [verb, paused] of [['pause', true], ['resume', false]] as const) {
    program
      .command(`${verb} <account>`)
      .description(paused ? "stop syncing an account's orders (events wait in the queue) until resumed" : 'resume syncing a paused account')
      .action(async (accountId: string) => {
        await withStore(async (store, cfg) => {
          accountsOf(cfg, accountId);
          const by = `cli:${userInfo().username}`;
          await setPaused([accountId], paused, by, { store, now: () => new Date() });
          await store.recordAudit({ at: new Date().toISOString(), actor: by, source: 'cli', action: verb, target: accountId, outcome: 'ok' });
        });
        out(`${accountId}: sync ${paused ? 'paused' : 'resumed'}`);
      });
  }

  registerReturnsCommands(program, { withStore, out, withPoll: withReturnsPoll(withRuntime) });

  program
    .command('audit')
    .description('who did what, when, with what outcome: every Slack command and action, and CLI changes')
    .option('-n, --limit <n>', 'how many entries', (v) => positive(v, '--limit'), 20)
    .action(async (opts: { limit: number }) => {
      const entries = await withStore((store) => store.recentAudit(opts.limit));
      if (entries.length === 0) return out('the audit log is empty');
      for (const e of entries) out(`${e.at}  ${e.actor.padEnd(14)} ${e.action}${e.target ? ` ${e.target}` : ''}  → ${e.outcome}${e.detail ? ` (${e.detail})` : ''}`);
    });

  program
    .command('status')
    .description('per account: last sync, orders by state, quarantine; the event path: last event, lag, queue depth, what polling caught')
    .action(async () => {
      const lines = await withRuntime(async (rt) => formatStatus(await gatherStatus(rt.config, rt.store, rt.sqs, new Date())));
      lines.forEach((l) => out(l));
    });

  program
    .command('order <AmazonOrderId>')
    .description("an order's timeline: seen, sent, state, labels and their confirmation on Amazon, alerts, who did what (exit 1 when Dockhand has not seen it)")
    .action(async (amazonOrderId: string) => {
      const timeline = await withStore((store, cfg) => orderTimeline(store, cfg.accounts.map((a) => a.id), amazonOrderId));
      formatOrderTimeline(timeline).forEach((l) => out(l));
      process.exitCode = isUnknownOrder(timeline) ? EXIT_FATAL : EXIT_OK;
    });

  program
    .command('late')
    .description("orders at risk of missing Amazon's ship-by date (late, under 1 h, under 4 h), Prime first")
    .action(async () => {
      const orders = await withStore((store, cfg) => lateOrders(store, new Date(), cfg.writeback.leadTimesMinutes));
      formatLateOrders(orders).forEach((l) => out(l));
    });

  program
    .command('reconcile [account]')
    .description('compare Amazon with ShipStation now (one pass, as every 10 minutes) and list each difference with its fix; differences are alerted too')
    .action(async (accountId: string | undefined) => {
      const report = await withRuntime(async (rt) => {
        if (accountId) accountsOf(rt.config, accountId);
        let summary: ReconcileSummary | undefined;
        // The same lease as the running product's pass: two passes at once would both alert each difference.
        const ran = await runUnderLease(rt.store, 'reconcile', rt.owner, async () => {
          summary = await runReconcile(reconcileContext(rt, labelSource(rt.shipstation, rt.config.shipstation.baseUrl, rt.logger)), accountId);
        }, { isGone: rt.config.accounts[0] ? rt.contextFor(rt.config.accounts[0]).isLeaseOwnerGone : undefined });
        if (!ran || !summary) {
          throw new DockhandError('store.unavailable', 'another Dockhand process is reconciling right now', { hint: 'Its findings are alerted in Slack; run `dockhand reconcile` again in a minute for a report here.' });
        }
        return toReconcileReport(summary);
      });
      formatReconcileReport(report).forEach((l) => out(l));
    });

  registerReportCommands(program, { withStore, config, logger: () => createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }), out });

  const notifications = program.command('notifications').description("Amazon's ORDER_CHANGE notifications to the seller's SQS queue (events.sqsQueueUrl in the config)");
  notifications
    .command('setup')
    .description('create (or reuse) the SQS destination and the ORDER_CHANGE subscription for every account; safe to run again')
    .action(async () => {
      await withRuntime(async (rt) => {
        const events = requireEvents(rt);
        const queueArn = await resolveQueueArn(rt.sqs!, events.sqsQueueUrl);
        for (const account of rt.config.accounts) {
          const r = await ensureOrderChangeSubscription(rt.notificationsFor(account), { queueArn, marketplaceIds: account.marketplaceIds, name: `dockhand-${account.id}` });
          out(
            `${account.id}: ORDER_CHANGE → ${queueArn} (destination ${r.destinationId} ${r.created.destination ? 'created' : 'reused'}, ` +
              `subscription ${r.subscriptionId} ${r.created.subscription ? 'created' : 'reused'})`,
          );
        }
      });
    });
  notifications
    .command('status')
    .description('show what is subscribed and where it is delivered')
    .action(async () => {
      await withRuntime(async (rt) => {
        const events = requireEvents(rt);
        const queueArn = await resolveQueueArn(rt.sqs!, events.sqsQueueUrl).catch(() => undefined);
        for (const account of rt.config.accounts) {
          const client = rt.notificationsFor(account);
          const [subscription, destinations] = await Promise.all([client.getSubscription('ORDER_CHANGE'), client.getDestinations()]);
          const destination = destinations.find((d) => d.destinationId === subscription?.destinationId);
          const arn = destination?.resource.sqs?.arn;
          out(
            subscription
              ? `${account.id}: subscribed (${subscription.subscriptionId}) → ${arn ?? `destination ${subscription.destinationId}`}${arn && queueArn && arn !== queueArn ? `  WARNING: not the configured queue ${queueArn}` : ''}`
              : `${account.id}: not subscribed: run \`dockhand notifications setup\``,
          );
        }
      });
    });

  registerInventoryCommands(program, { withStore, withRuntime });

  program
    .command('config')
    .description('configuration')
    .command('check')
    .description('print what is set and missing, and whether each API answers')
    .action(async () => {
      const cfg = config();
      const ok = await checkConnections(cfg, out, missingForLive);
      process.exitCode = ok ? EXIT_OK : EXIT_FATAL;
    });

  registerRulesCommands(program);
  return program;
}

function requireEvents(rt: Runtime): NonNullable<Config['events']> {
  if (!rt.config.events || !rt.sqs) {
    throw new DockhandError('config.missing', 'no SQS queue is configured for order events', {
      hint: 'Set events.sqsQueueUrl in dockhand.yml (see README, "Real-time events"); without it Dockhand polls only.',
    });
  }
  return rt.config.events;
}

function positive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new DockhandError('config.invalid', `${flag} takes a positive number, got "${v}"`);
  return n;
}

export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export async function main(argv: string[]): Promise<void> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const maybeCommander = e as { code?: string; exitCode?: number };
    if (typeof maybeCommander.code === 'string' && maybeCommander.code.startsWith('commander.')) {
      process.exitCode = maybeCommander.exitCode ?? EXIT_FATAL;
      return;
    }
    const err = toDockhandError(e);
    process.stderr.write(`dockhand: ${err.message} [${err.code}]\n${err.hint ? `  → ${err.hint}\n` : ''}`);
    process.exitCode = EXIT_FATAL;
  }
}

const invokedDirectly = process.argv[1] && /cli[\\/]main\.ts$/.test(process.argv[1]);
if (invokedDirectly) void main(process.argv);
