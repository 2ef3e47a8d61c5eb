import cron from 'node-cron';
import { DockhandError, toDockhandError } from '../domain/errors';
import { localDay, wallAt } from '../domain/wall-clock';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import { carrierBlocks, lateOrderBlocks, REPORT_ACTIONS, reportBlocks, stockAtRisk, type HealthFigure, type ReportButtonValue } from './digest-message';
import { makeReport, toCsv } from './make-report';
import { addDays, checkPeriod, dayBoundaries, isCalendarDay, namedPeriod, type Period } from './period';
import type { Report } from './report';
import { uploadFile, type ReportsSlackApi } from './slack-files';

/**
 * The daily digest (posted to slack.channels.digest at digest.time in reports.timeZone) and
 * `/dockhand report`: the summary, the chart, and what the buttons answer.
 *
 * Once a day, whatever restarts and replicas: the replica holding the `job:digest` lease posts,
 * and only when `digest_runs` has no row for the day; the row is written right after Slack
 * answers. A restart after digest.time posts the day's digest if it is missing. (The gap Slack
 * leaves: a kill between chat.postMessage returning and the row being written posts it twice.)
 */

export const DIGEST_LEASE = 'job:digest';
const LEASE_MS = 5 * 60_000;
const CHART_DAYS = 14;

export interface ReportsContext {
  store: Store;
  api: ReportsSlackApi;
  timeZone: string;
  accounts: string[];
  /** slack.channels.digest (or .default); the digest is not posted without one. */
  channel?: string;
  digestTime: string;
  owner: string;
  logger: Logger;
  now: () => Date;
  /** Amazon's account-health figures to show beside ours, when read. */
  health?: (ours: Report) => Promise<HealthFigure[] | undefined>;
  fetch?: typeof fetch;
  /** Releases what the context holds open (the Reports API client's connections). */
  close?: () => void;
}

export interface Summary {
  report: Report;
  text: string;
  blocks: unknown[];
}

/** The summary of `period` with its chart (uploaded privately, shown by the image block). */
export async function summaryOf(ctx: ReportsContext, period: Period, title: string, account?: string): Promise<Summary> {
  const now = ctx.now();
  const { report } = await makeReport(ctx.store, period, ctx.accounts, now, account);
  const chartPeriod = { from: addDays(period.to, -(CHART_DAYS - 1)), to: period.to, timeZone: period.timeZone };
  const chart = await makeReport(ctx.store, chartPeriod, ctx.accounts, now, account);
  const several = Array.isArray(chart.report.cost);
  // Vega and resvg load only when a chart is drawn: every `dockhand` command would pay for them otherwise.
  const { renderChartPng } = await import('./chart');
  const png = await renderChartPng({
    title: `${title} · ${account ?? 'all accounts'} · last ${CHART_DAYS} days to ${period.to}`,
    days: chart.daily,
    // A service code names its carrier already (ups_ground, usps_priority_mail).
    carriers: chart.report.carriers
      .filter((c) => c.avgCost !== null)
      .map((c) => ({ carrier: c.serviceCode ?? c.carrierCode, avgCost: c.avgCost!, shipments: c.shipments, currency: several ? (c.currency ?? null) : (chart.report.cost as { currency: string | null }).currency })),
  });
  const fileId = await uploadFile(ctx.api, { bytes: png, filename: `dockhand-${period.from}-${period.to}.png`, title: `${title} ${period.to}`, altText: `Orders and on-time rate per day, and cost per carrier, to ${period.to}` }, ctx.fetch);
  const health = await ctx.health?.(report).catch((e: unknown) => (ctx.logger.warn({ err: (e as Error).message }, 'account health not available'), undefined));
  // The inventory job's last judgement per SKU (one small row each): what may not ship tomorrow.
  const stock = stockAtRisk(await ctx.store.inventory.states());
  return { report, ...reportBlocks(report, { title, chartFileId: fileId, ...(health ? { health } : {}), ...(account ? { account } : {}), stock }) };
}

export type DigestOutcome = { outcome: 'posted'; day: string; ts: string } | { outcome: 'already_posted' | 'busy' | 'no_channel'; day: string };

/** Posts the digest of `day` (default yesterday in reports.timeZone) unless it was posted; `force` posts again. */
export async function runDigest(ctx: ReportsContext, opts: { day?: string; force?: boolean } = {}): Promise<DigestOutcome> {
  const now = ctx.now();
  const day = opts.day ?? namedPeriod('yesterday', now.getTime(), ctx.timeZone).from;
  if (!isCalendarDay(day)) throw new DockhandError('report.invalid_period', `--date "${day}" is not a day written YYYY-MM-DD`, { hint: 'Write the day as 2026-11-30.' });
  if (!ctx.channel) return { outcome: 'no_channel', day };
  if (!(await ctx.store.acquireLease(DIGEST_LEASE, ctx.owner, LEASE_MS, Date.now()))) return { outcome: 'busy', day };
  try {
    if (!opts.force && (await ctx.store.digests.get(day))) return { outcome: 'already_posted', day };
    const summary = await summaryOf(ctx, { from: day, to: day, timeZone: ctx.timeZone }, 'Fulfillment digest');
    const posted = await ctx.api.chat.postMessage({ channel: ctx.channel, text: summary.text, blocks: summary.blocks });
    if (!posted.ts) throw new DockhandError('report.unavailable', 'Slack did not return the digest message', { hint: 'Check slack.channels.digest.' });
    await ctx.store.digests.record({ day, postedAt: ctx.now().toISOString(), ...(posted.channel ? { channel: posted.channel } : {}), ts: posted.ts });
    ctx.logger.info({ day, channel: posted.channel }, 'digest posted');
    return { outcome: 'posted', day, ts: posted.ts };
  } finally {
    await ctx.store.releaseLease(DIGEST_LEASE, ctx.owner).catch(() => undefined);
  }
}

