import type { Notifier } from '../domain/notifier';
import type { Logger } from '../log/logger';
import type { InventoryStore } from '../store/inventory';
import type { SkuForecast } from './forecast';
import { ERP_DEAD_KEY, ERP_DEAD_LETTERS } from './inventory-alerts';
import { signedHeaders } from './signature';

/**
 * Tells the ERP/WMS each change of available quantity: a signed JSON POST per change, written to
 * the store before it is sent, retried with backoff, and set aside as a dead letter (shown in
 * Slack with Retry) once it has failed for an hour.
 */

export interface ErpBody {
  sku: string;
  available: number;
  onHand: number;
  committed: number;
  velocity14: number;
  status: SkuForecast['status'];
  at: string;
}

export function erpBody(f: SkuForecast, at: Date): ErpBody {
  return { sku: f.sku, available: f.available, onHand: f.onHand, committed: f.committed, velocity14: f.velocity14, status: f.status, at: at.toISOString() };
}

/** What a POST answered, or the error that kept it from answering. */
export type ErpPost = (url: string, body: string, headers: Record<string, string>) => Promise<{ status: number }>;

export interface ErpContext {
  store: InventoryStore;
  notifier: Notifier;
  logger: Logger;
  now: () => Date;
  url: string;
  secret: string;
  post: ErpPost;
}

/** After this long failing, a delivery is a dead letter. */
export const GIVE_UP_MS = 60 * 60_000;

/** Delay before attempt n+1 (n failed attempts so far): 5 s doubling to 5 min. Pure. */
export function erpRetryDelayMs(failedAttempts: number): number {
  return Math.min(5 * 60_000, 5_000 * 2 ** Math.max(0, failedAttempts - 1));
}

export async function enqueueErpChanges(store: InventoryStore, changes: SkuForecast[], now: Date): Promise<void> {
  await store.enqueueDeliveries(changes.map((f) => ({ id: `${f.sku}@${now.getTime()}`, sku: f.sku, body: JSON.stringify(erpBody(f, now)) })), now.getTime());
}

/** Sends what is due; returns how many went through. */
export async function drainErpDeliveries(ctx: ErpContext, limit = 100): Promise<{ delivered: number; failed: number; dead: number }> {
  const now = ctx.now().getTime();
  const due = await ctx.store.dueDeliveries(now, limit);
  const out = { delivered: 0, failed: 0, dead: 0 };
  for (const d of due) {
    let error: string | undefined;
    try {
      const r = await ctx.post(ctx.url, d.body, { 'content-type': 'application/json', ...signedHeaders(ctx.secret, d.body, ctx.now().getTime()) });
      if (r.status < 200 || r.status >= 300) error = `HTTP ${r.status}`;
    } catch (e) {
      error = (e as Error).message;
    }
    if (!error) {
      await ctx.store.markDelivered(d.id);
      out.delivered++;
      continue;
    }
    const dead = now - d.createdAt >= GIVE_UP_MS;
    await ctx.store.markAttemptFailed(d.id, error, now + erpRetryDelayMs(d.attempts + 1), dead);
    if (dead) out.dead++;
    else out.failed++;
    ctx.logger.warn({ job: 'erp-push', sku: d.sku, attempts: d.attempts + 1, dead, err: error }, 'ERP delivery failed');
  }
  if (out.dead > 0) await raiseDeadLetters(ctx);
  return out;
}

async function raiseDeadLetters(ctx: Pick<ErpContext, 'store' | 'notifier'>): Promise<void> {
  const dead = await ctx.store.deadLetters();
  if (dead.length === 0) return;
  await ctx.notifier.raise({
    kind: ERP_DEAD_LETTERS.name,
    key: ERP_DEAD_KEY,
    replaceFacts: true,
    facts: { count: String(dead.length), lastError: dead[0]?.lastError ?? 'unknown', skus: [...new Set(dead.map((d) => d.sku))].slice(0, 20).join(', ') },
    notice: { count: dead.length, lastError: dead[0]?.lastError ?? '' },
    log: { level: 'error', msg: 'ERP deliveries dead-lettered', fields: { count: dead.length } },
  });
}

/** Retry in Slack: every dead letter goes back to the queue. */
export async function retryDeadLetters(ctx: Pick<ErpContext, 'store' | 'notifier' | 'now'>): Promise<number> {
  const dead = await ctx.store.deadLetters(10_000);
  for (const d of dead) await ctx.store.requeue(d.id, ctx.now().getTime());
  await ctx.notifier.resolve(ERP_DEAD_KEY, () => `${dead.length} delivery(ies) queued again`);
  return dead.length;
}

/** The POST over fetch (Node 20's), with a deadline. */
export const fetchPost: ErpPost = async (url, body, headers) => {
  const r = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(15_000) });
  await r.arrayBuffer().catch(() => undefined);
  return { status: r.status };
};
