import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { history } from '../src/reports/history';
import { makeReport } from '../src/reports/make-report';
import { addDays, namedPeriod, type Period } from '../src/reports/period';
import { Store } from '../src/store/store';
import { productNodeFlags } from './node-flags';

/**
 * `npm run bench -- report`: seeds `--orders` (1,000,000) orders' facts over `--days` (400)
 * days, with their labels (split and voided ones included), through the store's bulk import
 * (so the rollups' triggers run as they do in production), then times a 30-day report (the
 * tallies in SQL, the report and its daily rows) `--runs` times, for the 30 days to yesterday
 * (what the digest and `/dockhand report 30d` ask) and for 30 days half a year back, and the
 * time to render the digest's chart. Goal: a report under 500 ms (p95) and peak RSS under
 * 200 MB on SQLite.
 *
 * The seeding runs in this process; the reports run in a fresh child process (this file, with
 * `--measure`), so its peak RSS (getrusage's maximum resident set) is the reporting's alone:
 * once after the reports, and once more after the chart (Vega and resvg are loaded only then).
 * On SQLite always; on Postgres too when DOCKHAND_BENCH_POSTGRES_URL (or
 * DOCKHAND_TEST_POSTGRES_URL) names a server, in a database made for the run and dropped after.
 */

const GOAL_MS = 500;
const GOAL_RSS_MB = 200;
const TZ = 'America/Chicago';

interface Where {
  dataDir?: string;
  storeUrl?: string;
}

interface Measured {
  periods: Array<{ name: string; times: number[]; received: number }>;
  chart: number[];
  rssReportsMb: number;
  rssChartMb: number;
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      orders: { type: 'string', default: '1000000' },
      days: { type: 'string', default: '400' },
      runs: { type: 'string', default: '20' },
      backend: { type: 'string', default: 'all' },
    },
  });
  const pgAdmin = process.env.DOCKHAND_BENCH_POSTGRES_URL || process.env.DOCKHAND_TEST_POSTGRES_URL;
  const backends = (values.backend === 'all' ? ['sqlite', 'postgres'] : [values.backend!]).filter((b) => b !== 'postgres' || pgAdmin);
  if (values.backend === 'all' && !pgAdmin) process.stdout.write('postgres: skipped (set DOCKHAND_BENCH_POSTGRES_URL to a server to include it)\n');
  process.stdout.write(`report bench: ${Number(values.orders).toLocaleString('en-US')} orders over ${values.days} days, ${values.runs} runs each\n`);
  for (const backend of backends) await benchBackend(backend as 'sqlite' | 'postgres', Number(values.orders), Number(values.days), Number(values.runs), pgAdmin);
}

const loadAverage = () => loadavg().map((x) => x.toFixed(2)).join(' ');

async function benchBackend(backend: 'sqlite' | 'postgres', orders: number, days: number, runs: number, pgAdmin: string | undefined): Promise<void> {
  // Loaded here, not at the top: the reporting child process must not carry the harness (pg, the simulators).
  const { freshDatabase, percentile: percentileOf } = await import('./harness');
  let where: Where;
  let dispose: () => Promise<void>;
  if (backend === 'sqlite') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-bench-report-'));
    where = { dataDir };
    dispose = async () => rmSync(dataDir, { recursive: true, force: true });
  } else {
    const db = await freshDatabase(pgAdmin!, 'dockhand_bench_report');
    where = { storeUrl: db.url };
    dispose = db.drop;
  }
  try {
    process.stdout.write(`\n${backend}\n`);
    const now = Date.now();
    await seed(where, orders, days, now);
    process.stdout.write(`load average before reporting: ${loadAverage()}\n`);
    const m = await measureInChild(where, runs, now);
    process.stdout.write('report (child process)     p50 ms   p95 ms   ratio (p95 / 500 ms)   orders received\n');
    for (const p of m.periods) {
      const sorted = [...p.times].sort((a, b) => a - b);
      const p95 = percentileOf(sorted, 95);
      process.stdout.write(`${p.name.padEnd(26)} ${percentileOf(sorted, 50).toFixed(0).padStart(6)}   ${p95.toFixed(0).padStart(6)}   ${(p95 / GOAL_MS).toFixed(2).padStart(8)}               ${p.received.toLocaleString('en-US')}\n`);
    }
    const chart = [...m.chart].sort((a, b) => a - b);
    process.stdout.write(`chart render (first, p50, p95) ${m.chart[0]!.toFixed(0)} ms, ${percentileOf(chart, 50).toFixed(0)} ms, ${percentileOf(chart, 95).toFixed(0)} ms\n`);
    process.stdout.write(`peak RSS of the reporting process: ${m.rssReportsMb.toFixed(0)} MB after the reports (ratio ${(m.rssReportsMb / GOAL_RSS_MB).toFixed(2)} of ${GOAL_RSS_MB} MB), ${m.rssChartMb.toFixed(0)} MB once the chart was drawn too\n`);
    process.stdout.write(`load average after: ${loadAverage()}\n`);
  } finally {
    await dispose();
  }
}

