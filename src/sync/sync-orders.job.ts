import { z } from 'zod';
import type { AccountConfig } from '../config/config';
import { DockhandError, toDockhandError } from '../domain/errors';
import type { Notifier } from '../domain/notifier';
import type { Order, OrderItem } from '../domain/order';
import type { Logger } from '../log/logger';
import type { CreateOrderInput, CreateOrdersResult, Order as ShipStationOrder } from '../shipstation/schemas';
import type { OrderRecord, RunSummary } from '../store/records';
import type { Sealer } from '../store/sealer';
import { orderRecordKey, type Store } from '../store/store';
import { decideAction } from './decide';
import { hashOf, mergeForUpdate, orderKeyFor, toShipStationOrder } from './map-order';
import { quarantinedOrderProblem } from './quarantine-alert';
import { syncFailedProblem } from './sync-failed-alert';
import { unmappedSkuProblem } from './unmapped-sku-alert';
import type { RoutedOrder } from '../rules/router';

/**
 * Order sync: every merchant-fulfilled Amazon order in ShipStation exactly once.
 *
 * Exactly once rests on two things: ShipStation upserts by `orderKey` (stable per account and
 * AmazonOrderId), so re-sending after a crash updates rather than duplicates; and each order's
 * record is written as `in_flight` (with the payload hash) before the call and `sent` after, so a
 * restart re-sends only what may not have landed. The cursor moves only after every order of a
 * pass is durably recorded.
 */

export const name = 'sync-orders';
export const SyncInput = z.object({ accountId: z.string().min(1) });
export type SyncInput = z.infer<typeof SyncInput>;

/** How long until the next pass: the configured interval, longer when Amazon's bucket runs low. */
export function nextPassDelayMs(intervalMs: number, budget: { tokens: number; ratePerSecond: number; burst: number } | undefined): number {
  if (!budget || budget.ratePerSecond <= 0) return intervalMs;
  // Keep half the burst for spikes and pagination: when idle polling has eaten into it, wait for
  // the bucket to refill rather than spend the reserve one token at a time.
  const reserve = Math.ceil(budget.burst / 2);
  if (budget.tokens >= reserve) return intervalMs;
  const refillMs = ((reserve - budget.tokens) / budget.ratePerSecond) * 1000;
  return Math.max(intervalMs, Math.ceil(refillMs));
}

export interface RejectedOrder {
  amazonOrderId?: string;
  error: DockhandError;
  raw: unknown;
}

export interface OrderPage {
  orders: Order[];
  rejected: RejectedOrder[];
  nextToken?: string;
  lastUpdatedBefore?: string;
}

export interface OrderPageQuery {
  marketplaceIds: string[];
  lastUpdatedAfter?: string;
  fulfillmentStatuses?: string[];
  paginationToken?: string;
}

/** The Amazon side as the job needs it (src/amazon implements it). */
export interface AmazonOrderSource {
  fetchOrderPage(q: OrderPageQuery): Promise<OrderPage>;
  /** One order by id, parsed; throws order.* DockhandErrors for a malformed one. */
  fetchOrder(amazonOrderId: string): Promise<Order>;
}

/** The ShipStation side as the job needs it (src/shipstation implements it). */
export interface ShipStationSink {
  createOrders(orders: CreateOrderInput[]): Promise<CreateOrdersResult>;
  getOrder(orderId: number): Promise<ShipStationOrder>;
  /** The order ShipStation holds under our orderKey, if any. */
  findByOrderKey(orderNumber: string, orderKey: string): Promise<ShipStationOrder | undefined>;
}

export interface SyncContext {
  account: AccountConfig;
  store: Store;
  sealer: Sealer;
  amazon: AmazonOrderSource;
  shipstation: ShipStationSink;
  notifier: Notifier;
  logger: Logger;
  now: () => Date;
  lookbackDays: number;
  overlapSeconds: number;
  /** Who holds the account's sync lease (a replica id). */
  owner: string;
  /** True when a lease owner is known to be dead (a crashed process on this host). */
  isLeaseOwnerGone?: (owner: string) => boolean;
  /** Called after each page, for live progress. */
  onProgress?: (s: RunSummary) => void;
  /** The rules (src/rules): applied while an order is mapped; absent, orders go out as mapped. */
  routing?: Routing;
}

