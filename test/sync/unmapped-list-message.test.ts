import { describe, expect, it } from 'vitest';
import { parseButtonValue } from '../../src/domain/block-kit';
import { unmappedList } from '../../src/sync/unmapped-list-message';
import { allText, buttons, unmapped, describeValidBlockKit } from '../support/slack-messages';

describeValidBlockKit([
  ['unmapped list, 30', unmappedList(Array.from({ length: 30 }, (_, i) => unmapped(i)))],
  ['unmapped list, empty', unmappedList([])],
]);

describe('unmappedList', () => {
  it('orders by order count and gives a Map SKU button each', () => {
    const msg = unmappedList([unmapped(1), unmapped(5)]);
    const bs = buttons(msg);
    expect(bs.map((b) => b.action_id)).toEqual(['map_sku:SKU-5', 'map_sku:SKU-1']);
    expect(parseButtonValue(bs[0].value)).toMatchObject({ amazonSku: 'SKU-5', asin: 'B000000005' });
    expect(allText(msg)).toContain('5 orders, last 2026-03-02 00:00 UTC');
  });

  it('shows 20 and says how many more', () => {
    expect(allText(unmappedList(Array.from({ length: 26 }, (_, i) => unmapped(i))))).toContain('…and 6 more (`dockhand sku unmapped` in the CLI shows all)');
  });
});
