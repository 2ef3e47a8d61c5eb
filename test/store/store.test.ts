import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store';

describe('store', () => {
  it('keeps records across a reopen of the SQLite file', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-store-'));
    const a = await Store.open({ dataDir });
    await a.putSkuMapping({ amazonSku: 'A-1', shipstationSku: 'SS-1', asin: 'B000000001' });
    await a.close();
    const b = await Store.open({ dataDir });
    expect(await b.lookupSku('A-1', undefined)).toMatchObject({ shipstationSku: 'SS-1' });
    expect(await b.lookupSku('OTHER', 'B000000001')).toMatchObject({ shipstationSku: 'SS-1' });
    expect(await b.skuMappings()).toHaveLength(1);
    await b.close();
  });

  it('mapping a SKU clears it from the unmapped list', async () => {
    const s = await Store.open({ memory: true });
    await s.unmapped.set('X', { amazonSku: 'X', firstSeenAt: 't', lastSeenAt: 't', orderCount: 1, recentOrderIds: [] });
    await s.putSkuMapping({ amazonSku: 'X', shipstationSku: 'SS-X' });
    expect(await s.unmapped.list()).toEqual([]);
  });

  it('gives a lease to one owner until it expires', async () => {
    const s = await Store.open({ memory: true });
    expect(await s.acquireLease('sync:a', 'r1', 1000, 0)).toBe(true);
    expect(await s.acquireLease('sync:a', 'r2', 1000, 500)).toBe(false);
    expect(await s.acquireLease('sync:a', 'r1', 1000, 600)).toBe(true);
    expect(await s.acquireLease('sync:a', 'r2', 1000, 1700)).toBe(true);
    await s.releaseLease('sync:a', 'r2');
    expect(await s.acquireLease('sync:a', 'r1', 1000, 1701)).toBe(true);
  });

  it('reports a record it cannot read instead of passing it on', async () => {
    const s = await Store.open({ memory: true });
    // @ts-expect-error deliberately wrong shape
    await expect(s.cursors.set('a', { lastUpdatedAfter: 1 })).rejects.toThrow();
  });
});

describe('lease owners', () => {
  it.each([
    ['a dead process on this host', 'web1:4242:ab', 'web1', false, true],
    ['a live process on this host', 'web1:4242:ab', 'web1', true, false],
    ['a process on another host', 'web2:4242:ab', 'web1', false, false],
    ['an owner in an unknown form', 'someone', 'web1', false, false],
    ['a host name with colons (IPv6)', '::1:77:zz', '::1', false, true],
  ])('%s', async (_n, owner, host, alive, gone) => {
    const { isLeaseOwnerGone } = await import('../../src/store/store');
    expect(isLeaseOwnerGone(owner, host, () => alive)).toBe(gone);
  });

  it('lets a restart take the lease of its crashed predecessor at once', async () => {
    const s = await Store.open({ memory: true });
    expect(await s.acquireLease('sync:a', 'h:1:x', 60_000, 0)).toBe(true);
    expect(await s.acquireLease('sync:a', 'h:2:y', 60_000, 10, () => false)).toBe(false);
    expect(await s.acquireLease('sync:a', 'h:2:y', 60_000, 10, (o) => o === 'h:1:x')).toBe(true);
  });
});

describe('audit log', () => {
  it('lists the latest entries newest first, also when written concurrently', async () => {
    const s = await Store.open({ memory: true });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        s.recordAudit({ at: `2026-11-28T10:00:${String(i).padStart(2, '0')}Z`, actor: 'U1', source: 'slack', action: 'command:/dockhand status', outcome: 'ok', target: String(i) }),
      ),
    );
    const recent = await s.recentAudit(5);
    expect(recent.map((e) => e.target)).toEqual(['29', '28', '27', '26', '25']);
    expect(await s.recentAudit(100)).toHaveLength(30);
  });
});

describe('audit index', () => {
  it('survives a reopen of the store', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-audit-'));
    const a = await Store.open({ dataDir });
    await a.recordAudit({ at: '2026-11-28T10:00:00Z', actor: 'cli:me', source: 'cli', action: 'pause', target: 'default', outcome: 'ok' });
    await a.close();
    const b = await Store.open({ dataDir });
    expect((await b.recentAudit(5)).map((e) => e.action)).toEqual(['pause']);
    await b.close();
  });
});

describe('audit by target', () => {
  it("lists what was done to one order, oldest first, and nothing of other orders", async () => {
    const s = await Store.open({ memory: true });
    const at = (sec: number) => `2026-11-28T10:00:${String(sec).padStart(2, '0')}Z`;
    await s.recordAudit({ at: at(1), actor: 'U1', source: 'slack', action: 'action:retry_order', target: '111-0000001-0000001', outcome: 'ok' });
    await s.recordAudit({ at: at(2), actor: 'U2', source: 'slack', action: 'action:retry_order', target: '111-0000002-0000002', outcome: 'ok' });
    await s.recordAudit({ at: at(3), actor: 'U1', source: 'slack', action: 'action:show_order', target: '111-0000001-0000001', outcome: 'ok' });
    expect((await s.auditFor('111-0000001-0000001')).map((e) => e.action)).toEqual(['action:retry_order', 'action:show_order']);
    expect(await s.auditFor('111-0000009-0000009')).toEqual([]);
  });
});
