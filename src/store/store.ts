import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import { DockhandError } from '../domain/errors';
import { z } from 'zod';
import {
  AlertRecord,
  ConfirmationRecord,
  OrderLabels,
  PendingConfirmation,
  WritebackCursor,
  BuyerData,
  AuditEntry,
  EventHealth,
  ShipNotifyHealth,
  PauseFlag,
  Lease,
  OrderRecord,
  QuarantineEntry,
  RunSummary,
  SkuMapping,
  SyncCursor,
  UnmappedSku,
} from './records';

/**
 * All of Dockhand's state goes through this module, on keyv. SQLite in the data dir by default;
 * DOCKHAND_STORE_URL may name a shared keyv backend (redis://, postgres://) so that several
 * replicas share one state and the sync lease decides who runs each account.
 */

const NAMESPACES = ['orders', 'quarantine', 'skus', 'asins', 'unmapped', 'cursors', 'leases', 'runs', 'health', 'audit', 'auditindex', 'audittarget', 'alerts', 'pauses', 'once', 'buyerdata', 'confirmations', 'orderlabels', 'wbcursors', 'wbpending', 'findings', 'shipnotify'] as const;
type Namespace = (typeof NAMESPACES)[number];

export interface StoreOptions {
  dataDir?: string;
  storeUrl?: string;
  /** In-memory store (tests). */
  memory?: boolean;
}

class Table<S extends z.ZodTypeAny> {
  constructor(
    private readonly kv: Keyv,
    private readonly schema: S,
    private readonly name: string,
  ) {}

  async get(key: string): Promise<z.infer<S> | undefined> {
    const raw = await this.kv.get(key);
    if (raw === undefined) return undefined;
    return this.parse(key, raw);
  }

  async getMany(keys: string[]): Promise<Array<z.infer<S> | undefined>> {
    if (keys.length === 0) return [];
    const raws = (await this.kv.getMany(keys)) as unknown[];
    return raws.map((raw, i) => (raw === undefined || raw === null ? undefined : this.parse(keys[i]!, raw)));
  }

  async set(key: string, value: z.infer<S>): Promise<void> {
    await this.kv.set(key, this.schema.parse(value));
  }

  async delete(key: string): Promise<boolean> {
    return this.kv.delete(key);
  }

  async *entries(): AsyncGenerator<[string, z.infer<S>]> {
    if (!this.kv.iterator) throw new DockhandError('store.unavailable', 'this store backend cannot list entries');
    for await (const [key, raw] of this.kv.iterator(undefined)) {
      yield [String(key), this.parse(String(key), raw)];
    }
  }

  async all(): Promise<Array<z.infer<S>>> {
    const out: Array<z.infer<S>> = [];
    for await (const [, v] of this.entries()) out.push(v);
    return out;
  }

  private parse(key: string, raw: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(raw);
    if (!parsed.success) {
      throw new DockhandError('store.corrupt', `stored ${this.name} record "${key}" is not readable: ${parsed.error.issues[0]?.message}`, {
        hint: 'The data dir may come from another Dockhand version.',
      });
    }
    return parsed.data;
  }
}

const OnceMark = z.object({ at: z.string() });
const AuditIndex = z.object({ keys: z.array(z.string()) });
/** How many audit entries `recentAudit` can return. */
export const RECENT_AUDIT = 500;
/** How many audit entries are listed per target. */
const AUDIT_PER_TARGET = 50;

