import { costsOf, money } from './make-report';
import type { Report } from './report';

/**
 * The digest and `/dockhand report` summary in Block Kit: the period's figures with an arrow
 * against the previous period, the chart (an uploaded file), and the buttons Late orders, By
 * carrier and Download CSV. Pure.
 */

export const REPORT_ACTIONS = { lateOrders: 'report_late_orders', byCarrier: 'report_by_carrier', downloadCsv: 'report_download_csv' } as const;

/** What a report button carries: the period and account it was made for. */
export interface ReportButtonValue {
  from: string;
  to: string;
  account?: string;
}

/** Amazon's own figure beside ours (account health), when the seller performance report was read. */
export interface HealthFigure {
  name: string;
  /** Amazon's value, a fraction. */
  amazon: number | null;
  /** What Dockhand measured for the same thing, a fraction, when it measures it. */
  dockhand?: number | null;
  target: { below?: number; above?: number };
  /** Within a fifth of the distance to the target's limit. */
  nearTarget: boolean;
}

/** A SKU the inventory job last judged out of stock or low (its `stock_states`). */
export interface StockAtRisk {
  sku: string;
  available: number;
  status: 'out' | 'low';
}

/** The SKUs at risk, out of stock first and then the fewest available, at most `limit`. Pure. */
export function stockAtRisk(states: Map<string, { available: number; status: string }>, limit = 5): { shown: StockAtRisk[]; total: number } {
  const all = [...states.entries()]
    .filter((e): e is [string, { available: number; status: 'out' | 'low' }] => e[1].status === 'out' || e[1].status === 'low')
    .map(([sku, s]) => ({ sku, available: s.available, status: s.status }))
    .sort((a, b) => (a.status === b.status ? a.available - b.available || a.sku.localeCompare(b.sku) : a.status === 'out' ? -1 : 1));
  return { shown: all.slice(0, limit), total: all.length };
}

const pct = (x: number | null, digits = 1) => (x === null ? '—' : `${(x * 100).toFixed(digits)} %`);

/** ▲/▼ and the change against the previous value; `points` for rates. */
export function trend(now: number | null, before: number | null, kind: 'count' | 'rate' | 'amount' = 'count'): string {
  if (now === null || before === null) return '';
  if (now === before) return '→ same as before';
  const arrow = now > before ? '▲' : '▼';
  if (kind === 'rate') return Math.abs(now - before) < 0.0005 ? '→ about the same' : `${arrow} ${Math.abs((now - before) * 100).toFixed(1)} pts`;
  if (before === 0) return `${arrow} from 0`;
  const change = Math.abs(((now - before) / before) * 100);
  return change < 0.5 ? '→ about the same' : `${arrow} ${change.toFixed(0)} %`;
}

const field = (title: string, value: string, change: string) => ({ type: 'mrkdwn', text: `*${title}*\n${value}${change ? `   _${change}_` : ''}` });

function periodName(r: Pick<Report, 'from' | 'to'>): string {
  const d = (s: string) => new Date(`${s}T12:00:00Z`).toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' });
  return r.from === r.to ? d(r.from) : `${d(r.from)} – ${d(r.to)}`;
}

