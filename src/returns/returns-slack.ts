import type { App, types } from '@slack/bolt';
import { fitBlock, parseButtonValue, section } from '../domain/block-kit';
import { ReturnCondition, type ReturnRecord } from '../domain/return';
import type { Logger } from '../log/logger';
import type { OpenModal, Respond } from '../slack/modal';
import { formatCents, parseCents } from './refund';
import type { RefundOffer, ReturnActions, StepResult } from './return-actions';
import { parseReturnKey, RETURN_ACTIONS } from './return-message';

/**
 * The Slack side of a return: the buttons of "Return on its way" and their modals (Received:
 * condition, quantity, notes; Approve refund: the refund computed from the order, each amount
 * lowerable, never raisable; Reject: a reason). Views are built and read here, pure; the steps
 * themselves are ReturnActions. `registerReturnsSlack` is the one call app.ts makes.
 */

export const RETURN_VIEWS = { received: 'returns_received_view', approve: 'returns_approve_view', reject: 'returns_reject_view' } as const;

interface Target {
  accountId: string;
  rma: string;
}

function metadata(t: Target): string {
  return JSON.stringify({ accountId: t.accountId, rma: t.rma });
}

/** The return a button or a view is about; undefined when it is not one of ours. Pure. */
export function targetOf(raw: string | undefined): Target | undefined {
  if (!raw) return undefined;
  const button = parseButtonValue(raw);
  if (button) return parseReturnKey(button.key);
  try {
    const m = JSON.parse(raw) as Partial<Target>;
    return typeof m.accountId === 'string' && typeof m.rma === 'string' ? { accountId: m.accountId, rma: m.rma } : undefined;
  } catch {
    return undefined;
  }
}

const input = (blockId: string, label: string, element: Record<string, unknown>, opts: { optional?: boolean; hint?: string } = {}) => ({
  type: 'input',
  block_id: blockId,
  label: { type: 'plain_text', text: label },
  ...(opts.optional ? { optional: true } : {}),
  ...(opts.hint ? { hint: { type: 'plain_text', text: opts.hint } } : {}),
  element,
});

const text = (actionId: string, initial?: string, multiline = false) => ({ type: 'plain_text_input', action_id: actionId, ...(initial !== undefined ? { initial_value: initial } : {}), ...(multiline ? { multiline: true, max_length: 500 } : {}) });

/** A modal about one return: its submit text, and the return round-tripped in private_metadata. */
function modal(callbackId: string, t: Target, title: string, submit: string, blocks: unknown[]): types.ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: metadata(t),
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: blocks as types.ModalView['blocks'],
  };
}

/** The Received modal: condition, quantity per SKU, notes. Pure. */
export function receivedModal(rows: ReturnRecord[]): types.ModalView {
  const first = rows[0]!;
  const options = ReturnCondition.options.map((c) => ({ text: { type: 'plain_text', text: c.replace('_', ' ') }, value: c }));
  return modal(RETURN_VIEWS.received, first, 'Return received', 'Mark received', [
    fitBlock(section(`RMA \`${first.rma}\`, order \`${first.amazonOrderId}\``, { blockId: 'returns:about' })),
    input('condition', 'Condition', { type: 'static_select', action_id: 'value', options, initial_option: options[0] }),
    ...rows.map((r) => input(`qty:${r.sku}`, `Quantity received of ${r.sku}`.slice(0, 150), text('value', String(r.quantity)), { hint: `Amazon expects ${r.quantity}.` })),
    input('notes', 'Notes', text('value', undefined, true), { optional: true }),
  ]);
}

/** The Approve refund modal: what the order says each item's refund is; an amount may be lowered. Pure. */
export function approveModal(offer: RefundOffer): types.ModalView {
  const lines = offer.quotes.map((q) => {
    const c = q.components;
    const parts = [`principal ${formatCents(c.principal)}`, `tax ${formatCents(c.tax)}`];
    if (c.shipping) parts.push(`shipping ${formatCents(c.shipping)}`);
    if (c.shippingTax) parts.push(`shipping tax ${formatCents(c.shippingTax)}`);
    if (q.restockingFee) parts.push(`less restocking fee ${formatCents(q.restockingFee)}`);
    return `• \`${q.sku}\` ×${q.quantity}: ${parts.join(', ')} = *${formatCents(q.total)} ${offer.currency}*`;
  });
  return modal(RETURN_VIEWS.approve, offer, 'Approve refund', 'Approve', [
    fitBlock(section(`Refund for RMA \`${offer.rma}\`, order \`${offer.amazonOrderId}\`, computed from the order:\n${lines.join('\n')}`, { blockId: 'returns:about' })),
    ...offer.quotes.map((q) => input(`amount:${q.sku}`, `Refund for ${q.sku} (${offer.currency})`.slice(0, 150), text('value', formatCents(q.total)), { hint: `At most ${formatCents(q.max)}: what was paid less earlier refunds. You may lower it.` })),
  ]);
}

export function rejectModal(t: Target): types.ModalView {
  return modal(RETURN_VIEWS.reject, t, 'Reject refund', 'Reject', [input('reason', 'Why is no refund given?', text('value', undefined, true))]);
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null }>>;

/** A submitted view's inputs by block id. Pure. */
export function viewInputs(values: StateValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [blockId, block] of Object.entries(values)) {
    for (const v of Object.values(block)) {
      const value = v.selected_option?.value ?? v.value;
      if (typeof value === 'string') out[blockId] = value;
    }
  }
  return out;
}

