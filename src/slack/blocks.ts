import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { StatusData } from '../jobs/status';
import { SHIPSTATION_APP_URL } from '../config/config';
import { isRetryable, retryAdvice } from '../domain/errors';
import type { AtRiskOrder, DeadlineNotice, WritebackNotice } from '../domain/notifier';
import type { AlertRecord, AuditEntry, ConfirmationRecord, OrderRecord, OrderState, QuarantineEntry, UnmappedSku } from '../store/records';
import { COMMAND_HELP } from './commands';
import { STATE_WORDS, type OrderTimeline } from '../sync/order-timeline';
import { formatDuration, timeLeft } from '../writeback/late-orders';

/**
 * Block Kit builders. Pure: data in, `{ text, blocks }` out; `text` is the notification and
 * screen-reader fallback. Orders are named by AmazonOrderId only: nothing here may show buyer
 * data (the store's sealed buyer data and QuarantineEntry.sealedRaw are never read).
 *
 * Every message passes through `fitMessage`, the one place Slack's limits are enforced
 * (https://docs.slack.dev/reference/block-kit/blocks): a message that breaks one is rejected
 * whole with `invalid_blocks`, so a long reason or a big backlog must never cost the alert.
 */

export type Block = types.KnownBlock;
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Slack's limits, and ours for lists. */
export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  modalTitle: 24,
  privateMetadata: 3000,
  /** Our own: a notification longer than this is noise. */
  fallbackText: 3000,
  /** Our own: list entries with a button each shown in one message. */
  listItems: 20,
} as const;

/** action_ids the app listens for. List messages append `:<target>` so ids stay unique per message: match with `actionPattern`. */
export const ACTIONS = {
  retryOrder: 'retry_order',
  showOrder: 'show_order',
  mapSku: 'map_sku',
  retrySync: 'retry_sync',
  pauseSync: 'pause_sync',
  retryAll: 'retry_all',
  /** Tracking writeback: resend one label's confirmation to Amazon (value: labelId). */
  retryConfirmation: 'retry_confirmation',
  /** Reconciliation: confirm a ShipStation label Amazon does not have (value: accountId, amazonOrderId, labelId). */
  confirmNow: 'confirm_now',
  /** Reconciliation: create the Amazon order in ShipStation (value: accountId, amazonOrderId). */
  createInShipStation: 'create_in_shipstation',
  /** Put the ShipStation order on hold (value: shipstationOrderId). */
  holdOrder: 'hold_order',
  /** Add the priority tag to the ShipStation order (value: shipstationOrderId). */
  markPriority: 'mark_priority',
  /** A link button: Slack opens the URL itself and still sends block_actions, which is only acked. */
  openShipStation: 'open_shipstation',
} as const;
export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];

/** callback_id of the Map SKU modal, and the ids of its one input. */
export const MAP_SKU_VIEW = { callbackId: 'map_sku_submit', blockId: 'shipstation_sku', actionId: 'value' } as const;

/** Matches an action id and its per-entry variants (`retry_order`, `retry_order:default:111-…`). */
export function actionPattern(action: ActionId): RegExp {
  return new RegExp(`^${action}(?::.+)?$`);
}

/** What every Dockhand button carries (JSON in `value`): the problem's key, and the version it was drawn from. */
export const ButtonValue = z.object({
  key: z.string(),
  /** The alert's `updatedAt` (or the entry's time) when the button was drawn: a stale click can be told apart. */
  version: z.string(),
  accountId: z.string().optional(),
  amazonOrderId: z.string().optional(),
  amazonSku: z.string().optional(),
  asin: z.string().optional(),
  /** A ShipStation label (`shipment:<id>` / `fulfillment:<id>`). */
  labelId: z.string().optional(),
  shipstationOrderId: z.number().int().optional(),
});
export type ButtonValue = z.infer<typeof ButtonValue>;

/** Reads a button's `value`; undefined when it is not one of ours. */
export function parseButtonValue(raw: string | undefined): ButtonValue | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = ButtonValue.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/** Escapes the three characters mrkdwn treats as markup (https://docs.slack.dev/messaging/formatting-message-text#escaping). */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A code span; a backtick inside would end it early, so it becomes a quote. */
function code(s: string): string {
  return `\`${escapeMrkdwn(s.replace(/`/g, "'"))}\``;
}

/** A Slack user ID becomes a mention; anything else (`cli:alice`) is shown as is. */
function who(actor: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(actor) ? `<@${actor}>` : code(actor);
}

