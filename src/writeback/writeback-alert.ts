import type { types } from '@slack/bolt';
import { ACTIONS, button, code, escapeMrkdwn, openInShipStation, section, type AlertRenderer, type Block, type ButtonValue, type RenderContext } from '../domain/block-kit';
import { problemKind, type Problem } from '../domain/notifier';
import { holdButton } from './at-risk-blocks';

/** A tracking-writeback or reconciliation problem about one order, with the fix when there is one. */
export interface WritebackNotice {
  /** Stable problem key: `writeback:<labelId>`, `voided:<labelId>`, `reconcile:<finding key>`... One Slack message per key. */
  key: string;
  kind:
    | 'confirmation_quarantined' // Amazon refused the confirmation, or the label can't be mapped: Retry
    | 'voided_after_confirm' // Amazon holds tracking for a label that was voided: Amazon can't un-confirm
    | 'cancelled_before_confirm' // the order was cancelled on Amazon before the label was confirmed
    | 'missing_in_shipstation' // Amazon's open order is not in ShipStation: Create in ShipStation
    | 'label_not_on_amazon' // a ShipStation label Amazon never received: Confirm now
    | 'tracking_mismatch' // Amazon holds another tracking number for the package: Confirm now
    | 'cancelled_open_in_shipstation'; // cancelled on Amazon, still open in ShipStation: Hold
  accountId: string;
  amazonOrderId: string;
  /** `shipment:<id>` / `fulfillment:<id>`. */
  labelId?: string;
  shipstationOrderId?: number;
  trackingNumber?: string;
  carrier?: string;
  code: string;
  message: string;
  hint: string;
  /** The button that fixes it. */
  fix?: 'retry_confirmation' | 'confirm_now' | 'create_in_shipstation' | 'hold_order';
}

export const WRITEBACK_PROBLEM = problemKind<WritebackNotice>('writeback_problem');

/** The problem of one writeback notice: its facts are all of the notice, so each occurrence replaces them. Pure. */
export function writebackProblem(n: WritebackNotice): Problem<WritebackNotice> {
  return {
    kind: WRITEBACK_PROBLEM.name,
    key: n.key,
    facts: writebackFacts(n),
    replaceFacts: true,
    notice: n,
    log: {
      level: 'warn',
      msg: 'tracking writeback problem',
      fields: { accountId: n.accountId, amazonOrderId: n.amazonOrderId, labelId: n.labelId, code: n.code, problem: n.kind },
    },
  };
}

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

/** What a writeback message says once the problem went away on its own. Pure. */
export function writebackResolution(problem: string | undefined): string {
  return PROBLEMS[PROBLEM_KINDS.find((k) => k === problem) ?? 'confirmation_quarantined'].resolved;
}

/** `writebackResolution` of a recorded problem's facts: what `Notifier.resolve` is given for a writeback key. */
export const writebackResolved = (facts: Record<string, string>): string => writebackResolution(facts.problem);

/**
 * The fix button `n.fix` names, then Open in ShipStation and Show order. `suffix` keeps action
 * ids unique when several problems share a message. A fix that needs what the notice lacks
 * (Hold without a ShipStation order, Retry without a label) is left out: its hint still says what to do.
 */
export function writebackButtons(ctx: RenderContext, n: WritebackNotice, version: string, suffix = ''): types.Button[] {
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
  out.push(...openInShipStation(ctx, `${ACTIONS.openShipStation}${suffix}`, n.amazonOrderId, n.shipstationOrderId));
  out.push(button({ text: 'Show order', actionId: `${ACTIONS.showOrder}${suffix}`, value }));
  return out;
}

/** The summary section of one writeback problem: what, which label and tracking, what happened, the hint. */
export function writebackSection(n: WritebackNotice, open: boolean, count: number, blockId: string): Block {
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

/** Alert `writeback_problem`. Facts: `writebackFacts`. */
export const renderWritebackProblem: AlertRenderer = (r, ctx) => {
  const n = writebackNoticeFromFacts(r.key, r.facts);
  return {
    text: `${PROBLEMS[n.kind].title(n.amazonOrderId)}${n.code ? ` (${n.code})` : ''}`,
    blocks: [writebackSection(n, r.state === 'open', r.count, 'alert:summary')],
    buttons: writebackButtons(ctx, n, r.updatedAt),
  };
};
