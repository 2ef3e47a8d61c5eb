import { toDockhandError } from '../domain/errors';
import type { ReturnRecord } from '../domain/return';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import type { ReturnWarehouse, ReturnsReportSource } from './ports';
import { parseReturnsReport } from './returns-report';

/**
 * The returns poll: every `returns.pollMinutes`, per account and marketplace, Amazon's returns
 * report over the last `returns.windowDays` (windows overlap, so a late row is still seen), each
 * row upserted by (Order ID, Amazon RMA ID, Merchant SKU). A new RMA gets its ShipStation side
 * (a return label, else a tag on the original order) and its "Return on its way" message; a
 * report read twice changes nothing and posts nothing. `dockhand returns sync --once [--days N]`
 * runs one pass (the first backfill).
 */

export const RETURNS_POLL_JOB = 'returns-poll';

export interface ReturnsPollDeps {
  store: Store;
  source: ReturnsReportSource;
  warehouse?: ReturnWarehouse;
  /** The tag put on the original ShipStation order (`returns.tag`). */
  tag: string;
  redraw(accountId: string, rma: string, step?: string): Promise<void>;
  accounts: Array<{ id: string; marketplaceIds: string[] }>;
  windowDays: number;
  now: () => Date;
  logger: Logger;
}

export interface ReturnsPollSummary {
  reports: number;
  /** Windows Amazon answered CANCELLED: no returns in them. */
  empty: number;
  new: number;
  changed: number;
  same: number;
  /** Rows that could not be read, by account: line and why. */
  rowProblems: Array<{ accountId: string; marketplaceId: string; line: number; message: string }>;
  /** Windows that failed (Amazon unreachable, FATAL, a missing column): read again on the next poll. */
  failed: Array<{ accountId: string; marketplaceId: string; code: string; message: string }>;
}

export async function pollReturns(deps: ReturnsPollDeps, opts: { days?: number; accountId?: string } = {}): Promise<ReturnsPollSummary> {
  const sum: ReturnsPollSummary = { reports: 0, empty: 0, new: 0, changed: 0, same: 0, rowProblems: [], failed: [] };
  const until = deps.now();
  const since = new Date(until.getTime() - (opts.days ?? deps.windowDays) * 86_400_000);
  for (const account of deps.accounts) {
    if (opts.accountId && account.id !== opts.accountId) continue;
    for (const marketplaceId of account.marketplaceIds) {
      const log = deps.logger.child({ job: RETURNS_POLL_JOB, accountId: account.id, marketplaceId });
      try {
        const text = await deps.source.returnsReport({ accountId: account.id, marketplaceId, since, until });
        sum.reports++;
        if (text === 'none') {
          sum.empty++;
          continue;
        }
        const parsed = parseReturnsReport(text);
        for (const p of parsed.problems) {
          sum.rowProblems.push({ accountId: account.id, marketplaceId, line: p.line, message: p.message });
          log.warn({ line: p.line, rma: p.rma }, `returns report row skipped: ${p.message}`);
        }
        const touched = new Map<string, 'new' | 'changed'>();
        for (const r of parsed.returns) {
          const outcome = await deps.store.returns.recordReported(account.id, marketplaceId, r, deps.now().toISOString());
          sum[outcome]++;
          if (outcome !== 'same' && touched.get(r.rma) !== 'new') touched.set(r.rma, outcome);
        }
        for (const [rma, outcome] of touched) {
          if (outcome === 'new') await prepareWarehouse(deps, account.id, rma);
          await deps.redraw(account.id, rma, outcome === 'new' ? 'Amazon reported the return' : undefined);
        }
      } catch (e) {
        const err = toDockhandError(e);
        sum.failed.push({ accountId: account.id, marketplaceId, code: err.code, message: err.message });
        log.warn({ code: err.code, err: err.message }, 'returns report failed; read again on the next poll');
      }
    }
  }
  return sum;
}

/** Tells ShipStation a return is coming: a return label when v2 can make one, else a tag on the order. Never fails the poll. */
async function prepareWarehouse(deps: ReturnsPollDeps, accountId: string, rma: string): Promise<void> {
  if (!deps.warehouse) return;
  const rows = await deps.store.returns.byRma(accountId, rma);
  const first = rows[0];
  if (!first || first.warehouse) return;
  let noted: NonNullable<ReturnRecord['warehouse']>;
  try {
    const label = deps.warehouse.createReturnLabel ? await deps.warehouse.createReturnLabel(accountId, first.amazonOrderId) : undefined;
    if (label) noted = { kind: 'return_label', labelId: label.labelId, ...(label.trackingNumber ? { trackingNumber: label.trackingNumber } : {}) };
    else noted = (await deps.warehouse.tagOrder(accountId, first.amazonOrderId, deps.tag)) ? { kind: 'tagged' } : { kind: 'not_in_shipstation', message: 'the order is not in ShipStation: nothing to tag' };
  } catch (e) {
    const err = toDockhandError(e);
    noted = { kind: 'failed', message: `ShipStation: ${err.message}` };
  }
  const at = deps.now().toISOString();
  for (const r of rows) await deps.store.returns.note({ accountId, amazonOrderId: r.amazonOrderId, rma, sku: r.sku }, { warehouse: noted }, at);
}
