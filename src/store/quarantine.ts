import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database } from './db';
import { DocTable, ms, putDoc, readDoc, type DocShape } from './doc-table';
import { FindingKeys, QuarantineEntry, UnmappedSku } from './records';
import { recordReportEvent } from './report-facts';

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

  /** Writes the entry; its first write counts as a quarantine and each further attempt as a retry (the reports' counts). */
  override async set(key: string, entry: QuarantineEntry): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('quarantine').select('doc').where('key', '=', key).executeTakeFirst();
      const attempts = before ? readDoc(QUARANTINE_SHAPE, key, before.doc).attempts : undefined;
      await putDoc(trx, QUARANTINE_SHAPE, key, entry);
      const at = ms(entry.at) ?? Date.now();
      if (attempts === undefined) await recordReportEvent(trx, entry.accountId, 'quarantined', at);
      else if ((entry.attempts ?? 1) > attempts) await recordReportEvent(trx, entry.accountId, 'retried', at);
    });
  }

  /** Removes the entry: it went through on a later attempt, which counts as a retry. */
  override async delete(key: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const gone = await trx.deleteFrom('quarantine').where('key', '=', key).returning(['account_id']).executeTakeFirst();
      if (gone) await recordReportEvent(trx, gone.account_id, 'retried', Date.now());
      return gone !== undefined;
    });
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