/** Cuts to at most `max` UTF-16 units (Slack counts those), ending in … and never splitting a surrogate pair. */
export function clampText(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function utc(iso: string | undefined): string {
  if (!iso) return 'unknown time';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return escapeMrkdwn(iso);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function clock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? escapeMrkdwn(iso) : `${d.toISOString().slice(11, 16)} UTC`;
}

function ago(iso: string | undefined, now: Date): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown';
  const s = Math.max(0, Math.round((now.getTime() - t) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function moreLine(hidden: number, cliCommand: string): string {
  return `…and ${hidden} more (\`${cliCommand}\` in the CLI shows all)`;
}

/**
 * What to do about an order quarantined with `errCode`, escaped: its hint, and what clears it
 * when a Retry can't (domain/errors.ts `retryAdvice`). For what only Amazon can correct the
 * advice replaces the hint, so nothing on the message says "press Retry" where none is offered.
 */
function quarantineTodo(errCode: string, hint: string): string {
  const advice = retryAdvice(errCode);
  if (advice.kind === 'amazon_only') return escapeMrkdwn(advice.clears);
  return [hint, advice.kind === 'after_config' ? advice.clears : ''].filter(Boolean).map(escapeMrkdwn).join(' ');
}

function todo(q: QuarantineEntry): string {
  return quarantineTodo(q.code, q.hint);
}

/**
 * The web app "Open in ShipStation" leads to: config `shipstation.appUrl` (ShipStation's own, or
 * the sandbox simulator's stand-in), or undefined when Dockhand talks to another ShipStation API
 * and cannot know where its orders are seen: then no such button is drawn. The composition root
 * sets it once (`setShipStationAppUrl`), because alerts are drawn where the config is not at
 * hand; the builders stay pure given it.
 */
let shipstationAppUrl: string | undefined = SHIPSTATION_APP_URL;

export function setShipStationAppUrl(url: string | undefined): void {
  shipstationAppUrl = url?.replace(/\/+$/, '');
}

/**
 * Where a person finds an Amazon order in ShipStation: the web app's order search, by
 * AmazonOrderId (our orders carry it as the order number; the sandbox's simulator answers the
 * same path). A search rather than the order's page, because it also finds the order ShipStation
 * merged or split. Undefined without a web app.
 */
export function shipstationOrderUrl(amazonOrderId: string, appUrl: string | undefined = shipstationAppUrl): string | undefined {
  if (appUrl === undefined) return undefined;
  return `${appUrl}/orders/all-orders-search-result?quickSearch=${encodeURIComponent(amazonOrderId)}`;
}

// ---------------------------------------------------------------------------------------------
// Block constructors

function header(text: string, blockId?: string): Block {
  return { type: 'header', text: { type: 'plain_text', text, emoji: true }, ...(blockId ? { block_id: blockId } : {}) };
}

function section(mrkdwn: string, opts: { blockId?: string; accessory?: types.Button; fields?: string[] } = {}): Block {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: mrkdwn },
    ...(opts.fields ? { fields: opts.fields.map((f) => ({ type: 'mrkdwn' as const, text: f })) } : {}),
    ...(opts.accessory ? { accessory: opts.accessory } : {}),
    ...(opts.blockId ? { block_id: opts.blockId } : {}),
  };
}

function context(...mrkdwn: string[]): Block {
  return { type: 'context', elements: mrkdwn.map((text) => ({ type: 'mrkdwn' as const, text })) };
}

function divider(): Block {
  return { type: 'divider' };
}

function actions(blockId: string, elements: types.Button[]): Block {
  return { type: 'actions', block_id: blockId, elements };
}

function button(b: {
  text: string;
  actionId: string;
  value: ButtonValue;
  style?: 'primary' | 'danger';
  confirm?: { title: string; text: string; confirm: string; deny: string };
}): types.Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text: b.text, emoji: true },
    action_id: b.actionId,
    value: JSON.stringify(b.value),
    ...(b.style ? { style: b.style } : {}),
    ...(b.confirm
      ? {
          confirm: {
            title: { type: 'plain_text', text: b.confirm.title },
            text: { type: 'mrkdwn', text: b.confirm.text },
            confirm: { type: 'plain_text', text: b.confirm.confirm },
            deny: { type: 'plain_text', text: b.confirm.deny },
            style: 'danger',
          },
        }
      : {}),
  };
}

/** A button that opens a page; Slack still sends block_actions for it (acked, nothing else). */
function linkButton(text: string, actionId: string, url: string): types.Button {
  return { type: 'button', text: { type: 'plain_text', text, emoji: true }, action_id: actionId, url };
}

/**
 * "Open in ShipStation", only for an order ShipStation holds (`shipstationOrderId`) and when
 * there is a web app to open: an order Dockhand never sent would open an empty search. Zero or one button.
 */
function openInShipStation(actionId: string, amazonOrderId: string, shipstationOrderId: number | undefined): types.Button[] {
  const url = shipstationOrderId === undefined ? undefined : shipstationOrderUrl(amazonOrderId);
  return url ? [linkButton('Open in ShipStation', actionId, url)] : [];
}