/** What the sync needs of the rules: routing a mapped order, and the steps around sending it. */
export interface Routing {
  route(order: Order, payload: CreateOrderInput, decidedAt: number): Promise<RoutedOrder>;
  /** Before a batch is sent: what must happen later (rate shopping) is written down first, for the whole batch at once. */
  beforeSend(sends: Array<{ order: Order; routed: RoutedOrder }>): Promise<void>;
  /** After ShipStation took a batch: match counts, escalations, alerts for names it lacks (each order as it was sent). */
  afterSend(sent: Array<{ order: Order; routed: RoutedOrder; shipstationOrderId: number | undefined; kind: 'create' | 'update' | 'cancel' }>): Promise<void>;
}

const FIRST_RUN_STATUSES = ['PENDING', 'UNSHIPPED', 'PARTIALLY_SHIPPED'];
const LEASE_TTL_MS = 60_000;
const MAX_BATCH = 100;

export function emptySummary(accountId: string, startedAt: string): RunSummary {
  return {
    accountId,
    startedAt,
    finishedAt: startedAt,
    ok: true,
    seen: 0,
    created: 0,
    updated: 0,
    cancelled: 0,
    unchanged: 0,
    held: 0,
    skipped: 0,
    quarantined: 0,
    pages: 0,
  };
}

/**
 * One sync pass for an account: reads every order updated since the cursor (all pages),
 * sends what changed, and moves the cursor. Returns the pass summary (also stored).
 */
export async function run(input: SyncInput, ctx: SyncContext): Promise<RunSummary> {
  const { accountId } = SyncInput.parse(input);
  const startedAt = ctx.now().toISOString();
  const summary = emptySummary(accountId, startedAt);
  const log = ctx.logger.child({ job: name, accountId });
  if (ctx.account.mode === 'watch') {
    log.debug('account in watch mode: ShipStation imports its orders itself');
    return summary;
  }
  const pause = await ctx.store.pauses.get(accountId);
  if (pause?.paused) {
    log.info({ by: pause.by }, 'sync paused; skipping this pass');
    return { ...summary, pausedBy: pause.by };
  }
  const lease = `sync:${accountId}`;
  const takeLease = () => ctx.store.acquireLease(lease, ctx.owner, LEASE_TTL_MS, ctx.now().getTime(), ctx.isLeaseOwnerGone);
  if (!(await takeLease())) {
    const holder = (await ctx.store.leaseHolder(lease)) ?? 'another replica';
    log.info({ holder }, 'another replica holds the sync lease; skipping this pass');
    return { ...summary, leaseHeldBy: holder };
  }
  // Renewed while the pass runs (a page may wait minutes for Amazon's budget), so a live
  // replica keeps it and a dead one loses it within the TTL.
  const renew = setInterval(() => void takeLease().catch(() => undefined), LEASE_TTL_MS / 3);
  renew.unref();
  try {
    const cursor = await ctx.store.cursors.get(accountId);
    const firstRun = !cursor?.initialised;
    const from = cursor?.lastUpdatedAfter ?? new Date(ctx.now().getTime() - ctx.lookbackDays * 86_400_000).toISOString();
    const base: OrderPageQuery = {
      marketplaceIds: ctx.account.marketplaceIds,
      lastUpdatedAfter: from,
      ...(firstRun ? { fulfillmentStatuses: FIRST_RUN_STATUSES } : {}),
    };
    let page = await ctx.amazon.fetchOrderPage(base);
    const upperBound = page.lastUpdatedBefore;
    for (;;) {
      summary.pages++;
      // Amazon's page budget is what binds: ask for the next page while this one is sent.
      const next = page.nextToken ? ctx.amazon.fetchOrderPage({ ...base, paginationToken: page.nextToken }) : undefined;
      next?.catch(() => undefined); // awaited below; keeps an early failure from going unhandled
      await quarantineRejected(page.rejected, ctx, summary);
      await processOrders(page.orders, ctx, summary);
      ctx.onProgress?.(summary);
      if (!next) break;
      page = await next;
    }
    if (upperBound) {
      const moved = new Date(new Date(upperBound).getTime() - ctx.overlapSeconds * 1000).toISOString();
      const lastUpdatedAfter = cursor && cursor.lastUpdatedAfter > moved ? cursor.lastUpdatedAfter : moved;
      await ctx.store.cursors.set(accountId, { lastUpdatedAfter, initialised: true, updatedAt: ctx.now().toISOString() });
    }
  } catch (e) {
    const err = toDockhandError(e);
    summary.ok = false;
    summary.error = `${err.code}: ${err.message}`;
    log.error({ code: err.code, err: err.message }, 'sync pass failed');
    // The pass failed anyway: an alert the store could not take is not a second failure.
    await ctx.notifier.raise(syncFailedProblem({ accountId, code: err.code, message: err.message, hint: err.hint })).catch(() => undefined);
    throw err;
  } finally {
    clearInterval(renew);
    summary.finishedAt = ctx.now().toISOString();
    await ctx.store.runs.set(accountId, summary).catch(() => undefined);
    await ctx.store.releaseLease(lease, ctx.owner).catch(() => undefined);
  }
  return summary;
}

