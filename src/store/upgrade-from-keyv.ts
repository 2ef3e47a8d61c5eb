import { defaultDeserialize } from '@keyv/serialize';
import { sql, type Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database, Dialect } from './db';
import { OUTBOX_SHAPE, MESSAGE_SHAPE } from './alert-tables';
import { putDoc, readDoc, type DocShape, type Exec } from './doc-table';
import { addOrderLabels, PENDING_SHAPE, writeLabel } from './labels';
import { BUYER_DATA_SHAPE, writeOrder } from './orders';
import { FINDINGS_SHAPE, QUARANTINE_SHAPE, UNMAPPED_SHAPE } from './quarantine';
import { AuditEntry, ConfirmationRecord, OrderLabels, OrderRecord } from './records';

/**
 * Upgrade in place from the keyv release, where every record was a JSON value in keyv's one
 * `keyv` table (`<namespace>:<key>`) and the alert outbox had a keyv table of its own. Records
 * move into their tables, a page at a time by key, and leave the keyv table; what is truly
 * key-value (skus, asins, cursors, runs, health, shipnotify, pauses, wbcursors) stays there.
 * Derived lists (the audit indexes) and leases are dropped: rows and the leases table replace
 * them. A record that no longer parses stays in the keyv table, untouched, and is counted.
 *
 * Runs once, as migration 0002, inside the migration's transaction: a crash midway leaves the
 * keyv data as it was, and the next start does it again.
 */

const PAGE = 1_000;
/** A once-mark of the keyv release lived forever; as a claim it lives this long from its time. */
const CLAIM_TTL_MS = 30 * 86_400_000;

interface Moved {
  moved: number;
  unreadable: number;
}

async function* keyvRecords(db: Exec, table: 'keyv' | 'dockhand_outbox', namespace: string): AsyncGenerator<{ key: string; storedKey: string; value: unknown }> {
  const loose = db as unknown as Kysely<Record<string, { key: string; value: string | null }>>;
  let after = `${namespace}:`;
  for (;;) {
    const rows = await loose
      .selectFrom(table)
      .select(['key', 'value'])
      .where('key', '>', after)
      .where('key', 'like', `${namespace}:%`)
      .orderBy('key')
      .limit(PAGE)
      .execute();
    for (const r of rows) {
      let value: unknown;
      try {
        const data = defaultDeserialize<{ value?: unknown; expires?: number | null }>(r.value ?? 'null');
        if (typeof data?.expires === 'number' && data.expires < Date.now()) continue;
        value = data?.value;
      } catch {
        value = undefined;
      }
      yield { key: r.key.slice(namespace.length + 1), storedKey: r.key, value };
    }
    if (rows.length < PAGE) return;
    after = rows.at(-1)!.key;
  }
}

/** Moves one namespace with `write`; each record that parses is deleted from the keyv table. */
async function moveNamespace<S extends z.ZodTypeAny>(
  db: Exec,
  namespace: string,
  schema: S | undefined,
  write: (key: string, value: z.infer<S>) => Promise<void>,
  table: 'keyv' | 'dockhand_outbox' = 'keyv',
): Promise<Moved> {
  const out: Moved = { moved: 0, unreadable: 0 };
  const done: string[] = [];
  const flush = async () => {
    if (done.length === 0) return;
    await (db as unknown as Kysely<Record<string, { key: string }>>).deleteFrom(table).where('key', 'in', done.splice(0)).execute();
  };
  for await (const r of keyvRecords(db, table, namespace)) {
    const parsed = schema ? schema.safeParse(r.value) : { success: true as const, data: r.value };
    if (!parsed.success) {
      out.unreadable++;
      continue;
    }
    await write(r.key, parsed.data as z.infer<S>);
    done.push(r.storedKey);
    out.moved++;
    if (done.length >= PAGE) await flush();
  }
  await flush();
  return out;
}