async function seed(where: Where, orders: number, days: number, now: number): Promise<void> {
  const store = await Store.open(where);
  const yesterday = namedPeriod('yesterday', now, TZ).from;
  // Weekends get half a weekday's orders: 5 + 2 × 0.5 = 6 weekday-equivalents a week.
  const perWeekday = Math.round(orders / days / (6 / 7));
  const seedStart = performance.now();
  let seeded = 0;
  let labels = 0;
  for (const batch of history({ lastDay: yesterday, days, timeZone: TZ, accountId: 'default', currency: 'USD', ordersPerWeekday: perWeekday, badDaysAgo: [9, 120], seed: 400 })) {
    await store.reports.importFacts(batch.orders, batch.labels, 1000);
    seeded += batch.orders.length;
    labels += batch.labels.length;
  }
  await store.close();
  process.stdout.write(
    `seeded ${seeded.toLocaleString('en-US')} orders, ${labels.toLocaleString('en-US')} labels in ${((performance.now() - seedStart) / 1000).toFixed(0)} s, rollups kept by their triggers (seeding process: peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, not the report's)\n`,
  );
}

function measureInChild(where: Where, runs: number, now: number): Promise<Measured> {
  // The product's node flags: reports and the digest's chart run inside `dockhand`.
  const args = [...productNodeFlags(), '--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--measure', JSON.stringify({ where, runs, now })];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Measured) : reject(new Error(`the reporting process exited with ${code}`))));
  });
}

/** The child: opens the seeded store, times the reports, then the chart, and prints what it measured as one JSON line. */
async function measure(o: { where: Where; runs: number; now: number }): Promise<void> {
  const store = await Store.open(o.where);
  const now = new Date(o.now);
  const yesterday = namedPeriod('yesterday', o.now, TZ).from;
  const periods: Array<[string, Period]> = [
    ['30 days to yesterday', { from: addDays(yesterday, -29), to: yesterday, timeZone: TZ }],
    ['30 days, 200 days ago', { from: addDays(yesterday, -229), to: addDays(yesterday, -200), timeZone: TZ }],
  ];
  const out: Measured = { periods: [], chart: [], rssReportsMb: 0, rssChartMb: 0 };
  let recent: Awaited<ReturnType<typeof makeReport>> | undefined;
  for (const [name, period] of periods) {
    const times: number[] = [];
    let received = 0;
    for (let i = 0; i < o.runs; i++) {
      const t0 = performance.now();
      const r = await makeReport(store, period, ['default'], now);
      times.push(performance.now() - t0);
      received = r.report.orders.received;
      recent ??= r;
    }
    out.periods.push({ name, times, received });
  }
  out.rssReportsMb = process.resourceUsage().maxRSS / 1024;
  // As the digest draws it: 14 days and the carriers' costs (loading Vega and resvg is the first render's).
  const { renderChartPng } = await import('../src/reports/chart');
  const days = recent!.daily.slice(-14);
  const carriers = recent!.report.carriers.map((c) => ({ carrier: c.serviceCode ?? c.carrierCode, avgCost: c.avgCost ?? 0, shipments: c.shipments, currency: 'USD' }));
  for (let i = 0; i < Math.min(o.runs, 10); i++) {
    const t0 = performance.now();
    await renderChartPng({ title: `Fulfillment digest · all accounts · last 14 days to ${yesterday}`, days, carriers });
    out.chart.push(performance.now() - t0);
  }
  out.rssChartMb = process.resourceUsage().maxRSS / 1024;
  await store.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--measure') await measure(JSON.parse(process.argv[3]!) as Parameters<typeof measure>[0]);
