import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { createFeedsClient } from '../amazon/feeds-client';
import { createListingsClient } from '../amazon/listings-client';
import { DockhandError } from '../domain/errors';
import type { PushTarget } from '../inventory/amazon-push';
import { pushesToAmazon } from '../inventory/config';
import { fetchPost } from '../inventory/erp-push';
import { DEFAULT_FORECAST_SETTINGS, type StockStatus } from '../inventory/forecast';
import { forecastAll, formatInventory, INVENTORY_COLUMNS, toInventoryJson } from '../inventory/inventory';
import { createInventoryRunner, JOB_NAME, type InventoryJobContext, type InventoryRunner } from '../inventory/inventory.job';
import { parseStockCsv } from '../inventory/stock-csv';
import { handleStockWebhook, STOCK_WEBHOOK_PATH } from '../inventory/stock-webhook';
import { startLoop, type Loop } from '../jobs/loop';
import { runUnderLease } from '../jobs/lease';
import { createV2InventoryClient } from '../shipstation/v2-inventory';
import type { HttpRoute } from '../slack/app';
import type { Store } from '../store/store';
import type { Config } from '../config/config';
import type { Runtime } from './runtime';

/** Inventory's parts built from the runtime, its loop, its webhook route and its commands. Wiring only. */

export interface InventoryParts {
  ctx: InventoryJobContext;
  runner: InventoryRunner;
  route: HttpRoute;
  stop(): Promise<void>;
}

export function createInventoryParts(rt: Runtime): InventoryParts {
  const inv = rt.config.inventory;
  const targets: PushTarget[] = rt.config.accounts
    .filter((a) => pushesToAmazon(a, inv))
    .map((a) => {
      const creds = { ...rt.credentialsFor(a), logger: rt.logger.child({ vendor: 'amazon-listings', accountId: a.id }) };
      return { accountId: a.id, sellerId: a.sellerId!, marketplaceIds: a.marketplaceIds, listings: createListingsClient(creds), feeds: createFeedsClient(creds) };
    });
  const v2 = inv.source === 'shipstation-v2' && inv.shipstationV2ApiKey ? createV2InventoryClient({ baseUrl: inv.shipstationV2Url, apiKey: inv.shipstationV2ApiKey }) : undefined;
  const ctx: InventoryJobContext = {
    store: rt.store,
    config: inv,
    notifier: rt.notifier,
    logger: rt.logger.child({ job: JOB_NAME }),
    now: () => new Date(),
    targets,
    ...(v2 ? { v2 } : {}),
    ...(inv.erpWebhookUrl ? { erpPost: fetchPost } : {}),
  };
  const runner = createInventoryRunner(ctx);
  const route: HttpRoute = {
    path: STOCK_WEBHOOK_PATH,
    method: ['POST'],
    handler: (req, res) =>
      handleStockWebhook(
        {
          secret: inv.webhookSecret,
          now: Date.now,
          logger: ctx.logger,
          store: (levels) => rt.store.inventory.putStockLevels(levels, 'webhook', Date.now()),
          onChanged: (skus) => void runner.changed(skus),
        },
        req,
        res,
      ),
  };
  return {
    ctx,
    runner,
    route,
    async stop() {
      await Promise.all(targets.flatMap((t) => [t.listings.close(), t.feeds.close()]));
      await v2?.close();
    },
  };
}

/** The inventory loop: one replica at a time runs the full pass. */
export function startInventoryLoop(rt: Runtime, parts: InventoryParts, isGone?: (owner: string) => boolean): Loop {
  return startLoop(
    JOB_NAME,
    async () => {
      await runUnderLease(rt.store, JOB_NAME, rt.owner, async () => void (await parts.runner.all()), { isGone });
    },
    () => rt.config.inventory.intervalSeconds * 1000,
    rt.logger,
  );
}

const out = (line = ''): void => void process.stdout.write(line + '\n');

export interface InventoryCliHelpers {
  withStore<T>(fn: (store: Store, cfg: Config) => Promise<T>): Promise<T>;
  withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T>;
}

