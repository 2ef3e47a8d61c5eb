import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/config';
import { toDockhandError } from '../domain/errors';
import { queueDepth } from '../events/sqs-consumer';
import type { EventHealth, OrderState, RunSummary, ShipNotifyHealth } from '../store/records';
import type { Store } from '../store/store';
import { SHIP_NOTIFY_KEY } from '../writeback/ship-notify-webhook';

/** What `dockhand status` and `/dockhand status` report, gathered once. */
export interface StatusData {
  now: Date;
  accounts: Array<{
    id: string;
    mode: string;
    marketplaceIds: string[];
    lastRun?: RunSummary;
    states: Partial<Record<OrderState, number>>;
    firstSeenToday: number;
    quarantined: number;
    /** Tracking writeback: labels by what happened on Amazon, and the last confirmation. */
    writeback?: { confirmed: number; inFlight: number; skipped: number; quarantined: number; lastConfirmedAt?: string };
  }>;
  /** Where the label polling pass got to. */
  labelsPolledUntil?: string;
  /** The SHIP_NOTIFY webhook the running product registered (absent: labels arrive by polling only). */
  shipNotify?: ShipNotifyHealth;
  events?: {
    queueUrl: string;
    health?: EventHealth;
    depth?: { visible: number; inFlight: number };
    depthError?: string;
  };
}

/** One account's orders as Dockhand holds them: by state, first seen today, in quarantine. */
export interface OrderCounts {
  states: Partial<Record<OrderState, number>>;
  firstSeenToday: number;
  quarantined: number;
}

/**
 * Orders by state and quarantine entries, per account: what `status` reports and what the
 * sandbox's progress line adds up, so the two never disagree. Each order is counted once
 * however often it was read.
 */
export async function countOrders(store: Store, accountIds: string[], now: Date): Promise<Map<string, OrderCounts>> {
  const today = new Date(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`);
  const byAccount = new Map<string, OrderCounts>(accountIds.map((id) => [id, { states: {}, firstSeenToday: 0, quarantined: 0 }]));
  for (const row of await store.orders.countByAccountAndState(accountIds)) {
    const a = byAccount.get(row.accountId)!;
    a.states[row.state] = row.count;
  }
  for (const [id, n] of await store.orders.countFirstSeenSince(accountIds, today)) byAccount.get(id)!.firstSeenToday = n;
  for (const [id, n] of await store.quarantine.countByAccount()) {
    const a = byAccount.get(id);
    if (a) a.quarantined = n;
  }
  return byAccount;
}

export async function gatherStatus(cfg: Pick<Config, 'accounts' | 'events'>, store: Store, sqs: SQSClient | undefined, now: Date): Promise<StatusData> {
  const byAccount = await countOrders(store, cfg.accounts.map((a) => a.id), now);
  const writeback: Map<string, NonNullable<StatusData['accounts'][number]['writeback']>> = await store.confirmations.countsByAccount();
  const polled = await store.writebackCursors.get('shipstation');
  // What the running product registered, not this process's config: `status` runs apart from it.
  const shipNotify = await store.shipNotify.get(SHIP_NOTIFY_KEY);
  const data: StatusData = {
    now,
    ...(polled ? { labelsPolledUntil: polled.createdAfter } : {}),
    ...(shipNotify ? { shipNotify } : {}),
    accounts: await Promise.all(
      cfg.accounts.map(async (a) => {
        const lastRun = await store.runs.get(a.id);
        return {
          id: a.id,
          mode: a.mode,
          marketplaceIds: a.marketplaceIds,
          ...(lastRun ? { lastRun } : {}),
          states: byAccount.get(a.id)?.states ?? {},
          firstSeenToday: byAccount.get(a.id)?.firstSeenToday ?? 0,
          quarantined: byAccount.get(a.id)?.quarantined ?? 0,
          writeback: writeback.get(a.id) ?? { confirmed: 0, inFlight: 0, skipped: 0, quarantined: 0 },
        };
      }),
    ),
  };
  if (cfg.events) {
    const health = await store.health.get('events');
    data.events = { queueUrl: cfg.events.sqsQueueUrl, ...(health ? { health } : {}) };
    if (sqs) {
      try {
        data.events.depth = await queueDepth(sqs, cfg.events.sqsQueueUrl);
      } catch (e) {
        data.events.depthError = toDockhandError(e).message;
      }
    }
  }
  return data;
}

/** How old a shared status count may be. */
const STATUS_FRESH_MS = 5_000;

/**
 * Counting orders by state reads every record; when many people ask at once (or one person
 * twice), they share one count that is at most a few seconds old. A failed count is not shared.
 */
export function sharedStatus(gather: (now: Date) => Promise<StatusData>, clock: () => number = Date.now): () => Promise<StatusData> {
  let cache: { at: number; data: Promise<StatusData> } | undefined;
  return () => {
    const now = clock();
    if (!cache || now - cache.at > STATUS_FRESH_MS) {
      const data = gather(new Date(now));
      cache = { at: now, data };
      data.catch(() => (cache = undefined));
    }
    return cache.data;
  };
}