interface Pending {
  order: Order;
  record: OrderRecord | undefined;
  payload: CreateOrderInput;
  hash: string;
  kind: 'create' | 'update' | 'cancel';
  unmappedSkus: string[];
  routed?: RoutedOrder;
}

/**
 * Sends a set of parsed orders: decides, maps, batches into createorders calls, records
 * outcomes and quarantines what ShipStation rejects. Shared by the sync pass and by retry.
 */
export async function processOrders(orders: Order[], ctx: SyncContext, summary: RunSummary): Promise<void> {
  const log = ctx.logger.child({ job: name, accountId: ctx.account.id });
  const keys = orders.map((o) => orderRecordKey(o.accountId, o.amazonOrderId));
  const records = await ctx.store.orders.getMany(keys);
  const now = ctx.now().toISOString();
  const toSend: Pending[] = [];

  for (const [i, order] of orders.entries()) {
    summary.seen++;
    const record = records[i];
    const action = decideAction(order, record);
    const baseRecord = recordFor(order, record, now);
    try {
      switch (action.kind) {
        case 'ignore':
          summary.unchanged++;
          break;
        case 'skip':
          summary.skipped++;
          await ctx.store.orders.set(keys[i]!, { ...baseRecord, state: 'skipped', skipReason: action.reason });
          break;
        case 'hold':
          summary.held++;
          await ctx.store.orders.set(keys[i]!, { ...baseRecord, state: 'held', skipReason: action.reason });
          await ctx.store.keepBuyerData(keys[i]!, ctx.sealer.seal(order));
          break;
        case 'note':
          summary.unchanged++;
          await ctx.store.orders.set(keys[i]!, baseRecord);
          break;
        case 'close':
          summary.unchanged++;
          await ctx.store.orders.set(keys[i]!, { ...baseRecord, closedAt: record?.closedAt ?? now });
          break;
        case 'upsert':
        case 'cancel': {
          const { payload, unmappedSkus, routed } = await mapOrder(order, ctx, record);
          const hash = hashOf(payload);
          if (record?.state === 'sent' && record.hash === hash) {
            summary.unchanged++;
            // Nothing for ShipStation, but what the deadline guard reads (status, ship-by, a
            // buyer's cancellation request) may have changed.
            if (record.lastUpdatedTime !== order.lastUpdatedTime) await ctx.store.orders.set(keys[i]!, recordFor(order, record, now));
            break;
          }
          const kind = action.kind === 'cancel' ? 'cancel' : record?.shipstationOrderId !== undefined ? 'update' : 'create';
          toSend.push({ order, record, payload, hash, kind, unmappedSkus, ...(routed ? { routed } : {}) });
          break;
        }
      }
    } catch (e) {
      await quarantine(order.accountId, order.amazonOrderId, toDockhandError(e), ctx, summary, order);
    }
  }

  for (let i = 0; i < toSend.length; i += MAX_BATCH) {
    await sendBatch(toSend.slice(i, i + MAX_BATCH), ctx, summary, log);
  }
}

