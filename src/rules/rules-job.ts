import type { Notifier } from '../domain/notifier';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import { orderRecordKey } from '../store/store';
import { escalationUpdate, PRIME_ESCALATION } from './escalation-alert';
import type { DrainResult, RateShopper } from './rate-shopper';

/**
 * The rules' background pass: rate shopping for waiting orders (keeping `reserve` ShipStation
 * calls of each window for imports), and the escalation watch, which edits each open escalation
 * when its label is printed and when Amazon accepts the confirmation.
 */

export const name = 'rules';

export interface RulesJobContext {
  store: Store;
  notifier: Notifier;
  logger: Logger;
  rateShopper: RateShopper;
  /** ShipStation calls per window left for imports. */
  reserve: number;
  /** Writes the rules' match counts tallied in memory. */
  flushMatches?: () => Promise<void>;
  /** Whether an import pass is running now: rate shopping gives way to it. */
  importing?: () => boolean;
}

/** Edits open escalations whose order got a label or a confirmation since they were drawn. */
export async function watchEscalations(store: Store, notifier: Notifier): Promise<number> {
  const open = await store.rules.openAlertsOfKind(PRIME_ESCALATION.name);
  if (open.length === 0) return 0;
  const keyOf = (a: (typeof open)[number]) => orderRecordKey(a.facts.accountId ?? '', a.facts.amazonOrderId ?? '');
  const labels = await store.confirmations.byOrders(open.map(keyOf));
  let edited = 0;
  for (const a of open) {
    const ls = labels.get(keyOf(a)) ?? [];
    if (ls.length === 0) continue;
    const labelAt = ls.map((l) => l.labelCreatedAt).sort()[0]!;
    const confirmed = ls.map((l) => l.confirmedAt).filter((x): x is string => !!x).sort()[0];
    const facts: Record<string, string> = {};
    if (a.facts.labelAt !== labelAt) facts.labelAt = labelAt;
    if (confirmed && a.facts.confirmedAt !== confirmed) facts.confirmedAt = confirmed;
    if (Object.keys(facts).length === 0) continue;
    await notifier.raise(escalationUpdate({ accountId: a.facts.accountId ?? '', amazonOrderId: a.facts.amazonOrderId ?? '' }, facts));
    edited++;
  }
  return edited;
}

/** One pass; what it returns says when the next should run (`RateShopper.nextPassInMs`). */
export async function runRulesPass(ctx: RulesJobContext): Promise<DrainResult> {
  await ctx.flushMatches?.();
  const r = await ctx.rateShopper.drainOnce(ctx.reserve, undefined, ctx.importing);
  if (r.chosen + r.failed > 0) ctx.logger.info({ job: name, ...r }, 'rate shopping pass');
  await watchEscalations(ctx.store, ctx.notifier);
  return r;
}
