import { button, code, context, escapeMrkdwn, fact, section, type AlertRenderer, type Block } from '../domain/block-kit';
import { problemKind, type Problem } from '../domain/notifier';
import type { RefundRecord, ReturnRecord } from '../domain/return';
import { formatCents } from './refund';

/**
 * "Return on its way": one Slack message per RMA, drawn from the RMA's rows and refunds and
 * raised again (facts replaced) at every step, so the message is edited in place with who did
 * what. Its buttons follow the return's status. No buyer data: IDs, SKUs, reasons, tracking.
 */

export const RETURN_ON_ITS_WAY = problemKind<ReturnView>('return_on_its_way');
export const RETURN_AGING = problemKind<{ accountId: string; rma: string; what: 'receive' | 'approve' }>('return_aging');

/** Kinds posted to `slack.channels.returns` (falling back to the default channel). */
export function isReturnKind(kind: string): boolean {
  return kind === RETURN_ON_ITS_WAY.name || kind === RETURN_AGING.name;
}

/** action_ids of the return buttons; all start with `returns_` so the generic action listener leaves them alone. */
export const RETURN_ACTIONS = {
  received: 'returns_received',
  approve: 'returns_approve',
  replace: 'returns_replace',
  reject: 'returns_reject',
  retry: 'returns_retry_refund',
} as const;
export const RETURN_ACTION_PREFIX = 'returns_';

export function returnKey(accountId: string, rma: string): string {
  return `return:${accountId}:${rma}`;
}

/** `return:<account>:<rma>` → its parts; undefined for any other key. Pure. */
export function parseReturnKey(key: string): { accountId: string; rma: string } | undefined {
  const m = /^return(?:_aging)?:([^:]+):(.+?)(?::(?:receive|approve))?$/.exec(key);
  return m ? { accountId: m[1]!, rma: m[2]! } : undefined;
}

/** What the message shows, and one history line per step. */
export interface ReturnView {
  rows: ReturnRecord[];
  refunds: RefundRecord[];
  /** "<@U1> marked it received: ok, 1 of 1" — the newest step, added to the history. */
  step?: string;
}

const MAX_HISTORY = 8;

/** The facts of an RMA's message. Pure. */
export function returnFacts(v: ReturnView, previousHistory = ''): Record<string, string> {
  const first = v.rows[0]!;
  const history = [...previousHistory.split('\n').filter(Boolean), ...(v.step ? [v.step] : [])].slice(-MAX_HISTORY);
  const f: Record<string, string> = {
    accountId: first.accountId,
    rma: first.rma,
    amazonOrderId: first.amazonOrderId,
    status: first.status,
    items: v.rows.map((r) => `${r.sku} ×${r.quantity}${r.quantityReceived !== undefined ? ` (received ${r.quantityReceived})` : ''}`).join('\n'),
    reason: first.reason,
    inPolicy: first.inPolicy === undefined ? 'unknown' : first.inPolicy ? 'yes' : 'no',
    carrier: first.carrier ?? '',
    tracking: first.tracking ?? '',
    resolution: first.resolution ?? '',
    history: history.join('\n'),
  };
  if (first.condition) f.condition = first.condition;
  if (first.notes) f.notes = first.notes;
  if (first.rejectReason) f.rejectReason = first.rejectReason;
  if (first.warehouse) f.warehouse = first.warehouse.kind === 'return_label' ? `return label ${first.warehouse.trackingNumber ?? first.warehouse.labelId ?? ''}`.trim() : first.warehouse.kind === 'tagged' ? 'ShipStation order tagged' : (first.warehouse.message ?? first.warehouse.kind);
  if (v.refunds.length > 0) {
    const total = v.refunds.reduce((s, r) => s + r.total, 0);
    f.refund = `${formatCents(total)} ${v.refunds[0]!.currency}`;
    f.refundState = refundState(v.refunds);
    const failed = v.refunds.find((r) => r.state === 'error');
    if (failed) f.refundError = `${failed.errorCode ?? ''} ${failed.errorMessage ?? ''}`.trim();
  }
  return f;
}

/** One word for an RMA's refunds: the least advanced wins, an error first. Pure. */
export function refundState(refunds: RefundRecord[]): string {
  const order = ['error', 'uncertain', 'approved', 'batched', 'submitted', 'accepted', 'posted'] as const;
  for (const s of order) if (refunds.some((r) => r.state === s)) return s;
  return 'none';
}

/** The problem that (re)draws an RMA's message. Pure. */
export function returnProblem(v: ReturnView, previousHistory?: string): Problem<ReturnView> {
  const first = v.rows[0]!;
  return {
    kind: RETURN_ON_ITS_WAY.name,
    key: returnKey(first.accountId, first.rma),
    facts: returnFacts(v, previousHistory),
    replaceFacts: true,
    notice: v,
    log: { level: 'info', msg: 'return changed', fields: { accountId: first.accountId, rma: first.rma, amazonOrderId: first.amazonOrderId, status: first.status } },
  };
}

const TITLE: Record<string, string> = {
  expected: ':package: Return on its way',
  received: ':inbox_tray: Return received',
  refund_pending: ':hourglass_flowing_sand: Refund on its way to Amazon',
  refunded: ':white_check_mark: Refunded',
  rejected: ':no_entry: Refund rejected',
  replaced: ':repeat: Replacement sent',
};

