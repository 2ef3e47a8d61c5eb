import { isRetryable, retryAdvice } from '../domain/errors';
import { ACTIONS, button, code, escapeMrkdwn, fact, plural, section, splitIds, type AlertRenderer } from '../domain/block-kit';
import { problemKind, type Problem, type ProblemState } from '../domain/notifier';

/** An order Dockhand could not send to ShipStation. */
export interface QuarantineNotice {
  accountId: string;
  amazonOrderId: string;
  code: string;
  reason: string;
  hint: string;
}

export const QUARANTINED_ORDER = problemKind<QuarantineNotice>('quarantined_order');
/** Many quarantines of one account at once: one message instead of one each. */
export const QUARANTINE_BURST = problemKind<QuarantineNotice>('quarantine_burst');

export function quarantineKey(accountId: string, amazonOrderId: string): string {
  return `quarantine:${accountId}:${amazonOrderId}`;
}
export function burstKey(accountId: string): string {
  return `quarantine_burst:${accountId}`;
}

/** The burst message lists a few order IDs; the rest are counted. */
function firstIds(known: string | undefined, more: string[]): string {
  const ids = (known ?? '').split(',').filter(Boolean);
  for (const id of more) if (ids.length < 5 && !ids.includes(id)) ids.push(id);
  return ids.join(',');
}

function foldBurst(n: QuarantineNotice) {
  return (open: ProblemState | undefined, ids: string[], at: string, since?: string): ProblemState => ({
    count: (open?.count ?? 0) + ids.length,
    facts: { ...open?.facts, accountId: n.accountId, orderIds: firstIds(open?.facts.orderIds, ids), ...(since ? { since } : {}), lastCode: n.code, lastAt: at },
  });
}

/** The problem of a quarantined order: one message per order, folded into the account's burst when many come at once. Pure. */
export function quarantinedOrderProblem(n: QuarantineNotice): Problem<QuarantineNotice> {
  return {
    kind: QUARANTINED_ORDER.name,
    key: quarantineKey(n.accountId, n.amazonOrderId),
    facts: { accountId: n.accountId, amazonOrderId: n.amazonOrderId, code: n.code, reason: n.reason, hint: n.hint },
    notice: n,
    burst: { key: burstKey(n.accountId), kind: QUARANTINE_BURST.name, id: n.amazonOrderId, fold: foldBurst(n) },
    // The reason may echo order data back from a vendor, so the log line carries only the code.
    log: { level: 'warn', msg: 'order quarantined', fields: { accountId: n.accountId, amazonOrderId: n.amazonOrderId, code: n.code } },
  };
}

/**
 * What to do about an order quarantined with `errCode`, escaped: its hint, and what clears it
 * when a Retry can't (domain/errors.ts `retryAdvice`). For what only Amazon can correct the
 * advice replaces the hint, so nothing on the message says "press Retry" where none is offered.
 */
export function quarantineTodo(errCode: string, hint: string): string {
  const advice = retryAdvice(errCode);
  if (advice.kind === 'amazon_only') return escapeMrkdwn(advice.clears);
  return [hint, advice.kind === 'after_config' ? advice.clears : ''].filter(Boolean).map(escapeMrkdwn).join(' ');
}

/** Alert `quarantined_order`. Facts: accountId, amazonOrderId, code, reason, hint. */
export const renderQuarantinedOrder: AlertRenderer = (r) => {
  const open = r.state === 'open';
  const accountId = fact(r, 'accountId');
  const id = fact(r, 'amazonOrderId');
  const errCode = fact(r, 'code');
  const fields = [`*Account*\n${escapeMrkdwn(accountId || 'unknown')}`, `*Problem*\n${errCode ? code(errCode) : 'unknown'}`];
  if (r.count > 1) fields.push(`*Occurrences*\n${r.count}`);
  const blocks = [section(`:construction: Order ${code(id)} ${open ? 'is quarantined' : 'was quarantined'}: Dockhand could not send it to ShipStation.`, { blockId: 'alert:summary', fields })];
  const reason = fact(r, 'reason');
  const todo = quarantineTodo(errCode, fact(r, 'hint'));
  if (reason || todo) blocks.push(section([escapeMrkdwn(reason), todo ? `:point_right: ${todo}` : ''].filter(Boolean).join('\n'), { blockId: 'alert:detail' }));
  const value = { key: r.key, version: r.updatedAt, accountId, amazonOrderId: id };
  return {
    text: `Order ${id} is quarantined${errCode ? `: ${errCode}` : ''}`,
    blocks,
    buttons: [
      // Retry only where it can help: what only Amazon can correct says what clears it instead.
      ...(isRetryable(errCode) ? [button({ text: 'Retry', actionId: ACTIONS.retryOrder, style: 'primary', value })] : []),
      button({ text: 'Show details', actionId: ACTIONS.showOrder, value }),
    ],
  };
};

/** Alert `quarantine_burst`. Facts: count (else the record's count), orderIds (first few, comma-separated), accountId. */
export const renderQuarantineBurst: AlertRenderer = (r) => {
  const count = Number(fact(r, 'count')) || r.count;
  const firstFew = splitIds(fact(r, 'orderIds')).slice(0, 5);
  const accountId = fact(r, 'accountId');
  const idLine = firstFew.length ? `\n${firstFew.map(code).join(', ')}${count > firstFew.length ? ` and ${count - firstFew.length} more` : ''}` : '';
  return {
    text: `${plural(count, 'order')} quarantined${accountId ? ` in ${accountId}` : ''}`,
    blocks: [
      section(`:construction: ${plural(count, 'order')} quarantined${accountId ? ` in *${escapeMrkdwn(accountId)}*` : ''}: \`/dockhand quarantine\` lists them.${idLine}`, {
        blockId: 'alert:summary',
      }),
    ],
    buttons: [
      button({
        text: 'Retry all',
        actionId: ACTIONS.retryAll,
        style: 'primary',
        value: { key: r.key, version: r.updatedAt, ...(accountId ? { accountId } : {}) },
        confirm: {
          title: 'Retry all?',
          text: `Send ${plural(count, 'quarantined order')} to ShipStation again? Orders only Amazon can correct are skipped: they come in when Amazon updates them.`,
          confirm: 'Retry all',
          deny: 'Cancel',
        },
      }),
    ],
  };
};
