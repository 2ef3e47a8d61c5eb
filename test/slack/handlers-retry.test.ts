import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger';
import { ACTIONS } from '../../src/domain/block-kit';
import { createHandlers, type DockhandOps, type HandlerDeps, type RetryResult } from '../../src/slack/handlers';
import type { QuarantineEntry } from '../../src/store/records';
import { Store } from '../../src/store/store';

function entry(i: number, code: string, accountId = 'default'): QuarantineEntry {
  return { accountId, amazonOrderId: `111-0000000-${String(i).padStart(7, '0')}`, code, reason: 'r', hint: '', at: '2026-03-02T10:00:00.000Z', attempts: 1 };
}

/** Retry all from Slack: it says how many orders it skipped, and a burst message stays open for them. */
describe('Retry all skips what only Amazon can correct', () => {
  let dataDir: string;
  let store: Store;
  const noted: Array<[string, string]> = [];
  const resolved: Array<[string, string]> = [];

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-handlers-'));
    store = await Store.open({ dataDir });
    noted.length = 0;
    resolved.length = 0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function handlers(quarantine: QuarantineEntry[], result: RetryResult) {
    const ops = { quarantine: async () => quarantine, retry: async () => result } as Partial<DockhandOps> as DockhandOps;
    const alerts = {
      resolve: (key: string, text: string) => resolved.push([key, text]),
      noteAction: (key: string, _actor: string, text: string) => noted.push([key, text]),
      get: async () => undefined,
    } as unknown as HandlerDeps['alerts'];
    return createHandlers({ ops, store, alerts, roles: { isManager: () => false }, logger: silentLogger, now: () => new Date('2026-03-02T14:00:00Z') });
  }

  const value = (key: string, accountId?: string) => JSON.stringify({ key, version: '1', ...(accountId ? { accountId } : {}) });

  it.each<[string, QuarantineEntry[], RetryResult, string]>([
    [
      'some retried, one skipped',
      [entry(1, 'shipstation.rejected'), entry(2, 'order.malformed'), entry(3, 'order.malformed', 'eu')],
      { retried: 1, resolved: 1, stillQuarantined: 0, notFound: [] },
      '1 retried: 1 sent, 0 still quarantined; 1 skipped: only Amazon can correct it, and Dockhand imports it automatically when Amazon updates it',
    ],
    [
      'nothing a retry can help',
      [entry(2, 'order.malformed'), entry(4, 'order.malformed')],
      { retried: 0, resolved: 0, stillQuarantined: 0, notFound: [] },
      'nothing to retry; 2 skipped: only Amazon can correct them, and Dockhand imports them automatically when Amazon updates them',
    ],
    ['the ops count what they skipped', [], { retried: 2, resolved: 2, stillQuarantined: 0, notFound: [], skipped: 3 }, '2 retried: 2 sent, 0 still quarantined; 3 skipped'],
  ])('%s', async (_name, quarantine, result, detail) => {
    const reply = await handlers(quarantine, result).action(ACTIONS.retryAll, 'U1', value('quarantine_burst:default', 'default'));
    expect(reply).toBeUndefined();
    // What was skipped is still quarantined: the burst message stays open and says so.
    expect(resolved).toEqual([]);
    expect(noted.at(-1)).toEqual(['quarantine_burst:default', expect.stringContaining(detail)]);
  });

  it("answers the clicker of the quarantine list's Retry all (no alert message behind it)", async () => {
    const reply = await handlers([entry(1, 'shipstation.rejected'), entry(2, 'order.malformed')], { retried: 1, resolved: 0, stillQuarantined: 1, notFound: [] }).action(`${ACTIONS.retryAll}:list`, 'U1', value('quarantine:all'));
    expect(reply).toEqual({ text: 'Retry all: 1 retried: 0 sent, 1 still quarantined; 1 skipped: only Amazon can correct it, and Dockhand imports it automatically when Amazon updates it' });
  });

  it('/dockhand retry all says how many it skipped', async () => {
    const reply = await handlers([entry(1, 'order.malformed')], { retried: 0, resolved: 0, stillQuarantined: 0, notFound: [] }).command('U1', 'retry all');
    expect(reply.text).toBe('Retry all: nothing to retry; 1 skipped: only Amazon can correct it, and Dockhand imports it automatically when Amazon updates it');
  });
});
