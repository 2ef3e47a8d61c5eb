import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './db';
import type { Exec } from './doc-table';

/**
 * Units shipped per SKU and UTC day, rolled up from `order_lines` (migration 0010): velocity for
 * every SKU reads a few rows per SKU here instead of every shipped line. It is kept in the
 * transaction that writes the lines it sums, so it never disagrees with them: a write of an
 * order's lines (an order, a label, a void, a purge) goes through `keepShippedRollup`, an insert
 * of new lines through `addToShippedRollup` with the lines it inserted.
 */

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface InventoryRollupTables {
  /** `day`: days since the epoch, UTC (floor of shipped_at ÷ 86,400,000). */
  shipped_units_by_day: { sku: string; day: number; units: number };
}

const DAY_MS = 86_400_000;
/** Keys per statement: well under SQLite's and Postgres's parameter limits. */
const BATCH = 500;

export function inventoryRollupsMigration(dialect: Dialect): Migration {
  return {
    async up(db: AnyDb) {
      // Clustered by SKU then day on SQLite (without rowid): one SKU's days sit together, and the
      // table is its own covering index.
      let table = db.schema
        .createTable('shipped_units_by_day')
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('units', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('shipped_units_by_day_pk', ['sku', 'day']);
      if (dialect === 'sqlite') table = table.modifyEnd(sql`without rowid`);
      await table.execute();
      // Shipped before this release: summed once from the lines (an integer day on both: SQLite's
      // division of a REAL is not).
      const day = dialect === 'sqlite' ? sql`cast(shipped_at / ${sql.lit(DAY_MS)} as integer)` : sql`shipped_at / ${sql.lit(DAY_MS)}`;
      await sql`
        insert into shipped_units_by_day (sku, day, units)
        select sku, ${day}, sum(quantity) from order_lines
        where shipped_at is not null and sku is not null
        group by sku, ${day}`.execute(db);
      // The part of a day at each window's edge is read from the lines by ship time; the SKU-first
      // index the rollup replaces goes (one SKU's lines still have `order_lines_by_sku_shipped`).
      await db.schema.dropIndex('order_lines_velocity').ifExists().execute();
      await db.schema
        .createIndex('order_lines_by_ship_time')
        .on('order_lines')
        .columns(['shipped_at', 'sku', 'quantity'])
        .where(sql.ref('shipped_at'), 'is not', null)
        .execute();
      // Committed units read the unshipped lines of open orders: with the ship time in the index
      // (null in every entry) SQLite reads them from the index alone, as it does not on the
      // partial index's condition only.
      await db.schema.dropIndex('order_lines_unshipped_by_order').execute();
      await db.schema
        .createIndex('order_lines_unshipped_by_order')
        .on('order_lines')
        .columns(['order_key', 'sku', 'quantity', 'shipped_at'])
        .where(sql.ref('shipped_at'), 'is', null)
        .execute();
    },
  };
}

/** A line as the rollup counts it; lines not shipped or without a SKU count for nothing. */
export interface ShippedLineRow {
  sku: string | null;
  shipped_at: number | string | null;
  quantity: number | string;
}

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** Units per `sku \0 day` of the lines given. */
function sumByDay(lines: readonly ShippedLineRow[], into = new Map<string, number>()): Map<string, number> {
  for (const l of lines) {
    if (l.sku === null || l.shipped_at === null) continue;
    const key = `${l.sku}\u0000${dayOf(Number(l.shipped_at))}`;
    into.set(key, (into.get(key) ?? 0) + Number(l.quantity));
  }
  return into;
}

async function shippedByDayOf(exec: Exec, orderKeys: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < orderKeys.length; i += BATCH) {
    const rows = await exec
      .selectFrom('order_lines')
      .select(['sku', 'shipped_at', 'quantity'])
      .where('order_key', 'in', orderKeys.slice(i, i + BATCH))
      .where('shipped_at', 'is not', null)
      .execute();
    sumByDay(rows, out);
  }
  return out;
}

/**
 * Runs `write`, which changes the lines of `orderKeys` (ship times, quantities, SKUs, deletes),
 * and moves the rollup by the difference between those orders' shipped units before and after.
 * `exec` must be the transaction `write` runs in.
 */
export async function keepShippedRollup<T>(exec: Exec, orderKeys: readonly string[], write: () => Promise<T>): Promise<T> {
  // Two replicas writing one order at once would each count the other's change in their "after":
  // on Postgres, writers of an order wait for each other (in key order, so never in a circle).
  // SQLite has one writer; a writer whose read is stale fails its transaction instead.
  if (exec.getExecutor().adapter instanceof PostgresAdapter && orderKeys.length > 0) {
    await sql`select pg_advisory_xact_lock(hashtext(k)) from unnest(${[...orderKeys].sort()}::text[]) as k`.execute(exec);
  }
  const before = await shippedByDayOf(exec, orderKeys);
  const result = await write();
  const after = await shippedByDayOf(exec, orderKeys);
  const delta = new Map(after);
  for (const [key, units] of before) delta.set(key, (delta.get(key) ?? 0) - units);
  await applyDelta(exec, delta);
  return result;
}

/** Adds lines just inserted (an insert's `returning`) to the rollup. */
export async function addToShippedRollup(exec: Exec, inserted: readonly ShippedLineRow[]): Promise<void> {
  await applyDelta(exec, sumByDay(inserted));
}

async function applyDelta(exec: Exec, delta: Map<string, number>): Promise<void> {
  const moved = [...delta].filter(([, units]) => units !== 0).map(([key, units]) => {
    const [sku, day] = key.split('\u0000') as [string, string];
    return { sku, day: Number(day), units };
  });
  for (let i = 0; i < moved.length; i += BATCH) {
    await exec
      .insertInto('shipped_units_by_day')
      .values(moved.slice(i, i + BATCH))
      .onConflict((oc) => oc.columns(['sku', 'day']).doUpdateSet({ units: sql`shipped_units_by_day.units + excluded.units` }))
      .execute();
  }
  // A day whose lines all moved away (a void, a purge) leaves no row behind.
  const emptied = moved.filter((m) => m.units < 0);
  for (let i = 0; i < emptied.length; i += BATCH) {
    const part = emptied.slice(i, i + BATCH);
    await exec
      .deleteFrom('shipped_units_by_day')
      .where('units', '=', 0)
      .where((eb) => eb.or(part.map((m) => eb.and([eb('sku', '=', m.sku), eb('day', '=', m.day)]))))
      .execute();
  }
}
