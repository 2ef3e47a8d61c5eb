import type { ConfirmShipmentRequest } from '../amazon/schemas';
import type { AccountConfig } from '../config/config';
import { timeZoneOf } from '../config/config';
import { toDockhandError, type DockhandError } from '../domain/errors';
import type { Label } from '../domain/label';
import type { Notifier } from '../domain/notifier';
import { syncFailedProblem } from '../sync/sync-failed-alert';
import { writebackProblem, writebackResolved, type WritebackNotice } from './writeback-alert';
import { OrderStatus, type Order } from '../domain/order';
import type { Logger } from '../log/logger';
import type { ConfirmationRecord, OrderRecord } from '../store/records';
import { orderRecordKey, type Store } from '../store/store';
import { orderKeyFor } from '../sync/map-order';
import { toConfirmation } from './to-confirmation';

/**
 * Tracking writeback: each ShipStation label of an order Dockhand imported is confirmed on the
 * Amazon order once (key: the label id). Webhooks, the polling pass, retries and restarts all
 * come through `handleLabels`, which serialises the work per order so racing paths see each
 * other's ledger entries.
 */
export const name = 'confirm-labels';

export interface WritebackAmazon {
  confirmShipment(amazonOrderId: string, body: ConfirmShipmentRequest): Promise<void>;
  /** The current Amazon order (to learn of a cancellation, or items a record lacks). */
  fetchOrder(amazonOrderId: string): Promise<Order>;
}

export interface WritebackContext {
  accounts: AccountConfig[];
  store: Store;
  amazonFor(accountId: string): WritebackAmazon | undefined;
  notifier: Notifier;
  logger: Logger;
  now: () => Date;
  /** This process as a lease owner: one order's labels are handled by one replica at a time. */
  owner?: string;
  /** Whether a lease's owner is a process that no longer runs (its order lease is taken at once). */
  isLeaseOwnerGone?: (owner: string) => boolean;
}

/** How long one order's label lease lasts without renewal, and how long another replica waits for it. */
const ORDER_LEASE_TTL_MS = 60_000;
const ORDER_LEASE_WAIT_MS = 10 * 60_000;

export type Via = ConfirmationRecord['via'];
export type Outcome = 'confirmed' | 'already_done' | 'skipped' | 'quarantined' | 'ignored' | 'retry_later';

export interface WritebackSummary {
  seen: number;
  confirmed: number;
  alreadyDone: number;
  skipped: number;
  quarantined: number;
  ignored: number;
  retryLater: number;
}

export const emptyWritebackSummary = (): WritebackSummary => ({ seen: 0, confirmed: 0, alreadyDone: 0, skipped: 0, quarantined: 0, ignored: 0, retryLater: 0 });

/** Problem keys: one Slack message each. */
export const writebackKey = (labelId: string): string => `writeback:${labelId}`;
export const voidedKey = (labelId: string): string => `voided:${labelId}`;

/** Which Dockhand account and Amazon order a label belongs to, if Dockhand created its order. */
export function ownerOf(label: Pick<Label, 'orderKey' | 'orderNumber'>, accounts: AccountConfig[]): { account: AccountConfig; amazonOrderId: string } | undefined {
  if (!label.orderKey) return undefined;
  // orderNumber is the AmazonOrderId and orderKey is derived from it: recomputing the key proves both.
  const account = accounts.find((a) => orderKeyFor(a.id, label.orderNumber) === label.orderKey);
  return account ? { account, amazonOrderId: label.orderNumber } : undefined;
}

const tally: Record<Outcome, keyof WritebackSummary> = {
  confirmed: 'confirmed',
  already_done: 'alreadyDone',
  skipped: 'skipped',
  quarantined: 'quarantined',
  ignored: 'ignored',
  retry_later: 'retryLater',
};

/** What the ledger keeps of a label for the fulfillment facts: service, cost, warehouse. */
function shipmentFacts(label: Label): Pick<ConfirmationRecord, 'serviceCode' | 'cost' | 'warehouseId'> {
  return {
    ...(label.serviceCode ? { serviceCode: label.serviceCode } : {}),
    ...(label.cost !== undefined ? { cost: label.cost } : {}),
    ...(label.warehouseId ? { warehouseId: label.warehouseId } : {}),
  };
}