/** `dockhand inventory` and `dockhand stock import`. */
export function registerInventoryCommands(program: Command, h: InventoryCliHelpers): void {
  program
    .command('inventory')
    .description('stock per SKU: on hand, committed, available, velocity (7/14/30 d), days of cover, reorder point, status')
    .option('--sku <sku>', 'only this SKU')
    .option('--status <status>', 'only SKUs low or out of stock (low|out)')
    .option('--json', 'print JSON: [{sku, onHand, committed, available, velocity7, velocity14, velocity30, daysOfCover, reorderPoint, status}]')
    .option('--format <format>', 'csv: the same for spreadsheets')
    .action(async (opts: { sku?: string; status?: string; json?: boolean; format?: string }) => {
      if (opts.status !== undefined && opts.status !== 'low' && opts.status !== 'out') throw new DockhandError('config.invalid', `--status takes low or out, got "${opts.status}"`);
      if (opts.format !== undefined && opts.format !== 'csv') throw new DockhandError('config.invalid', `--format takes csv, got "${opts.format}"`);
      const rows = await h.withStore((store, cfg) =>
        forecastAll(store.inventory, cfg.inventory ?? DEFAULT_FORECAST_SETTINGS, Date.now(), { ...(opts.sku ? { sku: opts.sku } : {}), ...(opts.status ? { status: opts.status as StockStatus } : {}) }),
      );
      if (opts.json) return out(JSON.stringify(toInventoryJson(rows), null, 2));
      if (opts.format === 'csv') return void process.stdout.write(stringify(rows.map((r) => INVENTORY_COLUMNS.map((c) => r[c] ?? '')), { header: true, columns: [...INVENTORY_COLUMNS] }));
      formatInventory(rows).forEach((l) => out(l));
    });

  const stock = program.command('stock').description('stock levels');
  stock
    .command('import <csv>')
    .description('set stock levels from a CSV file with columns sku,on_hand[,warehouse]; then acts on what changed (alerts, Amazon, ERP)')
    .action(async (file: string) => {
      const levels = parseStockCsv(readFileSync(file, 'utf8'), file);
      const changed = await h.withStore((store) => store.inventory.putStockLevels(levels, 'csv', Date.now()));
      out(`imported ${levels.length} level(s) from ${file}; ${changed.length} SKU(s) changed`);
      if (changed.length === 0) return;
      // Acting on the change needs the clients (Amazon, the ERP); without them it waits for the running product's next pass.
      await h
        .withRuntime(async (rt) => {
          const parts = createInventoryParts(rt);
          try {
            const s = await parts.runner.changed(changed);
            if (s) out(`acted on ${s.changed} SKU(s): ${s.alerts} alert(s); Amazon ${s.push.patched} patched, ${s.push.fed} by feed, ${s.push.rejected} refused`);
          } finally {
            await parts.stop();
          }
        })
        .catch((e: unknown) => out(`(alerts and pushes wait for the running product's next pass: ${(e as Error).message})`));
    });
}

/** `config check`'s inventory lines: the source, and whether ShipStation v2 inventory answers (401/403: no add-on). */
export async function checkInventorySource(cfg: Config, out: (line: string) => void): Promise<boolean> {
  const inv = cfg.inventory;
  out(`  info  inventory: source ${inv.source}; push to Amazon for ${cfg.accounts.filter((a) => pushesToAmazon(a, inv)).map((a) => a.id).join(', ') || 'no account'}; ERP ${inv.erpWebhookUrl ? (inv.webhookSecret ? 'set' : 'set, but DOCKHAND_ERP_WEBHOOK_SECRET is missing') : 'off'}`);
  if (inv.source !== 'shipstation-v2') return true;
  if (!inv.shipstationV2ApiKey) {
    out('  FAIL  inventory.source is shipstation-v2 but SHIPSTATION_V2_API_KEY is not set');
    return false;
  }
  const client = createV2InventoryClient({ baseUrl: inv.shipstationV2Url, apiKey: inv.shipstationV2ApiKey });
  try {
    const levels = await client.listInventory();
    out(`  ok    ShipStation v2 inventory: ${levels.length} level(s)`);
    return true;
  } catch (e) {
    const err = e instanceof DockhandError ? e : new DockhandError('internal', (e as Error).message);
    out(`  FAIL  ShipStation v2 inventory: ${err.message} [${err.code}]${err.hint ? `\n        → ${err.hint}` : ''}`);
    return false;
  } finally {
    await client.close();
  }
}