export class Store {
  readonly orders: Table<typeof OrderRecord>;
  readonly quarantine: Table<typeof QuarantineEntry>;
  readonly skus: Table<typeof SkuMapping>;
  /** ASIN → mapping, for lookups by ASIN. */
  readonly asins: Table<typeof SkuMapping>;
  readonly unmapped: Table<typeof UnmappedSku>;
  readonly cursors: Table<typeof SyncCursor>;
  readonly leases: Table<typeof Lease>;
  readonly runs: Table<typeof RunSummary>;
  /** Health of background paths by name ('events'). */
  readonly health: Table<typeof EventHealth>;
  /** The SHIP_NOTIFY webhook in use ('shipstation'), for `status`. */
  readonly shipNotify: Table<typeof ShipNotifyHealth>;
  /** Audit log, keyed by time so listing is chronological. */
  readonly audit: Table<typeof AuditEntry>;
  /** Slack alerts by problem key, as last sent to Slack (with the message's channel and ts). */
  readonly alerts: Table<typeof AlertRecord>;
  /**
   * The alert outbox: every alert change not yet sent to Slack, by problem key, written when the
   * problem is recorded (whether or not Slack runs in this process) and deleted once sent. It has
   * a table of its own so that listing what is pending never reads the rest of the store.
   */
  readonly outbox: Table<typeof AlertRecord>;
  /** Paused accounts. */
  readonly pauses: Table<typeof PauseFlag>;
  /** Sealed buyer data by order record key. */
  readonly buyerData: Table<typeof BuyerData>;
  /** Tracking writeback ledger by label id. */
  readonly confirmations: Table<typeof ConfirmationRecord>;
  /** Label ids per order record key. */
  readonly orderLabels: Table<typeof OrderLabels>;
  readonly writebackCursors: Table<typeof WritebackCursor>;
  /** Labels whose confirmation failed for a passing reason (429, Amazon down): the next pass resends them. */
  readonly pendingConfirmations: Table<typeof PendingConfirmation>;
  /** Reconciliation problems alerted and not yet gone. */
  readonly openFindings: Table<typeof AuditIndex>;
  private readonly once: Table<typeof OnceMark>;
  private readonly auditIndex: Table<typeof AuditIndex>;
  private readonly auditByTarget: Table<typeof AuditIndex>;

  private constructor(
    kvs: Map<Namespace, Keyv>,
    outbox: Keyv,
    private readonly shared?: KeyvStoreAdapter,
    private readonly outboxAdapter?: KeyvStoreAdapter,
  ) {
    const kv = (n: Namespace) => kvs.get(n)!;
    this.orders = new Table(kv('orders'), OrderRecord, 'order');
    this.quarantine = new Table(kv('quarantine'), QuarantineEntry, 'quarantine');
    this.skus = new Table(kv('skus'), SkuMapping, 'SKU mapping');
    this.asins = new Table(kv('asins'), SkuMapping, 'ASIN mapping');
    this.unmapped = new Table(kv('unmapped'), UnmappedSku, 'unmapped SKU');
    this.cursors = new Table(kv('cursors'), SyncCursor, 'cursor');
    this.leases = new Table(kv('leases'), Lease, 'lease');
    this.runs = new Table(kv('runs'), RunSummary, 'run');
    this.health = new Table(kv('health'), EventHealth, 'health');
    this.shipNotify = new Table(kv('shipnotify'), ShipNotifyHealth, 'SHIP_NOTIFY health');
    this.audit = new Table(kv('audit'), AuditEntry, 'audit entry');
    this.alerts = new Table(kv('alerts'), AlertRecord, 'alert');
    this.outbox = new Table(outbox, AlertRecord, 'pending alert');
    this.pauses = new Table(kv('pauses'), PauseFlag, 'pause flag');
    this.buyerData = new Table(kv('buyerdata'), BuyerData, 'buyer data');
    this.confirmations = new Table(kv('confirmations'), ConfirmationRecord, 'confirmation');
    this.orderLabels = new Table(kv('orderlabels'), OrderLabels, 'order labels');
    this.writebackCursors = new Table(kv('wbcursors'), WritebackCursor, 'writeback cursor');
    this.pendingConfirmations = new Table(kv('wbpending'), PendingConfirmation, 'pending confirmation');
    this.openFindings = new Table(kv('findings'), AuditIndex, 'open findings');
    this.once = new Table(kv('once'), OnceMark, 'idempotency key');
    this.auditIndex = new Table(kv('auditindex'), AuditIndex, 'audit index');
    this.auditByTarget = new Table(kv('audittarget'), AuditIndex, 'audit target index');
  }

