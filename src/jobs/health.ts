import type { AccountConfig } from '../config/config';
import type { Store } from '../store/store';

/** What GET /healthz reports. Read-only and free of buyer data (account IDs and times only). */
export interface HealthReport {
  /** Each background job and whether its loop is still running. */
  jobs: Array<{ name: string; alive: boolean }>;
  /** Last successful sync pass per account (ISO time), absent when none yet. */
  accounts: Array<{ id: string; lastSuccessfulSyncAt?: string }>;
  /** Whether a store read succeeded just now. */
  storeReachable: boolean;
}

/** 200 when every job runs and the store answers, 503 otherwise. Pure. */
export function healthStatus(r: HealthReport): 200 | 503 {
  return r.storeReachable && r.jobs.every((j) => j.alive) ? 200 : 503;
}

export interface HealthContext {
  accounts: Array<Pick<AccountConfig, 'id' | 'mode'>>;
  store: Pick<Store, 'ping' | 'runs'>;
  /** Whether the running product's loops still run (false once stopped). */
  alive(): boolean;
  /** Whether the ORDER_CHANGE event path runs. */
  hasEvents: boolean;
  /** Per account, when this process's last successful pass finished: the answer when the store cannot give one. */
  lastSuccessAt(): Record<string, string> | undefined;
}

/** GET /healthz: the loops run, when each account last synced successfully, the store answers. */
export async function healthReport(ctx: HealthContext): Promise<HealthReport> {
  let storeReachable = true;
  try {
    await ctx.store.ping();
  } catch {
    storeReachable = false;
  }
  const runs = storeReachable ? await Promise.all(ctx.accounts.map((a) => ctx.store.runs.get(a.id).catch(() => undefined))) : [];
  return {
    jobs: [
      ...ctx.accounts.filter((a) => a.mode === 'import').map((a) => ({ name: `sync-orders:${a.id}`, alive: ctx.alive() })),
      ...(ctx.hasEvents ? [{ name: 'order-events', alive: ctx.alive() }] : []),
      ...['poll-labels', 'deadline-guard', 'reconcile'].map((name) => ({ name, alive: ctx.alive() })),
    ],
    accounts: ctx.accounts.map((a, i) => {
      const run = runs[i];
      const last = run?.ok ? run.finishedAt : ctx.lastSuccessAt()?.[a.id];
      return { id: a.id, ...(last ? { lastSuccessfulSyncAt: last } : {}) };
    }),
    storeReachable,
  };
}