const doc =
  <S extends z.ZodTypeAny>(db: Exec, shape: DocShape<S>) =>
  (key: string, value: z.infer<S>) =>
    putDoc(db, shape, key, value);

async function tableExists(db: Exec, dialect: Dialect, name: string): Promise<boolean> {
  if (dialect === 'sqlite') {
    const r = await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${name}`.execute(db);
    return Number(r.rows[0]?.n ?? 0) > 0;
  }
  const r = await sql<{ t: string | null }>`select to_regclass(${name})::text as t`.execute(db);
  return r.rows[0]?.t !== null && r.rows[0]?.t !== undefined;
}

export async function moveKeyvRecords(db: Kysely<Database>, dialect: Dialect): Promise<Record<string, Moved>> {
  const now = Date.now();
  const report: Record<string, Moved> = {};
  // Orders before labels, so each label's facts find their order's.
  report.orders = await moveNamespace(db, 'orders', OrderRecord, (key, r) => writeOrder(db, key, r, now));
  report.buyerdata = await moveNamespace(db, 'buyerdata', BUYER_DATA_SHAPE.schema, doc(db, BUYER_DATA_SHAPE));
  report.confirmations = await moveNamespace(db, 'confirmations', ConfirmationRecord, (key, c) => writeLabel(db, key, c, now));
  report.orderlabels = await moveNamespace(db, 'orderlabels', OrderLabels, (key, l) => addOrderLabels(db, key, l.labelIds));
  report.wbpending = await moveNamespace(db, 'wbpending', PENDING_SHAPE.schema, doc(db, PENDING_SHAPE));
  report.quarantine = await moveNamespace(db, 'quarantine', QUARANTINE_SHAPE.schema, doc(db, QUARANTINE_SHAPE));
  report.unmapped = await moveNamespace(db, 'unmapped', UNMAPPED_SHAPE.schema, doc(db, UNMAPPED_SHAPE));
  report.findings = await moveNamespace(db, 'findings', FINDINGS_SHAPE.schema, doc(db, FINDINGS_SHAPE));
  report.alerts = await moveNamespace(db, 'alerts', MESSAGE_SHAPE.schema, doc(db, MESSAGE_SHAPE));
  if (await tableExists(db, dialect, 'dockhand_outbox')) {
    report.outbox = await moveNamespace(db, 'outbox', OUTBOX_SHAPE.schema, doc(db, OUTBOX_SHAPE), 'dockhand_outbox');
    await db.schema.dropTable('dockhand_outbox').ifExists().execute();
  }
  // Alerts recorded before the outbox existed and never posted are sent now, as the last
  // release would have on its first start.
  const unposted = await db.selectFrom('alert_messages').select(['key', 'doc']).where('state', '=', 'open').where('posted', '=', 0).execute();
  for (const a of unposted) {
    const pending = await db.selectFrom('alert_outbox').select('key').where('key', '=', a.key).executeTakeFirst();
    if (!pending) await putDoc(db, OUTBOX_SHAPE, a.key, readDoc(MESSAGE_SHAPE, a.key, a.doc));
  }

  // Audit entries were keyed `<at>:<random>`: key order is the order they were written in.
  report.audit = await moveNamespace(db, 'audit', AuditEntry, async (_key, e) => {
    await db.insertInto('audit_log').values({ at: Date.parse(e.at) || 0, target: e.target ?? null, doc: JSON.stringify(e) }).execute();
  });
  report.once = await moveNamespace(db, 'once', undefined, async (key, mark) => {
    const at = Date.parse((mark as { at?: string } | undefined)?.at ?? '') || now;
    await db.insertInto('claims').values({ key, at, expires_at: Math.max(at, now) + CLAIM_TTL_MS }).onConflict((oc) => oc.column('key').doNothing()).execute();
  });
  for (const derived of ['auditindex', 'audittarget', 'leases']) {
    report[derived] = await moveNamespace(db, derived, undefined, async () => undefined);
  }
  return report;
}
