import { describe, expect, it } from 'vitest';
import { CHART_HEIGHT, CHART_WIDTH, chartSpec, renderChartPng } from '../../src/reports/chart';
import type { DailyRow } from '../../src/reports/report';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function day(date: string, received: number, due: number, onTime: number, currency: string | null = 'USD'): DailyRow {
  return { date, received, shipped: received, cancelled: 0, due, onTime, late: due - onTime, onTimeRate: due ? onTime / due : null, avgPurchaseToLabelHours: 4, costTotal: 10, costPerOrder: 1, currency };
}

/** The IHDR chunk's width and height: what any image viewer reads first. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the digest chart', () => {
  it.each([
    ['fourteen busy days and three carriers', Array.from({ length: 20 }, (_, i) => day(`2026-11-${String(i + 1).padStart(2, '0')}`, 100 + i, 90, 85)), [{ carrier: 'UPS Ground', avgCost: 11.4, shipments: 410, currency: 'USD' }, { carrier: 'USPS Priority', avgCost: 8.1, shipments: 600, currency: 'USD' }]],
    ['an empty fortnight and no labels', [], []],
  ])('renders %s as a PNG of the fixed chart size', async (_what, days, carriers) => {
    const png = await renderChartPng({ title: 'Fulfillment', days, carriers });
    expect(pngSize(png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    expect(png.length).toBeGreaterThan(5_000);
  });

  it('draws the last 14 days, summing currencies per day, with the on-time rate of each', () => {
    const days = [day('2026-11-01', 5, 4, 4), ...Array.from({ length: 14 }, (_, i) => day(`2026-11-${String(i + 2).padStart(2, '0')}`, 10, 4, 3)), day('2026-11-15', 2, 4, 1, 'EUR')];
    const spec = chartSpec({ title: 't', days, carriers: [] }) as unknown as { hconcat: Array<{ layer: Array<{ data: { values: Array<Record<string, unknown>> } }> }> };
    const rates = spec.hconcat[0]!.layer[1]!.data.values;
    expect(rates.map((r) => r.date)).toEqual(Array.from({ length: 14 }, (_, i) => `2026-11-${String(i + 2).padStart(2, '0')}`));
    expect(rates.at(-1)).toMatchObject({ received: 12, due: 8, onTime: 4, rate: 0.5 });
  });
});
