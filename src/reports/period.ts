import { DockhandError } from '../domain/errors';
import { localDay, wallToEpoch } from '../domain/wall-clock';

/**
 * Report periods: calendar days in the seller's zone, midnight to midnight, both ends included.
 * A day is not always 24 hours (DST nights are 23 or 25), so every boundary is the instant the
 * zone's wall clock reads 00:00, looked up in the tz database. Pure.
 */
export interface Period {
  from: string;
  to: string;
  timeZone: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written `YYYY-MM-DD`. */
export function isCalendarDay(s: string): boolean {
  const m = DAY.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** The calendar day `n` days after `day` (before, when negative). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to`, both included. */
export function daysIn(p: Pick<Period, 'from' | 'to'>): number {
  return Math.round((Date.parse(`${p.to}T00:00:00Z`) - Date.parse(`${p.from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The instant the zone's clock reads midnight starting `day`. */
export function midnight(day: string, timeZone: string): number {
  const [year, month, d] = day.split('-').map(Number) as [number, number, number];
  return wallToEpoch({ year, month, day: d, hour: 0, minute: 0, second: 0, ms: 0 }, timeZone);
}

/** Each day's first instant, and the instant after the last day: `daysIn(p) + 1` boundaries. */
export function dayBoundaries(p: Period): number[] {
  const n = daysIn(p);
  return Array.from({ length: n + 1 }, (_, i) => midnight(addDays(p.from, i), p.timeZone));
}

/** The same number of calendar days just before. */
export function previousPeriod(p: Period): Period {
  const n = daysIn(p);
  return { from: addDays(p.from, -n), to: addDays(p.from, -1), timeZone: p.timeZone };
}

/** Checks a period given by a person: real days, in order, a known zone. */
export function checkPeriod(p: Period): Period {
  for (const [name, v] of [['--from', p.from], ['--to', p.to]] as const) {
    if (!isCalendarDay(v)) throw new DockhandError('report.invalid_period', `${name} "${v}" is not a day written YYYY-MM-DD`, { hint: 'Write the day as 2026-11-30.' });
  }
  if (p.from > p.to) throw new DockhandError('report.invalid_period', `the period starts (${p.from}) after it ends (${p.to})`, { hint: 'Give --from a day no later than --to.' });
  if (daysIn(p) > 400) throw new DockhandError('report.invalid_period', `the period ${p.from}–${p.to} is ${daysIn(p)} days long`, { hint: 'Ask for at most 400 days (facts are kept 400 days by default).' });
  return p;
}

/** Named periods as `/dockhand report` takes them, ending on the zone's today or yesterday. */
export function namedPeriod(name: 'today' | 'yesterday' | '7d' | '30d', now: number, timeZone: string): Period {
  const today = localDay(now, timeZone);
  const yesterday = addDays(today, -1);
  switch (name) {
    case 'today':
      return { from: today, to: today, timeZone };
    case 'yesterday':
      return { from: yesterday, to: yesterday, timeZone };
    case '7d':
      return { from: addDays(yesterday, -6), to: yesterday, timeZone };
    case '30d':
      return { from: addDays(yesterday, -29), to: yesterday, timeZone };
  }
}
