import type { types } from '@slack/bolt';
import { z } from 'zod';

/**
 * Block Kit primitives every message builder shares, wherever it lives (next to the feature whose
 * data it shows, or in slack/ for what is Slack's own). Pure: data in, `{ text, blocks }` out;
 * `text` is the notification and screen-reader fallback. Orders are named by AmazonOrderId only:
 * no builder may show buyer data.
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
export function code(s: string): string {
  return `\`${escapeMrkdwn(s.replace(/`/g, "'"))}\``;
}

/** A Slack user ID becomes a mention; anything else (`cli:alice`) is shown as is. */
export function who(actor: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(actor) ? `<@${actor}>` : code(actor);
}

/** Cuts to at most `max` UTF-16 units (Slack counts those), ending in … and never splitting a surrogate pair. */
export function clampText(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

export function utc(iso: string | undefined): string {
  if (!iso) return 'unknown time';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return escapeMrkdwn(iso);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function clock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? escapeMrkdwn(iso) : `${d.toISOString().slice(11, 16)} UTC`;
}

export function ago(iso: string | undefined, now: Date): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown';
  const s = Math.max(0, Math.round((now.getTime() - t) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function moreLine(hidden: number, cliCommand: string): string {
  return `…and ${hidden} more (\`${cliCommand}\` in the CLI shows all)`;
}

/**
 * What a builder needs besides its data. `shipstationAppUrl` is the web app "Open in ShipStation"
 * leads to: config `shipstation.appUrl` (ShipStation's own, or the sandbox simulator's stand-in),
 * or undefined when Dockhand talks to another ShipStation API and cannot know where its orders
 * are seen: then no such button is drawn. The composition root passes it in from the config.
 */
export interface RenderContext {
  shipstationAppUrl?: string;
}

/**
 * Where a person finds an Amazon order in ShipStation: the web app's order search, by
 * AmazonOrderId (our orders carry it as the order number; the sandbox's simulator answers the
 * same path). A search rather than the order's page, because it also finds the order ShipStation
 * merged or split. Undefined without a web app.
 */
export function shipstationOrderUrl(amazonOrderId: string, appUrl: string | undefined): string | undefined {
  if (appUrl === undefined) return undefined;
  return `${appUrl.replace(/\/+$/, '')}/orders/all-orders-search-result?quickSearch=${encodeURIComponent(amazonOrderId)}`;
}

// ---------------------------------------------------------------------------------------------
// Block constructors

export function header(text: string, blockId?: string): Block {
  return { type: 'header', text: { type: 'plain_text', text, emoji: true }, ...(blockId ? { block_id: blockId } : {}) };
}

export function section(mrkdwn: string, opts: { blockId?: string; accessory?: types.Button; fields?: string[] } = {}): Block {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: mrkdwn },
    ...(opts.fields ? { fields: opts.fields.map((f) => ({ type: 'mrkdwn' as const, text: f })) } : {}),
    ...(opts.accessory ? { accessory: opts.accessory } : {}),
    ...(opts.blockId ? { block_id: opts.blockId } : {}),
  };
}

export function context(...mrkdwn: string[]): Block {
  return { type: 'context', elements: mrkdwn.map((text) => ({ type: 'mrkdwn' as const, text })) };
}

export function divider(): Block {
  return { type: 'divider' };
}

export function actions(blockId: string, elements: types.Button[]): Block {
  return { type: 'actions', block_id: blockId, elements };
}

export function button(b: {
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
export function linkButton(text: string, actionId: string, url: string): types.Button {
  return { type: 'button', text: { type: 'plain_text', text, emoji: true }, action_id: actionId, url };
}

/**
 * "Open in ShipStation", only for an order ShipStation holds (`shipstationOrderId`) and when
 * there is a web app to open: an order Dockhand never sent would open an empty search. Zero or one button.
 */
export function openInShipStation(ctx: RenderContext, actionId: string, amazonOrderId: string, shipstationOrderId: number | undefined): types.Button[] {
  const url = shipstationOrderId === undefined ? undefined : shipstationOrderUrl(amazonOrderId, ctx.shipstationAppUrl);
  return url ? [linkButton('Open in ShipStation', actionId, url)] : [];
}

/** Packs lines into as few sections as fit the section text limit. */
export function linesToSections(lines: string[]): Block[] {
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

export function fitBlock(block: Block): Block {
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
// Alerts

/** A problem as recorded in the outbox: what an alert renderer draws. */
export interface AlertView {
  key: string;
  kind: string;
  state: 'open' | 'resolved';
  /** How many occurrences the message stands for. */
  count: number;
  facts: Record<string, string>;
  /** The version a button is drawn from: a stale click can be told apart. */
  updatedAt: string;
}

/** One kind's part of an alert message; the Slack registry adds the buttons row, the last action and the resolution. */
export interface AlertBody {
  text: string;
  blocks: Block[];
  /** Shown while the problem is open. */
  buttons: types.Button[];
}

/** Draws one kind of alert (open: with what to do; resolved: what it was). Pure. */
export type AlertRenderer = (r: AlertView, ctx: RenderContext) => AlertBody;

/** Reads a fact, or '' when missing: an alert must render even from an incomplete record. */
export function fact(r: AlertView, name: string): string {
  return r.facts[name] ?? '';
}

/** IDs kept in one fact, separated by commas or spaces. */
export function splitIds(s: string): string[] {
  return s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}
