import type { Kysely } from 'kysely';
import type { Database } from './db';
import { DocTable, type DocShape } from './doc-table';
import { AlertRecord } from './records';

/**
 * Slack alerts as data. The outbox holds every alert change not yet sent to Slack, written when
 * the problem is recorded and deleted once sent; the messages table holds each problem's alert
 * as last posted (with the message's channel and ts). Both are found by problem key and by the
 * order they are about.
 */

/** The order an alert is about: its `amazonOrderId` fact, or its key's last part (`quarantine:default:111-…`). */
export function alertSubject(a: AlertRecord): string | null {
  return a.facts.amazonOrderId ?? a.key.split(':').at(-1) ?? null;
}

export const OUTBOX_SHAPE: DocShape<typeof AlertRecord> = {
  table: 'alert_outbox',
  keyColumn: 'key',
  schema: AlertRecord,
  name: 'pending alert',
  columns: (_key, a) => ({ rev: a.rev ?? 0, subject: alertSubject(a) }),
};

export const MESSAGE_SHAPE: DocShape<typeof AlertRecord> = {
  table: 'alert_messages',
  keyColumn: 'key',
  schema: AlertRecord,
  name: 'alert',
  columns: (_key, a) => ({ kind: a.kind, state: a.state, subject: alertSubject(a), posted: a.ts ? 1 : 0 }),
};

export class AlertOutbox extends DocTable<typeof AlertRecord> {
  constructor(db: Kysely<Database>) {
    super(db, OUTBOX_SHAPE);
  }

  /** The keys of every alert waiting to be sent, oldest change first. */
  async pendingKeys(limit = 10_000): Promise<string[]> {
    return (await this.db.selectFrom('alert_outbox').select('key').orderBy('rev').limit(limit).execute()).map((r) => r.key);
  }

  /** Deletes the entry only if it is still at `rev`: a newer change recorded meanwhile stays to be sent. */
  async deleteIfRev(key: string, rev: number): Promise<boolean> {
    const result = await this.db.deleteFrom('alert_outbox').where('key', '=', key).where('rev', '=', rev).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async about(amazonOrderId: string): Promise<AlertRecord[]> {
    return this.parseRows(await this.db.selectFrom('alert_outbox').select(['key', 'doc']).where('subject', '=', amazonOrderId).execute());
  }
}

export class AlertMessages extends DocTable<typeof AlertRecord> {
  constructor(db: Kysely<Database>) {
    super(db, MESSAGE_SHAPE);
  }

  async about(amazonOrderId: string): Promise<AlertRecord[]> {
    return this.parseRows(await this.db.selectFrom('alert_messages').select(['key', 'doc']).where('subject', '=', amazonOrderId).execute());
  }

  /** Open problems whose message was never posted (recorded by a release without the outbox). */
  async openUnposted(): Promise<AlertRecord[]> {
    return this.parseRows(await this.db.selectFrom('alert_messages').select(['key', 'doc']).where('state', '=', 'open').where('posted', '=', 0).execute());
  }
}
