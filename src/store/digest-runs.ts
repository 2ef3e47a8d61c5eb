import type { Kysely } from 'kysely';
import type { Database } from './db';

/**
 * The daily digests posted: one row per day, so a restart or a second replica never posts a day
 * twice; and the last account-health report read from Amazon (once a day, whichever replica).
 */
export interface DigestRun {
  day: string;
  postedAt: string;
  channel?: string;
  ts?: string;
}

export class DigestRuns {
  constructor(private readonly db: Kysely<Database>) {}

  async get(day: string): Promise<DigestRun | undefined> {
    const r = await this.db.selectFrom('digest_runs').selectAll().where('day', '=', day).executeTakeFirst();
    return r ? { day: r.day, postedAt: new Date(Number(r.posted_at)).toISOString(), ...(r.channel ? { channel: r.channel } : {}), ...(r.ts ? { ts: r.ts } : {}) } : undefined;
  }

  /** Records the day's digest as posted (the first record stays). */
  async record(run: DigestRun): Promise<void> {
    await this.db
      .insertInto('digest_runs')
      .values({ day: run.day, posted_at: Date.parse(run.postedAt), channel: run.channel ?? null, ts: run.ts ?? null })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
  }

  /** The latest day a digest was posted for. */
  async last(): Promise<DigestRun | undefined> {
    const r = await this.db.selectFrom('digest_runs').select('day').orderBy('day', 'desc').limit(1).executeTakeFirst();
    return r ? this.get(r.day) : undefined;
  }

  /** The last account-health report kept under `key`, with when it was read. */
  async lastHealthReport(key: string): Promise<{ at: number; doc: string } | undefined> {
    const r = await this.db.selectFrom('account_health').select(['fetched_at', 'doc']).where('key', '=', key).executeTakeFirst();
    return r ? { at: Number(r.fetched_at), doc: r.doc } : undefined;
  }

  async saveHealthReport(key: string, at: number, doc: string): Promise<void> {
    await this.db
      .insertInto('account_health')
      .values({ key, fetched_at: at, doc })
      .onConflict((oc) => oc.column('key').doUpdateSet({ fetched_at: at, doc }))
      .execute();
  }
}
