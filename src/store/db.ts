import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Generated, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { DockhandError } from '../domain/errors';
import type { InventoryTables } from './inventory';

/**
 * The SQL database under the store, through Kysely: one typed query layer that speaks both
 * SQLite (better-sqlite3, embedded in the data dir, nothing to install) and Postgres (pg, for
 * several replicas), so every repository runs the same queries on both.
 *
 * Times that queries compare or sort on are stored as epoch milliseconds (bigint): numbers
 * compare the same way everywhere, where text collation differs between databases and locales.
 * Each record is also kept whole as JSON (`doc`), parsed with its zod schema when read back.
 */

export type Dialect = 'sqlite' | 'postgres';

export interface Database extends InventoryTables {
  keyv: { key: string; value: string | null };
  orders: {
    key: string;
    account_id: string;
    amazon_order_id: string;
    state: string;
    amazon_status: string;
    ship_by: number | null;
    first_seen_at: number;
    last_updated_time: number;
    closed_at: number | null;
    cancel_requested: number;
    is_prime: number;
    shipstation_order_id: number | null;
    units: number;
    escalated_at_lead: number | null;
    doc: string;
  };
  order_lines: {
    order_key: string;
    order_item_id: string;
    amazon_sku: string | null;
    sku: string | null;
    quantity: number;
    quantity_shipped: number;
    shipped_at: number | null;
  };
  order_unmapped_skus: { order_key: string; amazon_sku: string };
  buyer_data: { order_key: string; doc: string };
  fulfillment_facts: {
    order_key: string;
    account_id: string;
    amazon_order_id: string;
    marketplace_id: string | null;
    is_prime: number;
    units: number;
    purchased_at: number | null;
    ship_by: number | null;
    imported_at: number | null;
    cancelled_at: number | null;
    first_label_at: number | null;
    confirmed_at: number | null;
    carrier_code: string | null;
    service_code: string | null;
    warehouse_id: string | null;
    label_cost: number | null;
    late: number | null;
    updated_at: number;
    /** Migration 0005_reports. */
    currency?: string | null;
  };
  labels: {
    label_id: string;
    order_key: string;
    account_id: string;
    state: string;
    label_created_at: number;
    confirmed_at: number | null;
    units: number;
    doc: string;
  };
  order_labels: { order_key: string; label_id: string };
  pending_confirmations: { label_id: string; at: number; doc: string };
  quarantine: { key: string; account_id: string; at: number; doc: string };
  unmapped_skus: { key: string; last_seen_at: number; doc: string };
  open_findings: { key: string; doc: string };
  alert_messages: { key: string; kind: string; state: string; subject: string | null; posted: number; doc: string };
  alert_outbox: { key: string; rev: number; subject: string | null; doc: string };
  audit_log: { id: Generated<number>; at: number; target: string | null; doc: string };
  order_counts: { account_id: string; state: string; n: number };
  label_counts: { account_id: string; state: string; n: number };
  order_first_seen_counts: { account_id: string; day: number; n: number };
  claims: { key: string; at: number; expires_at: number };
  leases: { name: string; owner: string; expires_at: number };
  returns: {
    account_id: string;
    amazon_order_id: string;
    rma: string;
    sku: string;
    status: string;
    delivered_at: number | null;
    received_at: number | null;
    escalated: string | null;
    updated_at: number;
    doc: string;
  };
  refunds: {
    account_id: string;
    rma: string;
    order_item_id: string;
    amazon_order_id: string;
    state: string;
    batch_id: string | null;
    approved_at: number;
    accepted_at: number | null;
    updated_at: number;
    doc: string;
  };
  refund_feeds: {
    id: string;
    account_id: string;
    state: string;
    feed_id: string | null;
    created_at: number;
    submitting_at: number | null;
    submitted_at: number | null;
    updated_at: number;
    document: string;
    doc: string;
  };
  products: { sku: string; weight_oz: number | null; length_in: number | null; width_in: number | null; height_in: number | null; category: string | null; updated_at: number };
  rule_matches: { day: number; rule_name: string; n: number };
  rate_choices: { order_key: string; account_id: string; state: string; requested_at: number; saving: number | null; doc: string };
  label_facts: {
    label_id: string;
    order_key: string;
    account_id: string;
    created_at: number;
    confirmed_at: number | null;
    carrier_code: string;
    service_code: string | null;
    cost: number | null;
    units: number;
    live: number;
    currency: string | null;
  };
  report_events: { id: Generated<number>; at: number; account_id: string; kind: string };
  digest_runs: { day: string; posted_at: number; channel: string | null; ts: string | null };
  /** Migration 0009_report_rollups (src/store/report-rollups.ts); kept by triggers. */
  report_order_rollup: { bucket: number; account_id: string; currency: string; received: number; shipped: number; ptl_ms: number; ptl_n: number; cancelled: number; closed: number; ltc_ms: number; ltc_n: number };
  report_due_rollup: {
    bucket: number;
    account_id: string;
    currency: string;
    carrier_code: string;
    service_code: string;
    on_time: number;
    conf_label_late: number;
    conf_confirmation_late: number;
    open_not_shipped: number;
    open_label_late: number;
    open_confirmation_late: number;
  };
  report_label_rollup: { bucket: number; account_id: string; currency: string; carrier_code: string; service_code: string; shipments: number; cost_sum: number; cost_n: number; units: number };
  report_latency_hist: { measure: string; day: number; account_id: string; bin: number; n: number };
  /** Amazon's last seller performance report, by its marketplaces (0009). */
  account_health: { key: string; fetched_at: number; doc: string };
}

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** Where it is, for messages (a file, or the server without credentials). */
  where: string;
}

