import { actions, context, fitMessage, header, LIMITS, plural, section, utc, escapeMrkdwn, type Block, type RenderContext, type SlackMessage } from '../domain/block-kit';
import { writebackButtons, writebackSection, type WritebackNotice } from './writeback-alert';

export interface ReconcileResult {
  accounts: string[];
  checkedOrders: number;
  checkedLabels: number;
  findings: WritebackNotice[];
}

/** `/dockhand reconcile`: what was checked, then each finding with its fix (ids suffixed `:<n>`). */
export function reconcileSummary(r: ReconcileResult, now: Date, ctx: RenderContext): SlackMessage {
  const checked = `${plural(r.checkedOrders, 'order')} and ${plural(r.checkedLabels, 'label')} in ${r.accounts.length ? escapeMrkdwn(r.accounts.join(', ')) : 'no account'}`;
  if (r.findings.length === 0) {
    return fitMessage(`Reconciled: nothing to fix`, [section(`:white_check_mark: Amazon and ShipStation agree: checked ${checked}.`), context(`As of ${utc(now.toISOString())}`)]);
  }
  const version = now.toISOString();
  const shown = r.findings.slice(0, LIMITS.listItems);
  const blocks: Block[] = [header(`Reconciliation: ${plural(r.findings.length, 'problem')}`), context(`Checked ${checked}. Each problem is also posted to the alerts channel.`)];
  shown.forEach((n, i) => {
    blocks.push(writebackSection(n, true, 1, `finding:${i}`), actions(`finding:${i}:actions`, writebackButtons(ctx, n, version, `:${i}`)));
  });
  if (r.findings.length > shown.length) blocks.push(context(`…and ${r.findings.length - shown.length} more: see the alerts channel`));
  return fitMessage(`Reconciled: ${plural(r.findings.length, 'problem')} found`, blocks);
}
