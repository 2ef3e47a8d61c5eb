import type { AlertRecord, AuditEntry, ConfirmationRecord, OrderRecord, OrderState, QuarantineEntry } from '../store/records';
import { orderRecordKey, type Store } from '../store/store';

/**
 * What Dockhand knows and did about one Amazon order, for `/dockhand order <id>`, its Show
 * details button and `dockhand order <id>`: the order's record, its quarantine entry, the audit
 * entries about it, the alerts about it, and its ShipStation labels with what happened to each
 * on Amazon.
 */
export interface OrderTimeline {
  amazonOrderId: string;
  record?: OrderRecord;
  quarantine?: QuarantineEntry;
  audit: AuditEntry[];
  alerts: AlertRecord[];
  confirmations: ConfirmationRecord[];
}

/** Gathers an order's timeline; the order is looked for in each of `accountIds`, first found wins. */
export async function orderTimeline(store: Store, accountIds: string[], amazonOrderId: string): Promise<OrderTimeline> {
  const keys = accountIds.map((id) => orderRecordKey(id, amazonOrderId));
  const record = (await store.orders.getMany(keys)).find((r) => r !== undefined);
  const quarantine = (await store.quarantine.getMany(keys)).find((q) => q !== undefined);
  const audit = await store.auditFor(amazonOrderId);
  // An alert not yet in Slack is in the outbox; its newest version is what the order shows.
  const byKey = new Map<string, AlertRecord>();
  for (const a of await store.alerts.about(amazonOrderId)) byKey.set(a.key, a);
  for (const a of await store.outbox.about(amazonOrderId)) byKey.set(a.key, a);
  const alerts = [...byKey.values()];
  const confirmations = [...(await store.confirmations.byOrders(keys)).values()].flat();
  return { amazonOrderId, ...(record ? { record } : {}), ...(quarantine ? { quarantine } : {}), audit, alerts, confirmations };
}

/** True when Dockhand has nothing at all about the order. Pure. */
export function isUnknownOrder(t: OrderTimeline): boolean {
  return !t.record && !t.quarantine && t.audit.length === 0 && t.alerts.length === 0 && t.confirmations.length === 0;
}

/** An order's state in words, for the timeline in the terminal and in Slack. */
export const STATE_WORDS: Record<OrderState, string> = {
  in_flight: 'being sent to ShipStation',
  sent: 'in ShipStation',
  held: 'held (pending on Amazon)',
  skipped: 'skipped',
  cancelled: 'cancelled',
  quarantined: 'quarantined',
};

function utc(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}

function labelEvents(c: ConfirmationRecord): Array<{ at: string; line: string }> {
  const tracking = `${c.carrierName ?? c.carrierCode} ${c.trackingNumber}`;
  const out = [{ at: c.labelCreatedAt, line: `label ${c.labelId} created in ShipStation: ${tracking}` }];
  const items = c.items.length === 0 ? 'whole order' : c.items.map((i) => `${i.orderItemId} x${i.quantity}`).join(', ');
  switch (c.state) {
    case 'confirmed':
      out.push({ at: c.confirmedAt ?? c.at, line: `confirmed on Amazon (${c.labelId}): ${tracking}, items ${items} (via ${c.via})` });
      break;
    case 'quarantined':
      out.push({ at: c.at, line: `Amazon refused ${c.labelId}: ${c.code ?? ''} ${c.reason ?? ''}`.trimEnd() + (c.hint ? ` → ${c.hint}` : '') });
      break;
    case 'skipped':
      out.push({ at: c.at, line: `not confirmed (${c.labelId}): ${c.reason ?? 'nothing to confirm'}` });
      break;
    case 'in_flight':
      out.push({ at: c.at, line: `being confirmed on Amazon (${c.labelId}); resent on the next pass if no answer came` });
      break;
  }
  if (c.voidedAfterConfirm) out.push({ at: c.at, line: `WARNING: ${c.labelId} was voided after Amazon accepted it${c.replacedBy ? `; ${c.replacedBy} was sent in its place` : ''}` });
  return out;
}

