import type { AccountConfig } from '../config/config';
import { toDockhandError } from '../domain/errors';
import type { Label } from '../domain/label';
import type { Notifier } from '../domain/notifier';
import { writebackProblem, writebackResolved, type WritebackNotice } from './writeback-alert';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import { ownerOf } from './confirm-labels.job';
import type { LabelSource } from './poll-labels.job';
import { reconcile, type Finding, type ReconcileAmazonOrder } from './reconcile';

/**
 * Reconciliation, every few minutes and on `/dockhand reconcile`: Amazon's recent orders
 * (with their packages) against ShipStation's orders and labels. Each disagreement is alerted
 * once, with its fix; a disagreement that is gone by the next pass is marked resolved. Works
 * for accounts in `mode: watch` too, matching ShipStation orders by order number.
 */
export const name = 'reconcile';

/** How far back orders and labels are compared. */
export const WINDOW_DAYS = 3;
/** How far back ShipStation is read for an old order that is still open on Amazon. */
const MAX_WINDOW_DAYS = 30;
const OPEN_KEY = 'reconcile';

export interface ShipStationOrderSummary {
  orderId: number;
  orderNumber: string;
  orderKey?: string;
  orderStatus: string;
  storeId?: number;
  /** ISO instant. */
  modifiedAt?: string;
}

export interface ReconcileContext {
  accounts: AccountConfig[];
  store: Store;
  /**
   * What Amazon holds for the account's recent orders, with packages. For an importing account
   * that is what sync recorded (kept current by events and polling, so reconciling costs no
   * searchOrders budget, which sync needs); for a watching account, Amazon's open orders.
   */
  amazonOrders(account: AccountConfig, sinceIso: string): Promise<{ orders: ReconcileAmazonOrder[]; complete: boolean }>;
  /** ShipStation orders modified since `sinceIso`. */
  shipstationOrders(sinceIso: string): Promise<ShipStationOrderSummary[]>;
  labels: Pick<LabelSource, 'labelsCreated' | 'fulfillmentsCreated'>;
  notifier: Notifier;
  logger: Logger;
  now: () => Date;
}

export interface ReconcileSummary {
  accounts: string[];
  checkedOrders: number;
  checkedLabels: number;
  findings: WritebackNotice[];
  errors: string[];
}

/** Which Amazon order a ShipStation order stands for in this account, if any. */
function amazonOrderIdOf(o: { orderNumber: string; orderKey?: string; storeId?: number }, account: AccountConfig, accounts: AccountConfig[]): string | undefined {
  if (account.mode === 'import') return ownerOf(o, accounts)?.account.id === account.id ? o.orderNumber : undefined;
  // Watch mode: ShipStation's own Amazon store imported it under the AmazonOrderId.
  const storeId = account.shipstation.storeId;
  return storeId === undefined || o.storeId === storeId ? o.orderNumber : undefined;
}