/** Packs lines into as few sections as fit the section text limit. */
function linesToSections(lines: string[]): Block[] {
  const out: Block[] = [];
  let current = '';
  for (const raw of lines) {
    const line = clampText(raw, LIMITS.sectionText);
    if (current && current.length + 1 + line.length > LIMITS.sectionText) {
      out.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push(section(current));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Limits

function fitButton(b: types.Button): types.Button {
  return { ...b, text: { ...b.text, text: clampText(b.text.text, LIMITS.buttonText) } };
}

function fitBlock(block: Block): Block {
  switch (block.type) {
    case 'section': {
      const out = { ...block };
      if (out.text) out.text = { ...out.text, text: clampText(out.text.text, LIMITS.sectionText) };
      if (out.fields) out.fields = out.fields.slice(0, LIMITS.sectionFields).map((f) => ({ ...f, text: clampText(f.text, LIMITS.fieldText) }));
      if (out.accessory?.type === 'button') out.accessory = fitButton(out.accessory);
      return out;
    }
    case 'header':
      return { ...block, text: { ...block.text, text: clampText(block.text.text, LIMITS.headerText) } };
    case 'context':
      return {
        ...block,
        elements: block.elements
          .slice(0, LIMITS.contextElements)
          .map((e) => (e.type === 'mrkdwn' || e.type === 'plain_text' ? { ...e, text: clampText(e.text, LIMITS.sectionText) } : e)),
      };
    case 'actions':
      return { ...block, elements: block.elements.slice(0, LIMITS.actionsElements).map((e) => (e.type === 'button' ? fitButton(e) : e)) };
    default:
      return block;
  }
}

/**
 * The one place Slack's limits are enforced: clamps texts, field and element counts, and cuts
 * the message to 50 blocks, the last one saying how many were left out (with the CLI command
 * that shows all, when given).
 */
export function fitMessage(text: string, blocks: Block[], opts: { cliCommand?: string } = {}): SlackMessage {
  let out = blocks.map(fitBlock);
  if (out.length > LIMITS.blocksPerMessage) {
    const kept = out.slice(0, LIMITS.blocksPerMessage - 1);
    const hidden = out.length - kept.length;
    out = [...kept, context(opts.cliCommand ? moreLine(hidden, opts.cliCommand) : `…and ${hidden} more`)];
  }
  return { text: clampText(text, LIMITS.fallbackText), blocks: out };
}

// ---------------------------------------------------------------------------------------------
// Help, unknown, refused

/** `/dockhand help`: every command, one line each. */
export function helpMessage(): SlackMessage {
  return fitMessage('Dockhand commands', [
    header('Dockhand commands'),
    section(COMMAND_HELP.join('\n')),
    context('Dockhand syncs Amazon orders into ShipStation. Orders are named by their Amazon order ID; buyer details never appear in Slack.'),
  ]);
}

/** The answer to a command Dockhand could not read (the parser's message: mrkdwn, unescaped). */
export function unknownCommand(message: string): SlackMessage {
  const safe = escapeMrkdwn(message);
  return fitMessage(message, [section(`:warning: ${safe}`), context('`/dockhand help` lists the commands.')]);
}

/** An ephemeral refusal (role checks): says why, not who may. */
export function refused(reason: string): SlackMessage {
  const safe = escapeMrkdwn(reason);
  return fitMessage(reason, [section(`:lock: ${safe}`)]);
}

// ---------------------------------------------------------------------------------------------
// Status

const MAX_STATUS_ACCOUNTS = 20;

/** `/dockhand status`: per account, then the event path. */
export function statusMessage(d: StatusData): SlackMessage {
  const blocks: Block[] = [header('Dockhand status')];
  const shown = d.accounts.slice(0, MAX_STATUS_ACCOUNTS);
  const problems: string[] = [];
  for (const a of shown) {
    const r = a.lastRun;
    let lastSync = 'never';
    if (r) {
      if (r.pausedBy) lastSync = `:double_vertical_bar: paused by ${who(r.pausedBy)} (${ago(r.finishedAt, d.now)})`;
      else if (r.leaseHeldBy) lastSync = `${ago(r.finishedAt, d.now)}, skipped: another replica (${code(r.leaseHeldBy)}) holds the lease`;
      else if (r.ok) lastSync = `${ago(r.finishedAt, d.now)}, ok: ${r.seen} seen, ${r.created} created, ${r.updated} updated, ${r.cancelled} cancelled, ${r.quarantined} quarantined`;
      else {
        lastSync = `:warning: ${ago(r.finishedAt, d.now)}, FAILED: ${escapeMrkdwn(r.error ?? 'unknown error')}`;
        problems.push(`sync of ${a.id} failed`);
      }
    }
    const s = a.states;
    const orders = [`${s.sent ?? 0} in ShipStation`, `${s.in_flight ?? 0} being sent`, `${s.held ?? 0} held (pending)`, `${s.cancelled ?? 0} cancelled`, `${s.skipped ?? 0} skipped`].join(', ');
    if (a.quarantined > 0) problems.push(`${plural(a.quarantined, 'order')} of ${a.id} in quarantine`);
    const w = a.writeback;
    if (w && w.quarantined > 0) problems.push(`${plural(w.quarantined, 'label')} of ${a.id} refused by Amazon`);
    const tracking =
      a.mode === 'watch'
        ? "posted by ShipStation's own Amazon store; Dockhand reconciles"
        : w
          ? `${w.confirmed} confirmed (last ${ago(w.lastConfirmedAt, d.now)}), ${w.inFlight} to resend, ${w.skipped} not confirmed${w.quarantined > 0 ? `, :warning: ${w.quarantined} refused` : ''}`
          : 'no labels yet';
    blocks.push(
      section(`*${escapeMrkdwn(a.id)}* · ${escapeMrkdwn(a.mode)} · ${escapeMrkdwn(a.marketplaceIds.join(', '))}`, {
        blockId: `status:account:${a.id}`,
        fields: [
          `*Last sync*\n${lastSync}`,
          `*Orders*\n${orders}`,
          `*Quarantine*\n${a.quarantined > 0 ? `:construction: ${a.quarantined} — \`/dockhand quarantine\`` : '0'}`,
          `*First seen today*\n${a.firstSeenToday}`,
          `*Tracking to Amazon*\n${tracking}`,
        ],
      }),
    );
  }
  if (d.accounts.length > shown.length) blocks.push(context(moreLine(d.accounts.length - shown.length, 'dockhand status')));
  blocks.push(divider());

  const e = d.events;
  if (!e) {
    blocks.push(context('*Events* not configured: polling only (see README, "Real-time events").'));
  } else {
    const h = e.health;
    const fields = [
      `*Last event*\n${h ? ago(h.lastEventAt, d.now) : 'none recorded yet (is `dockhand start` running?)'}`,
      `*Lag*\n${h?.lastLagMs !== undefined ? `${(h.lastLagMs / 1000).toFixed(1)} s` : '—'}`,
      `*Queue*\n${e.depth ? `${e.depth.visible} waiting, ${e.depth.inFlight} in flight` : `:warning: unreachable: ${escapeMrkdwn(e.depthError ?? 'no client')}`}`,
    ];
    if (h) fields.push(`*Handled*\n${h.received} received, ${h.processed} sent on, ${h.ignored} ignored, ${h.retried} retried, ${h.quarantined} quarantined`);
    if (h?.lastQueueError) fields.push(`*Queue error*\n${escapeMrkdwn(h.lastQueueError)} (${ago(h.lastQueueErrorAt, d.now)})`);
    blocks.push(section('*Events* (Amazon ORDER_CHANGE)', { blockId: 'status:events', fields }));
    if (h && h.caughtByPolling > 0) {
      problems.push('events are being missed');
      blocks.push(
        section(
          `:warning: Polling had to send ${plural(h.caughtByPolling, 'order')} that events never delivered (last ${ago(h.lastCaughtAt, d.now)}). Check \`dockhand notifications status\`.`,
          { blockId: 'status:caught_by_polling' },
        ),
      );
    } else {
      blocks.push(context('Safety net: polling has caught nothing that events missed.'));
    }
  }
  blocks.push(context(`As of ${utc(d.now.toISOString())}`));
  const text = problems.length > 0 ? `Dockhand status: ${problems.join('; ')}` : `Dockhand status: ${plural(d.accounts.length, 'account')}, all well`;
  return fitMessage(text, blocks, { cliCommand: 'dockhand status' });
}

// ---------------------------------------------------------------------------------------------
// Order timeline


const MAX_TIMELINE = 40;


/** `/dockhand order <id>` and the Show details button: what Dockhand knows and did, in time order. */
export function orderTimeline(input: OrderTimeline): SlackMessage {
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
    events.push({
      at: q.at,
      line: `:construction: Quarantined: ${code(q.code)} — ${escapeMrkdwn(q.reason)}${q.attempts > 1 ? ` (${q.attempts} attempts)` : ''}${todo(q) ? `\n      _${todo(q)}_` : ''}`,
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
    const key = `quarantine:${accountId}:${id}`;
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
  buttons.push(...openInShipStation(ACTIONS.openShipStation, id, r?.shipstationOrderId));
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

// ---------------------------------------------------------------------------------------------
// Lists

/** `/dockhand quarantine`: one entry each with a Retry button, then Retry all. */
export function quarantineList(entries: QuarantineEntry[]): SlackMessage {
  if (entries.length === 0) return fitMessage('No orders in quarantine', [section(':white_check_mark: No orders in quarantine.')]);
  const sorted = [...entries].sort((a, b) => a.at.localeCompare(b.at));
  const shown = sorted.slice(0, LIMITS.listItems);
  const retryable = entries.filter((q) => isRetryable(q.code)).length;
  const blocks: Block[] = [header(`Quarantine: ${plural(entries.length, 'order')}`)];
  for (const q of shown) {
    const target = `${q.accountId}:${q.amazonOrderId}`;
    const key = `quarantine:${target}`;
    const what = todo(q);
    blocks.push(
      section(
        `${code(q.amazonOrderId)} · ${escapeMrkdwn(q.accountId)} · ${code(q.code)} · since ${utc(q.at)}${q.attempts > 1 ? ` · ${q.attempts} attempts` : ''}\n${escapeMrkdwn(q.reason)}${what ? `\n_${what}_` : ''}`,
        {
          blockId: key,
          ...(isRetryable(q.code)
            ? { accessory: button({ text: 'Retry', actionId: `${ACTIONS.retryOrder}:${target}`, value: { key, version: q.at, accountId: q.accountId, amazonOrderId: q.amazonOrderId } }) }
            : {}),
        },
      ),
    );
  }
  if (sorted.length > shown.length) blocks.push(context(moreLine(sorted.length - shown.length, 'dockhand quarantine')));
  const amazonOnly = entries.length - retryable;
  if (amazonOnly > 0) {
    const them = amazonOnly === 1 ? 'it' : 'them';
    blocks.push(context(`${plural(amazonOnly, 'order')} only Amazon can correct: no Retry, and Retry all skips ${them}. Dockhand imports ${them} automatically when Amazon updates ${them}.`));
  }
  if (retryable > 0) {
    blocks.push(
      actions('quarantine:actions', [
        button({
          text: `Retry all ${retryable}`,
          // Suffixed like the entries' buttons: this reply is no alert to update, so the outcome goes to the clicker.
          actionId: `${ACTIONS.retryAll}:list`,
          style: 'primary',
          value: { key: 'quarantine:all', version: String(entries.length) },
          confirm: { title: 'Retry all?', text: `Send ${retryable === entries.length ? 'all ' : ''}${plural(retryable, 'quarantined order')} to ShipStation again?`, confirm: 'Retry all', deny: 'Cancel' },
        }),
      ]),
    );
  }
  return fitMessage(`${plural(entries.length, 'order')} in quarantine`, blocks, { cliCommand: 'dockhand quarantine' });
}

/** `/dockhand audit [n]`: newest first, one line each. */
export function auditList(entries: AuditEntry[]): SlackMessage {
  if (entries.length === 0) return fitMessage('The audit log is empty', [section('The audit log is empty.')]);
  const sorted = [...entries].sort((a, b) => b.at.localeCompare(a.at));
  const lines = sorted.map((e) => {
    const mark = e.outcome === 'ok' ? '' : e.outcome === 'refused' ? ':lock: ' : ':x: ';
    return `\`${utc(e.at)}\`  ${mark}${who(e.actor)} ${code(e.action)}${e.target ? ` ${code(e.target)}` : ''} → ${e.outcome}${e.detail ? ` (${escapeMrkdwn(e.detail)})` : ''}`;
  });
  return fitMessage(`Audit log: last ${plural(entries.length, 'entry', 'entries')}`, [header(`Audit log: last ${entries.length}`), ...linesToSections(lines)], {
    cliCommand: 'dockhand audit',
  });
}

/** `/dockhand sku unmapped`: most orders first, a Map SKU button each. */
export function unmappedList(list: UnmappedSku[]): SlackMessage {
  if (list.length === 0) return fitMessage('Every Amazon SKU seen is mapped', [section(':white_check_mark: Every Amazon SKU seen is mapped.')]);
  const sorted = [...list].sort((a, b) => b.orderCount - a.orderCount || a.amazonSku.localeCompare(b.amazonSku));
  const shown = sorted.slice(0, LIMITS.listItems);
  const blocks: Block[] = [header(`Unmapped SKUs: ${list.length}`)];
  for (const u of shown) {
    const key = `unmapped:${u.amazonSku}`;
    const recent = u.recentOrderIds.slice(0, 3).map(code).join(', ');
    blocks.push(
      section(
        `${code(u.amazonSku)}${u.asin ? ` · ASIN ${code(u.asin)}` : ''}${u.title ? ` · ${escapeMrkdwn(clampText(u.title, 100))}` : ''}\n${plural(u.orderCount, 'order')}, last ${utc(u.lastSeenAt)}${recent ? ` · recent: ${recent}` : ''}`,
        {
          blockId: key,
          accessory: button({
            text: 'Map SKU',
            actionId: `${ACTIONS.mapSku}:${u.amazonSku}`,
            value: { key, version: u.lastSeenAt, amazonSku: u.amazonSku, ...(u.asin ? { asin: u.asin } : {}) },
          }),
        },
      ),
    );
  }
  if (sorted.length > shown.length) blocks.push(context(moreLine(sorted.length - shown.length, 'dockhand sku unmapped')));
  return fitMessage(`${plural(list.length, 'Amazon SKU')} without a ShipStation SKU`, blocks, { cliCommand: 'dockhand sku unmapped' });
}

// ---------------------------------------------------------------------------------------------
// Ship-by deadlines

/** An AtRiskOrder as stored in an alert's facts (JSON): parsed back, never trusted. */
const StoredAtRisk = z.object({
  accountId: z.string(),
  amazonOrderId: z.string(),
  isPrime: z.boolean(),
  shipByLatest: z.string().optional(),
  minutesLeft: z.number().optional(),
  shipstationOrderId: z.number().int().optional(),
});

/** The facts a deadline alert is rendered from. The whole list is kept: the message shows the first 20. Pure. */
export function deadlineFacts(n: DeadlineNotice, at: string): Record<string, string> {
  return {
    stage: n.stage,
    ...(n.leadMinutes !== undefined ? { leadMinutes: String(n.leadMinutes) } : {}),
    at,
    total: String(n.orders.length),
    orders: JSON.stringify(n.orders.map((o) => StoredAtRisk.parse(o))),
  };
}

function ordersFromFacts(r: AlertRecord): AtRiskOrder[] {
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

/** One order's line: Prime, ID, account, ship-by and time left (as of the escalation). */
function atRiskLine(o: AtRiskOrder): string {
  return [
    `${o.isPrime ? ':zap: *Prime* ' : ''}${code(o.amazonOrderId)}`,
    escapeMrkdwn(o.accountId),
    ...(o.shipByLatest ? [`ship by ${utc(o.shipByLatest)}`] : []),
    `*${timeLeft(o.minutesLeft)}*`,
    ...(o.shipstationOrderId === undefined ? ['not in ShipStation'] : []),
  ].join(' · ');
}

/**
 * One order's buttons, action ids suffixed `:<account>:<order>` to stay unique in the message.
 * Late or at risk: Retry sync (the account), Mark priority; buyer asked to cancel: Hold. These
 * and Open in ShipStation need the ShipStation order, so they are left out when there is none.
 */
function atRiskButtons(o: AtRiskOrder, cancel: boolean, key: string, version: string): types.Button[] {
  const target = `${o.accountId}:${o.amazonOrderId}`;
  const ss = o.shipstationOrderId;
  const value: ButtonValue = { key, version, accountId: o.accountId, amazonOrderId: o.amazonOrderId, ...(ss !== undefined ? { shipstationOrderId: ss } : {}) };
  const out: types.Button[] = [];
  if (cancel) {
    if (ss !== undefined) out.push(holdButton(`${ACTIONS.holdOrder}:${target}`, value, o.amazonOrderId, ss));
  } else {
    out.push(button({ text: 'Retry sync', actionId: `${ACTIONS.retrySync}:${target}`, value }));
    if (ss !== undefined) out.push(button({ text: 'Mark priority', actionId: `${ACTIONS.markPriority}:${target}`, style: 'primary', value }));
  }
  out.push(...openInShipStation(`${ACTIONS.openShipStation}:${target}`, o.amazonOrderId, ss));
  return out;
}

function holdButton(actionId: string, value: ButtonValue, amazonOrderId: string, shipstationOrderId: number): types.Button {
  return button({
    text: 'Hold',
    actionId,
    style: 'danger',
    value,
    confirm: {
      title: 'Hold in ShipStation?',
      text: `ShipStation order ${shipstationOrderId} (Amazon ${code(amazonOrderId)}) goes on hold for 7 days and is not shipped until someone releases it in ShipStation.`,
      confirm: 'Hold',
      deny: 'Cancel',
    },
  });
}

/** A line and a row of buttons per order, at most `LIMITS.listItems` orders, then how many more. */
function atRiskBlocks(orders: AtRiskOrder[], cancel: boolean, key: string, version: string, withButtons: boolean): Block[] {
  const out: Block[] = [];
  for (const o of orders) {
    const id = `${o.accountId}:${o.amazonOrderId}`;
    out.push(section(atRiskLine(o), { blockId: `order:${id}` }));
    const buttons = withButtons ? atRiskButtons(o, cancel, key, version) : [];
    // A cancel request for an order not in ShipStation has nothing to press: its line says so.
    if (buttons.length > 0) out.push(actions(`order:${id}:actions`, buttons));
  }
  return out;
}

function primeNote(orders: AtRiskOrder[]): string {
  const prime = orders.filter((o) => o.isPrime).length;
  return prime > 0 ? `${prime} Prime` : '';
}

/** The message of one deadline escalation (alert kind `deadline`). Facts: stage, leadMinutes, at, total, orders. */
function deadlineAlert(r: AlertRecord, open: boolean): { text: string; blocks: Block[] } {
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
  blocks.push(...atRiskBlocks(shown, stage === 'cancel_requested', r.key, r.updatedAt, open));
  if (total > shown.length) blocks.push(context(`…and ${total - shown.length} more${stage === 'cancel_requested' ? '' : ' — `/dockhand late`'}`));
  return { text: `${headline}${prime ? ` (${prime})` : ''}`, blocks };
}

const LATE_GROUPS: Array<{ title: string; has: (m: number | undefined) => boolean }> = [
  { title: ':rotating_light: Late', has: (m) => m !== undefined && m < 0 },
  { title: ':alarm_clock: Under 1 h', has: (m) => m !== undefined && m >= 0 && m < 60 },
  { title: ':hourglass_flowing_sand: Under 4 h', has: (m) => m !== undefined && m >= 60 && m < 240 },
  { title: 'Later', has: (m) => m !== undefined && m >= 240 },
  { title: 'Ship-by unknown', has: (m) => m === undefined || Number.isNaN(m) },
];

/**
 * `/dockhand late`: at-risk orders grouped late / under 1 h / under 4 h / later. The caller's
 * order (Prime first, then least time left) is kept inside each group. Buttons carry the key
 * `late:<account>:<order>` (no alert message behind it: the handler answers the clicker).
 */
export function lateList(orders: AtRiskOrder[], now: Date): SlackMessage {
  if (orders.length === 0) return fitMessage('No orders at risk', [section(':white_check_mark: No orders at risk of missing their ship-by date.')]);
  const version = now.toISOString();
  const shown = orders.slice(0, LIMITS.listItems);
  const prime = primeNote(orders);
  const blocks: Block[] = [header(`${plural(orders.length, 'order')} at risk`)];
  for (const g of LATE_GROUPS) {
    const inGroup = shown.filter((o) => g.has(o.minutesLeft));
    if (inGroup.length === 0) continue;
    const all = orders.filter((o) => g.has(o.minutesLeft)).length;
    blocks.push(section(`*${g.title}* (${all})`, { blockId: `late:group:${g.title}` }));
    for (const o of inGroup) {
      const id = `${o.accountId}:${o.amazonOrderId}`;
      blocks.push(section(atRiskLine(o), { blockId: `order:${id}` }), actions(`order:${id}:actions`, atRiskButtons(o, false, `late:${id}`, version)));
    }
  }
  if (orders.length > shown.length) blocks.push(context(`…and ${orders.length - shown.length} more, less urgent`));
  blocks.push(context(`${prime ? `:zap: ${prime} · ` : ''}As of ${utc(version)}`));
  const late = orders.filter((o) => o.minutesLeft !== undefined && o.minutesLeft < 0).length;
  return fitMessage(`${plural(orders.length, 'order')} at risk${late ? `, ${late} late` : ''}${prime ? ` (${prime})` : ''}`, blocks);
}

// ---------------------------------------------------------------------------------------------
// Tracking writeback problems

const PROBLEMS: Record<WritebackNotice['kind'], { title: (id: string) => string; resolved: string }> = {
  confirmation_quarantined: { title: (id) => `Amazon has no tracking for order ${id}: the confirmation was refused`, resolved: 'confirmed on Amazon' },
  voided_after_confirm: { title: (id) => `A label of order ${id} was voided after Amazon got its tracking`, resolved: 'no longer reported' },
  cancelled_before_confirm: { title: (id) => `Order ${id} was cancelled on Amazon before its label was confirmed`, resolved: 'no longer reported' },
  missing_in_shipstation: { title: (id) => `Order ${id} is open on Amazon but not in ShipStation`, resolved: 'the order is in ShipStation now' },
  label_not_on_amazon: { title: (id) => `A ShipStation label of order ${id} never reached Amazon`, resolved: 'Amazon has the tracking now' },
  tracking_mismatch: { title: (id) => `Amazon holds other tracking for order ${id}`, resolved: 'Amazon has the tracking now' },
  cancelled_open_in_shipstation: { title: (id) => `Order ${id} was cancelled on Amazon but is still open in ShipStation`, resolved: 'no longer open in ShipStation' },
};
const PROBLEM_KINDS = Object.keys(PROBLEMS) as Array<WritebackNotice['kind']>;
const FIXES = ['retry_confirmation', 'confirm_now', 'create_in_shipstation', 'hold_order'] as const;

/** The facts a writeback alert is rendered from (no buyer data: IDs, tracking, codes, texts). Pure. */
export function writebackFacts(n: WritebackNotice): Record<string, string> {
  const f: Record<string, string> = { problem: n.kind, accountId: n.accountId, amazonOrderId: n.amazonOrderId, code: n.code, message: n.message, hint: n.hint };
  if (n.labelId) f.labelId = n.labelId;
  if (n.shipstationOrderId !== undefined) f.shipstationOrderId = String(n.shipstationOrderId);
  if (n.trackingNumber) f.trackingNumber = n.trackingNumber;
  if (n.carrier) f.carrier = n.carrier;
  if (n.fix) f.fix = n.fix;
  return f;
}

/** Reads `writebackFacts` back; what is missing or unknown is left out. Pure. */
export function writebackNoticeFromFacts(key: string, f: Record<string, string>): WritebackNotice {
  const kind = PROBLEM_KINDS.find((k) => k === f.problem) ?? 'confirmation_quarantined';
  const fix = FIXES.find((x) => x === f.fix);
  const ss = f.shipstationOrderId !== undefined && /^\d+$/.test(f.shipstationOrderId) ? Number(f.shipstationOrderId) : undefined;
  return {
    key,
    kind,
    accountId: f.accountId ?? '',
    amazonOrderId: f.amazonOrderId ?? '',
    code: f.code ?? '',
    message: f.message ?? '',
    hint: f.hint ?? '',
    ...(f.labelId ? { labelId: f.labelId } : {}),
    ...(ss !== undefined ? { shipstationOrderId: ss } : {}),
    ...(f.trackingNumber ? { trackingNumber: f.trackingNumber } : {}),
    ...(f.carrier ? { carrier: f.carrier } : {}),
    ...(fix ? { fix } : {}),
  };
}

/** What a writeback message says once the problem went away on its own (`writebackResolved`). Pure. */
export function writebackResolution(problem: string | undefined): string {
  return PROBLEMS[PROBLEM_KINDS.find((k) => k === problem) ?? 'confirmation_quarantined'].resolved;
}

/**
 * The fix button `n.fix` names, then Open in ShipStation and Show order. `suffix` keeps action
 * ids unique when several problems share a message. A fix that needs what the notice lacks
 * (Hold without a ShipStation order, Retry without a label) is left out: its hint still says what to do.
 */
function writebackButtons(n: WritebackNotice, version: string, suffix = ''): types.Button[] {
  const value: ButtonValue = {
    key: n.key,
    version,
    accountId: n.accountId,
    amazonOrderId: n.amazonOrderId,
    ...(n.labelId ? { labelId: n.labelId } : {}),
    ...(n.shipstationOrderId !== undefined ? { shipstationOrderId: n.shipstationOrderId } : {}),
  };
  const out: types.Button[] = [];
  switch (n.fix) {
    case 'retry_confirmation':
      if (n.labelId) out.push(button({ text: 'Retry', actionId: `${ACTIONS.retryConfirmation}${suffix}`, style: 'primary', value }));
      break;
    case 'confirm_now':
      if (n.labelId) {
        out.push(
          button({
            text: 'Confirm now',
            actionId: `${ACTIONS.confirmNow}${suffix}`,
            style: 'primary',
            value,
            confirm: {
              title: 'Confirm on Amazon?',
              text: `Amazon gets ${n.trackingNumber ? `tracking ${code(n.trackingNumber)}` : `label ${code(n.labelId)}`} for order ${code(n.amazonOrderId)} and tells the buyer it shipped. Amazon can't take a confirmation back.`,
              confirm: 'Confirm',
              deny: 'Cancel',
            },
          }),
        );
      }
      break;
    case 'create_in_shipstation':
      out.push(button({ text: 'Create in ShipStation', actionId: `${ACTIONS.createInShipStation}${suffix}`, style: 'primary', value }));
      break;
    case 'hold_order':
      if (n.shipstationOrderId !== undefined) out.push(holdButton(`${ACTIONS.holdOrder}${suffix}`, value, n.amazonOrderId, n.shipstationOrderId));
      break;
    case undefined:
      break;
  }
  out.push(...openInShipStation(`${ACTIONS.openShipStation}${suffix}`, n.amazonOrderId, n.shipstationOrderId));
  out.push(button({ text: 'Show order', actionId: `${ACTIONS.showOrder}${suffix}`, value }));
  return out;
}

/** The summary section of one writeback problem: what, which label and tracking, what happened, the hint. */
function writebackSection(n: WritebackNotice, open: boolean, count: number, blockId: string): Block {
  const title = PROBLEMS[n.kind].title(code(n.amazonOrderId));
  const fields = [`*Account*\n${escapeMrkdwn(n.accountId || 'unknown')}`, `*Problem*\n${n.code ? code(n.code) : 'unknown'}`];
  if (n.labelId) fields.push(`*Label*\n${code(n.labelId)}`);
  // Tracking numbers are not buyer data: they identify a package, not a person.
  if (n.trackingNumber) fields.push(`*Tracking*\n${n.carrier ? `${escapeMrkdwn(n.carrier)} ` : ''}${code(n.trackingNumber)}`);
  if (n.shipstationOrderId !== undefined) fields.push(`*ShipStation order*\n${n.shipstationOrderId}`);
  if (count > 1) fields.push(`*Occurrences*\n${count}`);
  const detail = `${n.message ? `\n${escapeMrkdwn(n.message)}` : ''}${n.hint && open ? `\n:point_right: ${escapeMrkdwn(n.hint)}` : ''}`;
  return section(`${open ? ':package:' : ':white_check_mark:'} ${title}${detail}`, { blockId, fields });
}

export interface ReconcileResult {
  accounts: string[];
  checkedOrders: number;
  checkedLabels: number;
  findings: WritebackNotice[];
}

/** `/dockhand reconcile`: what was checked, then each finding with its fix (ids suffixed `:<n>`). */
export function reconcileSummary(r: ReconcileResult, now: Date): SlackMessage {
  const checked = `${plural(r.checkedOrders, 'order')} and ${plural(r.checkedLabels, 'label')} in ${r.accounts.length ? escapeMrkdwn(r.accounts.join(', ')) : 'no account'}`;
  if (r.findings.length === 0) {
    return fitMessage(`Reconciled: nothing to fix`, [section(`:white_check_mark: Amazon and ShipStation agree: checked ${checked}.`), context(`As of ${utc(now.toISOString())}`)]);
  }
  const version = now.toISOString();
  const shown = r.findings.slice(0, LIMITS.listItems);
  const blocks: Block[] = [header(`Reconciliation: ${plural(r.findings.length, 'problem')}`), context(`Checked ${checked}. Each problem is also posted to the alerts channel.`)];
  shown.forEach((n, i) => {
    blocks.push(writebackSection(n, true, 1, `finding:${i}`), actions(`finding:${i}:actions`, writebackButtons(n, version, `:${i}`)));
  });
  if (r.findings.length > shown.length) blocks.push(context(`…and ${r.findings.length - shown.length} more: see the alerts channel`));
  return fitMessage(`Reconciled: ${plural(r.findings.length, 'problem')} found`, blocks);
}

// ---------------------------------------------------------------------------------------------
// Alerts

/** Reads a fact, or says it is missing: an alert must render even from an incomplete record. */
function fact(r: AlertRecord, name: string): string {
  return r.facts[name] ?? '';
}

function splitIds(s: string): string[] {
  return s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/**
 * "<@U123> pressed Retry at 14:02 UTC — sent to ShipStation": the action text's part before
 * " — " is what was done, the rest the outcome, and the time goes between them.
 */
function lastActionLine(r: AlertRecord): string | undefined {
  if (!r.lastActor || !r.lastActionText) return undefined;
  const [did, ...outcome] = r.lastActionText.split(' — ');
  const at = r.lastActionAt ? ` at ${clock(r.lastActionAt)}` : '';
  return `${who(r.lastActor)} ${escapeMrkdwn(did ?? '')}${at}${outcome.length ? ` — ${escapeMrkdwn(outcome.join(' — '))}` : ''}`;
}

/**
 * The message for one alert, updated in place as the problem changes. Facts read per kind:
 * - quarantined_order: accountId, amazonOrderId, code, reason, hint
 * - unmapped_sku: amazonSku, asin, orderCount, recentOrders (IDs separated by commas or spaces), accountId
 * - sync_failed: accountId, code, message, hint
 * - quarantine_burst: count (else `record.count`), orderIds (first few, comma-separated), accountId
 * - writeback_problem: `writebackFacts` (problem, accountId, amazonOrderId, labelId, trackingNumber, carrier,
 *   shipstationOrderId, code, message, hint, fix)
 * - deadline: `deadlineFacts` (stage, leadMinutes, at, total, orders as JSON)
 * Open alerts carry buttons; resolved ones lose them and say what resolved them
 * (`facts.resolution`, else the last action).
 */
export function alertMessage(r: AlertRecord): SlackMessage {
  const open = r.state === 'open';
  const version = r.updatedAt;
  const blocks: Block[] = [];
  let text: string;
  let buttons: types.Button[] = [];

  switch (r.kind) {
    case 'quarantined_order': {
      const accountId = fact(r, 'accountId');
      const id = fact(r, 'amazonOrderId');
      const errCode = fact(r, 'code');
      text = `Order ${id} is quarantined${errCode ? `: ${errCode}` : ''}`;
      const fields = [`*Account*\n${escapeMrkdwn(accountId || 'unknown')}`, `*Problem*\n${errCode ? code(errCode) : 'unknown'}`];
      if (r.count > 1) fields.push(`*Occurrences*\n${r.count}`);
      blocks.push(
        section(`:construction: Order ${code(id)} ${open ? 'is quarantined' : 'was quarantined'}: Dockhand could not send it to ShipStation.`, { blockId: 'alert:summary', fields }),
      );
      const reason = fact(r, 'reason');
      const todo = quarantineTodo(errCode, fact(r, 'hint'));
      if (reason || todo) blocks.push(section([escapeMrkdwn(reason), todo ? `:point_right: ${todo}` : ''].filter(Boolean).join('\n'), { blockId: 'alert:detail' }));
      const value = { key: r.key, version, accountId, amazonOrderId: id };
      buttons = [
        // Retry only where it can help: what only Amazon can correct says what clears it instead.
        ...(isRetryable(errCode) ? [button({ text: 'Retry', actionId: ACTIONS.retryOrder, style: 'primary', value })] : []),
        button({ text: 'Show details', actionId: ACTIONS.showOrder, value }),
      ];
      break;
    }
    case 'unmapped_sku': {
      const sku = fact(r, 'amazonSku');
      const asin = fact(r, 'asin');
      const orders = fact(r, 'orderCount') || String(r.count);
      const recent = splitIds(fact(r, 'recentOrders')).slice(0, 5);
      text = `Amazon SKU ${sku} has no ShipStation SKU (${orders} orders)`;
      const fields = [`*Amazon SKU*\n${code(sku)}`, `*ASIN*\n${asin ? code(asin) : '—'}`, `*Orders with it*\n${escapeMrkdwn(orders)}`];
      if (recent.length) fields.push(`*Recent orders*\n${recent.map(code).join(', ')}`);
      blocks.push(
        section(
          `:question: Amazon SKU ${code(sku)} ${open ? 'has' : 'had'} no ShipStation SKU: its orders reached ShipStation with Amazon's SKU. Map it and they are updated.`,
          { blockId: 'alert:summary', fields },
        ),
      );
      buttons = [button({ text: 'Map SKU', actionId: ACTIONS.mapSku, style: 'primary', value: { key: r.key, version, amazonSku: sku, ...(asin ? { asin } : {}) } })];
      break;
    }
    case 'sync_failed': {
      const accountId = fact(r, 'accountId');
      const errCode = fact(r, 'code');
      text = `Sync failed for account ${accountId}${errCode ? `: ${errCode}` : ''}`;
      const fields = [`*Account*\n${escapeMrkdwn(accountId || 'unknown')}`, `*Problem*\n${errCode ? code(errCode) : 'unknown'}`];
      if (r.count > 1) fields.push(`*Failed runs*\n${r.count}`);
      blocks.push(section(`:warning: Sync ${open ? 'is failing' : 'failed'} for account *${escapeMrkdwn(accountId)}*.`, { blockId: 'alert:summary', fields }));
      const message = fact(r, 'message');
      const hint = fact(r, 'hint');
      if (message || hint) blocks.push(section(`${escapeMrkdwn(message)}${hint ? `\n:point_right: ${escapeMrkdwn(hint)}` : ''}`, { blockId: 'alert:detail' }));
      const value = { key: r.key, version, accountId };
      buttons = [
        button({ text: 'Retry now', actionId: ACTIONS.retrySync, style: 'primary', value }),
        button({
          text: 'Pause',
          actionId: ACTIONS.pauseSync,
          style: 'danger',
          value,
          confirm: {
            title: 'Pause sync?',
            text: `New orders of *${escapeMrkdwn(accountId)}* stop going to ShipStation until someone resumes (\`/dockhand resume ${escapeMrkdwn(accountId)}\`).`,
            confirm: 'Pause',
            deny: 'Cancel',
          },
        }),
      ];
      break;
    }
    case 'quarantine_burst': {
      const count = Number(fact(r, 'count')) || r.count;
      const ids = splitIds(fact(r, 'orderIds'));
      const firstFew = ids.slice(0, 5);
      const accountId = fact(r, 'accountId');
      text = `${plural(count, 'order')} quarantined${accountId ? ` in ${accountId}` : ''}`;
      const idLine = firstFew.length ? `\n${firstFew.map(code).join(', ')}${count > firstFew.length ? ` and ${count - firstFew.length} more` : ''}` : '';
      blocks.push(
        section(`:construction: ${plural(count, 'order')} quarantined${accountId ? ` in *${escapeMrkdwn(accountId)}*` : ''}: \`/dockhand quarantine\` lists them.${idLine}`, {
          blockId: 'alert:summary',
        }),
      );
      buttons = [
        button({
          text: 'Retry all',
          actionId: ACTIONS.retryAll,
          style: 'primary',
          value: { key: r.key, version, ...(accountId ? { accountId } : {}) },
          confirm: {
            title: 'Retry all?',
            text: `Send ${plural(count, 'quarantined order')} to ShipStation again? Orders only Amazon can correct are skipped: they come in when Amazon updates them.`,
            confirm: 'Retry all',
            deny: 'Cancel',
          },
        }),
      ];
      break;
    }
    case 'writeback_problem': {
      const n = writebackNoticeFromFacts(r.key, r.facts);
      text = `${PROBLEMS[n.kind].title(n.amazonOrderId)}${n.code ? ` (${n.code})` : ''}`;
      blocks.push(writebackSection(n, open, r.count, 'alert:summary'));
      buttons = writebackButtons(n, version);
      break;
    }
    case 'deadline': {
      const d = deadlineAlert(r, open);
      text = d.text;
      blocks.push(...d.blocks);
      break;
    }
  }

  const last = lastActionLine(r);
  if (open) {
    // Deadline messages carry a row of buttons per order instead.
    if (buttons.length > 0) blocks.push(actions('alert:actions', buttons));
    if (last) blocks.push(context(last));
  } else {
    const resolution = r.facts.resolution ?? (last ? undefined : 'the problem went away');
    blocks.push(context(`:white_check_mark: Resolved${resolution ? `: ${escapeMrkdwn(resolution)}` : ''}${last ? `${resolution ? ' · ' : ' — '}${last}` : ''}`));
    text = `Resolved: ${text}`;
  }
  return fitMessage(text, blocks);
}

// ---------------------------------------------------------------------------------------------
// Map SKU modal

const SHIPSTATION_SKU_MAX = 100;

/** The reason a ShipStation SKU typed into the modal is not acceptable, or undefined when it is. */
export function validateShipStationSku(s: string): string | undefined {
  if (s.trim() === '') return 'Enter the ShipStation SKU.';
  if (s !== s.trim()) return 'Remove the spaces at the start or end of the SKU.';
  if (s.length > SHIPSTATION_SKU_MAX) return `A SKU has at most ${SHIPSTATION_SKU_MAX} characters; this one has ${s.length}.`;
  if (/\p{Cc}/u.test(s)) return 'The SKU contains a line break or another control character.';
  return undefined;
}

export interface MapSkuModalInput {
  amazonSku: string;
  asin?: string;
  callbackId?: typeof MAP_SKU_VIEW.callbackId;
  /** Round-trips to the view_submission (e.g. the alert key and channel); at most 3,000 characters. */
  privateMetadata: string;
}

/** The Map SKU modal (views.open): one input, `shipstation_sku` / `value`. */
export function mapSkuModal(input: MapSkuModalInput): types.ModalView {
  if (input.privateMetadata.length > LIMITS.privateMetadata) {
    // Cutting it would corrupt what the submission handler reads back: fail loudly instead.
    throw new RangeError(`private_metadata is ${input.privateMetadata.length} characters; Slack allows ${LIMITS.privateMetadata}`);
  }
  return {
    type: 'modal',
    callback_id: input.callbackId ?? MAP_SKU_VIEW.callbackId,
    private_metadata: input.privateMetadata,
    title: { type: 'plain_text', text: 'Map SKU' },
    submit: { type: 'plain_text', text: 'Map' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      fitBlock(
        section(`Amazon SKU ${code(input.amazonSku)}${input.asin ? ` (ASIN ${code(input.asin)})` : ''} will be sent to ShipStation as the SKU you enter. Open orders that went out with Amazon's SKU are updated.`, {
          blockId: 'map_sku:about',
        }),
      ),
      {
        type: 'input',
        block_id: MAP_SKU_VIEW.blockId,
        label: { type: 'plain_text', text: 'ShipStation SKU' },
        hint: { type: 'plain_text', text: "Exactly as in ShipStation's product list." },
        element: {
          type: 'plain_text_input',
          action_id: MAP_SKU_VIEW.actionId,
          max_length: SHIPSTATION_SKU_MAX,
          placeholder: { type: 'plain_text', text: 'e.g. MUG-BLUE-12' },
        },
      },
    ],
  };
}

/** The view_submission answer that shows `message` under the SKU input. */
export function mapSkuModalErrors(message: string): { response_action: 'errors'; errors: Record<string, string> } {
  return { response_action: 'errors', errors: { [MAP_SKU_VIEW.blockId]: message } };
}
