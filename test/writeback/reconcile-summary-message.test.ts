import { describe, expect, it } from 'vitest';
import { parseButtonValue } from '../../src/domain/block-kit';
import { reconcileSummary } from '../../src/writeback/reconcile-summary-message';
import { allText, buttons, NOW, CTX, notice, describeValidBlockKit } from '../support/slack-messages';

describeValidBlockKit([
  ['reconcile, 60 findings of every kind', reconcileSummary({ accounts: ['default', 'eu'], checkedOrders: 900, checkedLabels: 1200, findings: Array.from({ length: 60 }, (_, i) => notice({ key: `reconcile:${i}`, fix: (['retry_confirmation', 'confirm_now', 'create_in_shipstation', 'hold_order', undefined] as const)[i % 5] })) }, NOW, CTX)],
  ['reconcile, nothing found', reconcileSummary({ accounts: ['default'], checkedOrders: 3, checkedLabels: 2, findings: [] }, NOW, CTX)],
]);

describe('reconcileSummary', () => {
  it('lists each finding with its fix, ids suffixed by position', () => {
    const msg = reconcileSummary(
      {
        accounts: ['default'],
        checkedOrders: 40,
        checkedLabels: 35,
        findings: [notice({ key: 'reconcile:a', kind: 'label_not_on_amazon', fix: 'confirm_now' }), notice({ key: 'reconcile:b', kind: 'missing_in_shipstation', fix: 'create_in_shipstation' })],
      },
      NOW, CTX,
    );
    expect(msg.text).toBe('Reconciled: 2 problems found');
    expect(allText(msg)).toContain('Checked 40 orders and 35 labels in default.');
    expect(buttons(msg).map((b) => b.action_id)).toEqual(['confirm_now:0', 'open_shipstation:0', 'show_order:0', 'create_in_shipstation:1', 'open_shipstation:1', 'show_order:1']);
    expect(parseButtonValue(buttons(msg)[0].value)).toMatchObject({ key: 'reconcile:a', version: NOW.toISOString(), labelId: 'shipment:4242' });
  });

  it('says so when Amazon and ShipStation agree', () => {
    const msg = reconcileSummary({ accounts: ['default', 'eu'], checkedOrders: 1, checkedLabels: 0, findings: [] }, NOW, CTX);
    expect(msg.text).toBe('Reconciled: nothing to fix');
    expect(allText(msg)).toContain('checked 1 order and 0 labels in default, eu');
  });
});
