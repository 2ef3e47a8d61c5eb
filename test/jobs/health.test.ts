import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { healthReport, healthStatus, type HealthContext, type HealthReport } from '../../src/jobs/health';
import type { RunSummary } from '../../src/store/records';
import { Store } from '../../src/store/store';

const run = (accountId: string, ok: boolean, finishedAt: string): RunSummary => ({
  accountId, startedAt: finishedAt, finishedAt, ok, seen: 0, created: 0, updated: 0, cancelled: 0, unchanged: 0, held: 0, skipped: 0, quarantined: 0, pages: 0,
});

describe('healthReport', () => {
  let dataDir: string;
  let store: Store;
  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-health-'));
    store = await Store.open({ dataDir });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const context = (over: Partial<HealthContext> = {}): HealthContext => ({
    accounts: [{ id: 'us', mode: 'import' }, { id: 'eu', mode: 'watch' }],
    store,
    alive: () => true,
    hasEvents: false,
    lastSuccessAt: () => undefined,
    ...over,
  });

  it('names a sync loop per importing account, the event path only when it runs, and the writeback loops', async () => {
    expect((await healthReport(context())).jobs.map((j) => j.name)).toEqual(['sync-orders:us', 'poll-labels', 'deadline-guard', 'reconcile']);
    expect((await healthReport(context({ hasEvents: true }))).jobs.map((j) => j.name)).toContain('order-events');
  });

  it("takes an account's last successful sync from the run ledger, and from this process when the last run failed", async () => {
    await store.runs.set('us', run('us', true, '2026-11-28T11:00:00Z'));
    await store.runs.set('eu', run('eu', false, '2026-11-28T11:30:00Z'));
    const r = await healthReport(context({ lastSuccessAt: () => ({ eu: '2026-11-28T10:00:00Z' }) }));
    expect(r.accounts).toEqual([
      { id: 'us', lastSuccessfulSyncAt: '2026-11-28T11:00:00Z' },
      { id: 'eu', lastSuccessfulSyncAt: '2026-11-28T10:00:00Z' },
    ]);
    expect(r.storeReachable).toBe(true);
  });

  it('reports a store that does not answer, without reading the ledger', async () => {
    await store.runs.set('us', run('us', true, '2026-11-28T11:00:00Z'));
    // A store whose reads fail, as a database gone away does.
    const down = { ...store, leases: { get: () => Promise.reject(new Error('connection refused')) }, runs: store.runs } as unknown as HealthContext['store'];
    const r = await healthReport(context({ store: down, lastSuccessAt: () => ({ us: '2026-11-28T10:00:00Z' }) }));
    expect(r.storeReachable).toBe(false);
    expect(r.accounts[0]).toEqual({ id: 'us', lastSuccessfulSyncAt: '2026-11-28T10:00:00Z' });
  });
});

describe('healthStatus', () => {
  const ok: HealthReport = { jobs: [{ name: 'poll-labels', alive: true }], accounts: [], storeReachable: true };
  it.each<[string, HealthReport, 200 | 503]>([
    ['every job runs and the store answers', ok, 200],
    ['a job stopped', { ...ok, jobs: [{ name: 'poll-labels', alive: false }] }, 503],
    ['the store does not answer', { ...ok, storeReachable: false }, 503],
  ])('%s', (_name, report, status) => {
    expect(healthStatus(report)).toBe(status);
  });
});