  static async open(opts: StoreOptions): Promise<Store> {
    const kvs = new Map<Namespace, Keyv>();
    // One connection for every namespace: with a connection each, SQLite's writers wait on each
    // other's locks (busy-waiting on the I/O threads) and every store call stalls behind them.
    const shared = opts.memory ? undefined : await adapterFor(opts);
    // Every namespace's Keyv listens for the shared adapter's errors.
    (shared as { setMaxListeners?: (n: number) => void } | undefined)?.setMaxListeners?.(NAMESPACES.length + 5);
    for (const ns of NAMESPACES) {
      const adapter = shared ? namespaceView(shared) : undefined;
      const kv = new Keyv({ ...(adapter ? { store: adapter } : {}), namespace: ns });
      kv.on('error', () => {
        /* surfaced by the failing call itself */
      });
      kvs.set(ns, kv);
    }
    const outboxAdapter = opts.memory ? undefined : await adapterFor(opts, OUTBOX_TABLE);
    const outbox = new Keyv({ ...(outboxAdapter ? { store: outboxAdapter } : {}), namespace: 'outbox' });
    outbox.on('error', () => undefined);
    const store = new Store(kvs, outbox, shared, outboxAdapter);
    try {
      await store.leases.get('probe');
    } catch (e) {
      throw new DockhandError('store.unavailable', `the store could not be opened: ${(e as Error).message}`, {
        cause: e,
        hint: 'Check DOCKHAND_DATA_DIR is writable, or that DOCKHAND_STORE_URL is reachable.',
      });
    }
    return store;
  }

  async close(): Promise<void> {
    if (this.auditFlush) {
      clearTimeout(this.auditFlush);
      await this.flushAuditIndex();
    }
    await this.shared?.disconnect?.().catch(() => undefined);
    await this.outboxAdapter?.disconnect?.().catch(() => undefined);
  }

  /**
   * Takes or renews a lease so only one replica runs a given account's sync. Keyv has no
   * compare-and-set, so we write and read back: two replicas racing within the same
   * millisecond could both win once, which the orderKey idempotency on ShipStation absorbs.
   */
  async acquireLease(name: string, owner: string, ttlMs: number, now: number, isGone: (owner: string) => boolean = () => false): Promise<boolean> {
    const current = await this.leases.get(name);
    if (current && current.owner !== owner && current.expiresAt > now && !isGone(current.owner)) return false;
    await this.leases.set(name, { owner, expiresAt: now + ttlMs });
    const after = await this.leases.get(name);
    return after?.owner === owner;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    const current = await this.leases.get(name);
    if (current?.owner === owner) await this.leases.delete(name);
  }

  /**
   * Appends to the audit log. Every entry is kept; the keys of the latest {@link RECENT_AUDIT}
   * are also held in memory and saved as one index record at most once a second, so "the last
   * n" is one batch read instead of a scan of the whole log, and a burst of commands costs one
   * index write rather than one each. (Several replicas each keep their own recent list; the
   * entries themselves are shared.)
   */
  async recordAudit(entry: AuditEntry): Promise<void> {
    // Time first so keys sort chronologically; the suffix keeps two entries in one ms apart.
    const key = `${entry.at}:${Math.random().toString(36).slice(2, 8)}`;
    await this.audit.set(key, entry);
    const keys = await this.recentAuditKeys();
    keys.push(key);
    keys.sort();
    if (keys.length > RECENT_AUDIT) keys.splice(0, keys.length - RECENT_AUDIT);
    if (!this.auditFlush) {
      this.auditFlush = setTimeout(() => void this.flushAuditIndex(), 1_000);
      this.auditFlush.unref();
    }
    // What was done to one order (or SKU, account) is listed per target for its timeline.
    const target = entry.target;
    if (target) {
      const previous = this.targetIndexing.get(target) ?? Promise.resolve();
      const update = previous.then(async () => {
        const index = await this.auditByTarget.get(target);
        await this.auditByTarget.set(target, { keys: [...(index?.keys ?? []), key].slice(-AUDIT_PER_TARGET) });
      });
      const settled = update.catch(() => undefined);
      this.targetIndexing.set(target, settled);
      void settled.then(() => {
        if (this.targetIndexing.get(target) === settled) this.targetIndexing.delete(target);
      });
      await update;
    }
  }
  private readonly targetIndexing = new Map<string, Promise<void>>();

