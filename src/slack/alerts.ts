import { createHash } from 'node:crypto';
import type { DeadlineNotice, Notifier, QuarantineNotice, SyncFailureNotice, UnmappedSkuNotice, WritebackNotice } from '../domain/notifier';
import type { Logger } from '../log/logger';
import type { AlertRecord } from '../store/records';
import type { Store } from '../store/store';
import { alertMessage, deadlineFacts, writebackFacts, writebackResolution } from './blocks';

/**
 * Slack alerts: one message per problem, kept in the store as an AlertRecord and edited in place
 * as the problem changes. Background jobs call the Notifier methods, which only queue work: a
 * slow or absent Slack never blocks a sync, and nothing queued is lost while Slack is down.
 */

/** What `alertMessage` renders and `post`/`update` send. */
export type AlertMessage = ReturnType<typeof alertMessage>;

/** Timers, injectable so tests drive time by hand. */
export interface AlertTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface AlertManagerOptions {
  store: Store;
  /** chat.postMessage; throws on failure. An error with numeric `retryAfter` (seconds) is a 429. */
  post: (channel: string, msg: AlertMessage) => Promise<{ ts: string }>;
  /** chat.update of a message posted before. */
  update: (channel: string, ts: string, msg: AlertMessage) => Promise<void>;
  channels: { alerts?: string; default?: string };
  now: () => Date;
  logger: Logger;
  /** More than `threshold` quarantines of one account within `windowMs` collapse into one alert. */
  burst?: { threshold: number; windowMs: number };
  /**
   * Slack allows about one message per second per channel
   * (https://api.slack.com/apis/rate-limits#posting-messages); failures back off exponentially.
   */
  pacing?: { intervalMs: number; backoffBaseMs: number; backoffMaxMs: number };
  timers?: AlertTimers;
}

export interface AlertManager extends Notifier {
  /** Marks a problem resolved and edits its message to say so (and by whom, when given). */
  resolve(key: string, text: string, actor?: string): void;
  /** Writes who did what into the problem's message (e.g. "Retry by <@U1>: still quarantined"). */
  noteAction(key: string, actor: string, text: string): void;
  /** The stored record of a problem, after all queued changes are applied. */
  get(key: string): Promise<AlertRecord | undefined>;
  /** Waits until queued changes are stored and the sends that are due now have been tried. */
  flush(): Promise<void>;
  /** Stops the send timers; what is still pending stays in the store for the next start. */
  stop(): void;
}

export const DEFAULT_BURST = { threshold: 20, windowMs: 60_000 };
export const DEFAULT_PACING = { intervalMs: 1_000, backoffBaseMs: 2_000, backoffMaxMs: 5 * 60_000 };

export function quarantineKey(accountId: string, amazonOrderId: string): string {
  return `quarantine:${accountId}:${amazonOrderId}`;
}
export function unmappedKey(amazonSku: string): string {
  return `unmapped:${amazonSku}`;
}
export function syncKey(accountId: string): string {
  return `sync:${accountId}`;
}
export function burstKey(accountId: string): string {
  return `quarantine_burst:${accountId}`;
}

/**
 * One message per escalation: `deadline:<stage>:<lead>:<first order>:<count>:<digest of all IDs>`.
 * The same escalation sent again (a guard pass re-run after a crash) maps to the same message
 * and edits it; a different set of orders gets a new one. Pure.
 */
export function deadlineKey(n: DeadlineNotice): string {
  const ids = n.orders.map((o) => `${o.accountId}:${o.amazonOrderId}`);
  const digest = createHash('sha256').update([...ids].sort().join('\n')).digest('hex').slice(0, 12);
  return `deadline:${n.stage}:${n.leadMinutes ?? '-'}:${n.orders[0]?.amazonOrderId ?? 'none'}:${n.orders.length}:${digest}`;
}

