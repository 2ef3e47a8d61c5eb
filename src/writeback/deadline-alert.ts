import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LIMITS, clock, context, fact, header, plural, type AlertRenderer, type AlertView, type Block } from '../domain/block-kit';
import { problemKind, type Problem } from '../domain/notifier';
import { atRiskBlocks, primeNote } from './at-risk-blocks';
import { formatDuration } from './late-orders';

/** An imported, not yet shipped order and how long is left before Amazon's latest ship date. */
export interface AtRiskOrder {
  accountId: string;
  amazonOrderId: string;
  isPrime: boolean;
  /** Absent only for a cancellation request on an order whose ship-by date is unknown. */
  shipByLatest?: string;
  /** Negative once the deadline has passed; absent with shipByLatest. */
  minutesLeft?: number;
  shipstationOrderId?: number;
}

/** One escalation: orders reaching a lead time, orders gone late, or buyers asking to cancel. */
export interface DeadlineNotice {
  stage: 'at_risk' | 'late' | 'cancel_requested';
  /** For `at_risk`: the lead time reached, in minutes. */
  leadMinutes?: number;
  /** Prime first, then least time left. */
  orders: AtRiskOrder[];
}

export const DEADLINE = problemKind<DeadlineNotice>('deadline');

/**
 * One message per escalation: `deadline:<stage>:<lead>:<first order>:<count>:<digest of all IDs>`.
 * The same escalation sent again (a guard pass re-run after a crash) maps to the same message
 * and edits it; a different set of orders gets a new one. Pure.
 */
export function escalationKey(n: DeadlineNotice): string {
  const ids = n.orders.map((o) => `${o.accountId}:${o.amazonOrderId}`);
  const digest = createHash('sha256').update([...ids].sort().join('\n')).digest('hex').slice(0, 12);
  return `deadline:${n.stage}:${n.leadMinutes ?? '-'}:${n.orders[0]?.amazonOrderId ?? 'none'}:${n.orders.length}:${digest}`;
}

/** The problem of one escalation, or undefined when it names no order (nothing to tell). Pure. */
export function deadlineProblem(n: DeadlineNotice): Problem<DeadlineNotice> | undefined {
  if (n.orders.length === 0) return undefined;
  return {
    kind: DEADLINE.name,
    key: escalationKey(n),
    facts: escalationFacts(n),
    replaceFacts: true,
    stamp: 'at',
    notice: n,
    log: { level: 'warn', msg: `ship-by deadline: ${n.orders.length} order(s) ${n.stage}`, fields: { stage: n.stage, leadMinutes: n.leadMinutes, orders: n.orders.map((o) => o.amazonOrderId) } },
  };
}

/** An AtRiskOrder as stored in an alert's facts (JSON): parsed back, never trusted. */
const StoredAtRisk = z.object({
  accountId: z.string(),
  amazonOrderId: z.string(),
  isPrime: z.boolean(),
  shipByLatest: z.string().optional(),
  minutesLeft: z.number().optional(),
  shipstationOrderId: z.number().int().optional(),
});

/** The facts of an escalation but its time. The whole list is kept: the message shows the first 20. */
function escalationFacts(n: DeadlineNotice): Record<string, string> {
  return {
    stage: n.stage,
    ...(n.leadMinutes !== undefined ? { leadMinutes: String(n.leadMinutes) } : {}),
    total: String(n.orders.length),
    orders: JSON.stringify(n.orders.map((o) => StoredAtRisk.parse(o))),
  };
}

/** The facts a deadline alert is rendered from, as recorded at `at`. Pure. */
export function deadlineFacts(n: DeadlineNotice, at: string): Record<string, string> {
  return { ...escalationFacts(n), at };
}

function ordersFromFacts(r: AlertView): AtRiskOrder[] {
  try {
    const parsed = z.array(StoredAtRisk).safeParse(JSON.parse(fact(r, 'orders') || '[]'));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** "3 orders ship-by in under 4 h", "2 orders are late", "Buyer asked to cancel 1 order". Pure. */
export function deadlineHeadline(stage: DeadlineNotice['stage'], count: number, leadMinutes?: number): string {
  switch (stage) {
    case 'at_risk':
      return `${plural(count, 'order')} ship-by ${leadMinutes !== undefined ? `in under ${formatDuration(leadMinutes)}` : 'soon'}`;
    case 'late':
      return `${plural(count, 'order')} ${count === 1 ? 'is' : 'are'} late`;
    case 'cancel_requested':
      return `${count === 1 ? 'Buyer' : 'Buyers'} asked to cancel ${plural(count, 'order')}`;
  }
}
/**
 * Alert `deadline`: one escalation, a line and a row of buttons per order (none once resolved).
 * Facts (`deadlineFacts`): stage, leadMinutes, at, total, orders as JSON.
 */
export const renderDeadline: AlertRenderer = (r, ctx) => {
  const open = r.state === 'open';
  const stage = (['at_risk', 'late', 'cancel_requested'] as const).find((s) => s === fact(r, 'stage')) ?? 'at_risk';
  const lead = fact(r, 'leadMinutes') ? Number(fact(r, 'leadMinutes')) : undefined;
  const orders = ordersFromFacts(r);
  const total = Number(fact(r, 'total')) || orders.length;
  const headline = deadlineHeadline(stage, total, lead);
  const prime = primeNote(orders);
  const at = fact(r, 'at');
  const blocks: Block[] = [header(headline, 'alert:summary')];
  const about =
    stage === 'cancel_requested'
      ? 'The buyer asked Amazon to cancel: hold it in ShipStation before it ships, then cancel it on Amazon.'
      : 'Ship these first, Prime before the rest.';
  blocks.push(context(`${prime ? `:zap: ${prime} · ` : ''}${about}${at ? ` Times left as of ${clock(at)}.` : ''}`));
  const shown = orders.slice(0, LIMITS.listItems);
  blocks.push(...atRiskBlocks(ctx, shown, stage === 'cancel_requested', r.key, r.updatedAt, open));
  if (total > shown.length) blocks.push(context(`…and ${total - shown.length} more${stage === 'cancel_requested' ? '' : ' — `/dockhand late`'}`));
  // Deadline messages carry a row of buttons per order instead of one row.
  return { text: `${headline}${prime ? ` (${prime})` : ''}`, blocks, buttons: [] };
};
