import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createFeedsClient } from '../src/amazon/feeds-client';
import { createListingsClient } from '../src/amazon/listings-client';
import type { Notifier } from '../src/domain/notifier';
import { inventoryConfigOf } from '../src/inventory/config';
import { DAY_MS, DEFAULT_FORECAST_SETTINGS } from '../src/inventory/forecast';
import { forecastAll } from '../src/inventory/inventory';
import { createInventoryRunner } from '../src/inventory/inventory.job';
import { silentLogger } from '../src/log/logger';
import { mulberry32 } from '../src/sandbox/amazon/order-factory';
import { SANDBOX_LWA_CREDENTIALS, SANDBOX_SELLER_ID, startSpApiSimulator } from '../src/sandbox/amazon/sp-api-simulator';
import { createSandboxTls } from '../src/sandbox/tls';
import type { OrderRecord } from '../src/store/records';
import { Store } from '../src/store/store';
import { freshDatabase, peakRssMb, percentile, sleep } from './harness';

/**
 * `npm run bench -- inventory`: inventory at scale, on SQLite, and on Postgres too when
 * DOCKHAND_BENCH_POSTGRES_URL (or DOCKHAND_TEST_POSTGRES_URL) names a server (`--backend`).
 * - `--skus` (50,000) SKUs with stock levels over `--lines` (1,000,000) order lines: 95 % shipped
 *   over the last 45 days, in ship-time order (as they happen), each of a random SKU; the rest on
 *   open orders (committed). Times computing velocity (7/14/30 d), committed, available and status
 *   for every SKU (what each inventory pass does), p50/p95 over `--runs`, against the 1 s goal
 *   (ratio = p50 / 1 s; ≤ 1 meets it), and this process's peak RSS during the passes (the seed's
 *   peak is reset first, where Linux allows it).
 * - From a stock change (stored, as an import or webhook does) to the patch the SP-API simulator
 *   accepted, over `--changes` changes of random SKUs, paced under Listings Items' 5 per second:
 *   p50/p95 against the 2 s goal for p50 (SQLite).
 */

const COMPUTE_GOAL_MS = 1_000;
const PUSH_GOAL_MS = 2_000;
const HISTORY_DAYS = 45;
const silent: Notifier = { raise: async () => undefined, resolve: async () => undefined };
const fmt = (n: number) => n.toLocaleString('en-US');
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { skus: { type: 'string', default: '50000' }, lines: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '10' }, changes: { type: 'string', default: '40' }, backend: { type: 'string', default: 'all' } },
  });
  const pgAdmin = process.env.DOCKHAND_BENCH_POSTGRES_URL || process.env.DOCKHAND_TEST_POSTGRES_URL;
  const backends = (values.backend === 'all' ? ['sqlite', 'postgres'] : [values.backend!]).filter((b) => b !== 'postgres' || pgAdmin) as Array<'sqlite' | 'postgres'>;
  if (values.backend === 'all' && !pgAdmin) process.stdout.write('postgres: skipped (set DOCKHAND_BENCH_POSTGRES_URL to a server to include it)\n');
  process.stdout.write(`inventory bench: ${fmt(Number(values.skus))} SKUs, ${fmt(Number(values.lines))} order lines, ${values.runs} runs | load average ${load()}\n`);
  for (const backend of backends) {
    let where: { dataDir?: string; storeUrl?: string };
    let dispose: () => Promise<void>;
    if (backend === 'sqlite') {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-inventory-'));
      where = { dataDir };
      dispose = async () => rmSync(dataDir, { recursive: true, force: true });
    } else {
      const db = await freshDatabase(pgAdmin!, 'dockhand_bench_inventory');
      where = { storeUrl: db.url };
      dispose = db.drop;
    }
    const store = await Store.open(where);
    try {
      await benchBackend(store, backend, { skus: Number(values.skus), lines: Number(values.lines), runs: Number(values.runs), changes: backend === 'sqlite' ? Number(values.changes) : 0 });
    } finally {
      await store.close();
      await dispose();
    }
  }
  process.stdout.write(`load average at the end ${load()}\n`);
}

