import { describe, expect, it } from 'vitest';
import { formatReconcileReport, toReconcileReport } from '../../src/writeback/reconcile-report';
import type { ReconcileSummary } from '../../src/writeback/reconcile.job';

const summary = (over: Partial<ReconcileSummary> = {}): ReconcileSummary => ({ accounts: ['us', 'eu'], checkedOrders: 12, checkedLabels: 5, findings: [], errors: [], ...over });

describe('toReconcileReport', () => {
  it('keeps what was checked and what could not be read', () => {
    expect(toReconcileReport(summary({ errors: ['eu: Amazon answered 503'] }))).toMatchObject({ checkedOrders: 12, errors: ['eu: Amazon answered 503'] });
  });

  it.each<[string, string[], string]>([
    ['ShipStation unreadable', ['ShipStation answered 503'], 'shipstation.unreachable'],
    ["every account's Amazon side unreadable", ['us: timeout', 'eu: timeout'], 'amazon.unreachable'],
  ])('refuses to report "nothing to fix" when nothing was compared: %s', (_name, errors, code) => {
    expect(() => toReconcileReport(summary({ checkedOrders: 0, errors }))).toThrow(expect.objectContaining({ code }));
  });
});

describe('formatReconcileReport', () => {
  it('says Amazon and ShipStation agree when nothing differs', () => {
    expect(formatReconcileReport(toReconcileReport(summary()))).toEqual(['Amazon and ShipStation agree: checked 12 order(s) and 5 label(s) in us, eu']);
  });

  it('lists each difference with its message and fix, then what was not compared', () => {
    const text = formatReconcileReport(
      toReconcileReport(
        summary({
          findings: [
            { key: 'reconcile:x', kind: 'label_not_on_amazon', accountId: 'us', amazonOrderId: '111-1', labelId: 'shipment:9', trackingNumber: '9400', carrier: 'usps', code: 'reconcile.label_not_on_amazon', message: 'Amazon has no tracking for label 9400.', hint: 'Press Confirm now.', fix: 'confirm_now' },
          ],
          errors: ['eu: timeout'],
        }),
      ),
    ).join('\n');
    expect(text).toBe(
      [
        '1 difference(s) between Amazon and ShipStation (checked 12 order(s) and 5 label(s) in us, eu):',
        '  111-1  [us]  label_not_on_amazon  shipment:9  usps 9400',
        '      Amazon has no tracking for label 9400.',
        '      → Press Confirm now.',
        'Each difference is also an alert in Slack, with the button that fixes it.',
        'not compared: eu: timeout',
      ].join('\n'),
    );
  });
});