/** An order's record as sent to ShipStation: the version, its hash, and the SKUs its lines went out as. */
function recordAsSent(p: Pending, now: string, state: OrderRecord['state'], extra: Partial<OrderRecord> = {}): OrderRecord {
  const base = recordFor(p.order, p.record, now);
  return { ...base, items: withShipStationSkus(base.items, p.payload), state, hash: p.hash, unmappedSkus: p.unmappedSkus, ...extra };
}

/** The record's lines with the ShipStation SKU each was sent as (the SKU map's answer), for velocity per SKU. */
function withShipStationSkus(items: OrderRecord['items'], payload: CreateOrderInput): OrderRecord['items'] {
  const skuOf = new Map((payload.items ?? []).map((i) => [i.lineItemKey, i.sku]));
  return items?.map((i) => {
    const sku = skuOf.get(i.orderItemId);
    return sku ? { ...i, sku } : i;
  });
}

/** Maps an order for ShipStation: the SKU map, then the rules when `ctx.routing` is set. */
export async function mapOrder(order: Order, ctx: SyncContext, record?: OrderRecord): Promise<{ payload: CreateOrderInput; unmappedSkus: string[]; routed?: RoutedOrder }> {
  const mappings = new Map<string, { sku: string; mapped: boolean }>();
  for (const item of order.items) {
    const found = await ctx.store.lookupSku(item.sellerSku, item.asin);
    mappings.set(item.orderItemId, found ? { sku: found.shipstationSku, mapped: true } : { sku: item.sellerSku ?? item.asin ?? item.orderItemId, mapped: false });
  }
  const mapped = toShipStationOrder(order, {
    ...(ctx.account.shipstation.storeId ? { storeId: ctx.account.shipstation.storeId } : {}),
    ...(ctx.account.shipstation.warehouseId ? { warehouseId: ctx.account.shipstation.warehouseId } : {}),
    skuFor: (item: OrderItem) => mappings.get(item.orderItemId)!,
  });
  if (!ctx.routing) return mapped;
  // The rules decide as of the order's first sighting, so the body is the same on every pass.
  const decidedAt = record?.firstSeenAt ? Date.parse(record.firstSeenAt) : ctx.now().getTime();
  const routed = await ctx.routing.route(order, mapped.payload, decidedAt);
  return { payload: routed.payload, unmappedSkus: mapped.unmappedSkus, routed };
}

