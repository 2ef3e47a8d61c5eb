import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { DockhandError } from '../domain/errors';
import type { Database, Db, Dialect } from './db';
import { reportTables } from './report-facts';
import { reportRollups } from './report-rollups';
import { moveKeyvRecords } from './upgrade-from-keyv';
import { inventoryMigration } from './inventory';
import { inventoryRollupsMigration } from './inventory-rollups';

/**
 * Versioned migrations, run at open by Kysely's Migrator: in order, each once, recorded in
 * `kysely_migration`, under the migrator's lock so that two replicas starting together on one
 * Postgres do not both run them. Never edit a released migration; add the next one.
 */

// Loosely typed: a migration runs against the schema as it was at its version, not today's.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function tables(dialect: Dialect): Migration {
  return {
    async up(db: AnyDb) {
      const big = 'bigint' as const;
      // keyv's own table, as @keyv/sqlite made it: the key-value part of the store lives on in it.
      await db.schema.createTable('keyv').ifNotExists().addColumn('key', 'varchar(255)', (c) => c.primaryKey()).addColumn('value', 'text').execute();

      await db.schema
        .createTable('orders')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('amazon_order_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('amazon_status', 'text', (c) => c.notNull())
        .addColumn('ship_by', big)
        .addColumn('first_seen_at', big, (c) => c.notNull())
        .addColumn('last_updated_time', big, (c) => c.notNull())
        .addColumn('closed_at', big)
        .addColumn('cancel_requested', 'integer', (c) => c.notNull())
        .addColumn('is_prime', 'integer', (c) => c.notNull())
        .addColumn('shipstation_order_id', big)
        .addColumn('units', 'integer', (c) => c.notNull())
        // The tightest ship-by stage already escalated (lead minutes; 0 once reported late).
        .addColumn('escalated_at_lead', 'integer')
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      // The deadline guard's question: imported orders Amazon still expects to ship, by ship-by.
      // It covers what the guard reads, so the guard never touches the table's rows.
      await db.schema
        .createIndex('orders_open_by_ship_by')
        .on('orders')
        .columns(['ship_by', 'escalated_at_lead', 'key', 'account_id', 'amazon_order_id', 'is_prime', 'cancel_requested', 'shipstation_order_id', 'units', 'amazon_status'])
        .where(sql.ref('state'), '=', 'sent')
        .where(sql.ref('amazon_status'), 'in', ['unshipped', 'partially_shipped'])
        .execute();
      await db.schema.createIndex('orders_by_account_state').on('orders').columns(['account_id', 'state']).execute();
      await db.schema.createIndex('orders_by_account_first_seen').on('orders').columns(['account_id', 'first_seen_at']).execute();
      await db.schema.createIndex('orders_by_account_updated').on('orders').columns(['account_id', 'last_updated_time']).execute();
      await db.schema.createIndex('orders_by_amazon_id').on('orders').columns(['amazon_order_id']).execute();
      // Open orders whose buyer asked to cancel: few, so their own small covering index.
      await db.schema
        .createIndex('orders_open_cancel_requested')
        .on('orders')
        .columns(['key', 'account_id', 'amazon_order_id', 'ship_by', 'is_prime', 'shipstation_order_id', 'units', 'amazon_status'])
        .where(sql.ref('cancel_requested'), '=', 1)
        .where(sql.ref('state'), '=', 'sent')
        .where(sql.ref('amazon_status'), 'in', ['unshipped', 'partially_shipped'])
        .execute();
      await db.schema.createIndex('orders_by_closed_at').on('orders').columns(['closed_at']).where(sql.ref('closed_at'), 'is not', null).execute();

      await db.schema
        .createTable('order_lines')
        .addColumn('order_key', 'text', (c) => c.notNull())
        .addColumn('order_item_id', 'text', (c) => c.notNull())
        .addColumn('amazon_sku', 'text')
        .addColumn('sku', 'text')
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('quantity_shipped', 'integer', (c) => c.notNull())
        .addColumn('shipped_at', big)
        .addPrimaryKeyConstraint('order_lines_pk', ['order_key', 'order_item_id'])
        .execute();
      // Velocity per SKU: shipped lines by SKU and ship time.
      await db.schema.createIndex('order_lines_by_sku_shipped').on('order_lines').columns(['sku', 'shipped_at']).execute();

      await db.schema
        .createTable('order_unmapped_skus')
        .addColumn('order_key', 'text', (c) => c.notNull())
        .addColumn('amazon_sku', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('order_unmapped_skus_pk', ['order_key', 'amazon_sku'])
        .execute();
      await db.schema.createIndex('order_unmapped_by_sku').on('order_unmapped_skus').columns(['amazon_sku']).execute();

      await db.schema.createTable('buyer_data').addColumn('order_key', 'text', (c) => c.primaryKey()).addColumn('doc', 'text', (c) => c.notNull()).execute();

      await db.schema
        .createTable('fulfillment_facts')
        .addColumn('order_key', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('amazon_order_id', 'text', (c) => c.notNull())
        .addColumn('marketplace_id', 'text')
        .addColumn('is_prime', 'integer', (c) => c.notNull())
        .addColumn('units', 'integer', (c) => c.notNull())
        .addColumn('purchased_at', big)
        .addColumn('ship_by', big)
        .addColumn('imported_at', big)
        .addColumn('cancelled_at', big)
        .addColumn('first_label_at', big)
        .addColumn('confirmed_at', big)
        .addColumn('carrier_code', 'text')
        .addColumn('service_code', 'text')
        .addColumn('warehouse_id', 'text')
        .addColumn('label_cost', 'double precision')
        .addColumn('late', 'integer')
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();
      for (const column of ['purchased_at', 'first_label_at', 'ship_by', 'confirmed_at'] as const) {
        await db.schema.createIndex(`facts_by_${column}`).on('fulfillment_facts').columns([column]).execute();
      }

      await db.schema
        .createTable('labels')
        .addColumn('label_id', 'text', (c) => c.primaryKey())
        .addColumn('order_key', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('label_created_at', big, (c) => c.notNull())
        .addColumn('confirmed_at', big)
        .addColumn('units', 'integer', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('labels_by_order').on('labels').columns(['order_key', 'state', 'units']).execute();
      await db.schema.createIndex('labels_by_account_state').on('labels').columns(['account_id', 'state', 'confirmed_at']).execute();

      await db.schema
        .createTable('order_labels')
        .addColumn('order_key', 'text', (c) => c.notNull())
        .addColumn('label_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('order_labels_pk', ['order_key', 'label_id'])
        .execute();

      await db.schema.createTable('pending_confirmations').addColumn('label_id', 'text', (c) => c.primaryKey()).addColumn('at', big, (c) => c.notNull()).addColumn('doc', 'text', (c) => c.notNull()).execute();

      await db.schema
        .createTable('quarantine')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('quarantine_by_account').on('quarantine').columns(['account_id', 'at']).execute();

      await db.schema.createTable('unmapped_skus').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('last_seen_at', big, (c) => c.notNull()).addColumn('doc', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('open_findings').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('doc', 'text', (c) => c.notNull()).execute();

      await db.schema
        .createTable('alert_messages')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('posted', 'integer', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_messages_by_subject').on('alert_messages').columns(['subject']).execute();
      await db.schema
        .createTable('alert_outbox')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('rev', 'integer', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_outbox_by_subject').on('alert_outbox').columns(['subject']).execute();

      // Append-only: one row per entry, so replicas never rewrite a shared list.
      await db.schema
        .createTable('audit_log')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_by_target').on('audit_log').columns(['target', 'id']).execute();

      await db.schema
        .createTable('claims')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('expires_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('claims_by_expiry').on('claims').columns(['expires_at']).execute();
      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('expires_at', big, (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * Running counts that `status` reads instead of counting a million rows each time: orders per
 * account and state, orders first seen per account and UTC day, labels per account and state.
 * Triggers keep them, in the same statement as the row's write, whichever path writes it
 * (repositories, bulk imports, migrations). Counters are moved lowest state first, so two
 * transactions moving orders between the same two states on Postgres never deadlock.
 */
function counts(dialect: Dialect): Migration {
  const counters = [
    { table: 'orders', counts: 'order_counts', by: 'state' },
    { table: 'labels', counts: 'label_counts', by: 'state' },
  ];
  return {
    async up(db: AnyDb) {
      for (const c of counters) {
        await db.schema
          .createTable(c.counts)
          .addColumn('account_id', 'text', (col) => col.notNull())
          .addColumn(c.by, 'text', (col) => col.notNull())
          .addColumn('n', 'bigint', (col) => col.notNull())
          .addPrimaryKeyConstraint(`${c.counts}_pk`, ['account_id', c.by])
          .execute();
      }
      await db.schema
        .createTable('order_first_seen_counts')
        .addColumn('account_id', 'text', (col) => col.notNull())
        .addColumn('day', 'bigint', (col) => col.notNull())
        .addColumn('n', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('order_first_seen_counts_pk', ['account_id', 'day'])
        .execute();
      const statements = dialect === 'sqlite' ? sqliteCountTriggers(counters) : postgresCountTriggers(counters);
      for (const s of statements) await sql.raw(s).execute(db);
      // Rows already there (an upgraded data dir) are counted once.
      for (const c of counters) {
        await sql.raw(`insert into ${c.counts} (account_id, ${c.by}, n) select account_id, ${c.by}, count(*) from ${c.table} group by account_id, ${c.by}`).execute(db);
      }
      await sql.raw(`insert into order_first_seen_counts (account_id, day, n) select account_id, first_seen_at / 86400000, count(*) from orders group by account_id, first_seen_at / 86400000`).execute(db);
    },
  };
}

type Counter = { table: string; counts: string; by: string };

function sqliteCountTriggers(counters: Counter[]): string[] {
  const bump = (c: Counter, row: 'new' | 'old', delta: string) =>
    `insert into ${c.counts} (account_id, ${c.by}, n) select ${row}.account_id, ${row}.${c.by}, 0 where not exists (select 1 from ${c.counts} where account_id = ${row}.account_id and ${c.by} = ${row}.${c.by}); update ${c.counts} set n = n ${delta} where account_id = ${row}.account_id and ${c.by} = ${row}.${c.by};`;
  const out: string[] = [];
  for (const c of counters) {
    out.push(`create trigger ${c.counts}_on_insert after insert on ${c.table} begin ${bump(c, 'new', '+ 1')} end`);
    out.push(`create trigger ${c.counts}_on_delete after delete on ${c.table} begin ${bump(c, 'old', '- 1')} end`);
    out.push(
      `create trigger ${c.counts}_on_update after update of account_id, ${c.by} on ${c.table} when old.account_id is not new.account_id or old.${c.by} is not new.${c.by} begin ${bump(c, 'old', '- 1')} ${bump(c, 'new', '+ 1')} end`,
    );
  }
  // Not INSERT OR IGNORE: inside a trigger the outer statement's conflict clause (our upserts) would override it.
  const day = `insert into order_first_seen_counts (account_id, day, n) select new.account_id, new.first_seen_at / 86400000, 0 where not exists (select 1 from order_first_seen_counts where account_id = new.account_id and day = new.first_seen_at / 86400000); update order_first_seen_counts set n = n + 1 where account_id = new.account_id and day = new.first_seen_at / 86400000;`;
  out.push(`create trigger order_first_seen_on_insert after insert on orders begin ${day} end`);
  out.push(
    `create trigger order_first_seen_on_delete after delete on orders begin update order_first_seen_counts set n = n - 1 where account_id = old.account_id and day = old.first_seen_at / 86400000; end`,
  );
  return out;
}

function postgresCountTriggers(counters: Counter[]): string[] {
  const out: string[] = [];
  for (const c of counters) {
    const add = (row: 'new' | 'old', delta: number) =>
      `insert into ${c.counts} (account_id, ${c.by}, n) values (${row}.account_id, ${row}.${c.by}, ${delta}) on conflict (account_id, ${c.by}) do update set n = ${c.counts}.n + ${delta};`;
    out.push(`create function ${c.counts}_keep() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then ${add('new', 1)}
  elsif tg_op = 'DELETE' then ${add('old', -1)}
  elsif old.account_id is distinct from new.account_id or old.${c.by} is distinct from new.${c.by} then
    if (old.account_id, old.${c.by}) < (new.account_id, new.${c.by}) then ${add('old', -1)} ${add('new', 1)}
    else ${add('new', 1)} ${add('old', -1)}
    end if;
  end if;
  return null;
end $$`);
    out.push(`create trigger ${c.counts}_keep after insert or delete or update of account_id, ${c.by} on ${c.table} for each row execute function ${c.counts}_keep()`);
  }
  out.push(`create function order_first_seen_keep() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into order_first_seen_counts (account_id, day, n) values (new.account_id, new.first_seen_at / 86400000, 1)
      on conflict (account_id, day) do update set n = order_first_seen_counts.n + 1;
  else
    update order_first_seen_counts set n = n - 1 where account_id = old.account_id and day = old.first_seen_at / 86400000;
  end if;
  return null;
end $$`);
  out.push(`create trigger order_first_seen_keep after insert or delete on orders for each row execute function order_first_seen_keep()`);
  return out;
}

/**
 * Returns, their refunds and the adjustment feeds that carry them (src/store/returns.ts). A
 * return is keyed as Amazon's report keys it; a refund per (RMA, order item) is the claim that
 * keeps one adjustment from being sent twice; a feed's document is written before it is sent.
 */
function returnsTables(): Migration {
  return {
    async up(db: AnyDb) {
      const big = 'bigint' as const;
      await db.schema
        .createTable('returns')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('amazon_order_id', 'text', (c) => c.notNull())
        .addColumn('rma', 'text', (c) => c.notNull())
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('delivered_at', big)
        .addColumn('received_at', big)
        // Aging escalations already raised ('receive', 'approve'), so each is raised once.
        .addColumn('escalated', 'text')
        .addColumn('updated_at', big, (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('returns_pk', ['account_id', 'amazon_order_id', 'rma', 'sku'])
        .execute();
      await db.schema.createIndex('returns_by_rma').on('returns').columns(['account_id', 'rma']).execute();
      await db.schema.createIndex('returns_by_status').on('returns').columns(['status', 'updated_at']).execute();
      // Aging: delivered and not received, received and not decided.
      await db.schema.createIndex('returns_expected_by_delivery').on('returns').columns(['delivered_at']).where(sql.ref('status'), '=', 'expected').execute();
      await db.schema.createIndex('returns_received_by_receipt').on('returns').columns(['received_at']).where(sql.ref('status'), '=', 'received').execute();

      await db.schema
        .createTable('refunds')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('rma', 'text', (c) => c.notNull())
        .addColumn('order_item_id', 'text', (c) => c.notNull())
        .addColumn('amazon_order_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('batch_id', 'text')
        .addColumn('approved_at', big, (c) => c.notNull())
        .addColumn('accepted_at', big)
        .addColumn('updated_at', big, (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('refunds_pk', ['account_id', 'rma', 'order_item_id'])
        .execute();
      await db.schema.createIndex('refunds_to_batch').on('refunds').columns(['account_id', 'approved_at']).where(sql.ref('state'), '=', 'approved').execute();
      await db.schema.createIndex('refunds_by_batch').on('refunds').columns(['batch_id']).where(sql.ref('batch_id'), 'is not', null).execute();
      await db.schema.createIndex('refunds_by_order').on('refunds').columns(['account_id', 'amazon_order_id']).execute();
      await db.schema.createIndex('refunds_by_state_accepted').on('refunds').columns(['state', 'accepted_at']).execute();

      await db.schema
        .createTable('refund_feeds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('feed_id', 'text')
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('submitting_at', big)
        .addColumn('submitted_at', big)
        .addColumn('updated_at', big, (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('refund_feeds_by_account_state').on('refund_feeds').columns(['account_id', 'state', 'created_at']).execute();
      await db.schema.createIndex('refund_feeds_by_feed_id').on('refund_feeds').columns(['account_id', 'feed_id']).execute();
    },
  };
}

/** The product table, rule match counts per day and rate-shopping choices (src/store/rule-tables.ts). */
function ruleTables(): Migration {
  return {
    async up(db: AnyDb) {
      const num = 'double precision' as const;
      await db.schema
        .createTable('products')
        .addColumn('sku', 'text', (c) => c.primaryKey())
        .addColumn('weight_oz', num)
        .addColumn('length_in', num)
        .addColumn('width_in', num)
        .addColumn('height_in', num)
        .addColumn('category', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('rule_matches')
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('rule_name', 'text', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('rule_matches_pk', ['day', 'rule_name'])
        .execute();
      await db.schema
        .createTable('rate_choices')
        .addColumn('order_key', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'bigint', (c) => c.notNull())
        .addColumn('saving', num)
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      // The rate shopper's queue and the reports' savings by period.
      await db.schema.createIndex('rate_choices_by_state_requested').on('rate_choices').columns(['state', 'requested_at']).execute();
      // The escalation watch's question: the open escalations (to edit them at label and confirmation).
      await db.schema.createIndex('alert_messages_by_kind_state').on('alert_messages').columns(['kind', 'state']).execute();
    },
  };
}

function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_tables': tables(dialect),
    '0002_counts': counts(dialect),
    // A data dir from the keyv release: its records move into the tables above, once.
    '0003_from_keyv': { up: async (db: AnyDb) => void (await moveKeyvRecords(db as Kysely<Database>, dialect)) },
    '0004_rules': ruleTables(),
    '0005_reports': reportTables(dialect),
    '0006_inventory': inventoryMigration(dialect),
    '0007_returns': returnsTables(),
    '0009_report_rollups': reportRollups(dialect),
    '0010_inventory_rollups': inventoryRollupsMigration(dialect),
  };
}

/** Brings the database to the newest schema (or to migration `to`: tests of upgrades); a database already there is left as it is. */
export async function migrate(db: Db, to?: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(db.dialect) };
  const migrator = new Migrator({ db: db.kysely, provider });
  // Kysely takes no lock on SQLite (it has one connection), but two processes may open one data
  // dir at once (`start` and `dockhand status`): one immediate transaction around the whole run
  // makes the second wait and then find the migrations done. It also makes each run all or nothing.
  const lockSqlite = db.dialect === 'sqlite';
  if (lockSqlite) await sql`begin immediate`.execute(db.kysely);
  let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>;
  try {
    outcome = to ? await migrator.migrateTo(to) : await migrator.migrateToLatest();
  } catch (e) {
    outcome = { error: e };
  }
  if (lockSqlite) await sql.raw(outcome.error ? 'rollback' : 'commit').execute(db.kysely);
  const { error, results } = outcome;
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new DockhandError('store.migration_failed', `the store's migration${failed ? ` ${failed}` : 's'} failed: ${(error as Error).message ?? String(error)}`, {
      cause: error,
      hint: 'Nothing was changed by the failed step (each migration runs in one transaction). Fix the cause and start again.',
    });
  }
}
