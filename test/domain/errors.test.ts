import { describe, expect, it } from 'vitest';
import { isRetryable, retryAdvice, type RetryAdvice } from '../../src/domain/errors';

describe('retryAdvice: what a Retry can do for a quarantined order', () => {
  it.each<[string, RetryAdvice['kind'], boolean]>([
    // Amazon sent what can't be shipped; the same version reads the same, and a new one is imported by the sync.
    ['order.malformed', 'amazon_only', false],
    // The config must name the marketplace and Dockhand restart; then Retry is how it comes in.
    ['order.unknown_marketplace', 'after_config', true],
    // Void the label (or stop the parcel), then Retry.
    ['order.locked_in_shipstation', 'retry', true],
    // Fix the data or the SKU map, then Retry.
    ['shipstation.rejected', 'retry', true],
    ['shipstation.unreachable', 'retry', true],
    // Amazon answered 404 for an ORDER_CHANGE it sent, or a body we could not read: it may answer later.
    ['amazon.rejected', 'retry', true],
    ['amazon.unparseable', 'retry', true],
    // Retrying an unreadable notification dismisses it (sync/retry.ts).
    ['events.unparseable', 'retry', true],
    ['internal', 'retry', true],
    // A code from an older or newer Dockhand, read back from the store: Retry stays, as before.
    ['sku.unmapped', 'retry', true],
    ['', 'retry', true],
  ])('%s → %s', (code, kind, retryable) => {
    expect(retryAdvice(code).kind).toBe(kind);
    expect(isRetryable(code)).toBe(retryable);
  });

  it('says what clears a problem a Retry cannot fix by itself', () => {
    expect(retryAdvice('order.malformed')).toEqual({ kind: 'amazon_only', clears: expect.stringMatching(/^Amazon must correct this order .*imports it automatically when Amazon updates it/) });
    expect(retryAdvice('order.unknown_marketplace')).toEqual({ kind: 'after_config', clears: expect.stringContaining('restart Dockhand, then press Retry') });
  });
});
