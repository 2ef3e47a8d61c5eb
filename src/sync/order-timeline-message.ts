import type { types } from '@slack/bolt';
import { ACTIONS, actions, button, code, context, escapeMrkdwn, fitMessage, header, LIMITS, linesToSections, openInShipStation, plural, section, utc, who, type Block, type RenderContext, type SlackMessage } from '../domain/block-kit';
import { isRetryable } from '../domain/errors';
import type { ConfirmationRecord, OrderRecord } from '../store/records';
import { STATE_WORDS, type OrderTimeline } from './order-timeline';
import { quarantineKey, quarantineTodo } from './quarantine-alert';

const MAX_TIMELINE = 40;


/** `/dockhand order <id>` and the Show details button: what Dockhand knows and did, in time order. */
export function orderTimeline(input: OrderTimeline, ctx: RenderContext): SlackMessage {
  const { amazonOrderId: id, record: r, quarantine: q } = input;
  const title = `Order ${id}`;
  const labels = input.confirmations;
  if (!r && !q && input.audit.length === 0 && input.alerts.length === 0 && labels.length === 0) {
    return fitMessage(`Dockhand has not seen order ${id}`, [
      section(`Dockhand has not seen order ${code(id)}.`),
      context('It may be older than the first import, fulfilled by Amazon, or in another account. `/dockhand status` shows when each account last synced.'),
    ]);
  }

  const blocks: Block[] = [header(title, `order:${id}`)];
  const fields: string[] = [];
  const accountId = r?.accountId ?? q?.accountId;
  if (accountId) fields.push(`*Account*\n${escapeMrkdwn(accountId)}`);
  const state = r ? STATE_WORDS[r.state] : q ? 'quarantined' : 'unknown';
  fields.push(`*State*\n${state}${r?.skipReason ? ` (${escapeMrkdwn(r.skipReason)})` : ''}`);
  if (r) {
    fields.push(`*Amazon status*\n${escapeMrkdwn(r.amazonStatus)}`);
    fields.push(`*ShipStation order*\n${r.shipstationOrderId !== undefined ? String(r.shipstationOrderId) : 'not created'}`);
    if (r.isPrime || r.shipByLatest) fields.push(`*Ship by*\n${r.shipByLatest ? utc(r.shipByLatest) : '—'}${r.isPrime ? ' · Prime' : ''}`);
    if (r.unmappedSkus.length > 0) fields.push(`*Unmapped SKUs*\n${r.unmappedSkus.map(code).join(', ')}`);
  }
  if (r || labels.length > 0) fields.push(`*Tracking to Amazon*\n${trackingSummary(labels, r)}`);
  blocks.push(section(`Order ${code(id)}`, { fields }));

  const events: Array<{ at: string; line: string }> = [];
  if (r) {
    events.push({ at: r.firstSeenAt, line: 'First seen by Dockhand' });
    if (r.sentAt) events.push({ at: r.sentAt, line: `Sent to ShipStation${r.shipstationOrderId !== undefined ? ` (order ${r.shipstationOrderId})` : ''}` });
    if (r.closedAt) {
      const how = r.state === 'cancelled' || r.amazonStatus === 'Canceled' ? 'Cancelled on Amazon' : r.amazonStatus === 'Shipped' ? 'Shipped on Amazon' : `Closed on Amazon (${escapeMrkdwn(r.amazonStatus)})`;
      events.push({ at: r.closedAt, line: how });
    }
  }
  if (q) {
    const todo = quarantineTodo(q.code, q.hint);
    events.push({
      at: q.at,
      line: `:construction: Quarantined: ${code(q.code)} — ${escapeMrkdwn(q.reason)}${q.attempts > 1 ? ` (${q.attempts} attempts)` : ''}${todo ? `\n      _${todo}_` : ''}`,
    });
  }
  for (const c of labels) events.push(...confirmationEvents(c));
  for (const a of input.audit) {
    events.push({ at: a.at, line: `${who(a.actor)} ${code(a.action)} → ${a.outcome}${a.detail ? ` (${escapeMrkdwn(a.detail)})` : ''}` });
  }
  for (const al of input.alerts) {
    events.push({ at: al.updatedAt, line: `Alert ${code(al.kind)} ${al.state === 'resolved' ? 'resolved' : 'open'}${al.count > 1 ? ` (${al.count} times)` : ''}` });
    if (al.lastActor && al.lastActionAt && al.lastActionText && al.lastActionAt !== al.updatedAt) {
      events.push({ at: al.lastActionAt, line: `${who(al.lastActor)} ${escapeMrkdwn(al.lastActionText)}` });
    }
  }
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.at.localeCompare(b.at));
  const shown = events.slice(-MAX_TIMELINE);
  const lines = shown.map((e) => `\`${utc(e.at)}\`  ${e.line}`);
  if (events.length > shown.length) lines.unshift(`…${events.length - shown.length} earlier events not shown (\`dockhand audit\` in the CLI shows all)`);
  blocks.push(...linesToSections(lines));

  const buttons: types.Button[] = [];
  if (q && accountId && isRetryable(q.code)) {
    const key = quarantineKey(accountId, id);
    buttons.push(button({ text: 'Retry', actionId: ACTIONS.retryOrder, style: 'primary', value: { key, version: q.at, accountId, amazonOrderId: id } }));
  }
  for (const c of labels.filter((l) => l.state === 'quarantined').slice(0, LIMITS.actionsElements - 2)) {
    buttons.push(
      button({
        text: `Retry confirmation ${c.labelId}`,
        actionId: `${ACTIONS.retryConfirmation}:${c.labelId}`,
        // The same key as the writeback alert: a retry from here also updates that message.
        value: { key: `writeback:${c.labelId}`, version: c.at, accountId: c.accountId, amazonOrderId: c.amazonOrderId, labelId: c.labelId },
      }),
    );
  }
  buttons.push(...openInShipStation(ctx, ACTIONS.openShipStation, id, r?.shipstationOrderId));
  if (buttons.length > 0) blocks.push(actions(`order:${id}:actions`, buttons));
  const text = `Order ${id}: ${state}${q ? ` (${q.code})` : ''}`;
  return fitMessage(text, blocks, { cliCommand: 'dockhand audit' });
}

