import { actions, clock, code, context, escapeMrkdwn, fitMessage, section, who, type AlertRenderer, type AlertView, type RenderContext, type SlackMessage } from '../domain/block-kit';
import type { Logger } from '../log/logger';
import { renderQuarantineBurst, renderQuarantinedOrder, QUARANTINE_BURST, QUARANTINED_ORDER } from '../sync/quarantine-alert';
import { renderSyncFailed, SYNC_FAILED } from '../sync/sync-failed-alert';
import { renderUnmappedSku, UNMAPPED_SKU } from '../sync/unmapped-sku-alert';
import { DEADLINE, renderDeadline } from '../writeback/deadline-alert';
import { renderReturn, renderReturnAging, RETURN_AGING, RETURN_ON_ITS_WAY } from '../returns/return-message';
import { renderWritebackProblem, WRITEBACK_PROBLEM } from '../writeback/writeback-alert';
import { ESCALATION_BURST, PRIME_ESCALATION, renderEscalation, renderEscalationBurst, renderMissingName, RULE_NAME_MISSING } from '../rules/escalation-alert';
import { ERP_DEAD_LETTERS, LISTING_REJECTED, LOW_STOCK, STOCK_SOURCE, renderErpDeadLetters, renderListingRejected, renderLowStock, renderStockSource } from '../inventory/inventory-alerts';

/**
 * Every alert kind Dockhand knows, and the renderer that draws it (kept next to the feature it
 * reports on). A new kind is its feature's problem builder and renderer, plus one line here.
 */
export const ALERT_KINDS: Readonly<Record<string, AlertRenderer>> = {
  [QUARANTINED_ORDER.name]: renderQuarantinedOrder,
  [QUARANTINE_BURST.name]: renderQuarantineBurst,
  [UNMAPPED_SKU.name]: renderUnmappedSku,
  [SYNC_FAILED.name]: renderSyncFailed,
  [WRITEBACK_PROBLEM.name]: renderWritebackProblem,
  [DEADLINE.name]: renderDeadline,
  [RETURN_ON_ITS_WAY.name]: renderReturn,
  [RETURN_AGING.name]: renderReturnAging,
  [PRIME_ESCALATION.name]: renderEscalation,
  [ESCALATION_BURST.name]: renderEscalationBurst,
  [RULE_NAME_MISSING.name]: renderMissingName,
  [LOW_STOCK.name]: renderLowStock,
  [LISTING_REJECTED.name]: renderListingRejected,
  [ERP_DEAD_LETTERS.name]: renderErpDeadLetters,
  [STOCK_SOURCE.name]: renderStockSource,
};

/** What an alert is, and who did what about it last. */
export interface AlertRecordView extends AlertView {
  lastActor?: string;
  lastActionAt?: string;
  lastActionText?: string;
}

/**
 * A kind this version does not know (recorded by a newer one sharing the store, or a kind since
 * removed): still shown, plainly, so the drain never stops on it and nobody misses the problem.
 */
const renderUnknown: AlertRenderer = (r) => ({
  text: `Dockhand problem ${r.kind}: ${r.key}`,
  blocks: [
    section(`:grey_question: Dockhand problem ${code(r.kind)}: ${code(r.key)}`, { blockId: 'alert:summary' }),
    context('This version of Dockhand cannot draw this kind of alert; `dockhand` in the CLI shows more.'),
  ],
  buttons: [],
});

/**
 * "<@U123> pressed Retry at 14:02 UTC — sent to ShipStation": the action text's part before
 * " — " is what was done, the rest the outcome, and the time goes between them.
 */
function lastActionLine(r: AlertRecordView): string | undefined {
  if (!r.lastActor || !r.lastActionText) return undefined;
  const [did, ...outcome] = r.lastActionText.split(' — ');
  const at = r.lastActionAt ? ` at ${clock(r.lastActionAt)}` : '';
  return `${who(r.lastActor)} ${escapeMrkdwn(did ?? '')}${at}${outcome.length ? ` — ${escapeMrkdwn(outcome.join(' — '))}` : ''}`;
}

/**
 * The message for one alert, updated in place as the problem changes: its kind's renderer, then
 * the buttons and the last action while open; once resolved, no buttons and what resolved it
 * (`facts.resolution`, else the last action). An unknown kind is logged and drawn plainly.
 */
export function alertMessage(r: AlertRecordView, ctx: RenderContext, logger?: Pick<Logger, 'warn'>): SlackMessage {
  const renderer = ALERT_KINDS[r.kind];
  if (!renderer) logger?.warn({ alert: r.key, kind: r.kind }, 'unknown alert kind: drawn plainly');
  const body = (renderer ?? renderUnknown)(r, ctx);
  const blocks = [...body.blocks];
  let text = body.text;
  const last = lastActionLine(r);
  if (r.state === 'open') {
    if (body.buttons.length > 0) blocks.push(actions('alert:actions', body.buttons));
    if (last) blocks.push(context(last));
  } else {
    const resolution = r.facts.resolution ?? (last ? undefined : 'the problem went away');
    blocks.push(context(`:white_check_mark: Resolved${resolution ? `: ${escapeMrkdwn(resolution)}` : ''}${last ? `${resolution ? ' · ' : ' — '}${last}` : ''}`));
    text = `Resolved: ${text}`;
  }
  return fitMessage(text, blocks);
}
