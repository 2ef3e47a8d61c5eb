import { sql } from 'kysely';
import type { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { openDb, type Db, type DbOptions } from './db';
import { AlertMessages, AlertOutbox } from './alert-tables';
import { DocTable } from './doc-table';
import { FulfillmentFacts } from './facts';
import { InventoryStore } from './inventory';
import { KvTable } from './kv';
import { LabelLedger, OrderLabelIndex, PendingConfirmations } from './labels';
import { migrate } from './migrations';
import { BUYER_DATA_SHAPE, OrderRepository } from './orders';
import { FINDINGS_SHAPE, Quarantine, UnmappedSkus } from './quarantine';
import { ReturnsRepository } from './returns';
import { RuleTables } from './rule-tables';
import { ReportQueries } from './report-queries';
import { DigestRuns } from './digest-runs';
import {
  AuditEntry,
  BuyerData,
  EventHealth,
  PauseFlag,
  RunSummary,
  ShipNotifyHealth,
  SkuMapping,
  SyncCursor,
  WritebackCursor,
  orderRecordKey,
} from './records';

export { orderRecordKey };

/**
 * All of Dockhand's state, on SQL: SQLite in the data dir by default, Postgres
 * (DOCKHAND_STORE_URL=postgres://…) for several replicas sharing one state. Records live in
 * tables shaped by the questions asked of them (see each repository); what is truly key-value
 * (cursors, pauses, health, the SKU map) is on keyv in the same database.
 */

export type StoreOptions = DbOptions & {
  /** The clock facts are stamped with (tests). */
  now?: () => number;
};

/** How long a claim ({@link Store.claimOnce}) holds by default: a Slack retry or a second click comes within minutes. */
export const CLAIM_TTL_MS = 30 * 86_400_000;
/** How many audit entries `recentAudit` can return. */
export const RECENT_AUDIT = 500;
/** How many audit entries are listed per target. */
const AUDIT_PER_TARGET = 50;

export class Store {
  readonly orders: OrderRepository;
  readonly quarantine: Quarantine;
  readonly unmapped: UnmappedSkus;
  /** Sealed buyer data by order record key. */
  readonly buyerData: DocTable<typeof BuyerData>;
  /** Tracking writeback ledger by label id. */
  readonly confirmations: LabelLedger;
  /** Label ids per order record key. */
  readonly orderLabels: OrderLabelIndex;
  /** Labels whose confirmation failed for a passing reason (429, Amazon down): the next pass resends them. */
  readonly pendingConfirmations: PendingConfirmations;
  /** Reconciliation problems alerted and not yet gone, per account. */
  readonly openFindings: DocTable<typeof FINDINGS_SHAPE.schema>;
  /** Slack alerts by problem key, as last sent to Slack (with the message's channel and ts). */
  readonly alerts: AlertMessages;
  /** Every alert change not yet sent to Slack, by problem key. */
  readonly outbox: AlertOutbox;
  /** Each order's fulfillment milestones, for the KPIs. */
  readonly facts: FulfillmentFacts;
  /** Returns, their refunds and the adjustment feeds carrying them. */
  readonly returns: ReturnsRepository;
  /** The product table, rule match counts and rate-shopping choices. */
  readonly rules: RuleTables;
  /** The KPI reports' aggregations over the facts. */
  readonly reports: ReportQueries;
  /** Digests posted, by day. */
  readonly digests: DigestRuns;
  /** Stock levels, velocity and committed units per SKU, pushes, ERP deliveries. */
  readonly inventory: InventoryStore;

  readonly skus: KvTable<typeof SkuMapping>;
  /** ASIN → mapping, for lookups by ASIN. */
  readonly asins: KvTable<typeof SkuMapping>;
  readonly cursors: KvTable<typeof SyncCursor>;
  readonly runs: KvTable<typeof RunSummary>;
  /** Health of background paths by name ('events'). */
  readonly health: KvTable<typeof EventHealth>;
  /** The SHIP_NOTIFY webhook in use ('shipstation'), for `status`. */
  readonly shipNotify: KvTable<typeof ShipNotifyHealth>;
  /** Paused accounts. */
  readonly pauses: KvTable<typeof PauseFlag>;
  readonly writebackCursors: KvTable<typeof WritebackCursor>;

  private constructor(
    private readonly db: Db,
    now: () => number,
  ) {
    const k = db.kysely;
    this.orders = new OrderRepository(k, now);
    this.quarantine = new Quarantine(k);
    this.unmapped = new UnmappedSkus(k);
    this.buyerData = new DocTable(k, BUYER_DATA_SHAPE);
    this.confirmations = new LabelLedger(k, now);
    this.orderLabels = new OrderLabelIndex(k);
    this.pendingConfirmations = new PendingConfirmations(k);
    this.openFindings = new DocTable(k, FINDINGS_SHAPE);
    this.alerts = new AlertMessages(k);
    this.outbox = new AlertOutbox(k);
    this.facts = new FulfillmentFacts(k);
    this.returns = new ReturnsRepository(k);
    this.rules = new RuleTables(k);
    this.reports = new ReportQueries(k);
    this.digests = new DigestRuns(k);
    this.inventory = new InventoryStore(k, db.dialect);
    const kv = <S extends z.ZodTypeAny>(ns: string, schema: S, name: string) => new KvTable(k, db.dialect, ns, schema, name);
    this.skus = kv('skus', SkuMapping, 'SKU mapping');
    this.asins = kv('asins', SkuMapping, 'ASIN mapping');
    this.cursors = kv('cursors', SyncCursor, 'cursor');
    this.runs = kv('runs', RunSummary, 'run');
    this.health = kv('health', EventHealth, 'health');
    this.shipNotify = kv('shipnotify', ShipNotifyHealth, 'SHIP_NOTIFY health');
    this.pauses = kv('pauses', PauseFlag, 'pause flag');
    this.writebackCursors = kv('wbcursors', WritebackCursor, 'writeback cursor');
  }

  /** Opens the store and brings its schema up to date (a keyv data dir is upgraded in place). */
  static async open(opts: StoreOptions): Promise<Store> {
    const db = await openDb(opts);
    try {
      await migrate(db);
    } catch (e) {
      await db.kysely.destroy().catch(() => undefined);
      if (e instanceof DockhandError && e.code === 'store.migration_failed') throw e;
      throw new DockhandError('store.unavailable', `the store could not be opened (${db.where}): ${(e as Error).message}`, {
        cause: e,
        hint: 'Check DOCKHAND_DATA_DIR is writable, or that DOCKHAND_STORE_URL is reachable.',
      });
    }
    return new Store(db, opts.now ?? Date.now);
  }

  get dialect(): Db['dialect'] {
    return this.db.dialect;
  }

  async close(): Promise<void> {
    await this.db.kysely.destroy().catch(() => undefined);
  }

  /** Answers when the database does (health checks). */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db.kysely);
  }

  /**
   * Takes or renews a lease so only one replica runs a given job. One conditional write decides:
   * the row is inserted, or taken over only while it is ours or expired, so of two replicas
   * racing, exactly one wins. A holder that `isGone` (a crashed process on this host) is
   * replaced by a second conditional write on the owner that was read.
   */
  async acquireLease(name: string, owner: string, ttlMs: number, now: number, isGone: (owner: string) => boolean = () => false): Promise<boolean> {
    const k = this.db.kysely;
    const expires_at = now + ttlMs;
    const taken = await k
      .insertInto('leases')
      .values({ name, owner, expires_at })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ owner, expires_at })
          .where((eb) => eb.or([eb('leases.owner', '=', owner), eb('leases.expires_at', '<=', now)])),
      )
      .executeTakeFirst();
    if (Number(taken.numInsertedOrUpdatedRows ?? 0) > 0) return true;
    const holder = await this.leaseHolder(name);
    if (!holder || !isGone(holder)) return false;
    const replaced = await k.updateTable('leases').set({ owner, expires_at }).where('name', '=', name).where('owner', '=', holder).executeTakeFirst();
    return Number(replaced.numUpdatedRows) > 0;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.db.kysely.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
  }

  /** Who holds a lease now, if anyone. */
  async leaseHolder(name: string): Promise<string | undefined> {
    return (await this.db.kysely.selectFrom('leases').select('owner').where('name', '=', name).executeTakeFirst())?.owner;
  }

  /**
   * Runs `fn` holding the lease `name`, waiting (up to `waitMs`) while another process holds it:
   * how two replicas take turns on one order's labels. The lease is renewed while `fn` runs and
   * expires `ttlMs` after its holder dies (at once when `isGone` says the holder is gone).
   */
  async withLease<T>(name: string, owner: string, fn: () => Promise<T>, opts: { ttlMs?: number; waitMs?: number; isGone?: (owner: string) => boolean } = {}): Promise<T> {
    const ttlMs = opts.ttlMs ?? 60_000;
    const deadline = Date.now() + (opts.waitMs ?? 90_000);
    let pause = 5;
    while (!(await this.acquireLease(name, owner, ttlMs, Date.now(), opts.isGone))) {
      if (Date.now() > deadline) {
        throw new DockhandError('store.lease_busy', `"${name}" is held by ${(await this.leaseHolder(name)) ?? 'another process'}`, {
          hint: 'Another replica is working on it; it is tried again on the next pass.',
          transient: true,
        });
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 200);
    }
    const renew = setInterval(() => void this.acquireLease(name, owner, ttlMs, Date.now()).catch(() => undefined), ttlMs / 3);
    renew.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await this.releaseLease(name, owner).catch(() => undefined);
    }
  }

  /** Appends to the audit log: one row per entry, never rewritten. */
  async recordAudit(entry: AuditEntry): Promise<void> {
    const checked = AuditEntry.parse(entry);
    await this.db.kysely
      .insertInto('audit_log')
      .values({ at: Date.parse(checked.at) || 0, target: checked.target ?? null, doc: JSON.stringify(checked) })
      .execute();
  }

  /** The latest audit entries about one target (an order, a SKU, an account), oldest first. */
  async auditFor(target: string): Promise<AuditEntry[]> {
    const rows = await this.db.kysely.selectFrom('audit_log').select('doc').where('target', '=', target).orderBy('id', 'desc').limit(AUDIT_PER_TARGET).execute();
    return rows.map((r) => AuditEntry.parse(JSON.parse(r.doc))).reverse();
  }

  /** The last `n` audit entries (at most {@link RECENT_AUDIT}), newest first. */
  async recentAudit(n: number): Promise<AuditEntry[]> {
    const rows = await this.db.kysely.selectFrom('audit_log').select('doc').orderBy('id', 'desc').limit(Math.min(n, RECENT_AUDIT)).execute();
    return rows.map((r) => AuditEntry.parse(JSON.parse(r.doc)));
  }

  /** Keeps an order's sealed buyer data (replacing the previous version). */
  async keepBuyerData(orderKey: string, sealed: string): Promise<void> {
    await this.buyerData.set(orderKey, { sealed });
  }

  async isPaused(accountId: string): Promise<boolean> {
    return (await this.pauses.get(accountId))?.paused ?? false;
  }

  /**
   * True the first time a key is claimed, false after, until the claim expires: one effect for
   * a Slack button clicked twice or a request Slack retries. An insert that does nothing on
   * conflict, so of two replicas claiming in the same instant exactly one wins.
   */
  async claimOnce(key: string, now: string, ttlMs = CLAIM_TTL_MS): Promise<boolean> {
    const at = Date.parse(now) || Date.now();
    const result = await this.db.kysely
      .insertInto('claims')
      .values({ key, at, expires_at: at + ttlMs })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ at, expires_at: at + ttlMs })
          .where('claims.expires_at', '<=', at),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Which of `keys` are claimed (and not expired). */
  async marked(keys: string[], now = Date.now()): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    // The keys go as one array parameter: the deadline guard asks about thousands each minute,
    // and a bound list of that many values costs more to build than to look up.
    const asked = this.db.dialect === 'postgres' ? sql<boolean>`key = any(${keys}::text[])` : sql<boolean>`key in (select value from json_each(${JSON.stringify(keys)}))`;
    const rows = await this.db.kysely.selectFrom('claims').select('key').where(asked).where('expires_at', '>', now).execute();
    return new Set(rows.map((r) => r.key));
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

  /** The whole SKU map, for export. */
  async skuMappings(): Promise<SkuMapping[]> {
    const out: SkuMapping[] = [];
    for await (const [, m] of this.skus.entries()) out.push(m);
    return out;
  }

  /**
   * Forgets what retention says to: buyer data of orders closed `buyerDataDays` ago, the records
   * and lines of orders closed `ordersDays` ago, facts of orders bought `factsDays` ago, and
   * expired claims and leases.
   */
  async purge(retention: { buyerDataDays: number; ordersDays: number; factsDays: number }, now: Date): Promise<{ buyerData: number; orders: number; facts: number }> {
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    const buyerData = await this.orders.purgeBuyerDataClosedBefore(daysAgo(retention.buyerDataDays));
    const orders = await this.orders.purgeClosedBefore(daysAgo(retention.ordersDays));
    const facts = await this.orders.purgeFactsBefore(daysAgo(retention.factsDays));
    await this.db.kysely.deleteFrom('claims').where('expires_at', '<=', now.getTime()).execute();
    await this.db.kysely.deleteFrom('leases').where('expires_at', '<=', now.getTime() - 86_400_000).execute();
    return { buyerData, orders, facts };
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
