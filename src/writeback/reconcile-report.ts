import { DockhandError } from '../domain/errors';
import type { WritebackNotice } from './writeback-alert';
import type { ReconcileSummary } from './reconcile.job';

/**
 * Reconciliation asked for by a person (`/dockhand reconcile`, `dockhand reconcile`): what one
 * pass checked and found. The findings are alerted by the pass itself, like the scheduled ones.
 */
export interface ReconcileReport {
  accounts: string[];
  checkedOrders: number;
  checkedLabels: number;
  findings: WritebackNotice[];
  /** What could not be read (an account's Amazon orders, ShipStation): those parts were not compared. */
  errors: string[];
}

/**
 * The pass's summary as the answer to the person who asked, or an error when nothing could be
 * compared at all (ShipStation unreadable, every account's Amazon side unreadable): "no
 * differences" would then be a claim nobody checked. Pure.
 */
export function toReconcileReport(s: ReconcileSummary): ReconcileReport {
  if (s.errors.length > 0 && s.checkedOrders === 0) {
    // An account's Amazon read fails as `<account>: …`; ShipStation's as its bare message.
    const amazonOnly = s.errors.every((e) => s.accounts.some((a) => e.startsWith(`${a}: `)));
    throw new DockhandError(amazonOnly ? 'amazon.unreachable' : 'shipstation.unreachable', `reconciliation could not read everything: ${s.errors.join('; ')}`, {
      hint: 'Check `dockhand config check`, then run `dockhand reconcile` again.',
    });
  }
  return { accounts: s.accounts, checkedOrders: s.checkedOrders, checkedLabels: s.checkedLabels, findings: s.findings, errors: s.errors };
}

/** The report as plain lines for the terminal (`dockhand reconcile`). Pure. */
export function formatReconcileReport(r: ReconcileReport): string[] {
  const checked = `${r.checkedOrders} order(s) and ${r.checkedLabels} label(s) in ${r.accounts.length ? r.accounts.join(', ') : 'no account'}`;
  const lines: string[] = [];
  if (r.findings.length === 0) lines.push(`Amazon and ShipStation agree: checked ${checked}`);
  else {
    lines.push(`${r.findings.length} difference(s) between Amazon and ShipStation (checked ${checked}):`);
    for (const f of r.findings) {
      lines.push(`  ${f.amazonOrderId}  [${f.accountId}]  ${f.kind}${f.labelId ? `  ${f.labelId}` : ''}${f.trackingNumber ? `  ${f.carrier ?? ''} ${f.trackingNumber}`.trimEnd() : ''}`);
      lines.push(`      ${f.message}`);
      if (f.hint) lines.push(`      → ${f.hint}`);
    }
    lines.push('Each difference is also an alert in Slack, with the button that fixes it.');
  }
  for (const e of r.errors) lines.push(`not compared: ${e}`);
  return lines;
}