  /** The audit entries about one target (an order, a SKU, an account), oldest first. */
  async auditFor(target: string): Promise<AuditEntry[]> {
    const keys = (await this.auditByTarget.get(target))?.keys ?? [];
    return (await this.audit.getMany(keys)).filter((e): e is AuditEntry => e !== undefined);
  }

  /** The last `n` audit entries (at most {@link RECENT_AUDIT}), newest first. */
  async recentAudit(n: number): Promise<AuditEntry[]> {
    const keys = (await this.recentAuditKeys()).slice(-n).reverse();
    return (await this.audit.getMany(keys)).filter((e): e is AuditEntry => e !== undefined);
  }

  private recentKeys?: Promise<string[]>;
  private auditFlush?: NodeJS.Timeout;

  private recentAuditKeys(): Promise<string[]> {
    this.recentKeys ??= this.auditIndex.get('recent').then((i) => [...(i?.keys ?? [])]);
    return this.recentKeys;
  }

  private async flushAuditIndex(): Promise<void> {
    this.auditFlush = undefined;
    if (this.recentKeys) await this.auditIndex.set('recent', { keys: await this.recentKeys }).catch(() => undefined);
  }

  /** Keeps an order's sealed buyer data (replacing the previous version). */
  async keepBuyerData(orderKey: string, sealed: string): Promise<void> {
    await this.buyerData.set(orderKey, { sealed });
  }

  async isPaused(accountId: string): Promise<boolean> {
    return (await this.pauses.get(accountId))?.paused ?? false;
  }

  /**
   * True the first time a key is claimed, false after: one effect for a Slack button clicked
   * twice or a request Slack retries. Check-then-write, so two claims in the same instant on
   * two replicas could both win; within one process claims are serialised.
   */
  async claimOnce(key: string, now: string): Promise<boolean> {
    const previous = this.claiming.get(key) ?? Promise.resolve(true);
    const claim = previous.then(async () => {
      if (await this.once.get(key)) return false;
      await this.once.set(key, { at: now });
      return true;
    });
    const settled = claim.catch(() => true);
    this.claiming.set(key, settled);
    void settled.then(() => {
      if (this.claiming.get(key) === settled) this.claiming.delete(key);
    });
    return claim;
  }
  private readonly claiming = new Map<string, Promise<boolean>>();

  /** Which of `keys` were claimed with {@link claimOnce}. */
  async marked(keys: string[]): Promise<Set<string>> {
    const marks = await this.once.getMany(keys);
    return new Set(keys.filter((_, i) => marks[i] !== undefined));
  }

  /** Looks a SKU up by the seller SKU first, then by ASIN. */
  async lookupSku(amazonSku: string | undefined, asin: string | undefined): Promise<SkuMapping | undefined> {
    if (amazonSku) {
      const bySku = await this.skus.get(amazonSku);
      if (bySku) return bySku;
    }
    if (asin) return this.asins.get(asin);
    return undefined;
  }

  async putSkuMapping(m: SkuMapping): Promise<void> {
    await this.skus.set(m.amazonSku, m);
    if (m.asin) await this.asins.set(m.asin, m);
    await this.unmapped.delete(m.amazonSku);
  }
}

