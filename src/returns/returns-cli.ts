import type { Command } from 'commander';
import type { Config } from '../config/config';
import { DockhandError } from '../domain/errors';
import type { Store } from '../store/store';
import { listReturns, statusesFor } from './returns-list';
import { pollReturns, type ReturnsPollDeps, type ReturnsPollSummary } from './returns-poll.job';

/**
 * `dockhand returns [--status S] [--json]` and `dockhand returns sync --once [--days N]`,
 * registered by one call from src/cli/main.ts, which passes in how to open the store and the
 * poll's ports over a runtime (src/cli/returns.ts).
 */

export interface ReturnsCliDeps {
  withStore<T>(fn: (store: Store, cfg: Config) => Promise<T>): Promise<T>;
  /** The poll's dependencies over a runtime (report source, ShipStation, Slack outbox); without it `sync` says it cannot run. */
  withPoll?<T>(fn: (deps: ReturnsPollDeps) => Promise<T>): Promise<T>;
  out(line: string): void;
}

/** One line per poll, for the terminal. Pure. */
export function pollLine(s: ReturnsPollSummary): string {
  const parts = [`${s.reports} report(s) (${s.empty} with no returns)`, `${s.new} new`, `${s.changed} changed`, `${s.same} unchanged`];
  if (s.rowProblems.length) parts.push(`${s.rowProblems.length} row(s) unreadable`);
  if (s.failed.length) parts.push(`${s.failed.length} failed: ${s.failed.map((f) => `${f.accountId}/${f.marketplaceId} ${f.message}`).join('; ')}`);
  return `returns sync: ${parts.join(', ')}`;
}

export function registerReturnsCommands(program: Command, deps: ReturnsCliDeps): void {
  const returns = program
    .command('returns')
    .description('returns on their way and their refunds (status: expected, received, refund_pending, refunded, rejected, replaced; or open, pending, all)')
    .option('--status <s>', 'a status, or open | pending | all', 'all')
    .option('--json', 'print JSON: [{"rma","amazonOrderId","sku","quantity","reason","inPolicy","status","carrier","tracking","refund"}]')
    .action(async (opts: { status: string; json?: boolean }) => {
      const which = statusesFor(opts.status);
      if (!which) throw new DockhandError('config.invalid', `--status: "${opts.status}" is not a return status`, { hint: 'Use expected, received, refund_pending, refunded, rejected, replaced, open, pending or all.' });
      const entries = await deps.withStore((store) => listReturns(store, which.statuses));
      if (opts.json) return deps.out(JSON.stringify(entries));
      if (entries.length === 0) return deps.out('no returns');
      for (const e of entries) {
        const refund = e.refund ? `  refund ${e.refund.amount.toFixed(2)} ${e.refund.currency} ${e.refund.state}` : '';
        deps.out(`${e.rma}  ${e.amazonOrderId}  ${e.sku} ×${e.quantity}  ${e.status}  ${e.reason}${e.inPolicy === false ? ' (out of policy)' : ''}${e.tracking ? `  ${e.carrier ?? ''} ${e.tracking}` : ''}${refund}`);
      }
    });

  returns
    .command('sync')
    .description("read Amazon's returns report now (the first backfill): exit 0 when all went through, 2 when rows or windows failed, 1 on a fatal error")
    .requiredOption('--once', 'run one pass and exit')
    .option('--days <n>', 'how many days back (Amazon allows 60)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 60) throw new DockhandError('config.invalid', `--days takes a whole number of days from 1 to 60, got "${v}"`);
      return n;
    })
    .action(async (opts: { days?: number }) => {
      if (!deps.withPoll) {
        throw new DockhandError('config.missing', 'returns sync needs the Reports API client, which this build does not wire yet', { hint: 'Returns are read by `dockhand start` once the Reports client is wired.' });
      }
      const s = await deps.withPoll((pollDeps) => pollReturns(pollDeps, opts.days ? { days: opts.days } : {}));
      deps.out(pollLine(s));
      process.exitCode = s.failed.length > 0 || s.rowProblems.length > 0 ? 2 : 0;
    });
}
