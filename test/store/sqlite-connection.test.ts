import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, reusingStatements, type Db } from '../../src/store/db';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.kysely.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'dockhand-sqlite-'));
  dirs.push(d);
  return d;
}

describe('reusingStatements', () => {
  it('prepares each SQL text once and keeps it until it is the least recently used past the bound', () => {
    const raw = new BetterSqlite3(':memory:');
    let prepared = 0;
    const counting = { prepare: (s: string) => (prepared++, raw.prepare(s)), close: () => raw.close() };
    const db = reusingStatements(counting, 2);
    for (let i = 0; i < 5; i++) expect(db.prepare('select 1 as one').all([])).toEqual([{ one: 1 }]);
    expect(prepared).toBe(1);
    db.prepare('select 2 as two');
    db.prepare('select 1 as one'); // touched: now the most recent
    db.prepare('select 3 as three'); // evicts "select 2"
    expect(prepared).toBe(3);
    db.prepare('select 1 as one');
    expect(prepared).toBe(3);
    db.prepare('select 2 as two');
    expect(prepared).toBe(4);
    db.close();
    expect(raw.open).toBe(false);
  });

  it('answers a reused statement with the rows of its new parameters, writes included', async () => {
    const dir = tempDir();
    const db = await openDb({ dataDir: dir });
    dbs.push(db);
    await sql`create table t (k text primary key, v integer)`.execute(db.kysely);
    for (let i = 0; i < 50; i++) await sql`insert into t (k, v) values (${`k${i}`}, ${i})`.execute(db.kysely);
    const rows = await sql<{ v: number }>`select v from t where k = ${'k42'}`.execute(db.kysely);
    expect(rows.rows).toEqual([{ v: 42 }]);
    const all = await sql<{ n: number }>`select count(*) as n from t`.execute(db.kysely);
    expect(all.rows[0]!.n).toBe(50);
  });
});

describe('background checkpoints', () => {
  async function writeRows(db: Db, n: number): Promise<void> {
    await sql`create table t (k integer primary key, doc text)`.execute(db.kysely);
    await db.kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < n; i++) await sql`insert into t (k, doc) values (${i}, ${'x'.repeat(500)})`.execute(trx);
    });
  }

  it('copies the WAL into the database file from its own thread, without the writer checkpointing', async () => {
    const dir = tempDir();
    const db = await openDb({ dataDir: dir, checkpointInBackground: true });
    dbs.push(db);
    const file = path.join(dir, 'dockhand.sqlite');
    // ~2,000 pages: past SQLite's default 1,000-page checkpoint, under the writer's own 10,000.
    await writeRows(db, 15_000);
    const before = statSync(file).size;
    let after = before;
    for (let i = 0; i < 60 && after < 4_000_000; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = statSync(file).size;
    }
    expect(before).toBeLessThan(1_000_000);
    expect(after).toBeGreaterThan(4_000_000);
  });

  it('leaves checkpoints to the writer when not asked (one-shot commands)', async () => {
    const dir = tempDir();
    const db = await openDb({ dataDir: dir });
    dbs.push(db);
    const file = path.join(dir, 'dockhand.sqlite');
    await writeRows(db, 15_000);
    // The commit went past 1,000 pages of WAL, so the writer checkpointed in it.
    expect(statSync(file).size).toBeGreaterThan(4_000_000);
  });
});
