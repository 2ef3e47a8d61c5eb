import { EventEmitter } from 'node:events';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { DockhandError } from '../domain/errors';
import type { Database, Dialect } from './db';

/**
 * The truly key-value part of the store (cursors, pauses, health, the SKU map) on keyv, in the
 * same database as the tables: keyv's `keyv` table, as @keyv/sqlite made it, so a data dir from
 * the keyv release keeps these records where they are.
 *
 * The adapter is ours, over the store's own connection, rather than @keyv/sqlite: that package
 * links a second copy of SQLite (node-sqlite3) into the process, and two copies of SQLite on one
 * file in one process do not see each other's POSIX locks, which can corrupt the database
 * (https://sqlite.org/howtocorrupt.html, 2.2.1). One adapter also serves Postgres with the same
 * queries and the same pool.
 */
class KyselyKeyvAdapter extends EventEmitter implements KeyvStoreAdapter {
  ttlSupport = false;
  namespace?: string;
  // keyv lists (iterates) adapters whose dialect it knows.
  opts: { dialect: Dialect; url: string };

  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
  ) {
    super();
    this.opts = { dialect, url: dialect };
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    const row = await this.db.selectFrom('keyv').select('value').where('key', '=', key).executeTakeFirst();
    return (row?.value ?? undefined) as Value | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<Value | undefined>> {
    if (keys.length === 0) return [];
    const rows = await this.db.selectFrom('keyv').select(['key', 'value']).where('key', 'in', keys).execute();
    const byKey = new Map(rows.map((r) => [r.key, r.value]));
    return keys.map((k) => (byKey.get(k) ?? undefined) as Value | undefined);
  }

  async set(key: string, value: unknown): Promise<void> {
    const v = String(value);
    await this.db.insertInto('keyv').values({ key, value: v }).onConflict((oc) => oc.column('key').doUpdateSet({ value: v })).execute();
  }

  async delete(key: string): Promise<boolean> {
    const result = await this.db.deleteFrom('keyv').where('key', '=', key).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async clear(): Promise<void> {
    if (!this.namespace) throw new DockhandError('store.unavailable', 'refusing to clear the whole key-value table');
    await this.db.deleteFrom('keyv').where('key', 'like', `${this.namespace}:%`).execute();
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /** Every entry of a namespace, in key order, a page at a time by key (never OFFSET). */
  async *iterator(namespace?: string): AsyncGenerator<[string, string]> {
    const prefix = namespace ? `${namespace}:` : '';
    let after = '';
    for (;;) {
      const rows = await this.db
        .selectFrom('keyv')
        .select(['key', 'value'])
        .where('key', '>', after)
        .where('key', 'like', `${prefix}%`)
        .orderBy('key')
        .limit(500)
        .execute();
      for (const r of rows) if (r.value !== null) yield [r.key, r.value];
      if (rows.length < 500) return;
      after = rows.at(-1)!.key;
    }
  }

  async disconnect(): Promise<void> {}
}

/** One namespace of keyv records of one kind, parsed with its schema on the way out. */
export class KvTable<S extends z.ZodTypeAny> {
  private readonly kv: Keyv;

  constructor(
    db: Kysely<Database>,
    dialect: Dialect,
    namespace: string,
    private readonly schema: S,
    private readonly name: string,
  ) {
    this.kv = new Keyv({ store: new KyselyKeyvAdapter(db, dialect), namespace, throwOnErrors: true });
    this.kv.on('error', () => undefined);
  }

  async get(key: string): Promise<z.infer<S> | undefined> {
    const raw = await this.kv.get(key);
    return raw === undefined ? undefined : this.parse(key, raw);
  }

  async getMany(keys: string[]): Promise<Array<z.infer<S> | undefined>> {
    if (keys.length === 0) return [];
    const raws = (await this.kv.getMany(keys)) as unknown[];
    return raws.map((raw, i) => (raw === undefined || raw === null ? undefined : this.parse(keys[i]!, raw)));
  }

  /** Keeps `value`; with `ttlMs` keyv forgets it after that long. */
  async set(key: string, value: z.infer<S>, ttlMs?: number): Promise<void> {
    await this.kv.set(key, this.schema.parse(value), ttlMs);
  }

  async delete(key: string): Promise<boolean> {
    return this.kv.delete(key);
  }

  /** Every record of the namespace (the SKU map's export), in key order. */
  async *entries(): AsyncGenerator<[string, z.infer<S>]> {
    for await (const [key, raw] of this.kv.iterator!(undefined)) yield [String(key), this.parse(String(key), raw)];
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
