import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/config';
import { toDockhandError } from '../domain/errors';
import type { EventHealth, OrderState, RunSummary, ShipNotifyHealth } from '../store/records';
import type { Store } from '../store/store';
import { SHIP_NOTIFY_KEY } from '../writeback/ship-notify-webhook';

/** What `dockhand status` (and later `/dockhand status`) reports, gathered once. */
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
  const today = now.toISOString().slice(0, 10);
  const byAccount = new Map<string, OrderCounts>(accountIds.map((id) => [id, { states: {}, firstSeenToday: 0, quarantined: 0 }]));
  for await (const [, r] of store.orders.entries()) {
    const a = byAccount.get(r.accountId);
    if (!a) continue;
    a.states[r.state] = (a.states[r.state] ?? 0) + 1;
    if (r.firstSeenAt.startsWith(today)) a.firstSeenToday++;
  }
  for await (const [, q] of store.quarantine.entries()) {
    const a = byAccount.get(q.accountId);
    if (a) a.quarantined++;
  }
  return byAccount;
}

export async function gatherStatus(cfg: Config, store: Store, sqs: SQSClient | undefined, now: Date): Promise<StatusData> {
  const byAccount = await countOrders(store, cfg.accounts.map((a) => a.id), now);
  const writeback = new Map<string, NonNullable<StatusData['accounts'][number]['writeback']>>();
  for await (const [, c] of store.confirmations.entries()) {
    const w = writeback.get(c.accountId) ?? { confirmed: 0, inFlight: 0, skipped: 0, quarantined: 0 };
    if (c.state === 'confirmed') {
      w.confirmed++;
      if (c.confirmedAt && (!w.lastConfirmedAt || c.confirmedAt > w.lastConfirmedAt)) w.lastConfirmedAt = c.confirmedAt;
    } else if (c.state === 'in_flight') w.inFlight++;
    else if (c.state === 'skipped') w.skipped++;
    else w.quarantined++;
    writeback.set(c.accountId, w);
  }
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

/** Messages waiting in the queue and being handled: how far behind the event path is. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

function ago(iso: string | undefined, now: Date): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

/** The report as lines of text. Pure. */
export function formatStatus(d: StatusData): string[] {
  const lines: string[] = [];
  for (const a of d.accounts) {
    lines.push(`account ${a.id} (${a.mode}; ${a.marketplaceIds.join(', ')})`);
    const r = a.lastRun;
    lines.push(
      r
        ? `  last sync    ${ago(r.finishedAt, d.now)}, ${r.ok ? 'ok' : `FAILED: ${r.error}`}: ${r.seen} seen, ${r.created} created, ${r.updated} updated, ${r.cancelled} cancelled, ${r.quarantined} quarantined`
        : '  last sync    never',
    );
    const s = a.states;
    lines.push(
      `  orders       ${s.sent ?? 0} in ShipStation, ${s.in_flight ?? 0} being sent, ${s.held ?? 0} held (pending), ${s.cancelled ?? 0} cancelled, ${s.skipped ?? 0} skipped; ${a.firstSeenToday} first seen today`,
    );
    lines.push(`  quarantine   ${a.quarantined}${a.quarantined ? ' (dockhand quarantine)' : ''}`);
    const w = a.writeback ?? { confirmed: 0, inFlight: 0, skipped: 0, quarantined: 0 };
    lines.push(
      a.mode === 'watch'
        ? '  tracking     posted by ShipStation\'s own Amazon store; Dockhand reconciles'
        : `  tracking     ${w.confirmed} label(s) confirmed on Amazon (last ${ago(w.lastConfirmedAt, d.now)}), ${w.inFlight} to resend, ${w.skipped} not confirmed (voided or cancelled), ${w.quarantined} refused${w.quarantined ? ' (Retry in Slack)' : ''}`,
    );
  }
  const hook = d.shipNotify;
  const polled = `polled up to ${d.labelsPolledUntil ? ago(d.labelsPolledUntil, d.now) : 'never'}`;
  lines.push(
    hook
      ? `labels       SHIP_NOTIFY webhook ${hook.webhookId} → ${hook.url} (registered ${ago(hook.registeredAt, d.now)}), last SHIP_NOTIFY ${hook.lastNotifyAt ? ago(hook.lastNotifyAt, d.now) : 'none yet'}; polling as the safety net, ${polled}`
      : `labels       polling only (set DOCKHAND_PUBLIC_URL and SHIPSTATION_WEBHOOK_SECRET for webhooks); ${polled}`,
  );
  if (!d.events) {
    lines.push('events       not configured: polling only (see README, "Real-time events")');
    return lines;
  }
  const h = d.events.health;
  lines.push(`events       ${d.events.queueUrl}`);
  lines.push(
    h
      ? `  last event   ${ago(h.lastEventAt, d.now)}${h.lastLagMs !== undefined ? `, lag ${(h.lastLagMs / 1000).toFixed(1)} s` : ''}; ${h.received} received, ${h.processed} sent on, ${h.ignored} already current or not ours, ${h.retried} retried, ${h.quarantined} quarantined`
      : '  last event   none recorded yet (is `dockhand start` running?)',
  );
  lines.push(
    d.events.depth
      ? `  queue        ${d.events.depth.visible} waiting, ${d.events.depth.inFlight} in flight`
      : `  queue        unreachable: ${d.events.depthError ?? 'no client'}`,
  );
  if (h?.lastQueueError) lines.push(`  queue error  ${h.lastQueueError} (${ago(h.lastQueueErrorAt, d.now)})`);
  lines.push(
    h && h.caughtByPolling > 0
      ? `  WARNING      polling had to send ${h.caughtByPolling} order(s) events never delivered (last ${ago(h.lastCaughtAt, d.now)}): check \`dockhand notifications status\``
      : '  safety net   polling has caught nothing events missed',
  );
  return lines;
}
