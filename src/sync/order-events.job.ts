import type { AccountConfig } from '../config/config';
import { DockhandError, toDockhandError } from '../domain/errors';
import { parseOrderChange, routeEvent } from '../events/order-change';
import type { EventHealth } from '../store/records';
import { orderRecordKey } from '../store/store';
import { createOrderBatcher, type OrderBatcher } from './order-batcher';
import { emptySummary, processOrders, quarantine, type SyncContext } from './sync-orders.job';
import { syncFailedProblem } from './sync-failed-alert';

/**
 * ORDER_CHANGE notifications (from the seller's SQS queue) → the same mapping, idempotent upsert
 * and quarantine path as polling, within seconds. Each message is answered 'done' only once its
 * effect is durable (the consumer then deletes it) and 'retry' when it should come back later.
 *
 * At-least-once delivery and reordering are handled by reading the order's current state with
 * getOrder rather than trusting the event: a duplicate or an older event finds the newer version
 * already recorded and costs nothing (no getOrder at all when the record is at least as new).
 */
export const name = 'order-events';

/** Pseudo-account under which unparseable notifications are quarantined. */
export const EVENTS_QUARANTINE_ACCOUNT = 'events';
/** After this many deliveries an order Amazon keeps answering 404 for is quarantined. */
const NOT_FOUND_DELIVERIES = 5;

export interface OrderEventsContext {
  accounts: AccountConfig[];
  contextFor(account: AccountConfig): SyncContext;
  now: () => Date;
}

export interface MessageMeta {
  messageId: string;
  receiveCount: number;
}

export interface OrderEvents {
  handle(body: string, meta: MessageMeta): Promise<'done' | 'retry'>;
  health(): EventHealth;
  /** Counts an order the polling pass had to send while events were flowing. */
  noteCaughtByPolling(count: number): void;
  /** The queue could not be read (the consumer retries by itself). */
  noteQueueError(message: string): void;
}

export function createOrderEvents(ctx: OrderEventsContext): OrderEvents {
  const health: EventHealth = {
    updatedAt: ctx.now().toISOString(),
    received: 0,
    processed: 0,
    ignored: 0,
    retried: 0,
    quarantined: 0,
    queueErrors: 0,
    caughtByPolling: 0,
  };
  const batchers = new Map<string, OrderBatcher>();
  const batcherFor = (account: AccountConfig): OrderBatcher => {
    let b = batchers.get(account.id);
    if (!b) {
      const sync = ctx.contextFor(account);
      b = createOrderBatcher(async (orders) => {
        const summary = emptySummary(account.id, ctx.now().toISOString());
        await processOrders(orders, sync, summary);
        health.quarantined += summary.quarantined;
      });
      batchers.set(account.id, b);
    }
    return b;
  };

  async function handle(body: string, meta: MessageMeta): Promise<'done' | 'retry'> {
    health.received++;
    health.updatedAt = ctx.now().toISOString();
    const parsed = parseOrderChange(body);
    const first = ctx.accounts[0]!;
    if (!parsed.ok) {
      // Deleted from the queue (it would never parse), kept here with its raw body.
      const sync = ctx.contextFor(first);
      const err = new DockhandError('events.unparseable', `an SQS message is not an ORDER_CHANGE notification: ${parsed.reason}`, {
        hint: 'Nothing to retry: polling still picks up every order. Check that only Amazon publishes to this queue; `dockhand retry` dismisses it.',
      });
      const summary = emptySummary(EVENTS_QUARANTINE_ACCOUNT, health.updatedAt);
      await quarantine(EVENTS_QUARANTINE_ACCOUNT, `message-${meta.messageId}`, err, sync, summary, undefined, body);
      health.quarantined++;
      return 'done';
    }
    const event = parsed.event;
    const route = routeEvent(
      event,
      ctx.accounts.map((a) => ({ id: a.id, marketplaceIds: a.marketplaceIds, ...(a.sellerId ? { sellerId: a.sellerId } : {}) })),
    );
    if (route.kind === 'ignore') {
      health.ignored++;
      return 'done';
    }
    const account = ctx.accounts.find((a) => a.id === route.accountId)!;
    const sync = ctx.contextFor(account);
    // A paused account's events wait in the queue until someone resumes it.
    if (await sync.store.isPaused(account.id)) {
      health.retried++;
      return 'retry';
    }
    const key = orderRecordKey(account.id, event.amazonOrderId);
    const record = await sync.store.orders.get(key);
    if (record && record.state !== 'in_flight' && record.lastUpdatedTime !== '' && record.lastUpdatedTime >= event.changedAt) {
      health.ignored++;
      noteLag(event.eventTime);
      return 'done';
    }
    try {
      const order = await sync.amazon.fetchOrder(event.amazonOrderId);
      await batcherFor(account).submit(order);
      health.processed++;
      noteLag(event.eventTime);
      return 'done';
    } catch (e) {
      const err = toDockhandError(e);
      const notFound = err.code === 'amazon.rejected' && err.status === 404;
      if (err.code.startsWith('order.') || (notFound && meta.receiveCount >= NOT_FOUND_DELIVERIES)) {
        await quarantine(account.id, event.amazonOrderId, err, sync, emptySummary(account.id, health.updatedAt));
        health.quarantined++;
        return 'done';
      }
      if (err.code === 'amazon.auth_rejected') {
        await sync.notifier.raise(syncFailedProblem({ accountId: account.id, code: err.code, message: err.message, hint: err.hint }));
      }
      sync.logger.warn({ job: name, accountId: account.id, amazonOrderId: event.amazonOrderId, code: err.code }, 'event will be retried');
      health.retried++;
      return 'retry';
    }
  }

  function noteLag(eventTime: string | undefined): void {
    const now = ctx.now();
    health.lastEventAt = now.toISOString();
    const published = eventTime ? Date.parse(eventTime) : NaN;
    if (Number.isFinite(published)) health.lastLagMs = Math.max(0, now.getTime() - published);
  }

  return {
    handle,
    health: () => ({ ...health }),
    noteQueueError(message) {
      health.queueErrors++;
      health.lastQueueError = message;
      health.lastQueueErrorAt = ctx.now().toISOString();
    },
    noteCaughtByPolling(count) {
      if (count <= 0) return;
      health.caughtByPolling += count;
      health.lastCaughtAt = ctx.now().toISOString();
    },
  };
}
