import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Config } from '../src/config/config';
import { gatherStatus } from '../src/jobs/status';
import type { ConfirmationRecord, OrderRecord } from '../src/store/records';
import { Store } from '../src/store/store';
import { orderTimeline } from '../src/sync/order-timeline';
import pino from 'pino';
import type { Notifier } from '../src/domain/notifier';
import { runDeadlineGuard } from '../src/writeback/deadline-guard.job';
import { peakRssMb, percentile } from './harness';

/**
 * `npm run bench -- store`: the store's questions at scale. Seeds order records in steps up to
 * `--orders` (1,000,000), 2 % of them open (20,000 at a million) with ship-by dates spread over
 * the next three days, the rest shipped and closed, plus labels for some; after each step it
 * times what runs every minute or on a person's request:
 * - the deadline guard's pass, as it runs every minute (its first pass, which escalates every
 *   due order of the seed at once, is printed apart);
 * - `status` (orders by account and state, first seen today, quarantine, the label ledger);
 * - an order's timeline (record, quarantine, audit, alerts, labels);
 * as p50/p95 over `--runs` runs, against the 50 ms goal (ratio = p95 / 50 ms; ≤ 1 meets it),
 * and the memory the process holds after a full collection (heap MB; run with --expose-gc, as
 * `npm run bench` does) with its RSS, which must stay flat as the orders grow: nothing loads
 * them all. The seeding itself runs in this process, so the peak RSS includes its batches.
 * On SQLite always; on Postgres too when DOCKHAND_BENCH_POSTGRES_URL (or
 * DOCKHAND_TEST_POSTGRES_URL) names a server, in a database made for the run and dropped after.
 */

const GOAL_MS = 50;
const silentNotifier: Notifier = { raise: async () => undefined, resolve: async () => undefined };
const LEAD_MINUTES = [240, 60];
const ACCOUNT = 'default';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      orders: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '50' },
      backend: { type: 'string', default: 'all' },
    },
  });
  const total = Number(values.orders);
  const runs = Number(values.runs);
  const steps = [10_000, 100_000, 1_000_000].filter((n) => n < total).concat(total);
  const pgAdmin = process.env.DOCKHAND_BENCH_POSTGRES_URL || process.env.DOCKHAND_TEST_POSTGRES_URL;
  const backends = (values.backend === 'all' ? ['sqlite', 'postgres'] : [values.backend!]).filter((b) => b !== 'postgres' || pgAdmin);
  if (values.backend === 'all' && !pgAdmin) process.stdout.write('postgres: skipped (set DOCKHAND_BENCH_POSTGRES_URL to a server to include it)\n');
  for (const backend of backends) await benchBackend(backend as 'sqlite' | 'postgres', steps, runs, pgAdmin);
}