/** Runs `fn` after every earlier call with the same key has settled. */
function createKeyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return async function run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    tails.set(key, next);
    try {
      return await next;
    } finally {
      if (tails.get(key) === next) tails.delete(key);
    }
  };
}

export interface Writeback {
  /** Confirms each label not yet handled; returns what happened. Safe to call with the same label twice. */
  handleLabels(labels: Label[], via: Via): Promise<WritebackSummary>;
  /** One label, with its outcome. `force` sends it again whatever the ledger says (Slack's Retry). */
  handleLabel(label: Label, via: Via, force?: boolean): Promise<{ outcome: Outcome; record?: ConfirmationRecord }>;
  /**
   * Confirms a label for an order named by the caller (reconciliation's Confirm now), also for
   * accounts in watch mode whose ShipStation orders Dockhand did not create.
   */
  confirmFor(label: Label, accountId: string, amazonOrderId: string): Promise<{ outcome: Outcome; record?: ConfirmationRecord }>;
}

export function createWriteback(ctx: WritebackContext): Writeback {
  const inProcess = createKeyedQueue();
  const owner = ctx.owner ?? `writeback:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  // Serialised per order in this process (a queue), and across replicas by a lease in the store:
  // a SHIP_NOTIFY handled here and a polling pass on another replica take turns, and the second
  // reads the ledger the first wrote, so the same label is never sent twice.
  const perOrder = <T>(orderKey: string, fn: () => Promise<T>): Promise<T> =>
    inProcess(orderKey, () =>
      ctx.store.withLease(`label-order:${orderKey}`, owner, fn, { ttlMs: ORDER_LEASE_TTL_MS, waitMs: ORDER_LEASE_WAIT_MS, ...(ctx.isLeaseOwnerGone ? { isGone: ctx.isLeaseOwnerGone } : {}) }),
    );

  /**
   * Shipments carry the orderKey; fulfillments only ShipStation's orderId and orderNumber, so
   * those are matched to the order Dockhand sent under that orderId.
   */
  async function resolveOwner(label: Label): Promise<{ account: AccountConfig; amazonOrderId: string } | undefined> {
    if (label.orderKey) return ownerOf(label, ctx.accounts);
    for (const account of ctx.accounts) {
      const record = await ctx.store.orders.get(orderRecordKey(account.id, label.orderNumber));
      if (record?.shipstationOrderId === label.orderId) return { account, amazonOrderId: label.orderNumber };
    }
    return undefined;
  }

  async function handleLabel(label: Label, via: Via, force = false): Promise<{ outcome: Outcome; record?: ConfirmationRecord }> {
    const owner = await resolveOwner(label);
    // Orders Dockhand did not create (other stores, manual orders) are not ours to confirm; an
    // account in watch mode has ShipStation's own Amazon store posting its tracking; a return
    // label carries the package back.
    if (!owner || owner.account.mode !== 'import' || label.isReturn) return { outcome: 'ignored' };
    const { account, amazonOrderId } = owner;
    return perOrder(orderRecordKey(account.id, amazonOrderId), () => confirmOne(label, account, amazonOrderId, via, force));
  }

  async function confirmOne(label: Label, account: AccountConfig, amazonOrderId: string, via: Via, force: boolean): Promise<{ outcome: Outcome; record?: ConfirmationRecord }> {
    const log = ctx.logger.child({ job: name, accountId: account.id, amazonOrderId, labelId: label.id, via });
    const existing = await ctx.store.confirmations.get(label.id);
    if (existing?.state === 'confirmed' && (!force || label.voided)) {
      if (label.voided && !existing.voidedAfterConfirm) {
        log.warn({ code: 'writeback.voided_after_confirm' }, 'label voided after Amazon accepted it');
        const record = await saveAlerted({ ...existing, voidedAfterConfirm: true, at: nowIso() }, {
          key: voidedKey(label.id),
          kind: 'voided_after_confirm',
          code: 'writeback.voided_after_confirm',
          message: `Label ${label.trackingNumber} was voided in ShipStation after Amazon had accepted it as shipped.`,
          hint: 'Amazon cannot take a confirmation back. If the order ships with a new label, Dockhand sends its tracking in place of this one; if it does not ship, contact the buyer or cancel the order in Seller Central.',
        });
        return { outcome: 'already_done', record };
      }
      return { outcome: 'already_done', record: existing };
    }
    // `force` (Retry, Confirm now) sends again whatever the ledger says: Amazon replaces a package
    // sent again under the same packageReferenceId.
    if (existing && existing.state !== 'in_flight' && !force) {
      return { outcome: 'already_done', record: existing };
    }

    const amazon = ctx.amazonFor(account.id);
    if (!amazon) return { outcome: 'retry_later' };
    const key = orderRecordKey(account.id, amazonOrderId);
    let record = await ctx.store.orders.get(key);
    let order = orderFromRecord(record);
    if (!order || record?.amazonStatus === 'cancelled') {
      // Our record predates the fields writeback needs, or says cancelled: ask Amazon what is true now.
      try {
        order = fromAmazon(await amazon.fetchOrder(amazonOrderId));
      } catch (e) {
        return failed(toDockhandError(e), label, account, amazonOrderId, via, existing, log);
      }
    }
    const siblings = await siblingRecords(key, label.id);
    // A confirmed package whose label was voided is replaced by this one: sent under its
    // packageReferenceId, Amazon swaps the dead tracking number for the new one.
    const replacing = label.voided ? undefined : siblings.find((r) => r.state === 'confirmed' && r.voidedAfterConfirm && !r.replacedBy);
    // Resending a confirmed package (Retry, Confirm now) or replacing one amends what Amazon
    // holds: planned against our ledger alone (Amazon's shipped count includes the very package
    // being amended).
    const amends = (force && existing?.state === 'confirmed') || replacing !== undefined;
    const alreadyConfirmed = shippedItems(siblings, amends ? undefined : order);
    const plan = toConfirmation({ label, order, alreadyConfirmed, timeZone: timeZoneOf(account), now: ctx.now(), amends });
    if (force && existing?.state === 'confirmed' && plan.kind !== 'confirm') {
      // Nothing new to send: what Amazon holds stays as it is, and so does our record of it.
      return { outcome: 'already_done', record: existing };
    }
    const packageReferenceId = replacing?.packageReferenceId ?? String(label.numericId);
    if (plan.kind === 'confirm') plan.body.packageDetail.packageReferenceId = packageReferenceId;
    const base = {
      labelId: label.id,
      accountId: account.id,
      amazonOrderId,
      shipstationOrderId: label.orderId,
      packageReferenceId,
      carrierCode: label.carrierCode,
      trackingNumber: label.trackingNumber,
      ...shipmentFacts(label),
      labelCreatedAt: label.createdAt,
      items: [] as ConfirmationRecord['items'],
      via: existing?.via ?? via,
      attempts: (existing?.attempts ?? 0) + 1,
      voidedAfterConfirm: false,
    };
    const unsettled = siblings.some((r) => r.state === 'in_flight');
    if (plan.kind === 'skip' && (!plan.final || (plan.reason === 'nothing_left' && unsettled))) {
      // Not yet: a pending order, or items another label holds while its confirmation is still
      // unsettled (it may yet be voided). Kept for the next pass instead of being settled.
      await ctx.store.pendingConfirmations.set(label.id, { at: nowIso(), label });
      log.info({ reason: plan.reason }, 'label waits for the order');
      return { outcome: 'retry_later' };
    }
    if (plan.kind === 'skip') {
      const skipped: ConfirmationRecord = { ...base, state: 'skipped', at: nowIso(), code: `writeback.${plan.reason}`, reason: plan.message };
      const saved =
        plan.reason === 'order_cancelled'
          ? await saveAlerted(skipped, {
              key: writebackKey(label.id),
              kind: 'cancelled_before_confirm',
              code: 'writeback.order_cancelled',
              message: `A label (${label.trackingNumber}) was created for an order that is cancelled on Amazon; it was not confirmed.`,
              hint: 'Stop the package if it has not left, and void the label in ShipStation to get the postage back.',
            })
          : await save(skipped);
      await remember(key, label.id);
      log.info({ reason: plan.reason }, 'label not confirmed');
      return { outcome: 'skipped', record: saved };
    }
    if (plan.kind === 'error') {
      const saved = await quarantine(base, plan.code, plan.message, plan.hint);
      await remember(key, label.id);
      return { outcome: 'quarantined', record: saved };
    }

    const detail = plan.body.packageDetail;
    const sending: ConfirmationRecord = {
      ...base,
      state: 'in_flight',
      carrierCode: detail.carrierCode,
      ...(detail.carrierName ? { carrierName: detail.carrierName } : {}),
      shipDate: detail.shipDate,
      items: detail.orderItems.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })),
      at: nowIso(),
    };
    // Written before the call, with its pending entry: after a crash the next pass sends it
    // again under the same packageReferenceId, which Amazon treats as the same package.
    await save(sending);
    await ctx.store.pendingConfirmations.set(label.id, { at: nowIso(), label });
    await remember(key, label.id);
    try {
      await amazon.confirmShipment(amazonOrderId, plan.body);
    } catch (e) {
      return failed(toDockhandError(e), label, account, amazonOrderId, via, sending, log);
    }
    const confirmed = await save({ ...sending, state: 'confirmed', confirmedAt: nowIso(), at: nowIso() });
    if (existing?.state === 'quarantined') await ctx.notifier.resolve(writebackKey(label.id), writebackResolved);
    if (replacing) {
      await save({ ...replacing, replacedBy: label.id, at: nowIso() });
      await ctx.notifier.resolve(voidedKey(replacing.labelId), writebackResolved);
    }
    log.info({ carrierCode: detail.carrierCode, items: detail.orderItems.length }, 'shipment confirmed on Amazon');
    return { outcome: 'confirmed', record: confirmed };

    async function quarantine(b: typeof base, code: string, reason: string, hint: string): Promise<ConfirmationRecord> {
      log.warn({ code }, 'confirmation quarantined');
      return saveAlerted({ ...b, state: 'quarantined', at: nowIso(), code, reason, hint }, { key: writebackKey(label.id), kind: 'confirmation_quarantined', code, message: reason, hint, fix: 'retry_confirmation' });
    }
  }

  /**
   * Amazon refused, or could not be reached. Transient failures stay in flight for the next pass;
   * a refusal of a cancelled order is a skip with an alert; any other refusal is quarantined
   * with Amazon's own message.
   */
  async function failed(
    err: DockhandError,
    label: Label,
    account: AccountConfig,
    amazonOrderId: string,
    via: Via,
    sent: ConfirmationRecord | undefined,
    log: Logger,
  ): Promise<{ outcome: Outcome; record?: ConfirmationRecord }> {
    const base: ConfirmationRecord = sent ?? {
      labelId: label.id,
      accountId: account.id,
      amazonOrderId,
      shipstationOrderId: label.orderId,
      state: 'in_flight',
      packageReferenceId: String(label.numericId),
      carrierCode: label.carrierCode,
      trackingNumber: label.trackingNumber,
      ...shipmentFacts(label),
      items: [],
      labelCreatedAt: label.createdAt,
      via,
      at: nowIso(),
      attempts: 1,
      voidedAfterConfirm: false,
    };
    // Not this label's fault (Amazon down, throttled, or our credentials refused): it waits for
    // the next pass rather than being quarantined, and a refused login is one account alert,
    // not one per label.
    if (err.transient || err.code === 'amazon.auth_rejected') {
      const saved = await save({ ...base, state: 'in_flight', code: err.code, reason: err.message, hint: err.hint, at: nowIso() });
      await ctx.store.pendingConfirmations.set(label.id, { at: nowIso(), label });
      if (err.code === 'amazon.auth_rejected') await ctx.notifier.raise(syncFailedProblem({ accountId: account.id, code: err.code, message: err.message, hint: err.hint }));
      log.warn({ code: err.code }, 'confirmation will be retried');
      return { outcome: 'retry_later', record: saved };
    }
    await ctx.store.pendingConfirmations.delete(label.id);
    if (err.code === 'amazon.rejected') {
      const amazon = ctx.amazonFor(account.id);
      const now = await amazon?.fetchOrder(amazonOrderId).catch(() => undefined);
      if (now?.status === 'cancelled') {
        const saved = await saveAlerted({ ...base, state: 'skipped', code: 'writeback.order_cancelled', reason: err.message, at: nowIso() }, {
          key: writebackKey(label.id),
          kind: 'cancelled_before_confirm',
          code: 'writeback.order_cancelled',
          message: `The order was cancelled on Amazon before its label (${label.trackingNumber}) could be confirmed.`,
          hint: 'Stop the package if it has not left, and void the label in ShipStation to get the postage back.',
        });
        return { outcome: 'skipped', record: saved };
      }
    }
    const code = err.code === 'amazon.rejected' ? 'writeback.confirmation_rejected' : err.code;
    const hint = err.hint || 'Fix what Amazon names (in ShipStation or Seller Central), then press Retry.';
    log.warn({ code: err.code }, 'confirmation quarantined');
    const saved = await saveAlerted({ ...base, state: 'quarantined', code, reason: err.message, hint, at: nowIso() }, { key: writebackKey(label.id), kind: 'confirmation_quarantined', code, message: err.message, hint, fix: 'retry_confirmation' });
    return { outcome: 'quarantined', record: saved };
  }

  const nowIso = () => ctx.now().toISOString();

  /** Saves a ledger entry that is a problem, its alert durable first (a kill between them re-runs the label). */
  async function saveAlerted(record: ConfirmationRecord, n: Parameters<typeof notice>[1]): Promise<ConfirmationRecord> {
    await ctx.notifier.raise(writebackProblem(notice(record, n)));
    return save(record);
  }

  async function save(record: ConfirmationRecord): Promise<ConfirmationRecord> {
    await ctx.store.confirmations.set(record.labelId, record);
    if (record.state !== 'in_flight') await ctx.store.pendingConfirmations.delete(record.labelId);
    return record;
  }

  /** Adds the label to the order's (an insert that does nothing when it is there already). */
  async function remember(orderKey: string, labelId: string): Promise<void> {
    await ctx.store.orderLabels.set(orderKey, { labelIds: [labelId] });
  }

  /** The ledger of the order's other labels, by the ledger's own index by order. */
  async function siblingRecords(orderKey: string, except: string): Promise<ConfirmationRecord[]> {
    return ((await ctx.store.confirmations.byOrders([orderKey])).get(orderKey) ?? []).filter((r) => r.labelId !== except);
  }

  /**
   * A label already being worked on is not started a second time: the call joins the one under
   * way, and counts as already done if that one confirmed it. The SHIP_NOTIFY intake fetches
   * recent labels again for every coalesced batch without waiting for the previous one, so in a
   * busy stretch the same labels came in many times over, each queued behind the last, and the
   * queue (and the memory it held) grew faster than Amazon's pace let it drain.
   */
  const underWay = new Map<string, Promise<{ outcome: Outcome; record?: ConfirmationRecord }>>();
  function handleOnce(label: Label, via: Via): Promise<{ outcome: Outcome; record?: ConfirmationRecord }> {
    // A label seen voided since is a different piece of news: it is handled on its own.
    const key = `${label.id}:${label.voided}`;
    const running = underWay.get(key);
    if (running) return running.then((r) => (r.outcome === 'confirmed' ? { ...r, outcome: 'already_done' as const } : r));
    const started = handleLabel(label, via);
    underWay.set(key, started);
    const forget = () => {
      if (underWay.get(key) === started) underWay.delete(key);
    };
    started.then(forget, forget);
    return started;
  }

  return {
    handleLabel,
    async confirmFor(label, accountId, amazonOrderId) {
      const account = ctx.accounts.find((a) => a.id === accountId);
      // The label must be the order's: a button names both, and they are checked against each other.
      if (!account || label.orderNumber !== amazonOrderId || label.isReturn) return { outcome: 'ignored' };
      return perOrder(orderRecordKey(account.id, amazonOrderId), () => confirmOne(label, account, amazonOrderId, 'reconcile', true));
    },
    async handleLabels(labels, via) {
      const summary = emptyWritebackSummary();
      summary.seen = labels.length;
      // A coalesced SHIP_NOTIFY fetch and a polling pass bring back every recent label, most of
      // them settled by an earlier one: one read of their ledger states answers those, without
      // an order lease and a read each (which made a busy stretch cost more per batch than the
      // labels that were new in it, and held every one of them in memory while it queued).
      const states = await ctx.store.confirmations.statesOf(labels.map((l) => l.id)).catch(() => new Map<string, ConfirmationRecord['state']>());
      const open = labels.filter((l) => !isSettled(states.get(l.id), l));
      summary.alreadyDone = labels.length - open.length;
      const outcomes = await Promise.all(
        open.map((label) =>
          handleOnce(label, via).catch((e) => {
            // A store failure: nothing was recorded, so the next pass tries again.
            ctx.logger.error({ job: name, labelId: label.id, err: (e as Error).message }, 'label not handled');
            return { outcome: 'retry_later' as const };
          }),
        ),
      );
      for (const { outcome } of outcomes) summary[tally[outcome]]++;
      return summary;
    },
  };
}

/**
 * Whether a label's ledger state already answers it, so that handling it again would change
 * nothing: settled (confirmed, skipped, quarantined for Retry), unless it is a confirmed label
 * now seen voided, which is news to act on. In flight or unknown: it needs the full path. Pure.
 */
export function isSettled(state: ConfirmationRecord['state'] | undefined, label: Pick<Label, 'voided'>): boolean {
  if (state === undefined || state === 'in_flight') return false;
  return !(state === 'confirmed' && label.voided);
}

/**
 * The ledger of each order (by order record key), in the order asked: two batch reads for any
 * number of orders, for the deadline guard and reconciliation.
 */
export async function ledgersOf(store: Store, orderKeys: string[]): Promise<ConfirmationRecord[][]> {
  const byOrder = await store.confirmations.byOrders(orderKeys);
  return orderKeys.map((k) => byOrder.get(k) ?? []);
}

type PlanOrder = Parameters<typeof toConfirmation>[0]['order'] & { items: Array<{ orderItemId: string; quantityOrdered: number; quantityShipped?: number }> };

/**
 * What the order already has on Amazon, per item: the larger of what Amazon reports shipped
 * (which includes confirmations made elsewhere: Seller Central, ShipStation's own store) and what
 * our ledger has confirmed or is confirming (which Amazon's figure may not reflect yet). A voided
 * package is left out: its replacement takes its place. Pure.
 */
export function shippedItems(siblings: ConfirmationRecord[], order: Pick<PlanOrder, 'items'> | undefined): Array<{ orderItemId: string; quantity: number }> {
  const ours = new Map<string, number>();
  for (const r of siblings) {
    if (!(r.state === 'confirmed' || r.state === 'in_flight') || r.voidedAfterConfirm) continue;
    for (const i of r.items) ours.set(i.orderItemId, (ours.get(i.orderItemId) ?? 0) + i.quantity);
  }
  for (const i of order?.items ?? []) {
    if ((i.quantityShipped ?? 0) > (ours.get(i.orderItemId) ?? 0)) ours.set(i.orderItemId, i.quantityShipped!);
  }
  return [...ours].map(([orderItemId, quantity]) => ({ orderItemId, quantity }));
}

function orderFromRecord(record: OrderRecord | undefined): PlanOrder | undefined {
  const status = OrderStatus.safeParse(record?.amazonStatus);
  if (!record?.items?.length || !record.marketplaceId || !record.createdTime || !status.success) return undefined;
  return {
    amazonOrderId: record.amazonOrderId,
    marketplaceId: record.marketplaceId,
    createdTime: record.createdTime,
    status: status.data,
    items: record.items,
  };
}

function fromAmazon(order: Order): PlanOrder {
  return {
    amazonOrderId: order.amazonOrderId,
    marketplaceId: order.marketplaceId,
    createdTime: order.createdTime,
    status: order.status,
    items: order.items.map((i) => ({ orderItemId: i.orderItemId, quantityOrdered: i.quantityOrdered, quantityShipped: i.quantityShipped })),
  };
}

function notice(record: ConfirmationRecord, n: Pick<WritebackNotice, 'key' | 'kind' | 'code' | 'message' | 'hint'> & { fix?: WritebackNotice['fix'] }): WritebackNotice {
  return {
    ...n,
    accountId: record.accountId,
    amazonOrderId: record.amazonOrderId,
    labelId: record.labelId,
    shipstationOrderId: record.shipstationOrderId,
    trackingNumber: record.trackingNumber,
    carrier: record.carrierName ?? record.carrierCode,
  };
}
