import { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { ReturnStatus } from '../domain/return';

/**
 * A return's life, from Amazon's report to the refund: `expected → received → refund_pending →
 * refunded`, or `received → rejected`, or `received → replaced`. Pure: the store and the Slack
 * buttons ask `nextStatus` before they change anything, so an illegal step is refused the same
 * way wherever it comes from (a stale button, a CLI call, a second replica).
 */

export { ReturnStatus };

/** What can happen to a return. */
export const ReturnStep = z.enum([
  'receive', // the warehouse has the package (condition, quantity, notes)
  'approve_refund', // a manager approved the refund: it waits for the adjustment feed
  'refund_accepted', // Amazon's processing report accepted the adjustment
  'reject', // a manager refused the refund (with a reason)
  'replace', // a manager sends a replacement instead of refunding
]);
export type ReturnStep = z.infer<typeof ReturnStep>;

const TRANSITIONS: Record<ReturnStep, { from: ReturnStatus; to: ReturnStatus }> = {
  receive: { from: 'expected', to: 'received' },
  approve_refund: { from: 'received', to: 'refund_pending' },
  refund_accepted: { from: 'refund_pending', to: 'refunded' },
  reject: { from: 'received', to: 'rejected' },
  replace: { from: 'received', to: 'replaced' },
};

/** Statuses in which nothing more happens to a return. */
export const FINAL_STATUSES: readonly ReturnStatus[] = ['refunded', 'rejected', 'replaced'];

const WHAT: Record<ReturnStep, string> = {
  receive: 'mark it received',
  approve_refund: 'approve a refund',
  refund_accepted: 'record the refund as accepted',
  reject: 'reject it',
  replace: 'replace it',
};

/** The status `step` leads to from `status`; throws `returns.illegal_transition` when it may not happen. Pure. */
export function nextStatus(status: ReturnStatus, step: ReturnStep, rma = 'the return'): ReturnStatus {
  const t = TRANSITIONS[step];
  if (t.from === status) return t.to;
  throw new DockhandError('returns.illegal_transition', `Return ${rma} is ${status.replace('_', ' ')}: cannot ${WHAT[step]} (only from ${t.from.replace('_', ' ')})`, {
    hint: hintFor(status, step),
  });
}

/** True when `step` may happen to a return in `status`. Pure. */
export function canTake(status: ReturnStatus, step: ReturnStep): boolean {
  return TRANSITIONS[step].from === status;
}

function hintFor(status: ReturnStatus, step: ReturnStep): string {
  if (FINAL_STATUSES.includes(status)) return 'Nothing more can be done with it in Dockhand; Seller Central shows what Amazon holds.';
  if (status === 'expected') return 'Mark it received first (the warehouse presses Received).';
  if (status === 'refund_pending') return 'The refund is on its way to Amazon; its message shows the outcome.';
  if (step === 'receive') return 'It was already marked received.';
  return '';
}