function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function benchBackend(store: Store, backend: 'sqlite' | 'postgres', opts: { skus: number; lines: number; runs: number; changes: number }): Promise<void> {
  const now = Date.now();
  const random = mulberry32(12345);
  const sku = (i: number) => `SKU-${String(i).padStart(6, '0')}`;
  const seedStart = Date.now();
  const levels = Array.from({ length: opts.skus }, (_, i) => ({ sku: sku(i), onHand: 20 + (i % 500) }));
  for (let i = 0; i < levels.length; i += 5_000) await store.inventory.putStockLevels(levels.slice(i, i + 5_000), 'csv', now);
  // Open orders: 5 lines each, unshipped (committed units).
  const openOrders = Math.ceil(Math.round(opts.lines * 0.05) / 5);
  const orders: Array<[string, OrderRecord]> = [];
  for (let o = 0; o < openOrders; o++) {
    const id = `900-${String(o).padStart(7, '0')}-0000001`;
    orders.push([`default:${id}`, { accountId: 'default', amazonOrderId: id, orderKey: `dockhand:default:${id}`, state: 'sent', amazonStatus: 'unshipped', lastUpdatedTime: new Date(now).toISOString(), firstSeenAt: new Date(now).toISOString(), unmappedSkus: [], isPrime: o % 3 === 0, items: Array.from({ length: 5 }, (_, k) => ({ orderItemId: `${o}-${k}`, quantityOrdered: 1 + (k % 2), quantityShipped: 0, amazonSku: sku((o * 5 + k) % opts.skus), sku: sku((o * 5 + k) % opts.skus) })) }]);
  }
  await store.orders.importMany(orders, 500);
  // Shipped history in ship-time order, each line of a random SKU: the rollup gets a row for
  // nearly every line (some 20 lines per SKU over 45 days), its least favourable case.
  const shippedLines = opts.lines - orders.length * 5;
  const step = (HISTORY_DAYS * DAY_MS) / shippedLines;
  for (let i = 0; i < shippedLines; i += 50_000) {
    const batch = Array.from({ length: Math.min(50_000, shippedLines - i) }, (_, k) => ({ id: `h${i + k}`, sku: sku(Math.floor(random() * opts.skus)), quantity: 1 + Math.floor(random() * 3), shippedAt: Math.floor(now - HISTORY_DAYS * DAY_MS + (i + k) * step) }));
    await store.inventory.importShippedHistory(batch);
  }
  const seedPeak = peakRssMb(process.pid);
  process.stdout.write(`\n${backend}: seeded ${fmt(opts.skus)} SKUs, ${fmt(orders.length * 5 + shippedLines)} order lines (${fmt(orders.length)} open orders) in ${((Date.now() - seedStart) / 1000).toFixed(1)} s (peak RSS while seeding ${seedPeak.toFixed(0)} MB) | load average ${load()}\n`);
  globalThis.gc?.();
  const reset = resetPeakRss();
  const rssBefore = process.memoryUsage().rss / 1048576;

  const times: number[] = [];
  let counts: Record<string, number> = {};
  for (let r = 0; r < opts.runs; r++) {
    const t = performance.now();
    const rows = await forecastAll(store.inventory, DEFAULT_FORECAST_SETTINGS, now);
    times.push(performance.now() - t);
    counts = rows.reduce<Record<string, number>>((acc, f) => ((acc[f.status] = (acc[f.status] ?? 0) + 1), acc), {});
  }
  times.sort((a, b) => a - b);
  const p50 = percentile(times, 50);
  const passPeak = peakRssMb(process.pid);
  // Each aggregate on its own, for where the time goes (the pass runs them as one statement).
  const part = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return (performance.now() - t).toFixed(0);
  };
  const parts = { onHand: await part(() => store.inventory.onHand()), shipped: await part(() => store.inventory.shippedUnits(now)), committed: await part(() => store.inventory.committedUnits()) };
  process.stdout.write(
    `velocity + status for all ${fmt(opts.skus)} SKUs (${backend}, one statement): p50 ${p50.toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms ` +
      `(goal < ${COMPUTE_GOAL_MS} ms: ratio ${(p50 / COMPUTE_GOAL_MS).toFixed(2)}) | each alone: on hand ${parts.onHand} ms, shipped ${parts.shipped} ms, committed ${parts.committed} ms | statuses ${JSON.stringify(counts)} | ` +
      `peak RSS of this process (the bench, which runs the store) during the passes ${passPeak.toFixed(0)} MB, ${rssBefore.toFixed(0)} MB of it held before they began${reset ? '' : ' (peak not reset: includes seeding)'}\n`,
  );
  if (opts.changes > 0) await benchPush(store, opts.skus, opts.changes, sku, random);
}

/** Stock change → patch accepted by the simulator. */
async function benchPush(store: Store, skuCount: number, changes: number, sku: (i: number) => string, random: () => number): Promise<void> {
  const tls = createSandboxTls();
  const sim = await startSpApiSimulator({ tls });
  const creds = { region: 'na' as const, ...SANDBOX_LWA_CREDENTIALS, spApiUrl: sim.url, lwaUrl: sim.lwaUrl, ca: tls.caCertPem };
  const target = { accountId: 'default', sellerId: SANDBOX_SELLER_ID, marketplaceIds: ['ATVPDKIKX0DER'], listings: createListingsClient(creds), feeds: createFeedsClient(creds) };
  const config = inventoryConfigOf(undefined, {});
  const runner = createInventoryRunner({ store, config, notifier: silent, logger: silentLogger, now: () => new Date(), targets: [target] });
  const latencies: number[] = [];
  try {
    for (let c = 0; c < changes; c++) {
      const s = sku(Math.floor(random() * skuCount));
      sim.listings.put({ sellerId: SANDBOX_SELLER_ID, sku: s, productType: 'HOME_KITCHEN', quantity: {} });
      const from = sim.listings.patches().length;
      const onHand = 1_000 + c;
      const t = performance.now();
      await store.inventory.putStockLevels([{ sku: s, onHand }], 'webhook', Date.now());
      void runner.changed([s]);
      for (;;) {
        if (sim.listings.patches(from).some((p) => p.sku === s && p.status === 'ACCEPTED')) break;
        if (performance.now() - t > 30_000) throw new Error(`no patch for ${s} within 30 s`);
        await sleep(2);
      }
      latencies.push(performance.now() - t);
      // Two calls per new SKU (get + patch) under a 5/s plan: a change every 450 ms stays inside it.
      await sleep(450);
    }
  } finally {
    await target.listings.close();
    await target.feeds.close();
    await sim.close();
  }
  latencies.sort((a, b) => a - b);
  const l50 = percentile(latencies, 50);
  process.stdout.write(`stock change → patch accepted by the simulator (${latencies.length} changes, first push of each SKU: getListingsItem + patchListingsItem): p50 ${l50.toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms (goal p50 ≤ ${PUSH_GOAL_MS} ms: ratio ${(l50 / PUSH_GOAL_MS).toFixed(3)}) | peak RSS of this process ${peakRssMb(process.pid).toFixed(0)} MB\n`);
}
