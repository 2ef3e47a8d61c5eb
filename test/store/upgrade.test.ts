import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store';

/**
 * Upgrade in place: a data dir written by the keyv release (test/store/fixtures/keyv-data-dir,
 * made by running that release) is migrated on first open, and every record is still there.
 */

const FIXTURE = new URL('./fixtures/keyv-data-dir/', import.meta.url);
const KV_NAMESPACES = ['skus', 'asins', 'cursors', 'runs', 'health', 'shipnotify', 'pauses', 'wbcursors'];

function keyvRecords(file: string): Map<string, Map<string, unknown>> {
  const db = new BetterSqlite3(file, { readonly: true });
  const byNamespace = new Map<string, Map<string, unknown>>();
  const add = (stored: string, value: string) => {
    const ns = stored.slice(0, stored.indexOf(':'));
    const entries = byNamespace.get(ns) ?? new Map<string, unknown>();
    entries.set(stored.slice(ns.length + 1), (JSON.parse(value) as { value: unknown }).value);
    byNamespace.set(ns, entries);
  };
  for (const r of db.prepare('select key, value from keyv').all() as Array<{ key: string; value: string }>) add(r.key, r.value);
  for (const r of db.prepare('select key, value from dockhand_outbox').all() as Array<{ key: string; value: string }>) add(r.key, r.value);
  db.close();
  return byNamespace;
}

describe('upgrading a keyv data dir in place', () => {
  let dataDir: string | undefined;
  afterEach(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('moves every record into its table on first start, keeps the key-value ones, and a second start does nothing', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-upgrade-'));
    cpSync(FIXTURE, dataDir, { recursive: true });
    const file = path.join(dataDir, 'dockhand.sqlite');
    const before = keyvRecords(file);
    const keys = (ns: string) => [...(before.get(ns)?.keys() ?? [])];
    // The fixture holds every kind of record the keyv release wrote.
    for (const ns of ['orders', 'buyerdata', 'confirmations', 'orderlabels', 'quarantine', 'unmapped', 'alerts', 'outbox', 'audit', 'once', 'wbpending', 'findings', ...KV_NAMESPACES]) {
      expect(keys(ns).length, ns).toBeGreaterThan(0);
    }

    const check = async (store: Store) => {
      for (const k of keys('orders')) expect((await store.orders.get(k))?.amazonOrderId, k).toBe((before.get('orders')!.get(k) as { amazonOrderId: string }).amazonOrderId);
      for (const k of keys('buyerdata')) expect(await store.buyerData.get(k), k).toEqual(before.get('buyerdata')!.get(k));
      for (const k of keys('confirmations')) expect(await store.confirmations.get(k), k).toMatchObject(before.get('confirmations')!.get(k) as object);
      for (const k of keys('orderlabels')) expect((await store.orderLabels.get(k))?.labelIds.sort(), k).toEqual([...(before.get('orderlabels')!.get(k) as { labelIds: string[] }).labelIds].sort());
      for (const k of keys('quarantine')) expect(await store.quarantine.get(k), k).toMatchObject(before.get('quarantine')!.get(k) as object);
      for (const k of keys('unmapped')) expect(await store.unmapped.get(k), k).toEqual(before.get('unmapped')!.get(k));
      for (const k of keys('alerts')) expect(await store.alerts.get(k), k).toMatchObject(before.get('alerts')!.get(k) as object);
      for (const k of keys('outbox')) expect(await store.outbox.get(k), k).toMatchObject(before.get('outbox')!.get(k) as object);
      for (const k of keys('wbpending')) expect(await store.pendingConfirmations.get(k), k).toEqual(before.get('wbpending')!.get(k));
      for (const k of keys('findings')) expect(await store.openFindings.get(k), k).toEqual(before.get('findings')!.get(k));
      expect(await store.marked(keys('once'))).toEqual(new Set(keys('once')));
      const audit = [...before.get('audit')!.values()].reverse();
      expect(await store.recentAudit(500)).toEqual(audit);
      const tables = { skus: store.skus, asins: store.asins, cursors: store.cursors, runs: store.runs, health: store.health, shipnotify: store.shipNotify, pauses: store.pauses, wbcursors: store.writebackCursors };
      for (const [ns, table] of Object.entries(tables)) for (const k of keys(ns)) expect(await table.get(k), `${ns}:${k}`).toEqual(before.get(ns)!.get(k));
      // Facts for every merchant order, from its record and its labels.
      const shipped = (before.get('confirmations')!.values().next().value as { accountId: string; amazonOrderId: string });
      expect(await store.facts.get(`${shipped.accountId}:${shipped.amazonOrderId}`)).toMatchObject({ amazonOrderId: shipped.amazonOrderId, firstLabelAt: expect.any(String) });
    };

    const first = await Store.open({ dataDir });
    await check(first);
    await first.close();

    // What moved left the keyv table; the key-value namespaces stayed.
    const after = keyvRecords2(file);
    expect([...after].sort()).toEqual(KV_NAMESPACES.filter((ns) => keys(ns).length > 0).sort());

    const second = await Store.open({ dataDir });
    await check(second);
    expect((await second.recentAudit(500)).length).toBe(keys('audit').length);
    await second.close();
  });
});

function keyvRecords2(file: string): Set<string> {
  const db = new BetterSqlite3(file, { readonly: true });
  const namespaces = new Set((db.prepare('select key from keyv').all() as Array<{ key: string }>).map((r) => r.key.slice(0, r.key.indexOf(':'))));
  db.close();
  return namespaces;
}
