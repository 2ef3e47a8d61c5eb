import { describe, expect, it } from 'vitest';
import { p90, tallyRows, type LabelFactRow, type OrderFactRow, type RateChoiceRow, type ReportEventRow } from '../../src/reports/kpis';
import { dayBoundaries, namedPeriod, previousPeriod, type Period } from '../../src/reports/period';
import { assembleReport, dailyRows, reportWindow, type Report } from '../../src/reports/report';

/**
 * The KPI definitions of issue 12, table by table, with expectations worked out by hand from
 * the instants below (comments give each instant's wall clock in the seller's zone).
 */

const t = (iso: string) => Date.parse(iso);
const H = 3_600_000;

function order(key: string, over: Partial<OrderFactRow> = {}): OrderFactRow {
  return { orderKey: key, accountId: 'us', currency: 'USD', purchasedAt: null, shipBy: null, cancelledAt: null, firstLabelAt: null, confirmedAt: null, carrierCode: null, serviceCode: null, ...over };
}

function label(id: string, orderKey: string, over: Partial<LabelFactRow> = {}): LabelFactRow {
  return { labelId: id, orderKey, accountId: 'us', createdAt: 0, confirmedAt: null, carrierCode: 'ups', serviceCode: 'ups_ground', cost: null, units: 1, live: true, ...over };
}

function report(period: Period, now: number, rows: { orders?: OrderFactRow[]; labels?: LabelFactRow[]; events?: ReportEventRow[]; rateChoices?: RateChoiceRow[] }): Report {
  const tallies = tallyRows({ orders: rows.orders ?? [], labels: rows.labels ?? [], events: rows.events ?? [], rateChoices: rows.rateChoices ?? [] }, reportWindow(period, now));
  return assembleReport(tallies, period, ['us']);
}

const LA = 'America/Los_Angeles';
const day = (d: string, timeZone = LA): Period => ({ from: d, to: d, timeZone });

describe('periods', () => {
  it.each([
    // Spring forward: 2026-03-08 has 23 hours in Los Angeles (PST 08:00Z → PDT 07:00Z).
    ['2026-03-08', LA, '2026-03-08T08:00:00.000Z', '2026-03-09T07:00:00.000Z', 23],
    // Fall back: 2026-11-01 has 25 hours (PDT 07:00Z → PST 08:00Z).
    ['2026-11-01', LA, '2026-11-01T07:00:00.000Z', '2026-11-02T08:00:00.000Z', 25],
    ['2026-06-15', 'Asia/Kolkata', '2026-06-14T18:30:00.000Z', '2026-06-15T18:30:00.000Z', 24],
    // Europe/Berlin springs forward on 2026-03-29.
    ['2026-03-29', 'Europe/Berlin', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 23],
  ])('%s in %s runs from %s to %s (%i hours)', (d, tz, start, end, hours) => {
    const [a, b] = dayBoundaries(day(d, tz));
    expect([new Date(a!).toISOString(), new Date(b!).toISOString(), (b! - a!) / H]).toEqual([start, end, hours]);
  });

  it.each([
    [{ from: '2026-11-01', to: '2026-11-07', timeZone: LA }, { from: '2026-10-25', to: '2026-10-31', timeZone: LA }],
    [{ from: '2026-03-01', to: '2026-03-01', timeZone: LA }, { from: '2026-02-28', to: '2026-02-28', timeZone: LA }],
    [{ from: '2024-03-01', to: '2024-03-31', timeZone: LA }, { from: '2024-01-30', to: '2024-02-29', timeZone: LA }],
  ])('the previous period of %o is %o', (p, prev) => expect(previousPeriod(p)).toEqual(prev));

  it.each([
    // 2026-12-01T06:00Z is still Nov 30 in Los Angeles.
    ['today', { from: '2026-11-30', to: '2026-11-30' }],
    ['yesterday', { from: '2026-11-29', to: '2026-11-29' }],
    ['7d', { from: '2026-11-23', to: '2026-11-29' }],
    ['30d', { from: '2026-10-31', to: '2026-11-29' }],
  ] as const)('%s, asked at 22:00 on Nov 30 in Los Angeles, is %o', (name, expected) => {
    expect(namedPeriod(name, t('2026-12-01T06:00:00Z'), LA)).toEqual({ ...expected, timeZone: LA });
  });
});

