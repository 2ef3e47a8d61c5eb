import type { ShipStationClient } from '../shipstation/client';
import type { ConfirmationRecord } from '../store/records';
import type { Store } from '../store/store';
import type { Outcome, Writeback } from './confirm-labels.job';
import { findLabel } from './label-source';

/**
 * A person asks for one label to be confirmed on Amazon: Retry on a refused confirmation, or
 * reconciliation's Confirm now. The label is read again from ShipStation first (it may have been
 * voided or changed since).
 */

/** What a confirmation retry or Confirm now did on Amazon. */
export interface ConfirmationResult {
  outcome: 'confirmed' | 'skipped' | 'quarantined' | 'not_found';
  message: string;
}

export interface ConfirmOnRequestContext {
  store: Store;
  shipstation: ShipStationClient;
  writeback: Pick<Writeback, 'confirmFor' | 'handleLabel'>;
}

/** Retries one label's confirmation (quarantined, or not yet sent: then only its pending copy knows the order). */
export async function retryConfirmation(labelId: string, ctx: ConfirmOnRequestContext): Promise<ConfirmationResult> {
  const record = await ctx.store.confirmations.get(labelId);
  const pending = await ctx.store.pendingConfirmations.get(labelId);
  const amazonOrderId = record?.amazonOrderId ?? pending?.label.orderNumber;
  if (!amazonOrderId) return { outcome: 'not_found', message: `Dockhand has no record of label ${labelId}.` };
  const label = (await findLabel(ctx.shipstation, labelId, amazonOrderId)) ?? pending?.label;
  if (!label) return { outcome: 'not_found', message: `ShipStation no longer has label ${labelId} for order ${amazonOrderId}.` };
  const done = record ? await ctx.writeback.confirmFor(label, record.accountId, amazonOrderId) : await ctx.writeback.handleLabel(label, 'retry', true);
  return confirmationResult(done.outcome, done.record, amazonOrderId);
}

/** Confirms a ShipStation label Amazon does not have, for the account reconciliation found it in. */
export async function confirmNow(accountId: string, amazonOrderId: string, labelId: string, ctx: ConfirmOnRequestContext): Promise<ConfirmationResult> {
  const label = await findLabel(ctx.shipstation, labelId, amazonOrderId);
  if (!label) return { outcome: 'not_found', message: `ShipStation has no label ${labelId} for order ${amazonOrderId}.` };
  const done = await ctx.writeback.confirmFor(label, accountId, amazonOrderId);
  return confirmationResult(done.outcome, done.record, amazonOrderId);
}

function confirmationResult(outcome: Outcome, record: ConfirmationRecord | undefined, amazonOrderId: string): ConfirmationResult {
  switch (outcome) {
    case 'confirmed':
    case 'already_done':
      return { outcome: 'confirmed', message: `Amazon has the tracking for order ${amazonOrderId}${record ? ` (${record.carrierName ?? record.carrierCode} ${record.trackingNumber})` : ''}.` };
    case 'skipped':
      return { outcome: 'skipped', message: record?.reason ?? `Nothing to confirm for order ${amazonOrderId}.` };
    case 'quarantined':
      return { outcome: 'quarantined', message: record?.reason ?? `Amazon refused the confirmation for order ${amazonOrderId}.` };
    case 'retry_later':
      return { outcome: 'quarantined', message: `Amazon could not be reached${record?.reason ? ` (${record.reason})` : ''}; Dockhand tries again on its next pass.` };
    case 'ignored':
      return { outcome: 'not_found', message: `Order ${amazonOrderId} is not one Dockhand confirms.` };
  }
}