async function sendBatch(batch: Pending[], ctx: SyncContext, summary: RunSummary, log: Logger): Promise<void> {
  const now = ctx.now().toISOString();
  const ready: Array<Pending & { body: CreateOrderInput }> = [];
  // Updates start from ShipStation's current copy so what staff changed there survives.
  for (const p of batch) {
    const key = orderRecordKey(p.order.accountId, p.order.amazonOrderId);
    // No ShipStation id yet (a create whose answer was lost in a crash): the orderKey upsert
    // reaches the same order, so the mapped payload is sent as it is.
    if (p.kind === 'create' || p.record?.shipstationOrderId === undefined) {
      ready.push({ ...p, body: p.payload });
      continue;
    }
    try {
      const current = await ctx.shipstation.getOrder(p.record.shipstationOrderId);
      if (current.orderStatus === 'shipped' || current.orderStatus === 'cancelled') {
        if (p.kind === 'cancel' && current.orderStatus === 'cancelled') {
          await ctx.store.orders.set(key, { ...recordFor(p.order, p.record, now), state: 'cancelled', hash: p.hash });
          summary.cancelled++;
          continue;
        }
        throw new DockhandError(
          'order.locked_in_shipstation',
          `order ${p.order.amazonOrderId} is ${current.orderStatus} in ShipStation but ${p.order.status} on Amazon`,
          {
            hint:
              p.kind === 'cancel'
                ? 'The buyer cancelled on Amazon after the label was made: stop the parcel or void the label, then press Retry.'
                : 'ShipStation locks shipped and cancelled orders; check the order in ShipStation.',
          },
        );
      }
      ready.push({ ...p, body: mergeForUpdate(current, p.payload) });
    } catch (e) {
      const err = toDockhandError(e);
      if (err.transient || err.code.endsWith('auth_rejected') || err.code.endsWith('plan_refused')) throw err;
      if (err.status === 404) {
        // Deleted in ShipStation: create it again under the same orderKey.
        ready.push({ ...p, kind: 'create', body: p.payload });
        continue;
      }
      await quarantine(p.order.accountId, p.order.amazonOrderId, err, ctx, summary, p.order);
    }
  }
  if (ready.length === 0) return;

  for (const p of ready) {
    const key = orderRecordKey(p.order.accountId, p.order.amazonOrderId);
    await ctx.store.orders.set(key, recordAsSent(p, now, 'in_flight'));
    await ctx.store.keepBuyerData(key, ctx.sealer.seal(p.order));
  }
  if (ctx.routing) await ctx.routing.beforeSend(ready.flatMap((p) => (p.routed ? [{ order: p.order, routed: p.routed }] : [])));

  // createorders is idempotent here: every order carries its orderKey (see the client).
  const result = await createOrdersIsolatingRejects(ready.map((p) => p.body), ctx);
  const byKey = new Map(result.results.map((r) => [r.orderKey ?? '', r]));
  const routedSent: Parameters<Routing['afterSend']>[0] = [];
  for (const p of ready) {
    const key = orderRecordKey(p.order.accountId, p.order.amazonOrderId);
    const r = byKey.get(p.body.orderKey ?? '');
    if ((!r || !r.success) && (await landedBefore(p, ctx))) {
      summary.created++;
      for (const sku of p.unmappedSkus) await noteUnmapped(sku, p.order, ctx, now);
      continue;
    }
    if (!r || !r.success) {
      const reason = r?.errorMessage ?? 'ShipStation did not report on this order';
      await quarantine(
        p.order.accountId,
        p.order.amazonOrderId,
        new DockhandError('shipstation.rejected', `ShipStation rejected order ${p.order.amazonOrderId}: ${reason}`, {
          hint: 'Fix the order data (or the SKU map) and press Retry.',
        }),
        ctx,
        summary,
        p.order,
      );
      continue;
    }
    await ctx.store.orders.set(
      key,
      recordAsSent(p, now, p.kind === 'cancel' ? 'cancelled' : 'sent', {
        shipstationOrderId: r.orderId ?? p.record?.shipstationOrderId,
        sentAt: now,
        ...(p.kind === 'cancel' ? { closedAt: now } : {}),
      }),
    );
    await ctx.store.quarantine.delete(key);
    if (p.kind === 'cancel') summary.cancelled++;
    else if (p.kind === 'update') summary.updated++;
    else summary.created++;
    for (const sku of p.unmappedSkus) await noteUnmapped(sku, p.order, ctx, now);
    if (p.routed) routedSent.push({ order: p.order, routed: p.routed, shipstationOrderId: r.orderId ?? p.record?.shipstationOrderId, kind: p.kind });
  }
  if (ctx.routing && routedSent.length) await ctx.routing.afterSend(routedSent);
  log.debug({ sent: ready.length }, 'batch sent');
}

/**
 * A create resent because its answer was lost (a replica killed between createorders and
 * recording the result, so the record is still `in_flight` without a ShipStation id) that
 * ShipStation now refuses: the first create landed, and staff may have shipped the order since,
 * which locks it from the API. When ShipStation holds the order under our orderKey and we are
 * resending the very payload that was in flight, it is recorded as sent instead of quarantined
 * (a false alarm, and a shipped order that Dockhand would never again count as imported).
 */
