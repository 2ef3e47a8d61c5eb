import { ACTIONS, button, code, escapeMrkdwn, fact, openInShipStation, plural, section, context, splitIds, clock, type AlertRenderer } from '../domain/block-kit';
import { problemKind, type Problem, type ProblemState } from '../domain/notifier';
import type { MissingName } from './names';

/**
 * The Prime escalation (the seed's "FBM Prime order escalation"): an order matched by a rule with
 * `escalate: true`, shown in the alerts channel with the time left to Amazon's latest ship date,
 * its warehouse and items, and Re-route (managers), Mark priority, Open in ShipStation. The same
 * message is updated when the label is printed and when Amazon accepts the confirmation. A burst
 * of escalations collapses into one message with a count, as quarantines do.
 */

export interface EscalationNotice {
  accountId: string;
  amazonOrderId: string;
  prime: boolean;
  serviceLevel?: string;
  shipByLatest?: string;
  warehouse?: string;
  /** `2× WH-100, 1× AB-7`: SKUs and quantities, no buyer data. */
  items: string;
  shipstationOrderId?: number;
  rules: string[];
  /** Why rate shopping or auto-labelling did not happen, or what it chose. */
  note?: string;
}

export const PRIME_ESCALATION = problemKind<EscalationNotice>('prime_escalation');
export const ESCALATION_BURST = problemKind<EscalationNotice>('prime_escalation_burst');

/** The Re-route button: opens the warehouse modal (managers only). */
export const REROUTE_ACTION = 'reroute_order';
export const REROUTE_VIEW = { callbackId: 'reroute_order', blockId: 'reroute_warehouse', actionId: 'warehouse' } as const;

export function escalationKey(accountId: string, amazonOrderId: string): string {
  return `escalation:${accountId}:${amazonOrderId}`;
}

function foldBurst(n: EscalationNotice) {
  return (open: ProblemState | undefined, ids: string[], at: string, since?: string): ProblemState => {
    const known = splitIds(open?.facts.orderIds ?? '');
    for (const id of ids) if (known.length < 5 && !known.includes(id)) known.push(id);
    return { count: (open?.count ?? 0) + ids.length, facts: { ...open?.facts, accountId: n.accountId, orderIds: known.join(','), lastAt: at, ...(since ? { since } : {}) } };
  };
}

function baseFacts(n: EscalationNotice): Record<string, string> {
  const f: Record<string, string> = { accountId: n.accountId, amazonOrderId: n.amazonOrderId, prime: n.prime ? 'yes' : 'no', items: n.items, rules: n.rules.join(',') };
  if (n.serviceLevel) f.serviceLevel = n.serviceLevel;
  if (n.shipByLatest) f.shipByLatest = n.shipByLatest;
  if (n.warehouse) f.warehouse = n.warehouse;
  if (n.shipstationOrderId !== undefined) f.shipstationOrderId = String(n.shipstationOrderId);
  if (n.note) f.note = n.note;
  return f;
}

/** An escalated order; many at once fold into the account's burst message. Pure. */
export function escalationProblem(n: EscalationNotice): Problem<EscalationNotice> {
  return {
    kind: PRIME_ESCALATION.name,
    key: escalationKey(n.accountId, n.amazonOrderId),
    facts: baseFacts(n),
    notice: n,
    burst: { key: `escalation_burst:${n.accountId}`, kind: ESCALATION_BURST.name, id: n.amazonOrderId, fold: foldBurst(n) },
    log: { level: 'warn', msg: 'order escalated', fields: { accountId: n.accountId, amazonOrderId: n.amazonOrderId, rules: n.rules } },
  };
}

/** The same escalation with one more fact (a label, a confirmation, a new warehouse): edits the message in place. */
export function escalationUpdate(n: Pick<EscalationNotice, 'accountId' | 'amazonOrderId'>, facts: Record<string, string>): Problem<Pick<EscalationNotice, 'accountId' | 'amazonOrderId'>> {
  return {
    kind: PRIME_ESCALATION.name,
    key: escalationKey(n.accountId, n.amazonOrderId),
    facts,
    notice: n,
    fold: (open) => ({ count: open?.count ?? 1, facts: { ...open?.facts, ...facts } }),
    log: { level: 'warn', msg: 'escalation updated', fields: { accountId: n.accountId, amazonOrderId: n.amazonOrderId } },
  };
}

/** `3 h 12 min left` / `45 min late`, to Amazon's latest ship date. */
export function timeLeft(shipByLatest: string | undefined, now: number): string {
  if (!shipByLatest) return 'no ship-by date';
  const ms = Date.parse(shipByLatest) - now;
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const span = h > 0 ? `${h} h ${m} min` : `${m} min`;
  return ms >= 0 ? `${span} left` : `${span} late`;
}