async function benchBackend(backend: 'sqlite' | 'postgres', steps: number[], runs: number, pgAdmin: string | undefined): Promise<void> {
  const now = new Date();
  let where: { dataDir?: string; storeUrl?: string };
  let dispose: () => Promise<void>;
  if (backend === 'sqlite') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-store-'));
    where = { dataDir };
    dispose = async () => rmSync(dataDir, { recursive: true, force: true });
  } else {
    const name = `dockhand_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgAdmin });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    const url = new URL(pgAdmin!);
    url.pathname = `/${name}`;
    where = { storeUrl: url.toString() };
    dispose = async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  const store = await Store.open(where);
  const cfg = { accounts: [{ id: ACCOUNT, mode: 'import', marketplaceIds: ['ATVPDKIKX0DER'] }] } as unknown as Pick<Config, 'accounts' | 'events'>;
  process.stdout.write(`\n${backend}\n`);
  process.stdout.write('orders      open    seed s   guard 1st ms   guard p50/p95 ms   status p50/p95 ms   timeline p50/p95 ms   worst ratio   heap MB   rss MB (peak)\n');
  let seeded = 0;
  try {
    for (const target of steps) {
      const t0 = Date.now();
      await seed(store, seeded, target, now);
      const seedS = (Date.now() - t0) / 1000;
      seeded = target;
      // The first pass after the seed escalates every due order once (it is timed on its own);
      // the minute's passes after it are what the guard costs in steady state.
      const guardCtx = { store, notifier: silentNotifier, logger: pino({ level: 'silent' }), now: () => now, leadTimesMinutes: LEAD_MINUTES };
      const firstStarted = performance.now();
      await runDeadlineGuard(guardCtx);
      const firstPass = performance.now() - firstStarted;
      const guard = await time(runs, () => runDeadlineGuard(guardCtx));
      const status = await time(runs, () => gatherStatus(cfg, store, undefined, now));
      const timeline = await time(runs, (i) => orderTimeline(store, [ACCOUNT], orderId((i * 7919) % target)));
      const worst = Math.max(guard.p95, status.p95, timeline.p95) / GOAL_MS;
      // What the queries keep alive, after a full collection: flat when nothing holds the orders.
      (globalThis as { gc?: () => void }).gc?.();
      const heap = process.memoryUsage().heapUsed / 1024 / 1024;
      const rss = process.memoryUsage().rss / 1024 / 1024;
      process.stdout.write(
        `${String(target).padEnd(11)} ${String(openCount(target)).padEnd(7)} ${seedS.toFixed(1).padStart(6)}   ${firstPass.toFixed(0).padStart(6)}      ${fmt(guard)}   ${fmt(status)}    ${fmt(timeline)}      ${worst.toFixed(2).padStart(5)}       ${heap.toFixed(0).padStart(4)}      ${rss.toFixed(0)} (${peakRssMb(process.pid).toFixed(0)})\n`,
      );
    }
  } finally {
    await store.close();
    await dispose();
  }
}

const openCount = (n: number) => Math.round(n * 0.02);

function orderId(i: number): string {
  return `111-${String(Math.floor(i / 10_000_000) % 10_000_000).padStart(7, '0')}-${String(i % 10_000_000).padStart(7, '0')}`;
}

/** Orders `from` to `to`: every 50th open, due over the next three days (some already late), the rest shipped. */
async function seed(store: Store, from: number, to: number, now: Date): Promise<void> {
  const BATCH = 2_000;
  const day = 86_400_000;
  for (let start = from; start < to; start += BATCH) {
    const entries: Array<[string, OrderRecord]> = [];
    const labels: ConfirmationRecord[] = [];
    for (let i = start; i < Math.min(to, start + BATCH); i++) {
      const id = orderId(i);
      const open = i % 50 === 0;
      const created = new Date(now.getTime() - (open ? (i % 48) * 3_600_000 : (i % 85) * day + day));
      const record: OrderRecord = {
        accountId: ACCOUNT,
        amazonOrderId: id,
        orderKey: `dockhand:${ACCOUNT}:${id}`,
        state: 'sent',
        amazonStatus: open ? 'unshipped' : 'shipped',
        lastUpdatedTime: created.toISOString(),
        firstSeenAt: created.toISOString(),
        createdTime: created.toISOString(),
        sentAt: new Date(created.getTime() + 20_000).toISOString(),
        shipByLatest: new Date(open ? now.getTime() + ((i % 72) - 2) * 3_600_000 : created.getTime() + 2 * day).toISOString(),
        ...(open ? {} : { closedAt: new Date(created.getTime() + day).toISOString() }),
        unmappedSkus: [],
        isPrime: i % 3 === 0,
        shipstationOrderId: i + 1,
        items: [{ orderItemId: `${i}1`, quantityOrdered: 1 + (i % 3), quantityShipped: open ? 0 : 1 + (i % 3), amazonSku: `AMZ-${i % 500}`, sku: `WH-${i % 500}` }],
      };
      entries.push([`${ACCOUNT}:${id}`, record]);
      // A label for every 200th order, so timelines and the ledger have rows to find.
      if (i % 200 === 1) {
        labels.push({
          labelId: `shipment:${i}`,
          accountId: ACCOUNT,
          amazonOrderId: id,
          shipstationOrderId: i + 1,
          state: 'confirmed',
          packageReferenceId: String(i),
          carrierCode: 'ups',
          trackingNumber: `1Z${i}`,
          items: [],
          labelCreatedAt: new Date(created.getTime() + 3_600_000).toISOString(),
          confirmedAt: new Date(created.getTime() + 3_660_000).toISOString(),
          via: 'poll',
          at: created.toISOString(),
          attempts: 1,
          voidedAfterConfirm: false,
        });
      }
    }
    await store.orders.importMany(entries);
    for (const c of labels) await store.confirmations.set(c.labelId, c);
  }
}

async function time(runs: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await fn(0);
  const samples: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

function fmt(t: { p50: number; p95: number }): string {
  return `${t.p50.toFixed(1).padStart(7)} / ${t.p95.toFixed(1).padEnd(7)}`;
}
