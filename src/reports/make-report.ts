import { stringify } from 'csv-stringify/sync';
import type { Store } from '../store/store';
import type { Period } from './period';
import { assembleReport, CSV_COLUMNS, dailyRows, reportWindow, type CostFigures, type DailyRow, type Figures, type Report } from './report';

/** A report of `period` over `accounts` (the configured ones), from the store's aggregates. */
export async function makeReport(store: Store, period: Period, accounts: string[], now: Date, only?: string): Promise<{ report: Report; daily: DailyRow[] }> {
  const tallies = await store.reports.tallies(reportWindow(period, now.getTime()), only ? [only] : []);
  return { report: assembleReport(tallies, period, only ? [only] : accounts), daily: dailyRows(tallies, period) };
}

export function toCsv(rows: DailyRow[]): string {
  return stringify(
    rows.map((r) => CSV_COLUMNS.map((c) => r[c] ?? '')),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
const num = (x: number | null, unit = '') => (x === null ? '—' : `${x}${unit}`);

export function costsOf(f: Figures): CostFigures[] {
  return Array.isArray(f.cost) ? f.cost : f.cost.currency === null && f.cost.total === 0 ? [] : [f.cost];
}

export function money(amount: number | null, currency: string | null): string {
  if (amount === null) return '—';
  if (!currency) return amount.toFixed(2);
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** The report as `dockhand report` prints it by default: one figure a line, the previous period beside it. */
export function formatReportTable(r: Report): string[] {
  const p = r.previous;
  const row = (name: string, now: string, before: string) => `${name.padEnd(34)}${now.padStart(14)}${before.padStart(14)}`;
  const lines = [
    `Fulfillment ${r.from === r.to ? r.from : `${r.from} – ${r.to}`} (${r.timeZone}) · ${r.accounts.join(', ') || 'all accounts'}`,
    row('', 'period', `${p.from === p.to ? p.from : 'previous'}`),
    row('orders received', String(r.orders.received), String(p.orders.received)),
    row('orders shipped', String(r.orders.shipped), String(p.orders.shipped)),
    row('orders cancelled', String(r.orders.cancelled), String(p.orders.cancelled)),
    row('open at the end', String(r.orders.openAtEnd), String(p.orders.openAtEnd)),
    row('purchase → label, avg / p90 (h)', `${num(r.timeToShip.purchaseToLabelHours.avg)} / ${num(r.timeToShip.purchaseToLabelHours.p90)}`, `${num(p.timeToShip.purchaseToLabelHours.avg)} / ${num(p.timeToShip.purchaseToLabelHours.p90)}`),
    row('label → confirmed, avg / p90 (min)', `${num(r.timeToShip.labelToConfirmationMinutes.avg)} / ${num(r.timeToShip.labelToConfirmationMinutes.p90)}`, `${num(p.timeToShip.labelToConfirmationMinutes.avg)} / ${num(p.timeToShip.labelToConfirmationMinutes.p90)}`),
    row('on time (of due)', `${pct(r.onTime.rate)} of ${r.onTime.due}`, `${pct(p.onTime.rate)} of ${p.onTime.due}`),
    row('  late: label / confirmation / none', `${r.onTime.lateByCause.labelLate} / ${r.onTime.lateByCause.confirmationLate} / ${r.onTime.lateByCause.notShipped}`, `${p.onTime.lateByCause.labelLate} / ${p.onTime.lateByCause.confirmationLate} / ${p.onTime.lateByCause.notShipped}`),
    row('quarantined / retried', `${r.quarantined} / ${r.retried}`, `${p.quarantined} / ${p.retried}`),
  ];
  for (const s of [r.rateShopSavings].flat()) {
    if (s.orders > 0) lines.push(row(`rate shopping saved${s.currency ? ` ${s.currency}` : ''} (orders)`, `${money(s.total, s.currency)} (${s.orders})`, ''));
  }
  for (const c of costsOf(r)) {
    lines.push(row(`cost ${c.currency ?? ''} total / per order / per item`.replace('  ', ' '), `${money(c.total, c.currency)}`, ''), row('', `${money(c.perOrder, c.currency)} / ${money(c.perItem, c.currency)}`, ''));
  }
  if (r.carriers.length > 0) {
    lines.push('', `${'carrier / service'.padEnd(40)}${'shipments'.padStart(10)}${'avg cost'.padStart(12)}${'on time'.padStart(10)}`);
    for (const c of r.carriers) {
      lines.push(`${`${c.carrierCode} / ${c.serviceCode ?? '—'}`.padEnd(40)}${String(c.shipments).padStart(10)}${money(c.avgCost, c.currency ?? costsOf(r)[0]?.currency ?? null).padStart(12)}${pct(c.onTimeRate).padStart(10)}`);
    }
  }
  return lines;
}
