import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { money } from './make-report';
import type { DailyRow } from './report';

/**
 * The digest's chart: orders and on-time rate per day over the last 14 days, and cost per
 * carrier. Vega-Lite compiles the spec, Vega renders SVG without a browser or canvas, and resvg
 * rasterises it to PNG with Inter from an npm package, so text renders the same on a machine
 * with no system fonts and nothing is downloaded or built at install.
 */

export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 520;

const require = createRequire(import.meta.url);
const FONT_FILES = ['400Regular/Inter_400Regular.ttf', '600SemiBold/Inter_600SemiBold.ttf'].map((f) => require.resolve(`@expo-google-fonts/inter/${f}`));

export interface CarrierCost {
  carrier: string;
  avgCost: number;
  shipments: number;
  currency: string | null;
}

export interface ChartInput {
  title: string;
  /** One row per day (the last 14 are drawn), as the CSV has them. */
  days: DailyRow[];
  carriers: CarrierCost[];
}

const INK = '#1d1c1d';
const MUTED = '#616061';
const BLUE = '#1264a3';
const LIGHT_BLUE = '#9ecbf0';
const GREEN = '#2bac76';
const GRID = '#ebeaeb';

/** The Vega-Lite spec of the chart (pure). */
export function chartSpec(input: ChartInput): TopLevelSpec {
  const byDay = new Map<string, { date: string; received: number; shipped: number; due: number; onTime: number }>();
  for (const d of input.days) {
    const v = byDay.get(d.date) ?? { date: d.date, received: 0, shipped: 0, due: 0, onTime: 0 };
    v.received += d.received;
    v.shipped += d.shipped;
    v.due += d.due;
    v.onTime += d.onTime;
    byDay.set(d.date, v);
  }
  const days = [...byDay.values()].sort((a, b) => a.date.localeCompare(b.date)).slice(-14);
  const perDay = days.map((d) => ({ ...d, label: shortDay(d.date), rate: d.due > 0 ? d.onTime / d.due : null }));
  const volume = perDay.flatMap((d) => [
    { label: d.label, date: d.date, series: 'Received', n: d.received },
    { label: d.label, date: d.date, series: 'Shipped', n: d.shipped },
  ]);
  // The currency names a bar only when bars are in several.
  const several = new Set(input.carriers.map((c) => c.currency)).size > 1;
  const carriers = input.carriers.map((c) => ({ ...c, name: several && c.currency ? `${c.carrier} (${c.currency})` : c.carrier, text: `${money(c.avgCost, c.currency)} · ${c.shipments}` }));
  const order = perDay.map((d) => d.label);
  const x = { field: 'label', type: 'ordinal' as const, sort: order, title: null, axis: { labelAngle: 0, labelColor: MUTED, ticks: false, domainColor: GRID } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: { left: 24, right: 28, top: 20, bottom: 16 },
    title: { text: input.title, anchor: 'start', fontSize: 20, fontWeight: 600, color: INK, offset: 14 },
    config: {
      font: 'Inter',
      view: { stroke: null },
      axis: { labelFontSize: 12, titleFontSize: 12, titleColor: MUTED, labelColor: MUTED, gridColor: GRID, domain: false, titleFontWeight: 400 },
      legend: { labelFontSize: 12, labelColor: MUTED, symbolType: 'square', orient: 'top', direction: 'horizontal', title: null },
    },
    hconcat: [
      {
        title: { text: 'Orders and on-time rate per day', anchor: 'start', fontSize: 14, fontWeight: 600, color: INK },
        width: 690,
        height: 400,
        layer: [
          {
            data: { values: volume },
            mark: { type: 'bar', cornerRadiusTopLeft: 3, cornerRadiusTopRight: 3 },
            encoding: {
              x,
              xOffset: { field: 'series', sort: ['Received', 'Shipped'] },
              y: { field: 'n', type: 'quantitative', title: 'orders', axis: { tickCount: 5 } },
              color: { field: 'series', type: 'nominal', scale: { domain: ['Received', 'Shipped', 'On time'], range: [LIGHT_BLUE, BLUE, GREEN] } },
            },
          },
          {
            data: { values: perDay.filter((d) => d.rate !== null) },
            layer: [
              { mark: { type: 'line', color: GREEN, strokeWidth: 3, interpolate: 'linear' } },
              { mark: { type: 'point', color: GREEN, filled: true, size: 60 } },
            ],
            encoding: {
              x,
              y: { field: 'rate', type: 'quantitative', title: 'on time', scale: { domain: [0, 1] }, axis: { format: '.0%', orient: 'right', grid: false, tickCount: 5 } },
            },
          },
        ],
        resolve: { scale: { y: 'independent' } },
      },
      {
        title: { text: 'Average cost per label, by carrier', anchor: 'start', fontSize: 14, fontWeight: 600, color: INK },
        width: 300,
        height: 400,
        data: { values: carriers.length > 0 ? carriers : [{ name: 'no labels', avgCost: 0, text: '' }] },
        layer: [
          { mark: { type: 'bar', color: BLUE, cornerRadiusEnd: 3, height: { band: 0.6 } } },
          { mark: { type: 'text', align: 'left', dx: 6, color: INK, fontSize: 12 }, encoding: { text: { field: 'text' } } },
        ],
        encoding: {
          y: { field: 'name', type: 'nominal', sort: '-x', title: null, axis: { ticks: false, labelColor: INK, labelFontSize: 12, labelLimit: 220 } },
          x: { field: 'avgCost', type: 'quantitative', title: 'average cost · shipments', axis: { tickCount: 4 }, scale: { nice: true, domainMax: Math.max(1, ...carriers.map((c) => c.avgCost)) * 1.45 } },
        },
      },
    ],
    spacing: 56,
  } as TopLevelSpec;
}

function shortDay(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  return `${d.toLocaleDateString('en-US', { weekday: 'short', timeZone: 'UTC' })} ${d.getUTCDate()}`;
}


/** The chart as SVG. */
export async function renderChartSvg(input: ChartInput): Promise<string> {
  const view = new vega.View(
    vega.parse(compile(chartSpec(input), { logger: vega.logger(vega.None) }).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The chart as a PNG of exactly {@link CHART_WIDTH} × {@link CHART_HEIGHT} pixels: Vega sizes
 * its SVG by its content (axis labels, titles), so the drawing is fitted into a fixed canvas
 * (its viewBox kept, centred), and Slack always shows the same frame.
 */
export async function renderChartPng(input: ChartInput): Promise<Buffer> {
  const svg = (await renderChartSvg(input)).replace(/^<svg([^>]*?) width="[\d.]+" height="[\d.]+"/, `<svg$1 width="${CHART_WIDTH}" height="${CHART_HEIGHT}"`);
  const resvg = new Resvg(svg, {
    background: 'white',
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'Inter', sansSerifFamily: 'Inter' },
  });
  return resvg.render().asPng();
}
