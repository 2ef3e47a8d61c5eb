import { describe, expect, it } from 'vitest';
import { runUnderLease } from '../../src/jobs/lease';
import { Store } from '../../src/store/store';

describe('runUnderLease', () => {
  it('runs a pass on one replica at a time, and lets any replica run the next one', async () => {
    const store = await Store.open({ memory: true });
    let release!: () => void;
    const busy = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    const first = runUnderLease(store, 'poll-labels', 'host-a:1', async () => {
      ran.push('a');
      await busy;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(await runUnderLease(store, 'poll-labels', 'host-b:2', async () => void ran.push('b'))).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(await runUnderLease(store, 'poll-labels', 'host-b:2', async () => void ran.push('b'))).toBe(true);
    expect(ran).toEqual(['a', 'b']);
    await store.close();
  });

  it('takes over a lease whose holder is known to be gone', async () => {
    const store = await Store.open({ memory: true });
    await store.acquireLease('job:reconcile', 'host-a:1', 60_000, Date.now());
    const ran = await runUnderLease(store, 'reconcile', 'host-a:2', async () => undefined, { isGone: (o) => o === 'host-a:1' });
    expect(ran).toBe(true);
    await store.close();
  });
});
