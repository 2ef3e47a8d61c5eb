import { describe, expect, it } from 'vitest';
import { formatPacific, toPacificKey } from '../../../src/sandbox/shipstation/pacific-time';
import { FixedRateWindow } from '../../../src/sandbox/shipstation/rate-window';

describe('formatPacific', () => {
  it.each([
    ['winter (PST, UTC-8)', '2026-11-28T17:15:00Z', '2026-11-28T09:15:00.0000000'],
    ['summer (PDT, UTC-7)', '2026-07-04T19:00:00.123Z', '2026-07-04T12:00:00.1230000'],
    ['UTC midnight is the previous Pacific day', '2026-01-01T03:00:00Z', '2025-12-31T19:00:00.0000000'],
  ])('%s', (_name, iso, expected) => {
    expect(formatPacific(Date.parse(iso))).toBe(expected);
  });
});

describe('toPacificKey', () => {
  it.each([
    ['ShipStation response form', '2026-11-28T09:15:00.0000000', '2026-11-28T09:15:00.0000000'],
    ['ListOrders filter form', '2015-01-01 00:00:00', '2015-01-01T00:00:00.0000000'],
    ['date only', '2015-01-08', '2015-01-08T00:00:00.0000000'],
    ['US form from the spec examples', '6/29/2015 8:46:27 AM', '2015-06-29T08:46:27.0000000'],
    ['US form PM', '6/28/2015 5:46:27 PM', '2015-06-28T17:46:27.0000000'],
    ['12 AM is midnight', '7/5/2015 12:00:00 AM', '2015-07-05T00:00:00.0000000'],
    ['explicit UTC converts to Pacific', '2026-11-28T17:15:00Z', '2026-11-28T09:15:00.0000000'],
    ['explicit offset converts to Pacific', '2026-11-28T12:15:00-05:00', '2026-11-28T09:15:00.0000000'],
    ['31 February is not a date', '2026-02-31', null],
    ['garbage', 'next tuesday', null],
    ['13 PM', '1/1/2026 13:00:00 PM', null],
  ])('%s', (_name, input, expected) => {
    expect(toPacificKey(input)).toBe(expected);
  });
});

describe('FixedRateWindow', () => {
  it('allows the limit, refuses the next, and opens a new window when the old one ends', () => {
    let now = 1_000_000;
    const w = new FixedRateWindow(3, 10_000, () => now);
    expect([w.take('k'), w.take('k'), w.take('k')].map((d) => d.remaining)).toEqual([2, 1, 0]);
    now += 2_500;
    expect(w.take('k')).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 8 });
    expect(w.take('other').allowed).toBe(true);
    now += 7_500;
    expect(w.take('k')).toMatchObject({ allowed: true, remaining: 2, resetSeconds: 10 });
  });

  it('rounds a fractional reset up to whole seconds', () => {
    let now = 0;
    const w = new FixedRateWindow(40, 1_000, () => now);
    w.take('k');
    now = 10;
    expect(w.peek('k').resetSeconds).toBe(1);
  });
});
