import { toDockhandError } from '../domain/errors';
import type { Notifier } from '../domain/notifier';
import type { Logger } from '../log/logger';
import type { V2InventoryClient } from '../shipstation/v2-inventory';
import type { Store } from '../store/store';
import { pushQuantities, type PushSummary, type PushTarget } from './amazon-push';
import type { InventoryConfig } from './config';
import { drainErpDeliveries, enqueueErpChanges, type ErpPost } from './erp-push';
import type { SkuForecast } from './forecast';
import { forecastAll } from './inventory';
import { lowStockProblem, STOCK_SOURCE, stockKey } from './inventory-alerts';

/**
 * The inventory pass: read stock (a ShipStation v2 poll when that is the source), forecast every
 * SKU, and act on the SKUs whose available quantity or status changed since the last pass (stock
 * moved, or committed units did): their Slack message, their quantity on Amazon, the ERP. A pass
 * for given SKUs (an import, a webhook, Push quantity now) acts on those at once.
 */

export const JOB_NAME = 'inventory';

export interface InventoryJobContext {
  store: Store;
  config: InventoryConfig;
  notifier: Notifier;
  logger: Logger;
  now: () => Date;
  /** The accounts that push to Amazon. */
  targets: PushTarget[];
  v2?: V2InventoryClient;
  erpPost?: ErpPost;
  feedPoll?: { pollMs?: number; timeoutMs?: number };
}

export interface InventoryPassSummary {
  skus: number;
  changed: number;
  alerts: number;
  push: PushSummary;
}

const STOCK_SOURCE_KEY = 'stock-source:shipstation-v2';

/** Pulls ShipStation v2 levels into the store; false (reported once in Slack) when they can't be read. */
export async function pollShipStationV2(ctx: InventoryJobContext): Promise<string[]> {
  if (!ctx.v2) return [];
  try {
    const levels = await ctx.v2.listInventory();
    const changed = await ctx.store.inventory.putStockLevels(levels.map((l) => ({ sku: l.sku, onHand: l.on_hand, ...(l.inventory_warehouse_id ? { warehouse: l.inventory_warehouse_id } : {}) })), 'shipstation-v2', ctx.now().getTime(), { replaceSkus: true });
    await ctx.notifier.resolve(STOCK_SOURCE_KEY, () => 'ShipStation v2 inventory answers again');
    return changed;
  } catch (e) {
    const err = toDockhandError(e);
    // One message however many passes fail: the problem's key is the source.
    await ctx.notifier.raise({
      kind: STOCK_SOURCE.name,
      key: STOCK_SOURCE_KEY,
      replaceFacts: true,
      facts: { source: 'shipstation-v2', message: err.message, hint: err.hint },
      notice: { source: 'shipstation-v2', message: err.message, hint: err.hint },
      log: { level: 'warn', msg: 'stock levels not read', fields: { code: err.code } },
    });
    return [];
  }
}

export async function runInventoryPass(ctx: InventoryJobContext, opts: { skus?: string[]; force?: boolean } = {}): Promise<InventoryPassSummary> {
  const now = ctx.now();
  const inv = ctx.store.inventory;
  if (!opts.skus && ctx.config.source === 'shipstation-v2') await pollShipStationV2(ctx);
  const settings = ctx.config;
  const forecasts = opts.skus && opts.skus.length <= 50 ? (await Promise.all(opts.skus.map((sku) => forecastAll(inv, settings, now.getTime(), { sku })))).flat() : await forecastAll(inv, settings, now.getTime());
  const wanted = opts.skus ? new Set(opts.skus) : undefined;
  const considered = wanted ? forecasts.filter((f) => wanted.has(f.sku)) : forecasts;
  const before = await inv.states(wanted ? [...wanted] : undefined);
  const changed = considered.filter((f) => {
    const b = before.get(f.sku);
    return !b || b.available !== f.available || b.status !== f.status;
  });
  const acted = opts.force ? considered : changed;

  const alerts = await updateAlerts(ctx, acted, now);
  const push = await pushToAmazon(ctx, acted, opts.force ?? false);
  if (ctx.config.erpWebhookUrl && ctx.config.webhookSecret) {
    await enqueueErpChanges(inv, changed, now);
    if (ctx.erpPost) await drainErpDeliveries({ store: inv, notifier: ctx.notifier, logger: ctx.logger, now: ctx.now, url: ctx.config.erpWebhookUrl, secret: ctx.config.webhookSecret, post: ctx.erpPost });
  }
  await inv.saveStates(changed.map((f) => ({ sku: f.sku, available: f.available, status: f.status })), now.getTime());
  return { skus: considered.length, changed: changed.length, alerts, push };
}

