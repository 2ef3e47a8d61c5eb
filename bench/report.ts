import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { renderChartPng } from '../src/reports/chart';
import { history } from '../src/reports/history';
import { makeReport } from '../src/reports/make-report';
import { addDays, namedPeriod } from '../src/reports/period';
import { Store } from '../src/store/store';
import { freshDatabase, peakRssMb, percentile } from './harness';

/**
 * `npm run bench -- report`: seeds `--orders` (1,000,000) orders' facts over `--days` (400)
 * days, with their labels (split and voided ones included), then times a 30-day report (the
 * tallies in SQL, the report and its daily rows) `--runs` times, for the 30 days to yesterday
 * (what the digest and `/dockhand report 30d` ask) and for 30 days half a year back, and the
 * time to render the digest's chart. Goal: a report under 500 ms (p95) and peak RSS under
 * 200 MB on SQLite. The peak is reset after seeding (Linux: /proc/self/clear_refs), so it is
 * the reporting's own. On SQLite always; on Postgres too when DOCKHAND_BENCH_POSTGRES_URL (or
 * DOCKHAND_TEST_POSTGRES_URL) names a server, in a database made for the run and dropped after.
 */

const GOAL_MS = 500;
const GOAL_RSS_MB = 200;
const TZ = 'America/Chicago';

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

function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function benchBackend(backend: 'sqlite' | 'postgres', orders: number, days: number, runs: number, pgAdmin: string | undefined): Promise<void> {
  let where: { dataDir?: string; storeUrl?: string };
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
  const store = await Store.open(where);
  const now = new Date();
  const yesterday = namedPeriod('yesterday', now.getTime(), TZ).from;
  // Weekends get half a weekday's orders: 5 + 2 × 0.5 = 6 weekday-equivalents a week.
  const perWeekday = Math.round(orders / days / (6 / 7));
  process.stdout.write(`\n${backend}\n`);
  const seedStart = performance.now();
  let seeded = 0;
  let labels = 0;
  for (const batch of history({ lastDay: yesterday, days, timeZone: TZ, accountId: 'default', currency: 'USD', ordersPerWeekday: perWeekday, badDaysAgo: [9, 120], seed: 400 })) {
    await store.reports.importFacts(batch.orders, batch.labels, 1000);
    seeded += batch.orders.length;
    labels += batch.labels.length;
  }
  process.stdout.write(`seeded ${seeded.toLocaleString('en-US')} orders, ${labels.toLocaleString('en-US')} labels in ${((performance.now() - seedStart) / 1000).toFixed(0)} s (rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB)\n`);
  globalThis.gc?.();
  const reset = resetPeakRss();

  const accounts = ['default'];
  const periods = [
    ['30 days to yesterday', { from: addDays(yesterday, -29), to: yesterday, timeZone: TZ }],
    ['30 days, 200 days ago', { from: addDays(yesterday, -229), to: addDays(yesterday, -200), timeZone: TZ }],
  ] as const;
  process.stdout.write('report                     p50 ms   p95 ms   ratio (p95 / 500 ms)   orders received\n');
  let received = 0;
  let daily: Awaited<ReturnType<typeof makeReport>>['daily'] = [];
  let carriers: Awaited<ReturnType<typeof makeReport>>['report']['carriers'] = [];
  for (const [name, period] of periods) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = await makeReport(store, period, accounts, now);
      times.push(performance.now() - t0);
      received = r.report.orders.received;
      if (name.startsWith('30 days to')) ({ daily, carriers } = { daily: r.daily, carriers: r.report.carriers });
    }
    times.sort((a, b) => a - b);
    const p95 = percentile(times, 95);
    process.stdout.write(`${name.padEnd(26)} ${percentile(times, 50).toFixed(0).padStart(6)}   ${p95.toFixed(0).padStart(6)}   ${(p95 / GOAL_MS).toFixed(2).padStart(8)}               ${received.toLocaleString('en-US')}\n`);
  }
  const chartTimes: number[] = [];
  for (let i = 0; i < Math.min(runs, 10); i++) {
    const t0 = performance.now();
    await renderChartPng({ title: 'Fulfillment digest', days: daily, carriers: carriers.map((c) => ({ carrier: `${c.carrierCode} ${c.serviceCode ?? ''}`, avgCost: c.avgCost ?? 0, shipments: c.shipments, currency: null })) });
    chartTimes.push(performance.now() - t0);
  }
  chartTimes.sort((a, b) => a - b);
  const peak = peakRssMb(process.pid);
  process.stdout.write(`chart render               ${percentile(chartTimes, 50).toFixed(0).padStart(6)}   ${percentile(chartTimes, 95).toFixed(0).padStart(6)}\n`);
  process.stdout.write(`peak RSS while reporting   ${peak.toFixed(0)} MB${reset ? '' : ' (peak not reset: includes seeding)'}   ratio ${(peak / GOAL_RSS_MB).toFixed(2)} (of ${GOAL_RSS_MB} MB)\n`);
  await store.close();
  await dispose();
}