async function landedBefore(p: Pending & { body: CreateOrderInput }, ctx: SyncContext): Promise<boolean> {
  if (p.kind !== 'create' || p.record?.state !== 'in_flight' || p.record.shipstationOrderId !== undefined || p.record.hash !== p.hash || !p.body.orderKey) return false;
  let landed: ShipStationOrder | undefined;
  try {
    landed = await ctx.shipstation.findByOrderKey(p.order.amazonOrderId, p.body.orderKey);
  } catch (e) {
    const err = toDockhandError(e);
    if (err.transient || err.code.endsWith('auth_rejected') || err.code.endsWith('plan_refused')) throw err;
    return false;
  }
  if (!landed) return false;
  const key = orderRecordKey(p.order.accountId, p.order.amazonOrderId);
  const now = ctx.now().toISOString();
  await ctx.store.orders.set(key, recordAsSent(p, now, 'sent', { shipstationOrderId: landed.orderId, sentAt: p.record.sentAt ?? now }));
  await ctx.store.quarantine.delete(key);
  ctx.logger.info({ job: name, accountId: p.order.accountId, amazonOrderId: p.order.amazonOrderId, orderStatus: landed.orderStatus }, 'a create whose answer was lost had landed; recorded as sent');
  return true;
}

/**
 * ShipStation normally reports a bad order in its own result; should it refuse a whole
 * createorders call instead, the batch is sent again one order at a time so the bad order is
 * quarantined alone and the others go through.
 */
async function createOrdersIsolatingRejects(bodies: CreateOrderInput[], ctx: SyncContext): Promise<CreateOrdersResult> {
  try {
    return await ctx.shipstation.createOrders(bodies);
  } catch (e) {
    const err = toDockhandError(e);
    if (err.code !== 'shipstation.rejected') throw err;
    const results: CreateOrdersResult['results'] = [];
    for (const body of bodies) {
      try {
        const [r] = (await ctx.shipstation.createOrders([body])).results;
        results.push(r!);
      } catch (one) {
        const oneErr = toDockhandError(one);
        if (oneErr.code !== 'shipstation.rejected') throw oneErr;
        results.push({ orderId: null, orderNumber: body.orderNumber, orderKey: body.orderKey ?? null, success: false, errorMessage: oneErr.message });
      }
    }
    return { hasErrors: results.some((r) => !r.success), results };
  }
}

function recordFor(order: Order, record: OrderRecord | undefined, now: string): OrderRecord {
  return {
    accountId: order.accountId,
    amazonOrderId: order.amazonOrderId,
    orderKey: orderKeyFor(order.accountId, order.amazonOrderId),
    state: record?.state ?? 'held',
    amazonStatus: order.status,
    lastUpdatedTime: order.lastUpdatedTime,
    firstSeenAt: record?.firstSeenAt ?? now,
    unmappedSkus: record?.unmappedSkus ?? [],
    isPrime: order.isPrime,
    ...(record?.hash ? { hash: record.hash } : {}),
    ...(record?.shipstationOrderId !== undefined ? { shipstationOrderId: record.shipstationOrderId } : {}),
    ...(record?.sentAt ? { sentAt: record.sentAt } : {}),
    ...(record?.closedAt ? { closedAt: record.closedAt } : {}),
    ...(order.shipBy.latest ? { shipByLatest: order.shipBy.latest } : {}),
    // What writeback and the deadline guard need, without opening the sealed buyer data.
    marketplaceId: order.marketplaceId,
    createdTime: order.createdTime,
    fulfilledBy: order.fulfilledBy,
    items: order.items.map((i) => {
      const amazonSku = i.sellerSku ?? i.asin;
      const sku = record?.items?.find((r) => r.orderItemId === i.orderItemId)?.sku;
      return { orderItemId: i.orderItemId, quantityOrdered: i.quantityOrdered, quantityShipped: i.quantityShipped, ...(amazonSku ? { amazonSku } : {}), ...(sku ? { sku } : {}) };
    }),
    cancelRequested: order.items.some((i) => i.cancelRequested),
    packages: order.packages.map((p) => ({
      packageReferenceId: p.packageReferenceId,
      ...(p.trackingNumber ? { trackingNumber: p.trackingNumber } : {}),
      ...(p.carrier ? { carrier: p.carrier } : {}),
    })),
  };
}

