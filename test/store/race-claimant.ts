import { parentPort, workerData } from 'node:worker_threads';
import { Store } from '../../src/store/store';

/**
 * One claimant in the race test, in a thread of its own with its own connection: every round it
 * waits at a shared barrier, then claims the round's lease and claim at the same instant as the
 * other thread, and reports what it won.
 */
const { dataDir, storeUrl, rounds, owner, barrier } = workerData as { dataDir?: string; storeUrl?: string; rounds: number; owner: string; barrier: SharedArrayBuffer };
const arrived = new Int32Array(barrier);
const store = await Store.open({ ...(dataDir ? { dataDir } : {}), ...(storeUrl ? { storeUrl } : {}) });
const won: Array<{ lease: boolean; claim: boolean }> = [];
for (let i = 0; i < rounds; i++) {
  Atomics.add(arrived, 0, 1);
  while (Atomics.load(arrived, 0) < 2 * (i + 1)) Atomics.wait(arrived, 0, Atomics.load(arrived, 0), 5);
  Atomics.notify(arrived, 0);
  const now = Date.now();
  const [lease, claim] = await Promise.all([store.acquireLease(`race:${i}`, owner, 60_000, now), store.claimOnce(`race-claim:${i}`, new Date(now).toISOString())]);
  won.push({ lease, claim });
}
await store.close();
parentPort!.postMessage(won);