/** The Received modal's answer, or the errors Slack shows next to the inputs. Pure. */
export function readReceived(inputs: Record<string, string>): { condition: ReturnCondition; quantities: Record<string, number>; notes?: string } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const condition = ReturnCondition.safeParse(inputs.condition);
  if (!condition.success) errors.condition = 'Choose ok, damaged, wrong item or missing.';
  const quantities: Record<string, number> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (!k.startsWith('qty:')) continue;
    if (!/^\d{1,4}$/.test(v.trim())) errors[k] = 'A whole number of units.';
    else quantities[k.slice(4)] = Number(v.trim());
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { condition: condition.data!, quantities, ...(inputs.notes?.trim() ? { notes: inputs.notes.trim() } : {}) };
}

/** The Approve modal's amounts in cents per SKU, or errors (an amount above its max is refused here and again by the step). Pure. */
export function readAmounts(inputs: Record<string, string>, offer?: RefundOffer): { amounts: Record<string, number> } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const amounts: Record<string, number> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (!k.startsWith('amount:')) continue;
    const sku = k.slice(7);
    const cents = parseCents(v);
    const max = offer?.quotes.find((q) => q.sku === sku)?.max;
    if (cents === undefined || cents <= 0) errors[k] = 'An amount above 0 with at most two decimals, e.g. 12.50.';
    else if (max !== undefined && cents > max) errors[k] = `At most ${formatCents(max)}: a refund can be lowered, not raised.`;
    else amounts[sku] = cents;
  }
  return Object.keys(errors).length > 0 ? { errors } : { amounts };
}

export interface ReturnsSlackDeps {
  actions: ReturnActions;
  logger: Logger;
  /** Runs work after the ack (app.ts's queue). */
  later(fn: () => Promise<void>): void;
  /** Opens a click's modal, telling the person when Slack did not. */
  openModal: OpenModal;
}

/**
 * Registers the return buttons and views on the Bolt app. app.ts calls it once, before its
 * catch-all action listener, which leaves `returns_` actions alone.
 */
export function registerReturnsSlack(app: App, deps: ReturnsSlackDeps): void {
  const { actions, logger } = deps;
  const reply = async (respond: Respond, r: StepResult) => {
    await respond({ response_type: 'ephemeral', text: r.ok ? r.message : `:no_entry: ${r.message}`, replace_original: false }).catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'returns reply not delivered'));
  };
  const triggerOf = (body: unknown) => (body as { trigger_id?: string }).trigger_id;

  app.action(new RegExp(`^${RETURN_ACTIONS.received}$`), async ({ ack, body, action, respond }) => {
    await ack();
    const t = targetOf('value' in action ? (action.value as string) : undefined);
    if (!t) return;
    const rows = await actions.rows(t.accountId, t.rma);
    if (rows.length) await deps.openModal(triggerOf(body), receivedModal(rows), respond);
  });

  app.action(new RegExp(`^(${RETURN_ACTIONS.approve}|${RETURN_ACTIONS.reject})$`), async ({ ack, body, action, respond }) => {
    await ack();
    const t = targetOf('value' in action ? (action.value as string) : undefined);
    if (!t) return;
    const approve = 'action_id' in action && action.action_id === RETURN_ACTIONS.approve;
    // Only managers get the modal; a refused click is audited and changes nothing.
    const refused = await actions.mayDecide(body.user.id, approve ? 'approve_refund' : 'reject', t.accountId, t.rma);
    if (refused) return reply(respond, refused);
    const trigger = triggerOf(body);
    if (!approve) return void (await deps.openModal(trigger, rejectModal(t), respond));
    try {
      await deps.openModal(trigger, approveModal(await actions.offer(t.accountId, t.rma)), respond);
    } catch (e) {
      await reply(respond, { ok: false, code: 'returns.refund_not_computable', message: (e as Error).message });
    }
  });

  app.action(new RegExp(`^(${RETURN_ACTIONS.replace}|${RETURN_ACTIONS.retry})$`), async ({ ack, body, action, respond }) => {
    await ack();
    const t = targetOf('value' in action ? (action.value as string) : undefined);
    if (!t) return;
    const replace = 'action_id' in action && action.action_id === RETURN_ACTIONS.replace;
    deps.later(async () => reply(respond, replace ? await actions.replace(body.user.id, t.accountId, t.rma) : await actions.retryRefund(body.user.id, t.accountId, t.rma)));
  });

  app.view(RETURN_VIEWS.received, async ({ ack, view, body }) => {
    const t = targetOf(view.private_metadata);
    const read = readReceived(viewInputs(view.state.values as StateValues));
    if ('errors' in read) return void (await ack({ response_action: 'errors', errors: read.errors }));
    await ack();
    if (t) deps.later(async () => void (await actions.received(body.user.id, t.accountId, t.rma, read)));
  });

  app.view(RETURN_VIEWS.approve, async ({ ack, view, body }) => {
    const t = targetOf(view.private_metadata);
    const read = readAmounts(viewInputs(view.state.values as StateValues));
    if ('errors' in read) return void (await ack({ response_action: 'errors', errors: read.errors }));
    await ack();
    if (t) deps.later(async () => void (await actions.approve(body.user.id, t.accountId, t.rma, read.amounts)));
  });

  app.view(RETURN_VIEWS.reject, async ({ ack, view, body }) => {
    const t = targetOf(view.private_metadata);
    const reason = viewInputs(view.state.values as StateValues).reason?.trim() ?? '';
    if (!reason) return void (await ack({ response_action: 'errors', errors: { reason: 'Say why, for the audit log and the message.' } }));
    await ack();
    if (t) deps.later(async () => void (await actions.reject(body.user.id, t.accountId, t.rma, reason)));
  });
}