async function noteUnmapped(amazonSku: string, order: Order, ctx: SyncContext, now: string): Promise<void> {
  const item = order.items.find((i) => (i.sellerSku ?? i.asin) === amazonSku);
  const existing = await ctx.store.unmapped.get(amazonSku);
  // The alert first: once the SKU is recorded as seen, it is never alerted again.
  if (!existing) {
    await ctx.notifier.raise(unmappedSkuProblem({ accountId: order.accountId, amazonSku, ...(item?.asin ? { asin: item.asin } : {}), amazonOrderId: order.amazonOrderId }));
  }
  await ctx.store.unmapped.set(amazonSku, {
    amazonSku,
    ...(item?.asin ? { asin: item.asin } : {}),
    ...(item?.title ? { title: item.title } : {}),
    firstSeenAt: existing?.firstSeenAt ?? now,
    lastSeenAt: now,
    orderCount: (existing?.orderCount ?? 0) + 1,
    recentOrderIds: [order.amazonOrderId, ...(existing?.recentOrderIds ?? []).filter((id) => id !== order.amazonOrderId)].slice(0, 5),
  });
}

async function quarantineRejected(rejected: RejectedOrder[], ctx: SyncContext, summary: RunSummary): Promise<void> {
  for (const r of rejected) {
    summary.seen++;
    if (!r.amazonOrderId) {
      summary.quarantined++;
      ctx.logger.error({ code: r.error.code, err: r.error.message }, 'Amazon sent an order without an id; it cannot be quarantined');
      continue;
    }
    // Like a parsed order, an unparseable one is quarantined once per version, not on every poll.
    const record = await ctx.store.orders.get(orderRecordKey(ctx.account.id, r.amazonOrderId));
    // `>=`: the event path, which has no raw order to read the version from, records when it quarantined.
    const version = lastUpdatedOf(r.raw);
    if (record?.state === 'quarantined' && version !== undefined && Date.parse(record.lastUpdatedTime) >= Date.parse(version)) {
      summary.unchanged++;
      continue;
    }
    await quarantine(ctx.account.id, r.amazonOrderId, r.error, ctx, summary, undefined, r.raw);
  }
}

/** Puts an order in quarantine with the reason (transient and credential errors are rethrown). */
export async function quarantine(
  accountId: string,
  amazonOrderId: string,
  err: DockhandError,
  ctx: SyncContext,
  summary: RunSummary,
  order?: Order,
  raw?: unknown,
): Promise<void> {
  if (err.transient || err.code.endsWith('auth_rejected') || err.code.endsWith('plan_refused')) throw err;
  const key = orderRecordKey(accountId, amazonOrderId);
  const now = ctx.now().toISOString();
  const existing = await ctx.store.quarantine.get(key);
  // The alert is durable before the quarantine is: a kill between the two re-quarantines the order
  // on the next pass (same alert, updated), never a quarantine nobody is told about.
  await ctx.notifier.raise(quarantinedOrderProblem({ accountId, amazonOrderId, code: err.code, reason: err.message, hint: err.hint }));
  await ctx.store.quarantine.set(key, {
    accountId,
    amazonOrderId,
    code: err.code,
    reason: err.message,
    hint: err.hint,
    at: now,
    attempts: (existing?.attempts ?? 0) + 1,
    ...(raw !== undefined ? { sealedRaw: ctx.sealer.seal(raw) } : {}),
  });
  const record = await ctx.store.orders.get(key);
  const lastUpdatedTime = order?.lastUpdatedTime ?? lastUpdatedOf(raw) ?? record?.lastUpdatedTime ?? now;
  await ctx.store.orders.set(key, {
    ...(record ?? {
      accountId,
      amazonOrderId,
      orderKey: orderKeyFor(accountId, amazonOrderId),
      firstSeenAt: now,
      unmappedSkus: [],
      isPrime: order?.isPrime ?? false,
    }),
    state: 'quarantined',
    amazonStatus: order?.status ?? record?.amazonStatus ?? 'unknown',
    lastUpdatedTime,
  });
  if (order) await ctx.store.keepBuyerData(key, ctx.sealer.seal(order));
  summary.quarantined++;
  // The reason may echo order data back from a vendor, so the log line carries only the code.
  ctx.logger.warn({ job: name, accountId, amazonOrderId, code: err.code }, 'order quarantined');
}

function lastUpdatedOf(raw: unknown): string | undefined {
  const v = (raw as { lastUpdatedTime?: unknown } | undefined)?.lastUpdatedTime;
  return typeof v === 'string' ? v : undefined;
}
