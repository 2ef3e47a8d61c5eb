import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger';
import { REPORT_ACTIONS, stockAtRisk } from '../../src/reports/digest-message';
import { isPastDigestTime, parseReportArgs, reportsFace, runDigest, type ReportsContext } from '../../src/reports/digest.job';
import { backfillSandboxHistory } from '../../src/reports/history';
import type { ReportsSlackApi } from '../../src/reports/slack-files';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/reports/chart';
import { startSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/web-api-simulator';
import { Store } from '../../src/store/store';

/** The digest against the Slack Web API simulator, over the sandbox's 30 days of history. */

const TOKEN = 'xoxb-digest';
const TZ = 'America/Los_Angeles';
const NOW = new Date('2026-12-01T17:00:00Z'); // 09:00 on Dec 1 in Los Angeles
let sim: SlackSimulator | undefined;
let store: Store | undefined;

afterEach(async () => {
  await sim?.close();
  await store?.close();
  sim = undefined;
  store = undefined;
});

async function setUp(owner = 'replica-a'): Promise<ReportsContext> {
  sim ??= await startSlackSimulator({ botToken: TOKEN, signingSecret: 'digest-secret' });
  if (!store) {
    store = await Store.open({ memory: true });
    await backfillSandboxHistory(store, { now: NOW, timeZone: TZ, accountId: 'default', currency: 'USD' });
  }
  const api = new webApi.WebClient(TOKEN, { slackApiUrl: `${sim.url}/api/` }) as unknown as ReportsSlackApi;
  return { store, api, timeZone: TZ, accounts: ['default'], channel: 'C0OPS00001', digestTime: '08:00', owner, logger: silentLogger, now: () => NOW };
}

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the daily digest', () => {
  it('posts the summary with its chart once, whichever replica and however often it runs', async () => {
    const a = await setUp('replica-a');
    const posted = await runDigest(a);
    expect(posted).toMatchObject({ outcome: 'posted', day: '2026-11-30' });
    const [message] = sim!.messages('C0OPS00001');
    const image = (message!.blocks as Array<Record<string, unknown>>).find((b) => b.type === 'image') as { slack_file: { id: string } };
    const file = sim!.files().find((f) => f.id === image.slack_file.id)!;
    expect(file.completed).toBe(true);
    expect(pngSize(file.bytes!)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    expect(message!.text).toMatch(/^Fulfillment digest Mon, Nov 30: \d+ received, \d+ shipped, [\d.]+ % on time$/);

    expect(await runDigest(a)).toMatchObject({ outcome: 'already_posted' });
    expect(await runDigest(await setUp('replica-b'))).toMatchObject({ outcome: 'already_posted' });
    expect(sim!.messages('C0OPS00001')).toHaveLength(1);
    expect(await store!.digests.get('2026-11-30')).toMatchObject({ ts: posted.outcome === 'posted' ? posted.ts : '' });
  }, 20_000);

  it('shows the SKUs the inventory job found out of stock or low, out of stock first', async () => {
    const ctx = await setUp('replica-a');
    await ctx.store.inventory.saveStates([{ sku: 'WH-1', available: 3, status: 'low' }, { sku: 'WH-2', available: 0, status: 'out' }, { sku: 'WH-3', available: 90, status: 'ok' }], NOW.getTime());
    await runDigest(ctx, { day: '2026-11-29' });
    const section = (sim!.messages('C0OPS00001').at(-1)!.blocks as Array<{ text?: { text: string } }>).find((b) => b.text?.text.startsWith('*Stock at risk*'));
    expect(section?.text?.text).toBe('*Stock at risk*\n:red_circle: `WH-2` out of stock\n:large_orange_circle: `WH-1` low: 3 available');
  }, 20_000);

  it('Download CSV puts the period in the thread, one row per day', async () => {
    const ctx = await setUp();
    const posted = await runDigest(ctx);
    if (posted.outcome !== 'posted') throw new Error(posted.outcome);
    const face = reportsFace(ctx);
    await face.action(REPORT_ACTIONS.downloadCsv, JSON.stringify({ from: '2026-11-24', to: '2026-11-30' }), { channel: 'C0OPS00001', messageTs: posted.ts });
    const reply = sim!.messages('C0OPS00001').find((m) => m.thread_ts === posted.ts)!;
    const csv = sim!.files().find((f) => f.id === reply.files![0]!.id)!.bytes!.toString('utf8').trim().split('\n');
    expect(csv[0]).toBe('date,received,shipped,cancelled,due,onTime,late,onTimeRate,avgPurchaseToLabelHours,costTotal,costPerOrder,currency');
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']);

    const carriers = await face.action(REPORT_ACTIONS.byCarrier, JSON.stringify({ from: '2026-11-24', to: '2026-11-30' }));
    expect(JSON.stringify(carriers?.blocks)).toMatch(/stamps_com.*ups.*fedex/);
    const late = await face.action(REPORT_ACTIONS.lateOrders, JSON.stringify({ from: '2026-11-01', to: '2026-11-30' }));
    expect(JSON.stringify(late?.blocks)).toMatch(/114-\d{7}-\d{7}/);
  }, 20_000);

  it('the sandbox history has a weekend dip, one bad day and three carriers', async () => {
    const ctx = await setUp();
    const reply = await reportsFace(ctx).command(['30d']);
    expect(JSON.stringify(reply.blocks)).toContain('"type":"image"');
    const { makeReport } = await import('../../src/reports/make-report');
    const { report, daily } = await makeReport(ctx.store, { from: '2026-11-01', to: '2026-11-30', timeZone: TZ }, ['default'], NOW);
    expect(report.carriers.map((c) => c.carrierCode)).toEqual(['stamps_com', 'ups', 'fedex']);
    const [cheapest, , dearest] = report.carriers;
    expect(cheapest!.avgCost!).toBeLessThan(dearest!.avgCost!);
    const saturday = daily.find((d) => d.date === '2026-11-28')!;
    const friday = daily.find((d) => d.date === '2026-11-27')!;
    expect(saturday.received).toBeLessThan(friday.received * 0.7);
    const worst = [...daily].sort((x, y) => (x.onTimeRate ?? 1) - (y.onTimeRate ?? 1))[0]!;
    // Orders bought on the bad day (Nov 21) were labelled late and were due the next day.
    expect(worst.date).toBe('2026-11-22');
    expect(worst.onTimeRate!).toBeLessThan(0.85);
  }, 20_000);
});