describe('p90 by nearest rank', () => {
  it.each([
    [[], null],
    [[5], 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9],
    // ⌈0.9 × 11⌉ = 10th smallest.
    [[11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10],
    [[3, 1], 3],
  ])('p90 of %o is %s', (values, expected) => expect(p90(values)).toBe(expected));
});

describe('KPI definitions', () => {
  const now = t('2026-12-01T18:00:00Z');

  it('an empty period counts nothing and rates nothing', () => {
    const r = report(day('2026-11-30'), now, {});
    expect(r).toMatchObject({
      from: '2026-11-30',
      to: '2026-11-30',
      timeZone: LA,
      accounts: ['us'],
      orders: { received: 0, shipped: 0, cancelled: 0, openAtEnd: 0 },
      timeToShip: { purchaseToLabelHours: { avg: null, p90: null }, labelToConfirmationMinutes: { avg: null, p90: null } },
      onTime: { due: 0, onTime: 0, late: 0, rate: null, lateByCause: { labelLate: 0, confirmationLate: 0, notShipped: 0 } },
      carriers: [],
      cost: { total: 0, perOrder: null, perItem: null, currency: null },
      quarantined: 0,
      retried: 0,
      rateShopSavings: { orders: 0, total: 0, currency: null },
      previous: { from: '2026-11-29', to: '2026-11-29', orders: { received: 0 } },
    });
  });

  it.each([
    // [what, purchase instant, counted on 2026-03-08 (a 23-hour day in Los Angeles)]
    ['00:30 PST on Mar 8', '2026-03-08T08:30:00Z', true],
    ['23:45 PDT on Mar 8', '2026-03-09T06:45:00Z', true],
    ['00:15 PDT on Mar 9', '2026-03-09T07:15:00Z', false],
    ['23:30 PST on Mar 7', '2026-03-08T07:30:00Z', false],
  ])('spring forward: an order bought at %s is received on Mar 8: %s', (_what, at, counted) => {
    expect(report(day('2026-03-08'), now, { orders: [order('a', { purchasedAt: t(at) })] }).orders.received).toBe(counted ? 1 : 0);
  });

  it.each([
    ['00:30 PDT on Nov 1', '2026-11-01T07:30:00Z', true],
    ['01:30 PST (the second 01:30) on Nov 1', '2026-11-01T09:30:00Z', true],
    ['23:30 PST on Nov 1', '2026-11-02T07:30:00Z', true],
    ['00:10 PST on Nov 2', '2026-11-02T08:10:00Z', false],
  ])('fall back: an order bought at %s is received on Nov 1: %s', (_what, at, counted) => {
    expect(report(day('2026-11-01'), now, { orders: [order('a', { purchasedAt: t(at) })] }).orders.received).toBe(counted ? 1 : 0);
  });

  it('time to ship across the spring-forward gap is elapsed time, not wall-clock time', () => {
    // Bought 01:00 PST, labelled 05:00 PDT: the wall clock says 4 hours, 3 have passed.
    const r = report(day('2026-03-08'), now, { orders: [order('a', { purchasedAt: t('2026-03-08T09:00:00Z'), firstLabelAt: t('2026-03-08T12:00:00Z') })] });
    expect(r.timeToShip.purchaseToLabelHours).toEqual({ avg: 3, p90: 3 });
  });

  it('an order bought before midnight and labelled after is received one day and shipped the next', () => {
    // Bought 23:50 on Nov 29, labelled 00:20 on Nov 30 (PST = UTC−8).
    const a = order('a', { purchasedAt: t('2026-11-30T07:50:00Z'), firstLabelAt: t('2026-11-30T08:20:00Z') });
    const r = report(day('2026-11-30'), now, { orders: [a] });
    expect(r.orders).toEqual({ received: 0, shipped: 1, cancelled: 0, openAtEnd: 0 });
    expect(r.timeToShip.purchaseToLabelHours).toEqual({ avg: 0.5, p90: 0.5 });
    // Open at the end of Nov 29: bought, not yet labelled.
    expect(r.previous.orders).toEqual({ received: 1, shipped: 0, cancelled: 0, openAtEnd: 1 });
  });

  it('on time, late and why, over the orders due', () => {
    const shipBy = t('2026-11-30T20:00:00Z'); // 12:00 PST Nov 30
    const r = report(day('2026-11-30'), now, {
      orders: [
        order('onTime', { shipBy, firstLabelAt: shipBy - 3 * H, confirmedAt: shipBy - 2 * H }),
        order('labelLate', { shipBy, firstLabelAt: shipBy + H, confirmedAt: shipBy + 2 * H }),
        order('confirmationLate', { shipBy, firstLabelAt: shipBy - H, confirmedAt: shipBy + H }),
        order('notShipped', { shipBy }),
        // Confirmed to the minute is on time.
        order('atTheDeadline', { shipBy, firstLabelAt: shipBy - H, confirmedAt: shipBy }),
        // Cancelled before it shipped: a cancel, not a late shipment.
        order('cancelled', { shipBy, cancelledAt: shipBy - H }),
        // Due tomorrow: outside the period.
        order('tomorrow', { shipBy: shipBy + 24 * H }),
      ],
    });
    expect(r.onTime).toEqual({ due: 5, onTime: 2, late: 3, rate: 0.4, lateByCause: { labelLate: 1, confirmationLate: 1, notShipped: 1 } });
  });

  it('an unshipped order whose deadline is still ahead is not due yet; once confirmed it is', () => {
    // Report for today (Nov 30) made at 10:00 PST, deadline 16:00 PST.
    const madeAt = t('2026-11-30T18:00:00Z');
    const shipBy = t('2026-12-01T00:00:00Z');
    const r = report(day('2026-11-30'), madeAt, { orders: [order('waiting', { shipBy }), order('done', { shipBy, firstLabelAt: madeAt - H, confirmedAt: madeAt - H / 2 })] });
    expect(r.onTime).toMatchObject({ due: 1, onTime: 1, late: 0, rate: 1 });
  });

  it('a voided label and its replacement count once: the replacement ships the order', () => {
    const bought = t('2026-11-30T16:00:00Z');
    const r = report(day('2026-11-30'), now, {
      orders: [order('a', { purchasedAt: bought, firstLabelAt: bought + 2 * H })],
      labels: [
        label('void', 'a', { createdAt: bought + H, cost: 9.1, live: false, carrierCode: 'fedex', serviceCode: 'fedex_ground' }),
        label('new', 'a', { createdAt: bought + 2 * H, cost: 6.4, units: 2 }),
      ],
    });
    expect(r.orders.shipped).toBe(1);
    expect(r.timeToShip.purchaseToLabelHours.avg).toBe(2);
    expect(r.carriers).toEqual([{ carrierCode: 'ups', serviceCode: 'ups_ground', shipments: 1, avgCost: 6.4, onTimeRate: null }]);
    expect(r.cost).toEqual({ total: 6.4, perOrder: 6.4, perItem: 3.2, currency: 'USD' });
  });

  it('a split shipment is one order shipped and two shipments, its cost shared by its items', () => {
    const shipBy = t('2026-12-01T07:00:00Z'); // 23:00 PST Nov 30
    const first = t('2026-11-30T17:00:00Z');
    const r = report(day('2026-11-30'), now, {
      orders: [order('a', { purchasedAt: first - 5 * H, shipBy, firstLabelAt: first, confirmedAt: first + 10 * 60_000, carrierCode: 'ups', serviceCode: 'ups_ground' })],
      labels: [
        label('box1', 'a', { createdAt: first, confirmedAt: first + 10 * 60_000, cost: 5, units: 2 }),
        label('box2', 'a', { createdAt: first + H, confirmedAt: first + H + 30 * 60_000, cost: 3, units: 1, carrierCode: 'stamps_com', serviceCode: 'usps_priority_mail' }),
      ],
    });
    expect(r.orders.shipped).toBe(1);
    // On time is judged on the first label (Amazon counts the first confirmation): UPS's.
    expect(r.carriers).toEqual([
      { carrierCode: 'stamps_com', serviceCode: 'usps_priority_mail', shipments: 1, avgCost: 3, onTimeRate: null },
      { carrierCode: 'ups', serviceCode: 'ups_ground', shipments: 1, avgCost: 5, onTimeRate: 1 },
    ]);
    // 8 over one order and three units.
    expect(r.cost).toEqual({ total: 8, perOrder: 8, perItem: 2.67, currency: 'USD' });
    // Each label's own confirmation: 10 and 30 minutes; p90 of two is the larger.
    expect(r.timeToShip.labelToConfirmationMinutes).toEqual({ avg: 20, p90: 30 });
  });

  it('several currencies are reported side by side, never added up', () => {
    const at = t('2026-11-30T17:00:00Z');
    const r = report(day('2026-11-30'), now, {
      orders: [order('us', { firstLabelAt: at }), order('us2', { firstLabelAt: at }), order('de', { currency: 'EUR', firstLabelAt: at })],
      labels: [label('1', 'us', { createdAt: at, cost: 10 }), label('2', 'us2', { createdAt: at, cost: 5 }), label('3', 'de', { createdAt: at, cost: 8, carrierCode: 'dhl_express', serviceCode: null })],
    });
    expect(r.orders.shipped).toBe(3);
    expect(r.cost).toEqual([
      { total: 8, perOrder: 8, perItem: 8, currency: 'EUR' },
      { total: 15, perOrder: 7.5, perItem: 7.5, currency: 'USD' },
    ]);
    expect(r.carriers).toEqual([
      { carrierCode: 'ups', serviceCode: 'ups_ground', shipments: 2, avgCost: 7.5, onTimeRate: null, currency: 'USD' },
      { carrierCode: 'dhl_express', serviceCode: null, shipments: 1, avgCost: 8, onTimeRate: null, currency: 'EUR' },
    ]);
  });

  it('counts cancellations, quarantines and retries on their own day, and open orders at the end', () => {
    const r = report(day('2026-11-30'), now, {
      orders: [
        order('c', { purchasedAt: t('2026-11-29T20:00:00Z'), cancelledAt: t('2026-11-30T19:00:00Z') }),
        order('open', { purchasedAt: t('2026-11-30T19:00:00Z') }),
        // Shipped the next day: still open at the end of Nov 30.
        order('late', { purchasedAt: t('2026-11-30T10:00:00Z'), firstLabelAt: t('2026-12-01T17:00:00Z') }),
      ],
      events: [
        { accountId: 'us', kind: 'quarantined', at: t('2026-11-30T12:00:00Z') },
        { accountId: 'us', kind: 'retried', at: t('2026-11-30T13:00:00Z') },
        { accountId: 'us', kind: 'retried', at: t('2026-11-30T07:00:00Z') }, // 23:00 on Nov 29
      ],
    });
    expect(r.orders).toEqual({ received: 2, shipped: 0, cancelled: 1, openAtEnd: 2 });
    expect([r.quarantined, r.retried, r.previous.retried]).toEqual([1, 1, 1]);
    expect(r.previous.orders).toEqual({ received: 1, shipped: 0, cancelled: 0, openAtEnd: 1 });
  });

  const choice = (key: string, at: string, saving: number | null, chosen = true): RateChoiceRow => ({ orderKey: key, accountId: 'us', requestedAt: t(at), chosen, saving });
  it.each([
    ['nothing rate-shopped', [], [], { orders: 0, total: 0, currency: null }],
    [
      // 23:30 on Nov 29 in Los Angeles belongs to the previous day; a failed choice saved nothing.
      'two choices on the day, one the day before, one failed',
      [order('a'), order('b'), order('c'), order('d')],
      [choice('a', '2026-11-30T09:00:00Z', 1.25), choice('b', '2026-12-01T07:30:00Z', null), choice('c', '2026-11-30T07:30:00Z', 4), choice('d', '2026-11-30T12:00:00Z', 9, false)],
      { orders: 2, total: 1.25, currency: 'USD' },
    ],
    [
      'dollars and euros apart',
      [order('a'), order('e', { currency: 'EUR' })],
      [choice('a', '2026-11-30T09:00:00Z', 2.5), choice('e', '2026-11-30T10:00:00Z', 1.1)],
      [{ orders: 1, total: 1.1, currency: 'EUR' }, { orders: 1, total: 2.5, currency: 'USD' }],
    ],
  ] as const)('rate shopping savings: %s', (_what, orders, rateChoices, expected) => {
    expect(report(day('2026-11-30'), now, { orders: [...orders], rateChoices: [...rateChoices] }).rateShopSavings).toEqual(expected);
  });

  it('the daily rows give each day, a quiet one included', () => {
    const period = { from: '2026-11-29', to: '2026-11-30', timeZone: LA };
    const shipBy = t('2026-11-30T20:00:00Z');
    const rows = {
      orders: [order('a', { purchasedAt: t('2026-11-30T16:00:00Z'), shipBy, firstLabelAt: t('2026-11-30T18:00:00Z'), confirmedAt: shipBy + H })],
      labels: [label('1', 'a', { createdAt: t('2026-11-30T18:00:00Z'), cost: 7.25 })],
      events: [],
    };
    expect(dailyRows(tallyRows(rows, reportWindow(period, now)), period)).toEqual([
      { date: '2026-11-29', received: 0, shipped: 0, cancelled: 0, due: 0, onTime: 0, late: 0, onTimeRate: null, avgPurchaseToLabelHours: null, costTotal: 0, costPerOrder: null, currency: 'USD' },
      { date: '2026-11-30', received: 1, shipped: 1, cancelled: 0, due: 1, onTime: 0, late: 1, onTimeRate: 0, avgPurchaseToLabelHours: 2, costTotal: 7.25, costPerOrder: 7.25, currency: 'USD' },
    ]);
  });
});