/** The timeline as plain lines for the terminal (`dockhand order <id>`), oldest event first. Pure. */
export function formatOrderTimeline(t: OrderTimeline): string[] {
  const { record: r, quarantine: q } = t;
  if (isUnknownOrder(t)) {
    return [`Dockhand has not seen order ${t.amazonOrderId}.`, 'It may be older than the first import, fulfilled by Amazon, or in another account; `dockhand status` shows when each account last synced.'];
  }
  const accountId = r?.accountId ?? q?.accountId;
  const lines = [`order ${t.amazonOrderId}${accountId ? `  [${accountId}]` : ''}`];
  lines.push(`  state          ${r ? STATE_WORDS[r.state] : 'quarantined'}${r?.skipReason ? ` (${r.skipReason})` : ''}`);
  if (r) {
    lines.push(`  amazon status  ${r.amazonStatus}`);
    lines.push(`  shipstation    ${r.shipstationOrderId !== undefined ? `order ${r.shipstationOrderId}` : 'not created'}`);
    if (r.shipByLatest || r.isPrime) lines.push(`  ship by        ${r.shipByLatest ? utc(r.shipByLatest) : 'unknown'}${r.isPrime ? ' (Prime)' : ''}`);
    if (r.unmappedSkus.length > 0) lines.push(`  unmapped SKUs  ${r.unmappedSkus.join(', ')}`);
  }
  const c = t.confirmations;
  if (r || c.length > 0) {
    const counts = new Map<string, number>();
    for (const l of c) counts.set(l.state, (counts.get(l.state) ?? 0) + 1);
    lines.push(`  tracking       ${c.length === 0 ? 'no label yet' : `${c.length} label(s): ${[...counts].map(([s, n]) => `${n} ${s.replace('_', ' ')}`).join(', ')}`}`);
  }
  if (q) lines.push(`  quarantine     ${q.code}: ${q.reason}${q.hint ? ` → ${q.hint}` : ''} (${q.attempts} attempt(s); \`dockhand retry ${t.amazonOrderId}\`)`);

  const events: Array<{ at: string; line: string }> = [];
  if (r) {
    events.push({ at: r.firstSeenAt, line: 'first seen by Dockhand' });
    if (r.sentAt) events.push({ at: r.sentAt, line: `sent to ShipStation${r.shipstationOrderId !== undefined ? ` (order ${r.shipstationOrderId})` : ''}` });
    if (r.closedAt) events.push({ at: r.closedAt, line: r.state === 'cancelled' || r.amazonStatus === 'cancelled' ? 'cancelled on Amazon' : r.amazonStatus === 'shipped' ? 'shipped on Amazon' : `closed on Amazon (${r.amazonStatus})` });
  }
  if (q) events.push({ at: q.at, line: `quarantined: ${q.code}: ${q.reason}` });
  for (const l of c) events.push(...labelEvents(l));
  for (const a of t.audit) events.push({ at: a.at, line: `${a.actor} ${a.action} → ${a.outcome}${a.detail ? ` (${a.detail})` : ''}` });
  for (const a of t.alerts) {
    const waiting = a.state === 'open' && !a.ts ? ', waiting to be posted in Slack' : '';
    events.push({ at: a.updatedAt, line: `alert ${a.kind} ${a.state === 'resolved' ? 'resolved' : 'open'}${a.count > 1 ? ` (${a.count} times)` : ''}${waiting}` });
    if (a.lastActor && a.lastActionAt && a.lastActionText && a.lastActionAt !== a.updatedAt) events.push({ at: a.lastActionAt, line: `${a.lastActor} ${a.lastActionText}` });
  }
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.at.localeCompare(b.at));
  lines.push('timeline');
  for (const e of events) lines.push(`  ${utc(e.at)}  ${e.line}`);
  return lines;
}
