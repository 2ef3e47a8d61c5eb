import { describe, expect, it } from 'vitest';
import { DAY_MS, DEFAULT_FORECAST_SETTINGS, forecastSku, NO_SALES, shippedUnitsBySku, type ShippedLine } from '../../src/inventory/forecast';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const daysAgo = (d: number) => NOW - d * DAY_MS;

describe('shippedUnitsBySku', () => {
  it.each<[string, ShippedLine[], Record<string, [number, number, number]>]>([
    ['no lines: no SKU sold', [], {}],
    // 3 units 1 day ago, 4 units 10 days ago, 5 units 20 days ago: 7 d = 3, 14 d = 7, 30 d = 12.
    ['windows of 7, 14 and 30 days', [{ sku: 'A', quantity: 3, shippedAt: daysAgo(1) }, { sku: 'A', quantity: 4, shippedAt: daysAgo(10) }, { sku: 'A', quantity: 5, shippedAt: daysAgo(20) }], { A: [3, 7, 12] }],
    // Exactly 7 days ago is outside the 7-day window (it is (now − 7 d, now]); 30 days ago is outside all.
    ['window edges', [{ sku: 'A', quantity: 2, shippedAt: daysAgo(7) }, { sku: 'A', quantity: 9, shippedAt: daysAgo(30) }], { A: [0, 2, 2] }],
    // Two Amazon SKUs mapped to one ShipStation SKU arrive as lines of that SKU: they add up.
    ['a SKU mapped from two Amazon SKUs', [{ sku: 'MUG', quantity: 2, shippedAt: daysAgo(2) }, { sku: 'MUG', quantity: 1, shippedAt: daysAgo(3) }], { MUG: [3, 3, 3] }],
    // A line shipped in the future (clock skew) is not counted.
    ['a ship time after now', [{ sku: 'A', quantity: 5, shippedAt: NOW + 1000 }], {}],
  ])('%s', (_name, lines, expected) => {
    const got = Object.fromEntries([...shippedUnitsBySku(lines, NOW)].map(([sku, u]) => [sku, [u.units7, u.units14, u.units30]]));
    expect(got).toEqual(expected);
  });
});

describe('forecastSku', () => {
  const settings = DEFAULT_FORECAST_SETTINGS; // buffer 0, lead 7 d, safety 3 d
  it.each([
    // 28 units in 14 days: 2/day. Available 100 − 10 = 90; cover 45 d; reorder point 2 × 10 = 20; ok; out on 2027-01-15.
    { name: 'selling, well stocked', onHand: 100, committed: 10, shipped: { units7: 14, units14: 28, units30: 60 }, want: { available: 90, velocity7: 2, velocity14: 2, velocity30: 2, daysOfCover: 45, reorderPoint: 20, status: 'ok', stockOutDate: '2027-01-15' } },
    // Available 20 = reorder point 20: low (at or below).
    { name: 'at the reorder point is low', onHand: 25, committed: 5, shipped: { units7: 14, units14: 28, units30: 28 }, want: { available: 20, daysOfCover: 10, reorderPoint: 20, status: 'low', stockOutDate: '2026-12-11' } },
    // More committed than on hand: available is 0, never negative; out today.
    { name: 'committed beyond on hand', onHand: 3, committed: 5, shipped: { units7: 7, units14: 14, units30: 30 }, want: { available: 0, daysOfCover: 0, reorderPoint: 10, status: 'out', stockOutDate: '2026-12-01' } },
    // No sales: no cover limit, reorder point 0, ok while anything is available.
    { name: 'a SKU with no sales', onHand: 4, committed: 0, shipped: NO_SALES, want: { available: 4, velocity14: 0, daysOfCover: null, reorderPoint: 0, status: 'ok', stockOutDate: null } },
    { name: 'a SKU with no sales and no stock', onHand: 0, committed: 0, shipped: NO_SALES, want: { available: 0, daysOfCover: null, reorderPoint: 0, status: 'out', stockOutDate: '2026-12-01' } },
    // 10 units in 14 days: 0.714…/day; available 7: cover 9.8 d; reorder point 7.14: 7 ≤ 7.14, low.
    { name: 'fractional velocity', onHand: 7, committed: 0, shipped: { units7: 5, units14: 10, units30: 10 }, want: { velocity7: 0.71, velocity14: 0.71, velocity30: 0.33, daysOfCover: 9.8, reorderPoint: 7.14, status: 'low', stockOutDate: '2026-12-11' } },
  ])('$name', ({ onHand, committed, shipped, want }) => {
    expect(forecastSku({ sku: 'S', onHand, committed, shipped }, settings, NOW)).toMatchObject(want);
  });

  it('keeps the buffer back from available', () => {
    // 50 − 5 committed − 10 buffer = 35.
    expect(forecastSku({ sku: 'S', onHand: 50, committed: 5, shipped: NO_SALES }, { ...settings, bufferUnits: 10 }, NOW).available).toBe(35);
    expect(forecastSku({ sku: 'S', onHand: 8, committed: 0, shipped: NO_SALES }, { ...settings, bufferUnits: 10 }, NOW)).toMatchObject({ available: 0, status: 'out' });
  });

  it('uses the configured lead time and safety days', () => {
    // 1/day × (20 + 5) = 25.
    expect(forecastSku({ sku: 'S', onHand: 30, committed: 0, shipped: { units7: 7, units14: 14, units30: 30 } }, { bufferUnits: 0, leadTimeDays: 20, safetyDays: 5 }, NOW)).toMatchObject({ reorderPoint: 25, status: 'ok' });
  });
});
