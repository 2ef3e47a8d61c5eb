import { describe, expect, it } from 'vitest';
import { DockhandError } from '../../src/domain/errors';
import { canTake, nextStatus, ReturnStatus, ReturnStep, type ReturnStatus as Status, type ReturnStep as Step } from '../../src/returns/return-state';

const LEGAL: Array<[Status, Step, Status]> = [
  ['expected', 'receive', 'received'],
  ['received', 'approve_refund', 'refund_pending'],
  ['refund_pending', 'refund_accepted', 'refunded'],
  ['received', 'reject', 'rejected'],
  ['received', 'replace', 'replaced'],
];

describe('the return state machine', () => {
  it.each(LEGAL)('%s --%s--> %s', (from, step, to) => {
    expect(nextStatus(from, step)).toBe(to);
    expect(canTake(from, step)).toBe(true);
  });

  const illegal: Array<[Status, Step]> = [];
  for (const s of ReturnStatus.options) for (const step of ReturnStep.options) if (!LEGAL.some(([f, st]) => f === s && st === step)) illegal.push([s, step]);

  it.each(illegal)('refuses %s --%s--> with returns.illegal_transition', (from, step) => {
    expect(canTake(from, step)).toBe(false);
    let caught: unknown;
    try {
      nextStatus(from, step, 'DxYz123');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DockhandError);
    expect((caught as DockhandError).code).toBe('returns.illegal_transition');
    expect((caught as DockhandError).message).toContain('DxYz123');
  });

  it('says why an approval before receipt is refused', () => {
    expect(() => nextStatus('expected', 'approve_refund', 'R1')).toThrow(/Return R1 is expected: cannot approve a refund \(only from received\)/);
  });

  it('a refunded return cannot be refunded again', () => {
    expect(() => nextStatus('refunded', 'approve_refund')).toThrow(DockhandError);
  });
});
