import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import { DockhandError } from '../domain/errors';
import type { Database } from './db';

/** A query runner: the database, or a transaction inside it. */
export type Exec = Kysely<Database> | Transaction<Database>;

// The generic table below names its table at run time; Kysely's types know tables statically.
type Loose = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** How one record kind sits in its table: its key column and the columns queries use. */
export interface DocShape<S extends z.ZodTypeAny> {
  table: keyof Database;
  keyColumn: string;
  schema: S;
  /** What the record is called in errors. */
  name: string;
  /** The columns queries filter and sort on, taken from the record. */
  columns(key: string, value: z.infer<S>): Record<string, unknown>;
}

/** Parses a stored JSON document with its schema; a record that does not fit names itself. */
export function readDoc<S extends z.ZodTypeAny>(shape: Pick<DocShape<S>, 'schema' | 'name'>, key: string, doc: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(doc);
  } catch {
    raw = undefined;
  }
  const parsed = shape.schema.safeParse(raw);
  if (!parsed.success) {
    throw new DockhandError('store.corrupt', `stored ${shape.name} record "${key}" is not readable: ${parsed.error?.issues[0]?.message ?? 'not JSON'}`, {
      hint: 'The data dir may come from another Dockhand version.',
    });
  }
  return parsed.data;
}

/** Writes one record (insert or replace) with its query columns, through `exec`. */
export async function putDoc<S extends z.ZodTypeAny>(exec: Exec, shape: DocShape<S>, key: string, value: z.infer<S>): Promise<void> {
  const checked = shape.schema.parse(value);
  const row = { ...shape.columns(key, checked), doc: JSON.stringify(checked) };
  await (exec as unknown as Loose)
    .insertInto(shape.table)
    .values({ [shape.keyColumn]: key, ...row })
    .onConflict((oc) => oc.column(shape.keyColumn).doUpdateSet(row))
    .execute();
}

const CHUNK = 500;

/**
 * A table of one record kind by key: get, set, delete. Listing and searching are not here;
 * each repository asks its own questions, by index.
 */
export class DocTable<S extends z.ZodTypeAny> {
  constructor(
    protected readonly db: Kysely<Database>,
    readonly shape: DocShape<S>,
  ) {}

  protected get loose(): Loose {
    return this.db as unknown as Loose;
  }

  async get(key: string): Promise<z.infer<S> | undefined> {
    const row = await this.loose.selectFrom(this.shape.table).select('doc').where(this.shape.keyColumn, '=', key).executeTakeFirst();
    return row ? readDoc(this.shape, key, row.doc as string) : undefined;
  }

  async getMany(keys: string[]): Promise<Array<z.infer<S> | undefined>> {
    const found = new Map<string, z.infer<S>>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const part = keys.slice(i, i + CHUNK);
      const rows = await this.loose.selectFrom(this.shape.table).select([`${this.shape.keyColumn} as key`, 'doc']).where(this.shape.keyColumn, 'in', part).execute();
      for (const r of rows) found.set(r.key as string, readDoc(this.shape, r.key as string, r.doc as string));
    }
    return keys.map((k) => found.get(k));
  }

  async set(key: string, value: z.infer<S>): Promise<void> {
    await putDoc(this.db, this.shape, key, value);
  }

  async delete(key: string): Promise<boolean> {
    const result = await this.loose.deleteFrom(this.shape.table).where(this.shape.keyColumn, '=', key).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Rows of this table picked by a repository's query, parsed. */
  protected parseRows(rows: Array<{ key: string; doc: string }>): Array<z.infer<S>> {
    return rows.map((r) => readDoc(this.shape, r.key, r.doc));
  }
}

/** Epoch milliseconds of an ISO instant, or null. */
export function ms(iso: string | undefined | null): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}
