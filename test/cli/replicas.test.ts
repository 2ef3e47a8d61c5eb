import { describe, expect, it } from 'vitest';
import { runReplicasScenario } from '../../bench/replicas';
import { freshPostgresDatabase, postgresUrl } from '../support/postgres';

/**
 * Issue 10, several replicas on Postgres: two `dockhand start` replicas share one database and
 * one set of simulators through a spike with labels printed; the one holding the sync lease is
 * killed with SIGKILL mid-import and the other takes its leases over. The scenario is the
 * replicas bench's (`npm run bench -- replicas`), smaller.
 */
describe.runIf(postgresUrl)('two replicas on one Postgres, one killed mid-import', () => {
  it('leaves every order in ShipStation once, every label confirmed once and every alert posted once', async () => {
    const database = await freshPostgresDatabase();
    try {
      const r = await runReplicasScenario({ storeUrl: database.url, orders: 300, labels: 60, scale: 100, seed: 17, timeoutMs: 120_000 });
      // The failures name what went wrong; the figures below say it again, one check each.
      expect(r.failures).toEqual([]);
      expect(r.kill.victim).not.toBe('-');
      expect(r.kill.ordersInShipStation).toBeGreaterThan(0);
      expect(r.kill.ordersInShipStation).toBeLessThan(r.orders.expected);
      expect(r.takeover.syncLeaseMs).toBeDefined();
      expect(r.orders).toMatchObject({ inShipStation: r.orders.expected, missing: [], duplicated: [] });
      expect(r.labels).toMatchObject({ printed: 60, confirmed: 60, calls: 60, repeated: [], missing: [] });
      expect(r.labels.viaPollingOnly).toBeGreaterThan(0);
      expect(r.alerts).toMatchObject({ duplicated: [], unattributed: 0, pending: 0, unposted: [], unexpected: [] });
      expect(r.alerts.byKind.quarantined_order).toBeGreaterThan(0);
      expect(r.alerts.byKind.unmapped_sku).toBeGreaterThan(0);
      expect(r.alerts.byKind.deadline).toBeGreaterThan(0);
    } finally {
      await database.drop();
    }
  }, 180_000);
});