describe('digest time and /dockhand report words', () => {
  it.each([
    ['2026-12-01T15:59:00Z', false],
    ['2026-12-01T16:00:00Z', true],
    ['2026-12-02T07:30:00Z', true],
  ])('at %s it is past 08:00 in Los Angeles: %s', (at, past) => expect(isPastDigestTime(Date.parse(at), TZ, '08:00')).toBe(past));

  it.each([
    [[], { period: { from: '2026-11-30', to: '2026-11-30', timeZone: TZ } }],
    [['today'], { period: { from: '2026-12-01', to: '2026-12-01', timeZone: TZ } }],
    [['7d', 'default'], { period: { from: '2026-11-24', to: '2026-11-30', timeZone: TZ }, account: 'default' }],
    [['2026-11-01', '2026-11-15'], { period: { from: '2026-11-01', to: '2026-11-15', timeZone: TZ } }],
    [['2026-11-03', 'default'], { period: { from: '2026-11-03', to: '2026-11-03', timeZone: TZ }, account: 'default' }],
  ])('%j reads as %j', (args, expected) => expect(parseReportArgs(args, NOW.getTime(), TZ, ['default'])).toEqual(expected));

  it.each([[['2026-11-15', '2026-11-01']], [['nope']], [['7d', 'a', 'b']], [['2026-02-30']]])('%j is refused with a reason', (args) => {
    expect(parseReportArgs(args, NOW.getTime(), TZ, ['default'])).toHaveProperty('error');
  });
});

describe('stock at risk', () => {
  it.each([
    ['none at risk', [['A', 0, 'ok']], 5, [], 0],
    ['out first, then the fewest available', [['A', 4, 'low'], ['B', 0, 'out'], ['C', 1, 'low'], ['D', 50, 'ok']], 5, ['B', 'C', 'A'], 3],
    ['at most the limit, with the total', [['A', 4, 'low'], ['B', 0, 'out'], ['C', 1, 'low']], 2, ['B', 'C'], 3],
  ] as const)('%s', (_what, rows, limit, shown, total) => {
    const states = new Map(rows.map(([sku, available, status]) => [sku, { available, status }] as [string, { available: number; status: string }]));
    const r = stockAtRisk(states, limit);
    expect([r.shown.map((x) => x.sku), r.total]).toEqual([shown, total]);
  });
});

describe('arrows against the previous period', () => {
  it.each([
    [132, 62, 'count', '▲ 113 %'],
    [50, 100, 'count', '▼ 50 %'],
    [10.15, 10.16, 'amount', '→ about the same'],
    [5, 0, 'count', '▲ from 0'],
    [0.957, 0.974, 'rate', '▼ 1.7 pts'],
    [0.9, 0.9, 'rate', '→ same as before'],
    [null, 0.9, 'rate', ''],
  ] as const)('%s against %s (%s) reads %s', async (now, before, kind, expected) => {
    const { trend } = await import('../../src/reports/digest-message');
    expect(trend(now, before, kind)).toBe(expected);
  });
});