export async function runReconcile(ctx: ReconcileContext, only?: string): Promise<ReconcileSummary> {
  const now = ctx.now();
  const since = new Date(now.getTime() - WINDOW_DAYS * 86_400_000).toISOString();
  const accounts = ctx.accounts.filter((a) => !only || a.id === only);
  const summary: ReconcileSummary = { accounts: accounts.map((a) => a.id), checkedOrders: 0, checkedLabels: 0, findings: [], errors: [] };
  // Accounts whose findings must not be resolved this pass: Amazon not read, or not all of it.
  const unread = new Set<string>();
  const amazonByAccount = new Map<string, ReconcileAmazonOrder[]>();
  for (const account of accounts) {
    try {
      const read = await ctx.amazonOrders(account, since);
      amazonByAccount.set(account.id, read.orders);
      if (!read.complete) unread.add(account.id);
    } catch (e) {
      const err = toDockhandError(e);
      unread.add(account.id);
      summary.errors.push(`${account.id}: ${err.message}`);
      ctx.logger.warn({ job: name, accountId: account.id, code: err.code }, 'reconcile could not read Amazon orders');
    }
  }
  // ShipStation's side reaches back to the oldest open Amazon order compared: its ShipStation
  // order was created, and last modified, after that order was placed.
  const oldest = [...amazonByAccount.values()].flat().reduce((min, o) => (o.createdTime < min ? o.createdTime : min), since);
  const from = oldest < new Date(now.getTime() - MAX_WINDOW_DAYS * 86_400_000).toISOString() ? new Date(now.getTime() - MAX_WINDOW_DAYS * 86_400_000).toISOString() : oldest;
  let ssOrders: ShipStationOrderSummary[] = [];
  let labels: Label[] = [];
  try {
    ssOrders = await ctx.shipstationOrders(from);
    // Return labels bring packages back: nothing Amazon should hold.
    labels = [...(await ctx.labels.labelsCreated(from, now.toISOString())), ...(await ctx.labels.fulfillmentsCreated(from, now.toISOString()))].filter((l) => !l.isReturn);
  } catch (e) {
    const err = toDockhandError(e);
    summary.errors.push(err.message);
    ctx.logger.warn({ job: name, code: err.code }, `reconcile skipped: ${err.message}`);
    return summary;
  }
  const byOrderId = new Map(ssOrders.map((o) => [o.orderId, o]));
  const found: Finding[] = [];
  for (const account of accounts) {
    const amazon = amazonByAccount.get(account.id);
    if (!amazon) continue;
    const mine = ssOrders.flatMap((o) => {
      const amazonOrderId = amazonOrderIdOf(o, account, ctx.accounts);
      return amazonOrderId ? [{ amazonOrderId, orderId: o.orderId, orderStatus: o.orderStatus, ...(o.modifiedAt ? { updatedAt: o.modifiedAt } : {}) }] : [];
    });
    const myLabels = labels.flatMap((label) => {
      const order = byOrderId.get(label.orderId) ?? { orderNumber: label.orderNumber, ...(label.orderKey ? { orderKey: label.orderKey } : {}), ...(label.storeId !== undefined ? { storeId: label.storeId } : {}) };
      const amazonOrderId = amazonOrderIdOf(order, account, ctx.accounts);
      return amazonOrderId ? [{ amazonOrderId, label }] : [];
    });
    summary.checkedOrders += amazon.length;
    summary.checkedLabels += myLabels.length;
    found.push(...reconcile({ now, amazonOrders: amazon, shipstationOrders: mine, labels: myLabels, mode: account.mode }));
  }
  summary.findings = found.map(toNotice);

  // Alert what is new; resolve what went away (only for the accounts checked, and only when they were read).
  const open = await openKeys(ctx.store);
  const checked = new Set(accounts.map((a) => a.id));
  const nowKeys = new Set(summary.findings.map((f) => f.key));
  for (const n of summary.findings) if (!open.has(n.key)) await ctx.notifier.raise(writebackProblem(n));
  const stillOpen = new Set(nowKeys);
  for (const key of open) {
    const accountId = key.split(':')[2] ?? '';
    if (nowKeys.has(key)) continue;
    if (!checked.has(accountId) || unread.has(accountId)) stillOpen.add(key);
    else await ctx.notifier.resolve(key, writebackResolved);
  }
  await ctx.store.openFindings.set(OPEN_KEY, { keys: [...stillOpen] });
  if (summary.findings.length > 0) ctx.logger.info({ job: name, findings: summary.findings.length }, 'reconciliation found differences');
  return summary;
}

async function openKeys(store: Store): Promise<Set<string>> {
  return new Set((await store.openFindings.get(OPEN_KEY))?.keys ?? []);
}

const KIND: Record<Finding['kind'], WritebackNotice['kind']> = {
  missing_in_shipstation: 'missing_in_shipstation',
  label_not_on_amazon: 'label_not_on_amazon',
  tracking_mismatch: 'tracking_mismatch',
  voided_but_confirmed: 'voided_after_confirm',
  shipped_in_shipstation_only: 'label_not_on_amazon',
  cancelled_on_amazon_open_in_shipstation: 'cancelled_open_in_shipstation',
};

function toNotice(f: Finding): WritebackNotice {
  const label = 'label' in f ? f.label : undefined;
  const shipstationOrderId = 'shipstationOrderId' in f ? f.shipstationOrderId : label?.orderId;
  const fix: WritebackNotice['fix'] = f.kind === 'cancelled_on_amazon_open_in_shipstation' ? 'hold_order' : f.fix;
  return {
    key: `reconcile:${f.key}`,
    kind: KIND[f.kind],
    accountId: f.accountId,
    amazonOrderId: f.amazonOrderId,
    ...(label ? { labelId: label.id, trackingNumber: label.trackingNumber, carrier: label.carrierCode } : {}),
    ...(shipstationOrderId !== undefined ? { shipstationOrderId } : {}),
    code: `reconcile.${f.kind}`,
    message: f.message,
    hint: f.hint,
    ...(fix ? { fix } : {}),
  };
}