/** True when the zone's clock at `now` is at or past `time` (HH:MM). Pure. */
export function isPastDigestTime(now: number, timeZone: string, time: string): boolean {
  const w = wallAt(now, timeZone);
  const [h, m] = time.split(':').map(Number) as [number, number];
  return w.hour * 60 + w.minute >= h * 60 + m;
}

/** Posts the digest at digest.time every day with node-cron, and at once when started after it with today's not posted. */
export function startDigestSchedule(ctx: ReportsContext): { stop(): void } {
  const [h, m] = ctx.digestTime.split(':').map(Number) as [number, number];
  const run = () =>
    void runDigest(ctx).catch((e: unknown) => {
      const err = toDockhandError(e);
      ctx.logger.warn({ err: err.message, code: err.code }, 'digest not posted');
    });
  const task = cron.schedule(`${m} ${h} * * *`, run, { timezone: ctx.timeZone });
  if (isPastDigestTime(ctx.now().getTime(), ctx.timeZone, ctx.digestTime)) run();
  return { stop: () => void task.stop() };
}

/** Reads `/dockhand report [today|yesterday|7d|30d|<from> <to>] [account]`. Pure. */
export function parseReportArgs(args: string[], now: number, timeZone: string, accounts: string[]): { period: Period; account?: string } | { error: string } {
  const rest = [...args];
  let period: Period = namedPeriod('yesterday', now, timeZone);
  const first = rest[0]?.toLowerCase();
  if (first === 'today' || first === 'yesterday' || first === '7d' || first === '30d') {
    period = namedPeriod(first, now, timeZone);
    rest.shift();
  } else if (first && isCalendarDay(first)) {
    const both = rest[1] !== undefined && isCalendarDay(rest[1]);
    try {
      period = checkPeriod({ from: first, to: both ? rest[1]! : first, timeZone });
    } catch (e) {
      return { error: (e as Error).message };
    }
    rest.splice(0, both ? 2 : 1);
  }
  if (rest.length > 1) return { error: 'give a period (`today`, `yesterday`, `7d`, `30d` or `<from> <to>`) and at most one account' };
  const account = rest[0]?.toLowerCase();
  if (account && !accounts.includes(account)) return { error: `no account \`${account}\`; the accounts are ${accounts.map((a) => `\`${a}\``).join(', ')}` };
  return { period, ...(account ? { account } : {}) };
}

export interface ReportReply {
  text: string;
  blocks?: unknown[];
  inChannel?: boolean;
}

/** Where a button was clicked: the message's channel and ts. */
export interface ClickedIn {
  channel?: string;
  messageTs?: string;
  ephemeral?: boolean;
}

/** `/dockhand report` and the report buttons, for the Slack handlers. */
export function reportsFace(ctx: ReportsContext) {
  const parseValue = (value: string | undefined): ReportButtonValue | undefined => {
    try {
      const v = JSON.parse(value ?? '') as ReportButtonValue;
      return isCalendarDay(v.from) && isCalendarDay(v.to) ? v : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    async command(args: string[]): Promise<ReportReply> {
      const parsed = parseReportArgs(args, ctx.now().getTime(), ctx.timeZone, ctx.accounts);
      if ('error' in parsed) return { text: `Usage: \`/dockhand report [today|yesterday|7d|30d|<from> <to>] [account]\` — ${parsed.error}` };
      const s = await summaryOf(ctx, parsed.period, 'Fulfillment report', parsed.account);
      return { text: s.text, blocks: s.blocks };
    },

    handles: (actionId: string): boolean => (Object.values(REPORT_ACTIONS) as string[]).includes(actionId),

    async action(actionId: string, value: string | undefined, where: ClickedIn = {}): Promise<ReportReply | undefined> {
      const v = parseValue(value);
      if (!v) return { text: 'This report button no longer works; ask again with `/dockhand report`.' };
      const period = { from: v.from, to: v.to, timeZone: ctx.timeZone };
      const accounts = v.account ? [v.account] : [];
      if (actionId === REPORT_ACTIONS.byCarrier) {
        const { report } = await makeReport(ctx.store, period, ctx.accounts, ctx.now(), v.account);
        return carrierBlocks(report);
      }
      if (actionId === REPORT_ACTIONS.lateOrders) {
        const b = dayBoundaries(period);
        const late = await ctx.store.reports.lateOrders(b[0]!, b[b.length - 1]!, ctx.now().getTime(), accounts, 25);
        return lateOrderBlocks(period, late.orders, late.total);
      }
      const { daily } = await makeReport(ctx.store, period, ctx.accounts, ctx.now(), v.account);
      // Into the message's thread; an ephemeral reply has no thread, so the file goes to its channel.
      await uploadFile(
        ctx.api,
        {
          bytes: Buffer.from(toCsv(daily)),
          filename: `dockhand-${v.from}-${v.to}${v.account ? `-${v.account}` : ''}.csv`,
          title: `Fulfillment ${v.from} – ${v.to}`,
          ...(where.channel ? { channelId: where.channel } : {}),
          ...(where.messageTs && !where.ephemeral ? { threadTs: where.messageTs } : {}),
        },
        ctx.fetch,
      );
      return where.channel ? undefined : { text: 'The CSV could not be shared: this button was not clicked in a channel.' };
    },
  };
}

export type ReportsFace = ReturnType<typeof reportsFace>;

/** Today's day in the zone (for logs and the sandbox). */
export const todayIn = (now: Date, timeZone: string): string => localDay(now.getTime(), timeZone);
