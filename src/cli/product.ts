import cron from 'node-cron';
import { DEFAULT_USAGE_PLANS } from '../amazon/pacer';
import type { AccountConfig } from '../config/config';
import { runUnderLease } from '../jobs/lease';
import { startLoop, type Loop } from '../jobs/loop';
import type { DrainResult } from '../rules/rate-shopper';
import { runRulesPass } from '../rules/rules-job';
import type { RunSummary } from '../store/records';
import { startSqsConsumer, type SqsConsumer } from '../events/sqs-consumer';
import { createOrderEvents, type OrderEvents } from '../sync/order-events.job';
import { purgeRetained } from '../sync/purge-retained.job';
import { nextPassDelayMs, run as runSync } from '../sync/sync-orders.job';
import type { Runtime } from './runtime';
import { runDeadlineGuard } from '../writeback/deadline-guard.job';
import { runPollPass, type PollSummary } from '../writeback/poll-labels.job';
import { runReconcile, type ReconcileSummary } from '../writeback/reconcile.job';
import { createWritebackParts, pollContext, reconcileContext, type WritebackParts } from './writeback';
import { createInventoryParts, startInventoryLoop, type InventoryParts } from './inventory';
import { createReturnsParts, type ReturnsParts } from './returns';

/**
 * How the sync loops have run since start. Order counts are not kept here: summed over passes
 * they count an order once per pass that read it (overlap, updates), so the progress line and
 * `status` both count the store's orders instead (`countOrders` in jobs/status.ts).
 */
export interface Totals {
  passes: number;
  failures: number;
  lastPassAt?: string;
  lastError?: string;
  /** Per account, when its last successful pass finished. */
  lastSuccessAt?: Record<string, string>;
}

export interface Product {
  totals: Totals;
  /** The ORDER_CHANGE path, when an SQS queue is configured. */
  events?: { handler: OrderEvents; consumer: SqsConsumer };
  /** Tracking writeback: the ledger-keeping confirmer, its label source and the SHIP_NOTIFY intake. */
  writeback: WritebackParts;
  /** Stock, forecasts, pushes to Amazon and the ERP, and the stock webhook. */
  inventory: InventoryParts;
  /** Returns to refunds: the returns report poll, the adjustment feeds, Finances and aging. */
  returns: ReturnsParts;
  /** One reconciliation pass (all accounts or one), after any pass already running. */
  reconcile(accountId?: string): Promise<ReconcileSummary>;
  kick(): void;
  /** False once stopped. */
  alive(): boolean;
  stop(): Promise<void>;
}

/** Events count as flowing while the last one is this recent and the queue answers. */
const EVENTS_FRESH_MS = 10 * 60_000;

