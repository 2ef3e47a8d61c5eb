import type { Store } from '../store/store';

/**
 * Pauses (or resumes) syncing the accounts: a paused account's sync passes do nothing and its
 * events wait in the queue, until it is resumed. Who did it is kept with the flag.
 */
export async function setPaused(accountIds: string[], paused: boolean, by: string, ctx: { store: Store; now: () => Date }): Promise<void> {
  for (const id of accountIds) await ctx.store.pauses.set(id, { paused, by, at: ctx.now().toISOString() });
}