export function reportBlocks(r: Report, opts: { title: string; chartFileId?: string; health?: HealthFigure[]; account?: string; stock?: { shown: StockAtRisk[]; total: number } }): { text: string; blocks: unknown[] } {
  const p = r.previous;
  const hours = (x: number | null) => (x === null ? '—' : `${x} h`);
  const cost = costsOf(r);
  const before = costsOf(p);
  const fields = [
    field('Orders received', String(r.orders.received), trend(r.orders.received, p.orders.received)),
    field('Orders shipped', String(r.orders.shipped), trend(r.orders.shipped, p.orders.shipped)),
    field('On time', `${pct(r.onTime.rate)} of ${r.onTime.due} due`, trend(r.onTime.rate, p.onTime.rate, 'rate')),
    field('Late', `${r.onTime.late} (label ${r.onTime.lateByCause.labelLate}, confirmation ${r.onTime.lateByCause.confirmationLate}, not shipped ${r.onTime.lateByCause.notShipped})`, ''),
    field('Purchase → label', `${hours(r.timeToShip.purchaseToLabelHours.avg)} avg · ${hours(r.timeToShip.purchaseToLabelHours.p90)} p90`, trend(r.timeToShip.purchaseToLabelHours.avg, p.timeToShip.purchaseToLabelHours.avg, 'amount')),
    field(
      'Cost per order',
      cost.length === 0 ? '—' : cost.map((c) => money(c.perOrder, c.currency)).join(' · '),
      cost.length === 1 && before.length === 1 && before[0]!.currency === cost[0]!.currency ? trend(cost[0]!.perOrder, before[0]!.perOrder, 'amount') : '',
    ),
  ];
  const context = [
    `Open at the end: *${r.orders.openAtEnd}*`,
    `cancelled: *${r.orders.cancelled}*`,
    `quarantined: *${r.quarantined}*, retried: *${r.retried}*`,
    `label → confirmed on Amazon: *${r.timeToShip.labelToConfirmationMinutes.avg ?? '—'} min* avg`,
    ...[r.rateShopSavings].flat().filter((x) => x.orders > 0).map((x) => `rate shopping saved *${money(x.total, x.currency)}* on ${x.orders} order${x.orders === 1 ? '' : 's'}`),
    `vs ${periodName(p)}`,
  ].join(' · ');
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: `${opts.title} · ${periodName(r)}`.slice(0, 150) } },
    { type: 'section', fields },
    { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
  ];
  if (opts.health && opts.health.length > 0) {
    const lines = opts.health.map((h) => {
      const limit = h.target.below !== undefined ? `< ${pct(h.target.below, 1)}` : `> ${pct(h.target.above ?? 0, 1)}`;
      const ours = h.dockhand === undefined ? '' : ` · Dockhand ${pct(h.dockhand)}`;
      return `${h.nearTarget ? ':warning: ' : ''}*${h.name}*: Amazon ${pct(h.amazon)} (target ${limit})${ours}`;
    });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Account health (Amazon's figures)*\n${lines.join('\n')}` } });
  }
  if (opts.stock && opts.stock.total > 0) {
    const lines = opts.stock.shown.map((x) => (x.status === 'out' ? `:red_circle: \`${x.sku}\` out of stock` : `:large_orange_circle: \`${x.sku}\` low: ${x.available} available`));
    const more = opts.stock.total > opts.stock.shown.length ? `\n…and ${opts.stock.total - opts.stock.shown.length} more; \`/dockhand stock <sku>\` shows one` : '';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Stock at risk*\n${lines.join('\n')}${more}`.slice(0, 3000) } });
  }
  if (opts.chartFileId) blocks.push({ type: 'image', slack_file: { id: opts.chartFileId }, alt_text: `Orders and on-time rate per day, and cost per carrier, up to ${r.to}` });
  const value = JSON.stringify({ from: r.from, to: r.to, ...(opts.account ? { account: opts.account } : {}) } satisfies ReportButtonValue);
  blocks.push({
    type: 'actions',
    elements: [
      { type: 'button', action_id: REPORT_ACTIONS.lateOrders, text: { type: 'plain_text', text: 'Late orders' }, value },
      { type: 'button', action_id: REPORT_ACTIONS.byCarrier, text: { type: 'plain_text', text: 'By carrier' }, value },
      { type: 'button', action_id: REPORT_ACTIONS.downloadCsv, text: { type: 'plain_text', text: 'Download CSV' }, value },
    ],
  });
  const text = `${opts.title} ${periodName(r)}: ${r.orders.received} received, ${r.orders.shipped} shipped, ${pct(r.onTime.rate)} on time`;
  return { text, blocks };
}

/** The By carrier reply: one line per carrier and service. */
export function carrierBlocks(r: Report): { text: string; blocks: unknown[] } {
  const fallback = costsOf(r)[0]?.currency ?? null;
  const lines = r.carriers.map(
    (c) => `*${c.carrierCode}* ${c.serviceCode ? `\`${c.serviceCode}\`` : ''}: ${c.shipments} shipment${c.shipments === 1 ? '' : 's'} · ${money(c.avgCost, c.currency ?? fallback)} avg · ${pct(c.onTimeRate)} on time`,
  );
  const text = lines.length > 0 ? lines.join('\n') : 'No labels in this period.';
  return { text: `By carrier, ${periodName(r)}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*By carrier · ${periodName(r)}*\n${text}`.slice(0, 3000) } }] };
}

export interface LateOrderLine {
  amazonOrderId: string;
  accountId: string;
  shipBy: string;
  cause: 'labelLate' | 'confirmationLate' | 'notShipped';
}

const CAUSE = { labelLate: 'label after the deadline', confirmationLate: 'confirmed late', notShipped: 'not shipped' } as const;

export function lateOrderBlocks(r: Pick<Report, 'from' | 'to'>, late: LateOrderLine[], total: number): { text: string; blocks: unknown[] } {
  const lines = late.map((o) => `\`${o.amazonOrderId}\` · ${o.accountId} · due ${o.shipBy.slice(0, 16).replace('T', ' ')} UTC · ${CAUSE[o.cause]}`);
  const more = total > late.length ? `\n…and ${total - late.length} more (\`dockhand report --format csv\` has every day).` : '';
  const body = lines.length > 0 ? lines.join('\n') + more : 'No late orders in this period.';
  return { text: `Late orders, ${periodName(r)}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*Late orders · ${periodName(r)}*\n${body}`.slice(0, 3000) } }] };
}
