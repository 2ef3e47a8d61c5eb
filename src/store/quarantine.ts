import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database } from './db';
import { DocTable, ms, type DocShape } from './doc-table';
import { FindingKeys, QuarantineEntry, UnmappedSku } from './records';

/** What could not be processed and waits for a person: quarantined orders, unmapped SKUs, open findings. */

export const QUARANTINE_SHAPE: DocShape<typeof QuarantineEntry> = {
  table: 'quarantine',
  keyColumn: 'key',
  schema: QuarantineEntry,
  name: 'quarantine',
  columns: (_key, q) => ({ account_id: q.accountId, at: ms(q.at) ?? 0 }),
};

export class Quarantine extends DocTable<typeof QuarantineEntry> {
  constructor(db: Kysely<Database>) {
    super(db, QUARANTINE_SHAPE);
  }

  /** The entries, oldest first; of one account when `accountId` is given. */
  async list(accountId?: string, limit = 10_000): Promise<QuarantineEntry[]> {
    let q = this.db.selectFrom('quarantine').select(['key', 'doc']).orderBy('at').limit(limit);
    if (accountId) q = q.where('account_id', '=', accountId);
    return this.parseRows(await q.execute());
  }

  async countByAccount(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('quarantine').select(['account_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('account_id').execute();
    return new Map(rows.map((r) => [r.account_id, Number(r.n)]));
  }
}

export const UNMAPPED_SHAPE: DocShape<typeof UnmappedSku> = {
  table: 'unmapped_skus',
  keyColumn: 'key',
  schema: UnmappedSku,
  name: 'unmapped SKU',
  columns: (_key, u) => ({ last_seen_at: ms(u.lastSeenAt) ?? 0 }),
};

export class UnmappedSkus extends DocTable<typeof UnmappedSku> {
  constructor(db: Kysely<Database>) {
    super(db, UNMAPPED_SHAPE);
  }

  /** The SKUs waiting for a mapping, most recently seen first. */
  async list(limit = 10_000): Promise<UnmappedSku[]> {
    return this.parseRows(await this.db.selectFrom('unmapped_skus').select(['key', 'doc']).orderBy('last_seen_at', 'desc').limit(limit).execute());
  }
}

export const FINDINGS_SHAPE: DocShape<typeof FindingKeys> = {
  table: 'open_findings',
  keyColumn: 'key',
  schema: FindingKeys,
  name: 'open findings',
  columns: () => ({}),
};

export type OpenFindings = z.infer<typeof FindingKeys>;
