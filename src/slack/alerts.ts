import type { RenderContext, SlackMessage } from '../domain/block-kit';
import type { Notifier, Problem, ProblemBurst, ProblemState } from '../domain/notifier';
import type { Logger } from '../log/logger';
import type { AlertRecord } from '../store/records';
import type { Store } from '../store/store';
import { isReturnKind } from '../returns/return-message';
import { alertMessage } from './alert-kinds';

/**
 * Slack alerts: one message per problem, edited in place as the problem changes. Two halves:
 *
 * - the **recorder** is the Notifier every command and job gets. It writes each change to the
 *   store's outbox in the step that records the problem, whether or not Slack runs in this process
 *   (`sync --once`, a start-up pass before the Slack app is up, Slack not configured yet);
 * - the **drain** runs with the Slack app. It sends what the outbox holds at start, what this
 *   process records (at once) and what other processes record (on its sweep), paced per channel,
 *   and deletes each entry once the version it sent is in Slack. A slow or absent Slack never
 *   blocks a sync, and nothing recorded is lost while Slack is down or this process is killed.
 */

/** What `alertMessage` renders and `post`/`update` send. */
export type AlertMessage = SlackMessage;

/** Timers, injectable so tests drive time by hand. */
export interface AlertTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface AlertRecorderOptions {
  store: Store;
  now: () => Date;
  /** Each problem is also logged (codes and ids, never buyer data). */
  logger: Logger;
  /** More than `threshold` quarantines of one account within `windowMs` collapse into one alert. */
  burst?: { threshold: number; windowMs: number };
}

/** The Notifier behind every job: each problem raised resolves once its change is durable in the outbox. */
export interface AlertRecorder extends Notifier {
  /** Someone resolved a problem (e.g. mapped the SKU): its message says so, and by whom when given. Never rejects. */
  markResolved(key: string, text: string, actor?: string): Promise<void>;
  /** Writes who did what into the problem's message (e.g. "Retry by <@U1>: still quarantined"). Never rejects. */
  noteAction(key: string, actor: string, text: string): Promise<void>;
  /** The newest record of a problem (pending or sent), after all queued changes are applied. */
  get(key: string): Promise<AlertRecord | undefined>;
  /** Tells `fn` each key this process records, so a drain in the same process sends it at once. */
  onRecorded(fn: (key: string) => void): void;
  /** Runs `fn` between record changes, so no change lands between its reads and writes. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

export interface AlertDrainOptions {
  store: Store;
  /** The recorder of this process, for its changes to be sent at once (others are found by the sweep). */
  recorder?: AlertRecorder;
  /** chat.postMessage; throws on failure. An error with numeric `retryAfter` (seconds) is a 429. */
  post: (channel: string, msg: AlertMessage) => Promise<{ ts: string }>;
  /** chat.update of a message posted before. */
  update: (channel: string, ts: string, msg: AlertMessage) => Promise<void>;
  /** Where alerts go: `alerts`, else `default`. A message already posted stays in its channel. */
  channels: { alerts?: string; default?: string; returns?: string };
  /** Kinds with a channel of their own (inventory's in slack.channels.inventory); the rest go to `channels`. */
  kindChannels?: Readonly<Record<string, string>>;
  now: () => Date;
  logger: Logger;
  /** What the renderers need besides the record (the ShipStation web app), from the config. */
  render?: RenderContext;
  /**
   * Slack allows about one message per second per channel
   * (https://api.slack.com/apis/rate-limits#posting-messages); failures back off exponentially.
   */
  pacing?: { intervalMs: number; backoffBaseMs: number; backoffMaxMs: number };
  /** How often the outbox is read for what other processes recorded. */
  sweepMs?: number;
  /**
   * Asked before each sweep and send: false while another replica drains the same store (the
   * caller's lease), so that two replicas never post the same alert. Default: always this one.
   */
  mayDrain?: () => Promise<boolean>;
  timers?: AlertTimers;
}

export interface AlertDrain {
  /** Waits until the sends that are due now have been tried. */
  flush(): Promise<void>;
  /** Stops the timers; what is still pending stays in the outbox for the next start. */
  stop(): void;
}

