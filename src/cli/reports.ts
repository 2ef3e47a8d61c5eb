import type { Command } from 'commander';
import type { Config } from '../config/config';
import { DockhandError } from '../domain/errors';
import type { Logger } from '../log/logger';
import { runDigest, type ReportsContext } from '../reports/digest.job';
import { formatReportTable, makeReport, toCsv } from '../reports/make-report';
import { checkPeriod, namedPeriod } from '../reports/period';
import type { ReportsSlackApi } from '../reports/slack-files';
import { createReportsClient } from '../amazon/reports-client';
import { accountHealthSource } from '../reports/account-health';
import type { Store } from '../store/store';

/** The reports' context for the running product or a command: the store, Slack, the config's zone and channel. */
export function reportsContextFor(deps: { config: Config; store: Store; owner: string; logger: Logger }, api: ReportsSlackApi): ReportsContext {
  const { config } = deps;
  const channel = config.slack.channels.digest ?? config.slack.channels.default;
  return {
    store: deps.store,
    api,
    timeZone: config.reports.timeZone,
    accounts: config.accounts.map((a) => a.id),
    ...(channel ? { channel } : {}),
    digestTime: config.reports.digestTime,
    owner: deps.owner,
    logger: deps.logger.child({ part: 'reports' }),
    now: () => new Date(),
    ...healthOf(config, deps.logger, deps.store),
  };
}

/** Amazon's seller performance figures for the first account, where Amazon credentials are set. */
function healthOf(config: Config, logger: Logger, store: Store): Pick<ReportsContext, 'health' | 'close'> {
  const account = config.accounts[0];
  if (!account?.refreshToken || !config.amazon.clientId || !config.amazon.clientSecret) return {};
  const ca = (config as Config & { sandboxCa?: string }).sandboxCa;
  const client = createReportsClient({
    region: account.region,
    clientId: config.amazon.clientId,
    clientSecret: config.amazon.clientSecret,
    refreshToken: account.refreshToken,
    ...(config.amazon.spApiUrl ? { spApiUrl: config.amazon.spApiUrl } : {}),
    ...(config.amazon.lwaUrl ? { lwaUrl: config.amazon.lwaUrl } : {}),
    ...(ca ? { ca } : {}),
    logger,
  });
  return { health: accountHealthSource({ client, cache: store.digests, marketplaceIds: account.marketplaceIds, logger, pollMs: config.useSandbox ? 200 : 15_000 }), close: () => client.close() };
}

/** A Slack Web API client for the reports, from SLACK_BOT_TOKEN and SLACK_API_URL. */
export async function reportsSlackApi(config: Config): Promise<ReportsSlackApi> {
  if (!config.slack.botToken) {
    throw new DockhandError('config.missing', 'SLACK_BOT_TOKEN is not set, so the digest has nowhere to go', {
      hint: 'Set SLACK_BOT_TOKEN (and slack.channels.digest), or, in the sandbox, press the digest buttons on the Slack page: `npm start` posts the digest there by itself.',
    });
  }
  const { webApi } = await import('@slack/bolt');
  return reportsWebClient(webApi.WebClient, config);
}

/**
 * The reports' own Web API client: one retry at most, so a digest in flight when the process
 * stops fails at once instead of retrying for half an hour and holding the process open; the
 * day is not recorded as posted, and the next start or cron tick posts it.
 */
export function reportsWebClient(WebClient: new (token: string, opts: object) => unknown, config: Config): ReportsSlackApi {
  return new WebClient(config.slack.botToken ?? '', { ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}), retryConfig: { retries: 1, maxTimeout: 2_000 } }) as ReportsSlackApi;
}

interface Deps {
  withStore<T>(fn: (store: Store, cfg: Config) => Promise<T>): Promise<T>;
  config(): Config;
  logger(): Logger;
  out(line: string): void;
}

/** `dockhand report` and `dockhand digest`. */
export function registerReportCommands(program: Command, deps: Deps): void {
  program
    .command('report')
    .description('fulfillment KPIs of a period (default yesterday): volume, time to ship, on time, carriers, cost; as a table, CSV (one row per day) or JSON')
    .option('--from <YYYY-MM-DD>', 'first day (in reports.timeZone)')
    .option('--to <YYYY-MM-DD>', 'last day, included')
    .option('--account <id>', 'one account only')
    .option('--format <format>', 'table, csv or json', 'table')
    .action(async (o: { from?: string; to?: string; account?: string; format: string }) => {
      if (!['table', 'csv', 'json'].includes(o.format)) throw new DockhandError('report.invalid_period', `--format "${o.format}" is not one of table, csv, json`, { hint: 'Use --format table, csv or json.' });
      await deps.withStore(async (store, cfg) => {
        if (o.account && !cfg.accounts.some((a) => a.id === o.account)) {
          throw new DockhandError('config.invalid', `no account "${o.account}" in the configuration`, { hint: `Known accounts: ${cfg.accounts.map((a) => a.id).join(', ')}` });
        }
        const tz = cfg.reports.timeZone;
        const yesterday = namedPeriod('yesterday', Date.now(), tz);
        const from = o.from ?? o.to ?? yesterday.from;
        const period = checkPeriod({ from, to: o.to ?? (o.from ? o.from : yesterday.to), timeZone: tz });
        const { report, daily } = await makeReport(store, period, cfg.accounts.map((a) => a.id), new Date(), o.account);
        if (o.format === 'json') deps.out(JSON.stringify(report, null, 2));
        else if (o.format === 'csv') process.stdout.write(toCsv(daily));
        else formatReportTable(report).forEach((l) => deps.out(l));
      });
    });

  program
    .command('digest')
    .description('post the daily digest to slack.channels.digest now (for yesterday unless --date)')
    .requiredOption('--now', 'post it now')
    .option('--date <YYYY-MM-DD>', 'the day to report')
    .action(async (o: { date?: string }) => {
      await deps.withStore(async (store, cfg) => {
        const ctx = reportsContextFor({ config: cfg, store, owner: `cli:${process.pid}`, logger: deps.logger() }, await reportsSlackApi(cfg));
        const r = await runDigest(ctx, { ...(o.date ? { day: o.date } : {}), force: true }).finally(() => ctx.close?.());
        if (r.outcome === 'no_channel') throw new DockhandError('config.missing', 'slack.channels.digest (or slack.channels.default) is not set', { hint: 'Set slack.channels.digest in dockhand.yml.' });
        if (r.outcome === 'busy') throw new DockhandError('store.lease_busy', 'another Dockhand process is posting the digest right now', { hint: 'Try again in a minute.', transient: true });
        deps.out(`digest for ${r.day} posted${r.outcome === 'posted' ? ` (ts ${r.ts})` : ''}`);
      });
    });
}