async function updateAlerts(ctx: InventoryJobContext, forecasts: SkuForecast[], now: Date): Promise<number> {
  const snoozed = await ctx.store.inventory.snoozed(now.getTime());
  let raised = 0;
  for (const f of forecasts) {
    if (f.status === 'ok') {
      await ctx.notifier.resolve(stockKey(f.sku), () => `back in stock: ${f.available} available`);
      continue;
    }
    if (snoozed.has(f.sku)) continue;
    const openOrders = await ctx.store.inventory.openOrdersFor(f.sku, 10);
    const reorder = await ctx.store.inventory.reorderOf(f.sku);
    await ctx.notifier.raise(lowStockProblem({ forecast: f, openOrders, openOrderCount: openOrders.length, ...(reorder ? { reorder } : {}) }));
    raised++;
  }
  return raised;
}

/** Amazon SKUs per ShipStation SKU: those mapped to it, else the same SKU. */
async function amazonSkusOf(store: Store, skus: string[]): Promise<Map<string, string[]>> {
  const mapped = new Map<string, string[]>();
  for (const m of await store.skuMappings()) mapped.set(m.shipstationSku, [...(mapped.get(m.shipstationSku) ?? []), m.amazonSku]);
  return new Map(skus.map((s) => [s, mapped.get(s) ?? [s]]));
}

async function pushToAmazon(ctx: InventoryJobContext, forecasts: SkuForecast[], force: boolean): Promise<PushSummary> {
  const total: PushSummary = { patched: 0, fed: 0, rejected: 0, unchanged: 0, failed: 0 };
  if (ctx.targets.length === 0 || forecasts.length === 0) return total;
  const skus = await amazonSkusOf(ctx.store, forecasts.map((f) => f.sku));
  const wanted = forecasts.flatMap((f) => (skus.get(f.sku) ?? []).map((amazonSku) => ({ amazonSku, quantity: f.available })));
  for (const target of ctx.targets) {
    const s = await pushQuantities(target, wanted, { store: ctx.store.inventory, notifier: ctx.notifier, logger: ctx.logger, now: ctx.now, feedThreshold: ctx.config.feedThreshold, ...(ctx.feedPoll ? { feedPoll: ctx.feedPoll } : {}) }, { force });
    for (const k of Object.keys(total) as Array<keyof PushSummary>) total[k] += s[k];
  }
  return total;
}

/**
 * Runs passes one at a time: a pass asked for while one runs waits and takes every SKU asked for
 * meanwhile, so a burst of webhooks costs a few passes, not one each.
 */
export function createInventoryRunner(ctx: InventoryJobContext) {
  let running: Promise<unknown> = Promise.resolve();
  let pending: { skus: Set<string> | 'all'; force: boolean; waiters: Array<(s: InventoryPassSummary | undefined) => void> } | undefined;
  const schedule = (skus: string[] | 'all', force: boolean): Promise<InventoryPassSummary | undefined> =>
    new Promise((resolve) => {
      if (!pending) {
        pending = { skus: skus === 'all' ? 'all' : new Set(skus), force, waiters: [] };
        const batch = pending;
        running = running.then(async () => {
          pending = undefined;
          try {
            const s = await runInventoryPass(ctx, batch.skus === 'all' ? { force: batch.force } : { skus: [...batch.skus], force: batch.force });
            batch.waiters.forEach((w) => w(s));
          } catch (e) {
            ctx.logger.error({ job: JOB_NAME, err: (e as Error).message }, 'inventory pass failed');
            batch.waiters.forEach((w) => w(undefined));
          }
        });
      } else {
        if (skus === 'all') pending.skus = 'all';
        else if (pending.skus !== 'all') for (const s of skus) pending.skus.add(s);
        pending.force ||= force;
      }
      pending.waiters.push(resolve);
    });
  return {
    /** A pass for these SKUs (after an import, a webhook, a click). */
    changed: (skus: string[], opts: { force?: boolean } = {}) => schedule(skus, opts.force ?? false),
    /** A full pass (the schedule). */
    all: () => schedule('all', false),
  };
}
export type InventoryRunner = ReturnType<typeof createInventoryRunner>;
