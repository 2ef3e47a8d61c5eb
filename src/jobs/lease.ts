import type { Store } from '../store/store';

/** How long a job lease lasts without renewal: a replica that dies frees it this long after. */
export const JOB_LEASE_TTL_MS = 60_000;

/**
 * Runs `pass` only if this replica holds the job's lease (`job:<name>`) in the shared store,
 * renewing it while the pass runs and freeing it after, so any replica may run the next pass but
 * never two at once. Returns false when another replica holds it (the pass was skipped).
 */
export async function runUnderLease(
  store: Store,
  name: string,
  owner: string,
  pass: () => Promise<void>,
  opts: { now?: () => number; isGone?: (owner: string) => boolean } = {},
): Promise<boolean> {
  const lease = `job:${name}`;
  const now = opts.now ?? Date.now;
  const take = () => store.acquireLease(lease, owner, JOB_LEASE_TTL_MS, now(), opts.isGone);
  if (!(await take())) return false;
  const renew = setInterval(() => void take().catch(() => undefined), JOB_LEASE_TTL_MS / 3);
  renew.unref();
  try {
    await pass();
  } finally {
    clearInterval(renew);
    await store.releaseLease(lease, owner).catch(() => undefined);
  }
  return true;
}