const CONFIRMATION_WORDS: Record<ConfirmationRecord['state'], string> = {
  in_flight: 'being confirmed',
  confirmed: 'confirmed',
  skipped: 'skipped',
  quarantined: 'quarantined',
};

function trackingSummary(labels: ConfirmationRecord[], r: OrderRecord | undefined): string {
  if (labels.length === 0) return r?.amazonStatus === 'Shipped' ? 'shipped on Amazon; Dockhand saw no ShipStation label' : 'no label yet';
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(CONFIRMATION_WORDS[l.state], (counts.get(CONFIRMATION_WORDS[l.state]) ?? 0) + 1);
  const voided = labels.filter((l) => l.voidedAfterConfirm).length;
  const parts = [...counts].map(([w, n]) => `${n} ${w}`);
  if (voided > 0) parts.push(`:warning: ${voided} voided after confirming`);
  return `${plural(labels.length, 'label')}: ${parts.join(', ')}`;
}

function itemsText(items: ConfirmationRecord['items']): string {
  if (items.length === 0) return 'whole order';
  const shown = items.slice(0, 5).map((i) => `${code(i.orderItemId)} ×${i.quantity}`);
  return `${shown.join(', ')}${items.length > shown.length ? ` and ${items.length - shown.length} more` : ''}`;
}

/** A label's lines in the order timeline: created in ShipStation, then what happened on Amazon. */
function confirmationEvents(c: ConfirmationRecord): Array<{ at: string; line: string }> {
  const label = code(c.labelId);
  const carrier = escapeMrkdwn(c.carrierName ?? c.carrierCode);
  const tracking = `${carrier} ${code(c.trackingNumber)}`;
  const out = [{ at: c.labelCreatedAt, line: `Label ${label} created in ShipStation: ${tracking}` }];
  switch (c.state) {
    case 'confirmed':
      out.push({ at: c.confirmedAt ?? c.at, line: `:white_check_mark: Confirmed on Amazon (${label}): ${tracking}, items ${itemsText(c.items)} (via ${c.via})` });
      break;
    case 'quarantined':
      out.push({
        at: c.at,
        line: `:construction: Confirmation of ${label} quarantined: ${c.code ? `${code(c.code)} — ` : ''}${escapeMrkdwn(c.reason ?? 'no reason recorded')}${c.attempts > 1 ? ` (${c.attempts} attempts)` : ''}${c.hint ? `\n      _${escapeMrkdwn(c.hint)}_` : ''}`,
      });
      break;
    case 'skipped':
      out.push({ at: c.at, line: `:fast_forward: Not confirmed on Amazon (${label}): ${escapeMrkdwn(c.reason ?? 'nothing to confirm')}` });
      break;
    case 'in_flight':
      out.push({ at: c.at, line: `:hourglass_flowing_sand: Being confirmed on Amazon (${label}): ${tracking}` });
      break;
  }
  if (c.voidedAfterConfirm) {
    out.push({ at: c.at, line: `:warning: Label ${label} was voided after Amazon accepted its tracking: Amazon can't un-confirm, so correct it in Seller Central` });
  }
  return out;
}