/** Delay before the `attempt`-th retry (1-based): doubling from `baseMs`, capped at `maxMs`. Pure. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Seconds to wait from a Slack 429 (WebClient's rate-limited error carries `retryAfter`). */
export function retryAfterSeconds(e: unknown): number | undefined {
  const v = (e as { retryAfter?: unknown } | null)?.retryAfter;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

const realTimers: AlertTimers = {
  set(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** The burst message lists a few order IDs; the rest are counted. */
function firstIds(known: string | undefined, more: string[]): string {
  const ids = (known ?? '').split(',').filter(Boolean);
  for (const id of more) if (ids.length < 5 && !ids.includes(id)) ids.push(id);
  return ids.join(',');
}

interface ChannelQueue {
  keys: string[];
  /** The key being sent (still at keys[0]). */
  sending?: string;
  nextAt: number;
  attempt: number;
  timer?: unknown;
  running?: Promise<void>;
}

/** Creates the alert manager; it also re-queues alerts a previous run stored but never posted. */
export function createAlertManager(opts: AlertManagerOptions): AlertManager {
  const { store, logger } = opts;
  const burst = opts.burst ?? DEFAULT_BURST;
  const pacing = opts.pacing ?? DEFAULT_PACING;
  const timers = opts.timers ?? realTimers;
  const channel = opts.channels.alerts ?? opts.channels.default;
  const queues = new Map<string, ChannelQueue>();
  /** Recent quarantines per account (key → ms), for burst detection. */
  const windows = new Map<string, Map<string, number>>();
  const burstUntil = new Map<string, number>();
  let stopped = false;
  // Every record change goes through one chain, so concurrent notices never overwrite each other.
  let chain: Promise<void> = Promise.resolve();

  const nowMs = () => opts.now().getTime();
  const nowIso = () => opts.now().toISOString();

  function serial(what: string, fn: () => Promise<void>): void {
    chain = chain.then(fn).catch((e: unknown) => logger.warn({ err: (e as Error).message, what }, 'slack alert not stored'));
  }

  function queueFor(ch: string): ChannelQueue {
    let q = queues.get(ch);
    if (!q) {
      q = { keys: [], nextAt: 0, attempt: 0 };
      queues.set(ch, q);
    }
    return q;
  }

  function enqueue(ch: string, key: string): void {
    const q = queueFor(ch);
    // A change while the key is being sent needs one more send after it, with the newer facts.
    const at = q.keys.indexOf(key, q.sending === key ? 1 : 0);
    if (at === -1) q.keys.push(key);
    kick(ch);
  }

  function dequeue(ch: string, key: string): void {
    const q = queues.get(ch);
    if (!q) return;
    q.keys = q.keys.filter((k, i) => k !== key || (i === 0 && q.sending === key));
  }

  function kick(ch: string): void {
    const q = queueFor(ch);
    if (stopped || q.running || q.timer !== undefined || q.keys.length === 0) return;
    const wait = q.nextAt - nowMs();
    if (wait > 0) {
      q.timer = timers.set(() => {
        q.timer = undefined;
        kick(ch);
      }, wait);
      return;
    }
    q.running = pump(ch, q).finally(() => {
      q.running = undefined;
      kick(ch);
    });
  }

  async function pump(ch: string, q: ChannelQueue): Promise<void> {
    while (!stopped && q.keys.length > 0 && nowMs() >= q.nextAt) {
      const key = q.keys[0]!;
      q.sending = key;
      try {
        await send(ch, key);
        q.keys.shift();
        q.attempt = 0;
        q.nextAt = nowMs() + pacing.intervalMs;
      } catch (e) {
        const after = retryAfterSeconds(e);
        q.attempt++;
        const delay = after !== undefined ? after * 1000 : backoffMs(q.attempt, pacing.backoffBaseMs, pacing.backoffMaxMs);
        q.nextAt = nowMs() + Math.max(delay, pacing.intervalMs);
        logger.warn({ err: (e as Error).message, alert: key, attempt: q.attempt, retryInMs: delay }, 'slack alert not sent; will retry');
      } finally {
        q.sending = undefined;
      }
    }
  }

  async function send(ch: string, key: string): Promise<void> {
    await chain;
    const record = await store.alerts.get(key);
    // Folded into a burst (or deleted) after it was queued: nothing to send.
    if (!record) return;
    const msg = alertMessage(record);
    if (record.ts) {
      await opts.update(record.channel, record.ts, msg);
      return;
    }
    const { ts } = await opts.post(record.channel || ch, msg);
    await new Promise<void>((resolve, reject) => {
      serial('ts', async () => {
        try {
          const latest = await store.alerts.get(key);
          if (latest) await store.alerts.set(key, { ...latest, ts });
          resolve();
        } catch (e) {
          reject(e as Error);
        }
      });
    });
  }

  /** Creates or changes a record; `change` gets the open record, or undefined when there is none. */
  function upsert(
    key: string,
    kind: AlertRecord['kind'],
    change: (open: AlertRecord | undefined) => Partial<AlertRecord> & { facts: Record<string, string> },
    /** The new facts replace the old ones instead of adding to them (a notice that always carries them all). */
    replaceFacts = false,
  ): Promise<void> {
    return (async () => {
      if (!channel) {
        logger.info({ alert: key }, 'no Slack alerts channel configured: alert only logged');
        return;
      }
      const existing = await store.alerts.get(key);
      const open = existing?.state === 'open' ? existing : undefined;
      const patch = change(open);
      const next: AlertRecord = open
        ? { ...open, ...patch, facts: replaceFacts ? patch.facts : { ...open.facts, ...patch.facts }, updatedAt: nowIso() }
        : // A problem that comes back after it was resolved gets a new message: the old one says "resolved".
          { key, kind, channel, state: 'open', count: 1, ...patch, updatedAt: nowIso() };
      await store.alerts.set(key, next);
      enqueue(next.channel, key);
    })();
  }

  function onQuarantine(n: QuarantineNotice): Promise<void> {
    return (async () => {
      const now = nowMs();
      const key = quarantineKey(n.accountId, n.amazonOrderId);
      const window = windows.get(n.accountId) ?? new Map<string, number>();
      windows.set(n.accountId, window);
      for (const [k, at] of window) if (at <= now - burst.windowMs) window.delete(k);
      window.set(key, now);
      const facts = { accountId: n.accountId, amazonOrderId: n.amazonOrderId, code: n.code, reason: n.reason, hint: n.hint };
      const bKey = burstKey(n.accountId);

      if ((burstUntil.get(n.accountId) ?? 0) > now) {
        burstUntil.set(n.accountId, now + burst.windowMs);
        // Already reported on its own before the burst began: keep that message current instead.
        const own = await store.alerts.get(key);
        if (own?.state === 'open' && own.ts) return upsert(key, 'quarantined_order', (o) => ({ count: (o?.count ?? 0) + 1, facts }));
        return upsert(bKey, 'quarantine_burst', (o) => ({
          count: (o?.count ?? 0) + 1,
          facts: { accountId: n.accountId, orderIds: firstIds(o?.facts.orderIds, [n.amazonOrderId]), lastCode: n.code, lastAt: nowIso() },
        }));
      }
      if (window.size <= burst.threshold) {
        return upsert(key, 'quarantined_order', (o) => ({ count: (o?.count ?? 0) + 1, facts }));
      }

      // The burst starts: alerts of this window not yet in Slack fold into one message.
      burstUntil.set(n.accountId, now + burst.windowMs);
      for (const k of window.keys()) {
        const r = await store.alerts.get(k);
        if (r && r.state === 'open' && !r.ts) {
          await store.alerts.delete(k);
          dequeue(r.channel, k);
        }
      }
      return upsert(bKey, 'quarantine_burst', (o) => ({
        count: (o?.count ?? 0) + window.size,
        facts: {
          accountId: n.accountId,
          orderIds: firstIds(o?.facts.orderIds, [...window.keys()].map((k) => k.split(':').slice(2).join(':'))),
          since: new Date(Math.min(...window.values())).toISOString(),
          lastCode: n.code,
          lastAt: nowIso(),
        },
      }));
    })();
  }

  /** Changes a stored record and queues its message; `change` returning undefined leaves it as it is. */
  function withRecord(key: string, change: (r: AlertRecord) => AlertRecord | undefined): Promise<void> {
    return (async () => {
      const r = await store.alerts.get(key);
      if (!r) return;
      const next = change(r);
      if (!next) return;
      await store.alerts.set(key, next);
      enqueue(next.channel, key);
    })();
  }

  // Alerts stored by an earlier run that never reached Slack (it was down, or we stopped).
  serial('resume', async () => {
    for (const r of await store.alerts.all()) if (r.state === 'open' && !r.ts) enqueue(r.channel, r.key);
  });

  return {
    orderQuarantined(n) {
      serial('quarantine', () => onQuarantine(n));
    },
    unmappedSku(n: UnmappedSkuNotice) {
      serial('unmapped', () =>
        upsert(unmappedKey(n.amazonSku), 'unmapped_sku', (o) => {
          const known = (o?.facts.recentOrders ?? '').split(',').filter(Boolean);
          const isNew = !known.includes(n.amazonOrderId);
          const count = (o?.count ?? 0) + (isNew ? 1 : 0);
          return {
            count,
            facts: {
              accountId: n.accountId,
              amazonSku: n.amazonSku,
              ...(n.asin ? { asin: n.asin } : {}),
              orderCount: String(count),
              recentOrders: [n.amazonOrderId, ...known.filter((id) => id !== n.amazonOrderId)].slice(0, 5).join(','),
            },
          };
        }),
      );
    },
    syncFailed(n: SyncFailureNotice) {
      serial('sync', () =>
        upsert(syncKey(n.accountId), 'sync_failed', (o) => ({
          count: (o?.count ?? 0) + 1,
          facts: { accountId: n.accountId, code: n.code, message: n.message, hint: n.hint, lastAt: nowIso() },
        })),
      );
    },
    writebackProblem(n: WritebackNotice) {
      serial('writeback', () => upsert(n.key, 'writeback_problem', (o) => ({ count: (o?.count ?? 0) + 1, facts: writebackFacts(n) }), true));
    },
    writebackResolved(key) {
      serial('writeback resolved', () =>
        withRecord(key, (r) =>
          // Someone's action may have resolved it first: keep who, rather than overwrite with "went away".
          r.state === 'open' ? { ...r, state: 'resolved', facts: { ...r.facts, resolution: writebackResolution(r.facts.problem) }, updatedAt: nowIso() } : undefined,
        ),
      );
    },
    deadlineEscalation(n: DeadlineNotice) {
      if (n.orders.length === 0) return;
      serial('deadline', () => upsert(deadlineKey(n), 'deadline', (o) => ({ count: (o?.count ?? 0) + 1, facts: deadlineFacts(n, nowIso()) }), true));
    },
    resolve(key, text, actor) {
      serial('resolve', () =>
        withRecord(key, (r) => ({
          ...r,
          state: 'resolved',
          lastActionAt: nowIso(),
          // Without an actor the message shows `facts.resolution`; with one, "<@U…> <text> at <time>".
          ...(actor ? { lastActor: actor, lastActionText: text } : { facts: { ...r.facts, resolution: text } }),
          updatedAt: nowIso(),
        })),
      );
    },
    noteAction(key, actor, text) {
      serial('note', () => withRecord(key, (r) => ({ ...r, lastActor: actor, lastActionAt: nowIso(), lastActionText: text, updatedAt: nowIso() })));
    },
    async get(key) {
      await chain;
      return store.alerts.get(key);
    },
    async flush() {
      await chain;
      for (const [ch, q] of queues) {
        kick(ch);
        await q.running;
      }
      await chain;
    },
    stop() {
      stopped = true;
      for (const q of queues.values()) {
        if (q.timer !== undefined) timers.clear(q.timer);
        q.timer = undefined;
      }
    },
  };
}