/** Alert `prime_escalation`. Facts: accountId, amazonOrderId, prime, serviceLevel, shipByLatest, warehouse, items, shipstationOrderId, rules, note, labelAt, confirmedAt, priority. */
export const renderEscalation: AlertRenderer = (r, ctx) => {
  const id = fact(r, 'amazonOrderId');
  const accountId = fact(r, 'accountId');
  const level = fact(r, 'serviceLevel');
  const shipBy = fact(r, 'shipByLatest');
  const ssId = Number(fact(r, 'shipstationOrderId')) || undefined;
  const prime = fact(r, 'prime') === 'yes';
  const fields = [
    `*Service*\n${prime ? 'Prime ' : ''}${escapeMrkdwn(level || 'unknown')}`,
    `*Ship by*\n${shipBy ? `${escapeMrkdwn(timeLeft(shipBy, Date.parse(r.updatedAt)))} (${clock(shipBy)})` : 'no date'}`,
    `*Warehouse*\n${escapeMrkdwn(fact(r, 'warehouse') || 'the account default')}`,
    `*Items*\n${escapeMrkdwn(fact(r, 'items') || 'none')}`,
  ];
  const blocks = [section(`:rocket: ${prime ? 'Prime order' : 'Order'} ${code(id)}${accountId ? ` (${escapeMrkdwn(accountId)})` : ''} escalated by ${escapeMrkdwn(splitIds(fact(r, 'rules')).join(', ') || 'a rule')}.`, { blockId: 'alert:summary', fields })];
  const progress: string[] = [];
  const labelAt = fact(r, 'labelAt');
  const confirmedAt = fact(r, 'confirmedAt');
  if (labelAt) progress.push(`label ${clock(labelAt)}`);
  if (confirmedAt) progress.push(`confirmed on Amazon ${clock(confirmedAt)}`);
  if (fact(r, 'priority')) progress.push('marked priority');
  if (fact(r, 'reroutedTo')) progress.push(`re-routed to ${escapeMrkdwn(fact(r, 'reroutedTo'))}`);
  const note = fact(r, 'note');
  if (progress.length || note) blocks.push(context([progress.join(', '), note ? escapeMrkdwn(note) : ''].filter(Boolean).join(' · ')));
  const value = { key: r.key, version: r.updatedAt, accountId, amazonOrderId: id, ...(ssId !== undefined ? { shipstationOrderId: ssId } : {}) };
  const shipped = Boolean(labelAt);
  return {
    text: `${prime ? 'Prime ' : ''}order ${id} escalated${level ? ` (${level})` : ''}`,
    blocks,
    buttons: [
      ...(ssId !== undefined && !shipped ? [button({ text: 'Re-route', actionId: REROUTE_ACTION, value }), button({ text: 'Mark priority', actionId: ACTIONS.markPriority, style: 'primary', value })] : []),
      ...openInShipStation(ctx, ACTIONS.openShipStation, id, ssId),
    ],
  };
};

/** Alert `prime_escalation_burst`. Facts: count, orderIds, accountId. */
export const renderEscalationBurst: AlertRenderer = (r) => {
  const count = Number(fact(r, 'count')) || r.count;
  const ids = splitIds(fact(r, 'orderIds')).slice(0, 5);
  const accountId = fact(r, 'accountId');
  const idLine = ids.length ? `\n${ids.map(code).join(', ')}${count > ids.length ? ` and ${count - ids.length} more` : ''}` : '';
  return {
    text: `${plural(count, 'order')} escalated${accountId ? ` in ${accountId}` : ''}`,
    blocks: [section(`:rocket: ${plural(count, 'order')} escalated by the rules${accountId ? ` in *${escapeMrkdwn(accountId)}*` : ''}: \`/dockhand late\` lists what is at risk.${idLine}`, { blockId: 'alert:summary' })],
    buttons: [],
  };
};

/** A rule names a tag, warehouse or store ShipStation does not have: one alert per name. */
export const RULE_NAME_MISSING = problemKind<MissingName & { rule: string }>('rule_name_missing');

export function missingNameProblem(m: MissingName, rules: string[], amazonOrderId: string): Problem<MissingName & { rule: string }> {
  const rule = rules.join(', ');
  return {
    kind: RULE_NAME_MISSING.name,
    key: `rule_name:${m.kind}:${m.name.toLowerCase()}`,
    facts: { kind: m.kind, name: m.name, rules: rule, lastOrder: amazonOrderId },
    notice: { ...m, rule },
    log: { level: 'warn', msg: 'a rule names something ShipStation does not have', fields: { kind: m.kind, name: m.name } },
  };
}

/** Alert `rule_name_missing`. Facts: kind, name, rules, lastOrder. */
export const renderMissingName: AlertRenderer = (r) => {
  const kind = fact(r, 'kind');
  const name = fact(r, 'name');
  const fix = kind === 'tag' ? 'Create the tag in ShipStation (Settings → Tags): the API cannot create tags.' : `Check the ${kind} name in ShipStation, or fix the rule; \`dockhand rules check\` lists every name it cannot find.`;
  return {
    text: `A rule names the ${kind} "${name}", which ShipStation does not have`,
    blocks: [
      section(`:warning: Rule ${escapeMrkdwn(fact(r, 'rules'))} names the ShipStation ${escapeMrkdwn(kind)} ${code(name)}, which does not exist. Orders go out without it (${plural(r.count, 'order')} so far, last ${code(fact(r, 'lastOrder'))}).`, { blockId: 'alert:summary' }),
      context(escapeMrkdwn(fix)),
    ],
    buttons: [],
  };
};