/** Lease owners are `host:pid:nonce`, so a restart on the same host can tell its crashed predecessor. */
export function leaseOwner(host: string, pid: number, nonce: string): string {
  return `${host}:${pid}:${nonce}`;
}

/**
 * True when a lease's owner is a process on this host that no longer runs (killed, crashed):
 * its lease can be taken at once instead of waiting for it to expire.
 */
export function isLeaseOwnerGone(owner: string, host: string, isAlive: (pid: number) => boolean): boolean {
  const m = /^(.*):(\d+):[^:]*$/.exec(owner);
  if (!m || m[1] !== host) return false;
  return !isAlive(Number(m[2]));
}

export function orderRecordKey(accountId: string, amazonOrderId: string): string {
  return `${accountId}:${amazonOrderId}`;
}

/**
 * A per-namespace face of one shared adapter. Keyv prefixes keys with the namespace itself and
 * reads the adapter's `namespace` only to list and clear, which this view keeps to itself.
 */
function namespaceView(shared: KeyvStoreAdapter): KeyvStoreAdapter {
  const view = Object.create(shared) as KeyvStoreAdapter & { namespace?: string };
  Object.defineProperty(view, 'namespace', { value: undefined, writable: true, enumerable: true });
  const iterator = shared.iterator?.bind(shared);
  if (iterator) view.iterator = ((namespace?: string) => iterator(namespace ?? view.namespace)) as KeyvStoreAdapter['iterator'];
  view.disconnect = async () => undefined;
  return view;
}

/** The outbox's own table (SQLite, Postgres) beside keyv's shared one. */
const OUTBOX_TABLE = 'dockhand_outbox';

async function adapterFor(opts: StoreOptions, table?: string): Promise<KeyvStoreAdapter> {
  const url = opts.storeUrl;
  if (!url || url.startsWith('sqlite://')) {
    let file: string;
    if (url) file = url.replace(/^sqlite:\/\//, '');
    else {
      const dir = opts.dataDir ?? 'data';
      mkdirSync(dir, { recursive: true });
      file = path.join(dir, 'dockhand.sqlite');
    }
    // Listing reads pages of `iterationLimit` rows; the adapter's default of 10 makes a scan of
    // thousands of records thousands of queries.
    const sqlite = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 10_000, iterationLimit: 1000, ...(table ? { table } : {}) });
    // WAL keeps every committed write across a SIGKILL and lets several connections read
    // while one writes; synchronous=NORMAL only risks the last writes on power loss.
    await sqlite.query('PRAGMA journal_mode=WAL');
    await sqlite.query('PRAGMA synchronous=NORMAL');
    return sqlite as unknown as KeyvStoreAdapter;
  }
  const scheme = url.split(':')[0];
  const pkg = scheme === 'redis' || scheme === 'rediss' ? '@keyv/redis' : scheme === 'postgres' || scheme === 'postgresql' ? '@keyv/postgres' : undefined;
  if (!pkg) {
    throw new DockhandError('config.invalid', `DOCKHAND_STORE_URL: unsupported scheme "${scheme}"`, {
      hint: 'Use sqlite://<file>, redis://host:port or postgres://user@host/db.',
    });
  }
  try {
    const mod = (await import(pkg)) as { default: new (url: string) => KeyvStoreAdapter };
    // Redis keeps namespaces apart by key prefix; the SQL adapters take a table.
    return pkg === '@keyv/postgres' && table ? new (mod.default as unknown as new (o: object) => KeyvStoreAdapter)({ uri: url, table }) : new mod.default(url);
  } catch (e) {
    throw new DockhandError('store.unavailable', `DOCKHAND_STORE_URL needs the ${pkg} package`, {
      cause: e,
      hint: `Run \`npm install ${pkg}\` next to Dockhand, then start again.`,
    });
  }
}