/** A recorder and a drain in one process: what the Slack handlers and the tests use. */
export interface AlertManager extends AlertRecorder, AlertDrain {}

export const DEFAULT_BURST = { threshold: 20, windowMs: 60_000 };
export const DEFAULT_PACING = { intervalMs: 1_000, backoffBaseMs: 2_000, backoffMaxMs: 5 * 60_000 };
export const DEFAULT_SWEEP_MS = 2_000;

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

interface ChannelQueue {
  /** What waits to be sent, in order: the one being sent, awaited changes, then the rest as they came. */
  keys: Array<{ key: string; awaited: boolean }>;
  /** The key being sent (still at keys[0]). */
  sending?: string;
  nextAt: number;
  attempt: number;
  timer?: unknown;
  running?: Promise<void>;
}


/** Creates the recorder: the Notifier that puts every alert change in the store's outbox. */
export function createAlertRecorder(opts: AlertRecorderOptions): AlertRecorder {
  const { store, logger } = opts;
  const burst = opts.burst ?? DEFAULT_BURST;
  /** Recent problems per burst group (problem key → when, and its ID in the burst), for burst detection. */
  const windows = new Map<string, Map<string, { at: number; id: string }>>();
  const burstUntil = new Map<string, number>();
  const listeners: Array<(key: string) => void> = [];
  // Every record change goes through one chain, so concurrent notices never overwrite each other.
  let chain: Promise<unknown> = Promise.resolve();

  const nowMs = () => opts.now().getTime();
  const nowIso = () => opts.now().toISOString();

  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  }

  /** A change a job must not lose: the caller waits for it and sees a store failure. */
  function durable(what: string, fn: () => Promise<void>): Promise<void> {
    return serial(fn).catch((e: unknown) => {
      logger.warn({ err: (e as Error).message, what }, 'alert not stored');
      throw e;
    });
  }

  /** A change a person asked for from Slack: logged, never thrown at a handler that doesn't wait. */
  function bestEffort(what: string, fn: () => Promise<void>): Promise<void> {
    return serial(fn).catch((e: unknown) => logger.warn({ err: (e as Error).message, what }, 'alert not stored'));
  }

  /** The newest version of a problem: what waits in the outbox, with the channel and ts it was posted under. */
  async function current(key: string): Promise<AlertRecord | undefined> {
    const [pending, sent] = await Promise.all([store.outbox.get(key), store.alerts.get(key)]);
    if (!pending) return sent;
    return !pending.ts && !pending.newMessage && sent?.ts ? { ...pending, ts: sent.ts, ...(sent.channel ? { channel: sent.channel } : {}) } : pending;
  }

  async function save(previous: AlertRecord | undefined, next: AlertRecord): Promise<void> {
    await store.outbox.set(next.key, { ...next, rev: (previous?.rev ?? 0) + 1 });
    for (const fn of listeners) fn(next.key);
  }

  /**
   * Creates or changes a problem; `fold` gets the open one, or undefined when there is none. An
   * `awaited` change stays awaited until sent, whatever is folded into it meanwhile.
   */
  async function upsert(key: string, kind: string, fold: (open: ProblemState | undefined) => ProblemState, awaited?: boolean): Promise<void> {
    const existing = await current(key);
    const open = existing?.state === 'open' ? existing : undefined;
    const { count, facts } = fold(open);
    const next: AlertRecord = open
      ? { ...open, count, facts, updatedAt: nowIso() }
      : // A problem that comes back after it was resolved gets a new message: the old one says "resolved".
        { key, kind, state: 'open', count, facts, updatedAt: nowIso(), newMessage: true };
    await save(existing, awaited ? { ...next, awaited } : next);
  }

  /** What one occurrence of `p` makes of the problem open under its key. */
  function occurrence(p: Problem): (open: ProblemState | undefined) => ProblemState {
    return (open) => {
      const folded = p.fold ? p.fold(open) : { count: (open?.count ?? 0) + 1, facts: p.replaceFacts ? p.facts : { ...open?.facts, ...p.facts } };
      return p.stamp ? { ...folded, facts: { ...folded.facts, [p.stamp]: nowIso() } } : folded;
    };
  }

  /** Changes a stored problem; `change` returning undefined leaves it as it is. */
  async function withRecord(key: string, change: (r: AlertRecord) => AlertRecord | undefined): Promise<void> {
    const r = await current(key);
    if (!r) return;
    const next = change(r);
    if (next) await save(r, next);
  }

  /**
   * Records `p`, or folds it into its group's burst when more than `burst.threshold` came within
   * `burst.windowMs`. With `folding`, an occurrence that joins a burst already under way is only
   * collected there, for the caller to write once for the lot.
   */
  async function raiseInBurst(p: Problem, b: ProblemBurst, folding?: Map<string, { b: ProblemBurst; ids: string[] }>): Promise<void> {
    const now = nowMs();
    const window = windows.get(b.key) ?? new Map<string, { at: number; id: string }>();
    windows.set(b.key, window);
    for (const [k, e] of window) if (e.at <= now - burst.windowMs) window.delete(k);
    window.set(p.key, { at: now, id: b.id });

    if ((burstUntil.get(b.key) ?? 0) > now) {
      burstUntil.set(b.key, now + burst.windowMs);
      // Already reported on its own before the burst began: keep that message current instead.
      const own = await current(p.key);
      if (own?.state === 'open' && own.ts) return upsert(p.key, p.kind, occurrence(p), p.awaited);
      if (!folding) return upsert(b.key, b.kind, (o) => b.fold(o, [b.id], nowIso()));
      const f = folding.get(b.key) ?? { b, ids: [] };
      f.ids.push(b.id);
      folding.set(b.key, f);
      return;
    }
    const pending = folding?.get(b.key);
    if (pending) {
      // The burst ended within the batch: what it collected is written before this one starts afresh.
      folding!.delete(b.key);
      await upsert(b.key, b.kind, (o) => pending.b.fold(o, pending.ids, nowIso()));
    }
    if (window.size <= burst.threshold) return upsert(p.key, p.kind, occurrence(p), p.awaited);

    // The burst starts: alerts of this window not yet in Slack fold into one message.
    burstUntil.set(b.key, now + burst.windowMs);
    for (const k of window.keys()) {
      const r = await current(k);
      if (r && r.state === 'open' && !r.ts) {
        await store.outbox.delete(k);
        await store.alerts.delete(k);
      }
    }
    const entries = [...window.values()];
    const since = new Date(Math.min(...entries.map((e) => e.at))).toISOString();
    return upsert(b.key, b.kind, (o) => b.fold(o, entries.map((e) => e.id), nowIso(), since));
  }

  return {
    raise(p) {
      logger[p.log.level](p.log.fields, p.log.msg);
      return durable(p.kind, () => (p.burst ? raiseInBurst(p, p.burst) : upsert(p.key, p.kind, occurrence(p), p.awaited)));
    },
    raiseAll(ps) {
      for (const p of ps) logger[p.log.level](p.log.fields, p.log.msg);
      return durable(ps[0]?.kind ?? 'none', async () => {
        const folding = new Map<string, { b: ProblemBurst; ids: string[] }>();
        for (const p of ps) await (p.burst ? raiseInBurst(p, p.burst, folding) : upsert(p.key, p.kind, occurrence(p), p.awaited));
        for (const { b, ids } of folding.values()) await upsert(b.key, b.kind, (o) => b.fold(o, ids, nowIso()));
      });
    },
    resolve(key, resolution) {
      return durable('resolved', () =>
        withRecord(key, (r) =>
          // Someone's action may have resolved it first: keep who, rather than overwrite with "went away".
          r.state === 'open' ? { ...r, state: 'resolved', facts: { ...r.facts, resolution: resolution(r.facts) }, updatedAt: nowIso() } : undefined,
        ),
      );
    },
    markResolved(key, text, actor) {
      return bestEffort('resolve', () =>
        withRecord(key, (r) => ({
          ...r,
          state: 'resolved',
          lastActionAt: nowIso(),
          // Without an actor the message shows `facts.resolution`; with one, "<@U…> <text> at <time>".
          ...(actor ? { lastActor: actor, lastActionText: text, awaited: true } : { facts: { ...r.facts, resolution: text } }),
          updatedAt: nowIso(),
        })),
      );
    },
    noteAction(key, actor, text) {
      return bestEffort('note', () => withRecord(key, (r) => ({ ...r, lastActor: actor, lastActionAt: nowIso(), lastActionText: text, updatedAt: nowIso(), awaited: true })));
    },
    get(key) {
      return serial(() => current(key));
    },
    onRecorded(fn) {
      listeners.push(fn);
    },
    exclusive: serial,
  };
}

