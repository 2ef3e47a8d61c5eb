import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Store } from '../../src/store/store';
import { freshPostgresDatabase } from './postgres';

/** A store of its own on one backend (a temp data dir, or a fresh Postgres database), and how to throw it away. */
export interface OpenedStore {
  store: Store;
  where: { dataDir?: string; storeUrl?: string };
  dispose(): Promise<void>;
}

export async function openStoreOn(backend: 'sqlite' | 'postgres', now?: () => number): Promise<OpenedStore> {
  if (backend === 'sqlite') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-contract-'));
    const store = await Store.open({ dataDir, ...(now ? { now } : {}) });
    return { store, where: { dataDir }, dispose: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const db = await freshPostgresDatabase();
  const store = await Store.open({ storeUrl: db.url, ...(now ? { now } : {}) });
  return { store, where: { storeUrl: db.url }, dispose: () => db.drop() };
}
