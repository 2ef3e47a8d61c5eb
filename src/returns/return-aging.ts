import type { Notifier } from '../domain/notifier';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import { agingProblem } from './return-message';

/**
 * Aging escalations, to the returns channel: a return delivered `returns.receiveDays` ago and
 * not marked Received, and a received return whose refund is not decided within one business
 * day (Amazon expects the refund within two business days of the item's arrival). Each is
 * raised once per RMA; the step that ends the wait resolves it.
 */

export const RETURN_AGING_JOB = 'returns-aging';
const DAY = 86_400_000;

/** `t` plus `n` business days (Monday to Friday, UTC); a start on a weekend counts from Monday 00:00. Pure. */
export function addBusinessDays(t: number, n: number): number {
  let d = new Date(t);
  const weekend = (x: Date) => x.getUTCDay() === 0 || x.getUTCDay() === 6;
  if (weekend(d)) {
    while (weekend(d)) d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
  }
  let left = n;
  while (left > 0) {
    d = new Date(d.getTime() + DAY);
    if (!weekend(d)) left--;
  }
  return d.getTime();
}

export interface AgingDeps {
  store: Store;
  notifier: Notifier;
  receiveDays: number;
  now: () => Date;
  logger: Logger;
}

export async function escalateAging(deps: AgingDeps): Promise<{ receive: number; approve: number }> {
  const now = deps.now().getTime();
  const out = { receive: 0, approve: 0 };
  const seen = new Set<string>();
  for (const r of await deps.store.returns.deliveredNotReceived(now - deps.receiveDays * DAY)) {
    if (seen.has(`${r.accountId}:${r.rma}`)) continue;
    seen.add(`${r.accountId}:${r.rma}`);
    await deps.notifier.raise(agingProblem(r, 'receive', `on ${r.deliveredAt?.slice(0, 10) ?? 'an unknown day'}`));
    await deps.store.returns.markEscalated(r.accountId, r.rma, 'receive');
    out.receive++;
  }
  // A business day is at least 24 hours: the query bounds the rows, the calendar decides.
  for (const r of await deps.store.returns.receivedNotDecided(now - DAY)) {
    if (seen.has(`${r.accountId}:${r.rma}`) || !r.receivedAt || addBusinessDays(Date.parse(r.receivedAt), 1) > now) continue;
    seen.add(`${r.accountId}:${r.rma}`);
    await deps.notifier.raise(agingProblem(r, 'approve', `on ${r.receivedAt.slice(0, 10)}`));
    await deps.store.returns.markEscalated(r.accountId, r.rma, 'approve');
    out.approve++;
  }
  return out;
}