/** Runs the background jobs: one sync loop per importing account and the daily buyer-data purge. */
export function startProduct(rt: Runtime, opts: { onPass?: (s: RunSummary) => void; onWriteback?: (s: PollSummary) => void } = {}): Product {
  const totals: Totals = { passes: 0, failures: 0 };
  const intervalMs = rt.config.sync.intervalSeconds * 1000;
  const events = startEvents(rt);
  const eventsFlowing = (): boolean => {
    if (!events) return false;
    const h = events.handler.health();
    const fresh = !!h.lastEventAt && Date.now() - Date.parse(h.lastEventAt) < EVENTS_FRESH_MS;
    return fresh && (!h.lastQueueErrorAt || h.lastEventAt! > h.lastQueueErrorAt);
  };
  // Import passes running now: rate shopping gives way to them (src/rules/rate-shopper.ts).
  let importing = 0;
  const loops: Loop[] = rt.config.accounts
    .filter((a: AccountConfig) => a.mode === 'import')
    .map((account) =>
      startLoop(
        `sync-orders:${account.id}`,
        async () => {
          try {
            const flowing = eventsFlowing();
            importing++;
            const s = await runSync({ accountId: account.id }, rt.contextFor(account)).finally(() => importing--);
            add(totals, s);
            if (s.ok && !s.pausedBy && !s.leaseHeldBy) totals.lastSuccessAt = { ...totals.lastSuccessAt, [account.id]: s.finishedAt };
            // What polling had to send while events were flowing, events missed (or were late for).
            if (flowing) events?.handler.noteCaughtByPolling(s.created + s.cancelled);
            opts.onPass?.(s);
          } catch (e) {
            totals.failures++;
            totals.lastError = (e as Error).message;
            throw e;
          }
        },
        () => {
          const budget = rt.amazon.get(account.id)?.budget().searchOrders;
          // Polling is the safety net: while events flow it runs `pollingSlowdown` times less often.
          const interval = eventsFlowing() ? intervalMs * (rt.config.events?.pollingSlowdown ?? 1) : intervalMs;
          return nextPassDelayMs(interval, budget && { ...budget, burst: DEFAULT_USAGE_PLANS.searchOrders.burst });
        },
        rt.logger,
      ),
    );
  const writeback = createWritebackParts(rt);
  const leaseOwnerGone = rt.config.accounts[0] ? rt.contextFor(rt.config.accounts[0]).isLeaseOwnerGone : undefined;
  // Passes run one after another: two at once would both find, and alert, the same difference.
  let reconciling: Promise<unknown> = Promise.resolve();
  const reconcile = (accountId?: string): Promise<ReconcileSummary> => {
    const pass = reconciling.catch(() => undefined).then(() => runReconcile(reconcileContext(rt, writeback.labels), accountId));
    reconciling = pass;
    return pass;
  };
  const wb = rt.config.writeback;
  const now = () => new Date();
  loops.push(
    // The safety net behind SHIP_NOTIFY, and the only path when no public URL is set.
    startLoop(
      'poll-labels',
      async () => {
        // One replica at a time polls: two would fetch and handle every label twice.
        await runUnderLease(rt.store, 'poll-labels', rt.owner, async () => {
          const s = await runPollPass(pollContext(rt, writeback));
          opts.onWriteback?.(s);
        }, { isGone: leaseOwnerGone });
      },
      () => wb.pollSeconds * 1000,
      rt.logger,
    ),
    startLoop(
      'deadline-guard',
      async () => {
        await runDeadlineGuard({ store: rt.store, notifier: rt.notifier, logger: rt.logger, now, leadTimesMinutes: wb.leadTimesMinutes });
      },
      // Every minute, or as often as labels are polled when that is more often (the sandbox).
      () => Math.min(60, wb.pollSeconds) * 1000,
      rt.logger,
    ),
    startLoop(
      'reconcile',
      async () => {
        await runUnderLease(rt.store, 'reconcile', rt.owner, async () => void (await reconcile()), { isGone: leaseOwnerGone });
      },
      () => wb.reconcileMinutes * 60_000,
      rt.logger,
      { firstDelayMs: wb.reconcileMinutes * 60_000 },
    ),
  );
  // Rules: rate shopping for the orders that asked (leaving imports 10 calls a window, and running
  // again when the window resets if it stopped for them), the match counts and the escalation watch.
  let lastRulesPass: DrainResult | undefined;
  if (rt.rules.routing) {
    rt.rules.warmNames(rt.logger);
    loops.push(
      startLoop(
        'rules',
        async () => {
          lastRulesPass = undefined;
          lastRulesPass = await runRulesPass({ store: rt.store, notifier: rt.notifier, logger: rt.logger, rateShopper: rt.rules.rateShopper, reserve: 10, flushMatches: rt.rules.flushMatches, importing: () => importing > 0 });
        },
        () => rt.rules.rateShopper.nextPassInMs(lastRulesPass, Math.min(5, wb.pollSeconds) * 1000),
        rt.logger,
      ),
    );
  }
  const inventory = createInventoryParts(rt);
  loops.push(startInventoryLoop(rt, inventory, leaseOwnerGone));
  const returns = createReturnsParts(rt);
  loops.push(...returns.start(leaseOwnerGone));
  const purge = async () => {
    const n = await purgeRetained(rt.store, rt.config.retention, new Date());
    if (n.buyerData + n.orders + n.facts > 0) rt.logger.info({ job: 'purge-retained', purged: n }, 'data past retention removed');
  };
  void purge().catch((e) => rt.logger.error({ job: 'purge-retained', err: (e as Error).message }, 'purge failed'));
  const daily = cron.schedule('17 3 * * *', () => void purge().catch(() => undefined));
  let stopped = false;
  const saveHealth = async () => {
    if (events) await rt.store.health.set('events', events.handler.health());
  };
  const healthTimer = setInterval(() => void saveHealth().catch(() => undefined), 5_000);
  healthTimer.unref();
  return {
    totals,
    ...(events ? { events } : {}),
    writeback,
    inventory,
    returns,
    reconcile,
    kick: () => loops.forEach((l) => l.kick()),
    alive: () => !stopped,
    async stop() {
      stopped = true;
      clearInterval(healthTimer);
      await events?.consumer.stop();
      await daily.stop();
      // A pass still running may count orders polling caught: let it finish before health is saved.
      await Promise.all(loops.map((l) => l.stop()));
      await writeback.intake.drain();
      await rt.rules.flushMatches().catch(() => undefined);
      await inventory.stop();
      await returns.close();
      await saveHealth().catch(() => undefined);
    },
  };
}

function startEvents(rt: Runtime): Product['events'] {
  if (!rt.config.events || !rt.sqs) return undefined;
  const importing = rt.config.accounts.filter((a) => a.mode === 'import');
  if (importing.length === 0) return undefined;
  const handler = createOrderEvents({ accounts: importing, contextFor: (a) => rt.contextFor(a), now: () => new Date() });
  const consumer = startSqsConsumer({
    sqs: rt.sqs,
    queueUrl: rt.config.events.sqsQueueUrl,
    concurrency: rt.config.events.concurrency,
    handle: (body, meta) => handler.handle(body, meta),
    logger: rt.logger.child({ job: 'order-events' }),
    onError: (err) => handler.noteQueueError(err.message),
  });
  return { handler, consumer };
}

function add(t: Totals, s: RunSummary): void {
  t.passes++;
  t.lastPassAt = s.finishedAt;
}