const REFUND_WORDS: Record<string, string> = {
  approved: 'approved, waiting for the next adjustment feed',
  batched: 'in an adjustment feed about to be sent',
  submitted: 'sent to Amazon, waiting for its processing report',
  accepted: 'accepted by Amazon; Finances confirms it within a day or two',
  posted: 'posted on Amazon (Finances)',
  error: 'refused by Amazon',
  uncertain: 'unknown whether Amazon got it: check Seller Central before retrying',
};

/** Alert `return_on_its_way`. Facts: see `returnFacts`. */
export const renderReturn: AlertRenderer = (r) => {
  const status = fact(r, 'status');
  const rma = fact(r, 'rma');
  const order = fact(r, 'amazonOrderId');
  const fields = [
    `*Order*\n${code(order)}`,
    `*RMA*\n${code(rma)}`,
    `*Items*\n${escapeMrkdwn(fact(r, 'items'))}`,
    `*Reason*\n${escapeMrkdwn(fact(r, 'reason') || '—')}`,
    `*In policy*\n${fact(r, 'inPolicy')}`,
    `*Carrier / tracking*\n${escapeMrkdwn(fact(r, 'carrier') || '—')} ${fact(r, 'tracking') ? code(fact(r, 'tracking')) : ''}`.trim(),
    `*Amazon's resolution*\n${escapeMrkdwn(fact(r, 'resolution') || '—')}`,
  ];
  if (fact(r, 'condition')) fields.push(`*Condition*\n${escapeMrkdwn(fact(r, 'condition'))}`);
  if (fact(r, 'refund')) fields.push(`*Refund*\n${escapeMrkdwn(fact(r, 'refund'))}: ${REFUND_WORDS[fact(r, 'refundState')] ?? fact(r, 'refundState')}`);
  const blocks: Block[] = [section(`${TITLE[status] ?? status} · order ${code(order)}`, { blockId: 'alert:summary', fields })];
  if (fact(r, 'refundError')) blocks.push(section(`:warning: Amazon refused the refund: ${escapeMrkdwn(fact(r, 'refundError'))}`, { blockId: 'return:error' }));
  if (fact(r, 'rejectReason')) blocks.push(context(`Reason: ${escapeMrkdwn(fact(r, 'rejectReason'))}`));
  if (fact(r, 'notes')) blocks.push(context(`Warehouse notes: ${escapeMrkdwn(fact(r, 'notes'))}`));
  if (fact(r, 'warehouse')) blocks.push(context(`ShipStation: ${escapeMrkdwn(fact(r, 'warehouse'))}`));
  const history = fact(r, 'history').split('\n').filter(Boolean);
  if (history.length) blocks.push(context(history.join('\n')));
  const value = { key: r.key, version: r.updatedAt, accountId: fact(r, 'accountId') };
  const buttons = [];
  if (status === 'expected') buttons.push(button({ text: 'Received', actionId: RETURN_ACTIONS.received, style: 'primary', value }));
  if (status === 'received') {
    buttons.push(button({ text: 'Approve refund', actionId: RETURN_ACTIONS.approve, style: 'primary', value }));
    buttons.push(button({ text: 'Replace', actionId: RETURN_ACTIONS.replace, value, confirm: { title: 'Send a replacement?', text: `No refund is sent for ${rma}; the order is marked replaced.`, confirm: 'Replace', deny: 'Cancel' } }));
    buttons.push(button({ text: 'Reject', actionId: RETURN_ACTIONS.reject, style: 'danger', value }));
  }
  if (status === 'refund_pending' && fact(r, 'refundState') === 'error') buttons.push(button({ text: 'Retry', actionId: RETURN_ACTIONS.retry, style: 'primary', value }));
  return { text: `${(TITLE[status] ?? status).replace(/^:[a-z_]+: /, '')}: order ${order}, RMA ${rma}`, blocks, buttons };
};

/** Alert `return_aging`: a return waiting too long for the warehouse or for a manager. */
export const renderReturnAging: AlertRenderer = (r) => {
  const what = fact(r, 'what');
  const line =
    what === 'receive'
      ? `:alarm_clock: Return ${code(fact(r, 'rma'))} (order ${code(fact(r, 'amazonOrderId'))}) was delivered ${escapeMrkdwn(fact(r, 'since'))} and is not marked Received yet.`
      : `:alarm_clock: Return ${code(fact(r, 'rma'))} (order ${code(fact(r, 'amazonOrderId'))}) was received ${escapeMrkdwn(fact(r, 'since'))} and its refund is not decided: Amazon expects the refund within two business days of arrival.`;
  return { text: line.replace(/:[a-z_]+: /, '').replace(/`/g, ''), blocks: [section(line, { blockId: 'alert:summary' })], buttons: [] };
};

/** The aging problem of one RMA. Pure. */
export function agingProblem(r: ReturnRecord, what: 'receive' | 'approve', since: string): Problem<{ accountId: string; rma: string; what: 'receive' | 'approve' }> {
  return {
    kind: RETURN_AGING.name,
    key: `return_aging:${r.accountId}:${r.rma}:${what}`,
    facts: { accountId: r.accountId, rma: r.rma, amazonOrderId: r.amazonOrderId, what, since },
    replaceFacts: true,
    notice: { accountId: r.accountId, rma: r.rma, what },
    log: { level: 'warn', msg: 'return waiting too long', fields: { accountId: r.accountId, rma: r.rma, what } },
  };
}