export interface DbOptions {
  dataDir?: string;
  storeUrl?: string;
  /** An in-memory SQLite database (tests). */
  memory?: boolean;
  /**
   * SQLite only: copy the WAL back into the database from a thread of its own, for a process that
   * keeps writing (`dockhand start`), so that its writes never wait for a checkpoint.
   */
  checkpointInBackground?: boolean;
}

export async function openDb(opts: DbOptions): Promise<Db> {
  const url = opts.storeUrl;
  if (opts.memory) return sqliteDb(':memory:');
  if (!url || url.startsWith('sqlite://')) {
    let file: string;
    if (url) file = url.replace(/^sqlite:\/\//, '');
    else {
      const dir = opts.dataDir ?? 'data';
      mkdirSync(dir, { recursive: true });
      file = path.join(dir, 'dockhand.sqlite');
    }
    return sqliteDb(file, opts.checkpointInBackground === true);
  }
  const scheme = url.split(':')[0];
  if (scheme === 'postgres' || scheme === 'postgresql') {
    // Loaded only for Postgres: a process on SQLite (the default) never runs it, and loading it
    // costs some 7 MB of resident memory.
    const { default: pg } = await import('pg');
    // Postgres sends bigint (int8) and COUNT(*) as strings, since they can exceed 2^53; our values
    // (epoch milliseconds, counts) never do.
    pg.types.setTypeParser(20, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client that loses its server emits here; the next query reports it.
    pool.on('error', () => undefined);
    const where = safeUrl(url);
    const db: Db = { kysely: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres', where };
    return db;
  }
  throw new DockhandError('config.invalid', `DOCKHAND_STORE_URL: unsupported scheme "${scheme}"`, {
    hint: scheme === 'redis' || scheme === 'rediss'
      ? 'Redis is no longer a state store: it cannot answer the queries Dockhand asks. Use postgres://user@host/db, or leave it unset for SQLite in the data dir.'
      : 'Use postgres://user@host/db for several replicas, sqlite://<file>, or leave it unset for SQLite in the data dir.',
  });
}

function sqliteDb(file: string, checkpointInBackground = false): Db {
  let database: BetterSqlite3.Database;
  try {
    database = new BetterSqlite3(file, { timeout: 10_000 });
  } catch (e) {
    throw new DockhandError('store.unavailable', `the store could not be opened: ${(e as Error).message}`, {
      cause: e,
      hint: 'Check DOCKHAND_DATA_DIR is writable.',
    });
  }
  // WAL keeps every committed write across a SIGKILL and lets other processes (`dockhand status`)
  // read while one writes; synchronous=NORMAL only risks the last writes on power loss.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  // A bounded page cache (8 MB) whatever the data dir's size: memory stays flat as orders grow.
  database.pragma('cache_size = -8000');
  const checkpointer = checkpointInBackground ? startCheckpointer(database, file) : undefined;
  const statements = reusingStatements(database, 512, () => void checkpointer?.terminate());
  return { kysely: new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) }), dialect: 'sqlite', where: file };
}

/** How often the checkpointer copies the WAL back, and the WAL size (pages) at which the writer does it itself. */
const CHECKPOINT_EVERY_MS = 1_000;
const WRITER_CHECKPOINT_PAGES = 10_000;

/**
 * SQLite's checkpoint (copying the WAL into the database file, with an fsync) runs by default in
 * whichever commit takes the WAL past 1,000 pages. On the import path that was most of the time a
 * commit took: a 1,000-order spike spent 1.3 s of its 2.2 s of SQL in `COMMIT`, and every extra
 * write (a rate-shop request, an escalation) paid for its share of the next checkpoint. A
 * worker thread with its own connection runs a PASSIVE checkpoint every second instead, which
 * never blocks the writer or a reader; the writer keeps a checkpoint of its own at 10,000 pages
 * (40 MB of WAL) in case the thread ever falls behind or stops.
 */
function startCheckpointer(database: BetterSqlite3.Database, file: string): Worker | undefined {
  const source = `
    const { workerData } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.file, { timeout: 0 });
    setInterval(() => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} }, workerData.everyMs);
  `;
  try {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(source, { eval: true, workerData: { driver, file, everyMs: CHECKPOINT_EVERY_MS } });
    worker.unref();
    // A thread that cannot run leaves the checkpoints to the writer, as SQLite does by default.
    worker.on('error', () => {
      try {
        if (database.open) database.pragma('wal_autocheckpoint = 1000');
      } catch {
        // closed meanwhile: nothing to hand back
      }
    });
    database.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
    return worker;
  } catch {
    return undefined;
  }
}

/**
 * Kysely's SQLite driver prepares every query afresh, and preparing is most of a write's cost here:
 * SQLite compiles the rollup triggers into each INSERT or UPDATE on the orders and labels tables. A
 * profile of a 1,000-order import spent 5.3 of its 12 busy CPU seconds in `prepare`. The same few
 * hundred statements repeat, so they are kept by their SQL text, the least recently used going
 * first. Kysely runs one query at a time on this single connection (its connection mutex), so a
 * statement is never in use twice at once.
 */
export function reusingStatements(database: SqliteDatabase, max = 512, onClose?: () => void): SqliteDatabase {
  const kept = new Map<string, SqliteStatement>();
  return {
    prepare(sql) {
      let statement = kept.get(sql);
      if (statement) kept.delete(sql);
      else {
        statement = database.prepare(sql);
        if (kept.size >= max) kept.delete(kept.keys().next().value!);
      }
      kept.set(sql, statement);
      return statement;
    },
    close() {
      onClose?.();
      kept.clear();
      database.close();
    },
  };
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.username = u.username ? `${u.username}` : '';
    return u.toString();
  } catch {
    return 'postgres';
  }
}
