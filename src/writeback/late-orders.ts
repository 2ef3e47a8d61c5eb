import type { AtRiskOrder } from './deadline-alert';
import type { Store } from '../store/store';
import { ordersAtRisk } from './deadline-guard.job';

/**
 * `late`, asked in Slack (`/dockhand late`) or at the terminal (`dockhand late`): the imported
 * orders not yet confirmed whose latest ship date falls within the guard's longest lead time, or
 * has passed. Prime first, then least time left.
 */
export function lateOrders(store: Store, now: Date, leadTimesMinutes: number[]): Promise<AtRiskOrder[]> {
  return ordersAtRisk(store, now, Math.max(...leadTimesMinutes));
}

export type LateGroup = 'late' | 'under_1h' | 'under_4h' | 'later' | 'unknown';

const GROUPS: Array<{ group: LateGroup; title: string; has: (m: number | undefined) => boolean }> = [
  { group: 'late', title: 'Late', has: (m) => m !== undefined && m < 0 },
  { group: 'under_1h', title: 'Under 1 h', has: (m) => m !== undefined && m >= 0 && m < 60 },
  { group: 'under_4h', title: 'Under 4 h', has: (m) => m !== undefined && m >= 60 && m < 240 },
  { group: 'later', title: 'Later', has: (m) => m !== undefined && m >= 240 },
  { group: 'unknown', title: 'Ship-by unknown', has: (m) => m === undefined || Number.isNaN(m) },
];

/** The orders in urgency groups (late, under 1 h, under 4 h, later, unknown), keeping their order inside each; empty groups left out. Pure. */
export function groupLateOrders(orders: AtRiskOrder[]): Array<{ group: LateGroup; title: string; orders: AtRiskOrder[] }> {
  return GROUPS.map((g) => ({ group: g.group, title: g.title, orders: orders.filter((o) => g.has(o.minutesLeft)) })).filter((g) => g.orders.length > 0);
}

/**
 * A span of minutes for people: `45 min`, `4 h`, `3 h 59 min`, `2 d 3 h`. Whole minutes, rounded
 * down, so a deadline never looks further away than it is. Pure.
 */
export function formatDuration(minutes: number): string {
  const m = Math.max(0, Math.floor(minutes));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return min > 0 ? `${h} h ${min} min` : `${h} h`;
  return `${min} min`;
}

/** `3 h 59 min left`, `due now`, `late by 25 min`: rounded towards more urgent. Pure. */
export function timeLeft(minutesLeft: number | undefined): string {
  if (minutesLeft === undefined || !Number.isFinite(minutesLeft)) return 'ship-by unknown';
  const m = Math.floor(minutesLeft);
  if (m < 0) return `late by ${formatDuration(-m)}`;
  if (m === 0) return 'due now';
  return `${formatDuration(m)} left`;
}

function utc(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** The list as plain lines for the terminal (`dockhand late`). Pure. */
export function formatLateOrders(orders: AtRiskOrder[]): string[] {
  if (orders.length === 0) return ['no orders at risk of missing their ship-by date'];
  const lines: string[] = [];
  for (const g of groupLateOrders(orders)) {
    lines.push(`${g.title} (${g.orders.length})`);
    for (const o of g.orders) {
      const parts = [
        `  ${o.amazonOrderId}`,
        `[${o.accountId}]`,
        ...(o.isPrime ? ['Prime'] : []),
        ...(o.shipByLatest ? [`ship by ${utc(o.shipByLatest)}`] : []),
        timeLeft(o.minutesLeft),
        o.shipstationOrderId !== undefined ? `ShipStation order ${o.shipstationOrderId}` : 'not in ShipStation',
      ];
      lines.push(parts.join('  '));
    }
  }
  const late = orders.filter((o) => o.minutesLeft !== undefined && o.minutesLeft < 0).length;
  const prime = orders.filter((o) => o.isPrime).length;
  lines.push('', `${orders.length} order(s) at risk${late ? `, ${late} late` : ''}${prime ? `, ${prime} Prime` : ''}: ship Prime first. Mark priority and Retry sync are in Slack (\`/dockhand late\`).`);
  return lines;
}
