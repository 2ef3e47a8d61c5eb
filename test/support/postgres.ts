import pg from 'pg';

/**
 * The Postgres the store's contract tests also run on: DOCKHAND_TEST_POSTGRES_URL, a throwaway
 * cluster on a loopback port (`.ci/run` starts one). Each caller gets a database of its own.
 * Without the variable the Postgres half is not run, unless DOCKHAND_REQUIRE_POSTGRES is set
 * (CI sets it), in which case its absence fails the run instead of passing quietly.
 */
export const postgresUrl = process.env.DOCKHAND_TEST_POSTGRES_URL || undefined;

if (!postgresUrl && process.env.DOCKHAND_REQUIRE_POSTGRES) {
  throw new Error('DOCKHAND_REQUIRE_POSTGRES is set but DOCKHAND_TEST_POSTGRES_URL is not: start the throwaway cluster (see .ci/run)');
}

/** A new empty database on the test server; `drop` removes it. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!postgresUrl) throw new Error('DOCKHAND_TEST_POSTGRES_URL is not set');
  const name = `dockhand_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** The databases a store test runs on: SQLite always, Postgres when the test server is there. */
export const BACKENDS: Array<'sqlite' | 'postgres'> = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
