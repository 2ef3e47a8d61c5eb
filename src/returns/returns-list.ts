import { code, context, escapeMrkdwn, fitMessage, LIMITS, moreLine, section, type SlackMessage } from '../domain/block-kit';
import { ReturnStatus, type RefundRecord, type ReturnRecord } from '../domain/return';
import type { Store } from '../store/store';

/**
 * What `/dockhand returns [open|pending|all]` and `dockhand returns [--status S] [--json]` list:
 * one entry per returned SKU, with its refund. The JSON shape is the issue's contract.
 */

export type ReturnsFilter = 'open' | 'pending' | 'all';

/** open: not finished; pending: arrived and waiting for a refund decision or for Amazon. */
export const FILTER_STATUSES: Record<ReturnsFilter, readonly ReturnStatus[] | undefined> = {
  open: ['expected', 'received', 'refund_pending'],
  pending: ['received', 'refund_pending'],
  all: undefined,
};

export interface ReturnListEntry {
  rma: string;
  amazonOrderId: string;
  sku: string;
  quantity: number;
  reason: string;
  inPolicy: boolean | null;
  status: ReturnStatus;
  carrier: string | null;
  tracking: string | null;
  refund: { amount: number; currency: string; state: string } | null;
}

/** The listing's entries from the rows and their RMAs' refunds. Pure. */
export function returnEntries(rows: ReturnRecord[], refunds: RefundRecord[]): ReturnListEntry[] {
  return rows.map((r) => {
    const refund = refunds.find((f) => f.accountId === r.accountId && f.rma === r.rma && f.sku === r.sku);
    return {
      rma: r.rma,
      amazonOrderId: r.amazonOrderId,
      sku: r.sku,
      quantity: r.quantity,
      reason: r.reason,
      inPolicy: r.inPolicy ?? null,
      status: r.status,
      carrier: r.carrier ?? null,
      tracking: r.tracking ?? null,
      refund: refund ? { amount: refund.total / 100, currency: refund.currency, state: refund.state } : null,
    };
  });
}

/** Reads a listing from the store: `statuses` undefined lists every status. */
export async function listReturns(store: Store, statuses: readonly ReturnStatus[] | undefined, limit = 500): Promise<ReturnListEntry[]> {
  const rows = await store.returns.byStatus(statuses, limit);
  const byAccount = new Map<string, Set<string>>();
  for (const r of rows) byAccount.set(r.accountId, (byAccount.get(r.accountId) ?? new Set()).add(r.rma));
  const refunds: RefundRecord[] = [];
  for (const [accountId, rmas] of byAccount) refunds.push(...(await store.returns.refundsForRmas(accountId, [...rmas])));
  return returnEntries(rows, refunds);
}

/** `--status` / the slash command's word → statuses; undefined for a word that is neither a filter nor a status. Pure. */
export function statusesFor(word: string): { statuses: readonly ReturnStatus[] | undefined } | undefined {
  const w = word.toLowerCase();
  if (w in FILTER_STATUSES) return { statuses: FILTER_STATUSES[w as ReturnsFilter] };
  const parsed = ReturnStatus.safeParse(w);
  return parsed.success ? { statuses: [parsed.data] } : undefined;
}

/** The Slack reply listing returns. Pure. */
export function returnsListMessage(entries: ReturnListEntry[], filter: string): SlackMessage {
  if (entries.length === 0) return fitMessage(`No ${filter} returns`, [section(`No ${escapeMrkdwn(filter)} returns.`)]);
  const shown = entries.slice(0, LIMITS.listItems);
  const lines = shown.map((e) => {
    const refund = e.refund ? ` · refund ${e.refund.amount.toFixed(2)} ${e.refund.currency} (${e.refund.state})` : '';
    return `${code(e.rma)} order ${code(e.amazonOrderId)} · ${code(e.sku)} ×${e.quantity} · *${e.status.replace('_', ' ')}* · ${escapeMrkdwn(e.reason || 'no reason')}${e.inPolicy === false ? ' · out of policy' : ''}${e.tracking ? ` · ${escapeMrkdwn(e.carrier ?? '')} ${code(e.tracking)}` : ''}${refund}`;
  });
  const blocks = [section(`*Returns (${escapeMrkdwn(filter)}): ${entries.length}*`), section(lines.join('\n'))];
  if (entries.length > shown.length) blocks.push(context(moreLine(entries.length - shown.length, 'dockhand returns --json')));
  return fitMessage(`Returns (${filter}): ${entries.length}`, blocks, { cliCommand: 'dockhand returns' });
}