/**
 * Starts the drain: sends the outbox to Slack, one message per problem, and deletes each entry
 * once the version it sent is there. Only one drain should run per store (the caller holds a lease
 * when several replicas share one). A kill between chat.postMessage and saving its ts is the one
 * window in which a message can be posted twice; Slack offers no idempotency key to close it.
 */
export function startAlertDrain(opts: AlertDrainOptions): AlertDrain {
  const { store, logger } = opts;
  const pacing = opts.pacing ?? DEFAULT_PACING;
  const timers = opts.timers ?? realTimers;
  const sweepMs = opts.sweepMs ?? DEFAULT_SWEEP_MS;
  const configured = opts.channels.alerts ?? opts.channels.default;
  const queues = new Map<string, ChannelQueue>();
  const exclusive = opts.recorder ? <T>(fn: () => Promise<T>) => opts.recorder!.exclusive(fn) : <T>(fn: () => Promise<T>) => fn();
  let stopped = false;
  let sweepTimer: unknown;
  let sweeping: Promise<void> | undefined;
  let warnedNoChannel = false;

  const nowMs = () => opts.now().getTime();
  const render = (r: AlertRecord) => alertMessage(r, opts.render ?? {}, logger);
  const mayDrain = async () => (opts.mayDrain ? opts.mayDrain().catch(() => false) : true);

  /** The channel a problem's message lives in: where it was posted, else the configured one. */
  function channelOf(pending: AlertRecord, sent: AlertRecord | undefined): string | undefined {
    return (pending.newMessage ? undefined : (pending.channel ?? sent?.channel)) ?? opts.kindChannels?.[pending.kind] ?? (isReturnKind(pending.kind) ? (opts.channels.returns ?? opts.channels.default) : undefined) ?? configured;
  }

  function queueFor(ch: string): ChannelQueue {
    let q = queues.get(ch);
    if (!q) {
      q = { keys: [], nextAt: 0, attempt: 0 };
      queues.set(ch, q);
    }
    return q;
  }

  function enqueue(ch: string, key: string, awaited: boolean): void {
    const q = queueFor(ch);
    // A change while the key is being sent needs one more send after it, with the newer facts.
    const from = q.sending === undefined ? 0 : 1;
    const at = q.keys.findIndex((e, i) => i >= from && e.key === key);
    if (awaited && !(at !== -1 && q.keys[at]!.awaited)) {
      // Someone clicked and watches the message: it goes ahead of what nobody waits for (a burst
      // of new returns posts for minutes at one message a second), behind earlier clicks.
      if (at !== -1) q.keys.splice(at, 1);
      let i = from;
      while (i < q.keys.length && q.keys[i]!.awaited) i++;
      q.keys.splice(i, 0, { key, awaited });
    } else if (at === -1) q.keys.push({ key, awaited });
    kick(ch);
  }

  async function enqueueKey(key: string): Promise<void> {
    const [pending, sent] = await Promise.all([store.outbox.get(key), store.alerts.get(key)]);
    if (!pending) return;
    const ch = channelOf(pending, sent);
    if (!ch) {
      if (!warnedNoChannel) logger.warn({ alert: key }, 'no Slack alerts channel configured (slack.channels.alerts or .default): alerts wait in the store');
      warnedNoChannel = true;
      return;
    }
    enqueue(ch, key, pending.awaited === true);
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
      // Another replica drains: what is queued here stays in the outbox for it.
      if (!(await mayDrain())) {
        q.keys = [];
        return;
      }
      const key = q.keys[0]!.key;
      q.sending = key;
      try {
        const called = await send(ch, key);
        q.keys.shift();
        q.attempt = 0;
        if (called) q.nextAt = nowMs() + pacing.intervalMs;
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

  /** Sends the pending version of `key`; true when Slack was called. */
  async function send(ch: string, key: string): Promise<boolean> {
    // Let the changes this process has queued land first: a burst folds before anything is posted.
    await opts.recorder?.exclusive(async () => undefined);
    const [pending, sent] = await Promise.all([store.outbox.get(key), store.alerts.get(key)]);
    // Sent by an earlier turn, or folded into a burst: nothing to do.
    if (!pending) return false;
    const ts = pending.newMessage ? undefined : (pending.ts ?? sent?.ts);
    const channel = (ts ? (pending.channel ?? sent?.channel) : undefined) ?? ch;
    const { newMessage: _new, awaited: _awaited, ...rest } = pending;
    const record: AlertRecord = { ...rest, channel, ...(ts ? { ts } : {}) };
    let called = false;
    if (ts) {
      await opts.update(channel, ts, render(record));
      called = true;
    } else if (record.state === 'open') {
      record.ts = (await opts.post(channel, render(record))).ts;
      called = true;
    }
    // A problem resolved before it was ever posted needs no message: it is only kept.
    await exclusive(async () => {
      await store.alerts.set(key, record);
      // Deleted only if still at the version sent: one conditional delete, so a newer change
      // recorded by another process meanwhile is never lost.
      const sentLatest = await store.outbox.deleteIfRev(key, pending.rev ?? 0);
      const latest = sentLatest ? undefined : await store.outbox.get(key);
      // A change recorded while this version was being sent goes into the same message, unless the
      // problem came back after what was sent resolved it.
      if (latest && !(latest.newMessage && pending.state === 'resolved')) {
        const { newMessage: _n, ...newer } = latest;
        await store.outbox.set(key, { ...newer, channel, ...(record.ts ? { ts: record.ts } : {}) });
      }
    });
    return called;
  }

  async function sweep(): Promise<void> {
    if (!(await mayDrain())) return;
    for (const key of await store.outbox.pendingKeys()) await enqueueKey(key);
  }

  function scheduleSweep(): void {
    if (stopped) return;
    sweepTimer = timers.set(() => {
      sweepTimer = undefined;
      sweeping = sweep()
        .catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'alert outbox not read; will retry'))
        .finally(() => {
          sweeping = undefined;
          scheduleSweep();
        });
    }, sweepMs);
  }

  // Queued as each is recorded; `flush` waits for these reads too.
  const enqueuing = new Set<Promise<void>>();
  opts.recorder?.onRecorded((key) => {
    const p = enqueueKey(key)
      .catch((e: unknown) => logger.warn({ err: (e as Error).message, alert: key }, 'alert not queued; the sweep will find it'))
      .finally(() => enqueuing.delete(p));
    enqueuing.add(p);
  });
  // What earlier runs, other commands and this process before Slack started left in the outbox.
  sweeping = sweep()
    .catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'alert outbox not read; will retry'))
    .finally(() => {
      sweeping = undefined;
      scheduleSweep();
    });

  return {
    async flush() {
      await sweeping;
      await opts.recorder?.exclusive(async () => undefined);
      await Promise.all([...enqueuing]);
      for (const [ch, q] of queues) {
        kick(ch);
        await q.running;
      }
    },
    stop() {
      stopped = true;
      if (sweepTimer !== undefined) timers.clear(sweepTimer);
      for (const q of queues.values()) {
        if (q.timer !== undefined) timers.clear(q.timer);
        q.timer = undefined;
      }
    },
  };
}

/** A recorder and its drain in one process, with `flush` waiting for both. */
export function createAlertManager(opts: Omit<AlertDrainOptions, 'recorder'> & Pick<AlertRecorderOptions, 'burst'>): AlertManager {
  const recorder = createAlertRecorder({ store: opts.store, now: opts.now, logger: opts.logger, ...(opts.burst ? { burst: opts.burst } : {}) });
  const drain = startAlertDrain({ ...opts, recorder });
  return {
    ...recorder,
    async flush() {
      await recorder.exclusive(async () => undefined);
      await drain.flush();
      await recorder.exclusive(async () => undefined);
    },
    stop: drain.stop,
  };
}
