import { describe, expect, it } from 'vitest';
import { mapSkuModal, mapSkuModalErrors, validateShipStationSku } from '../../src/sync/map-sku-modal';

describe('Map SKU modal', () => {
  it('has the input the submission handler reads', () => {
    const view = mapSkuModal({ amazonSku: 'MUG-1', asin: 'B0TEST0001', privateMetadata: '{"key":"unmapped:MUG-1"}' });
    expect(view).toMatchObject({ type: 'modal', callback_id: 'map_sku_submit', private_metadata: '{"key":"unmapped:MUG-1"}' });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    const input = view.blocks.find((b) => b.type === 'input') as any;
    expect(input).toMatchObject({ block_id: 'shipstation_sku', element: { type: 'plain_text_input', action_id: 'value', max_length: 100 } });
    expect(JSON.stringify(view.blocks)).toContain('`B0TEST0001`');
  });

  it('refuses private_metadata Slack would reject', () => {
    expect(() => mapSkuModal({ amazonSku: 'X', privateMetadata: 'x'.repeat(3001) })).toThrow(/3001 characters/);
  });

  it('shapes errors for the input', () => {
    expect(mapSkuModalErrors('Enter the ShipStation SKU.')).toEqual({ response_action: 'errors', errors: { shipstation_sku: 'Enter the ShipStation SKU.' } });
  });

  it.each<[string, string | undefined]>([
    ['MUG-BLUE-12', undefined],
    ['MUG BLUE 12', undefined],
    ['杯子-1', undefined],
    ['x'.repeat(100), undefined],
    ['', 'Enter the ShipStation SKU.'],
    ['   ', 'Enter the ShipStation SKU.'],
    [' MUG', 'Remove the spaces at the start or end of the SKU.'],
    ['MUG\t', 'Remove the spaces at the start or end of the SKU.'],
    ['x'.repeat(101), 'A SKU has at most 100 characters; this one has 101.'],
    ['MUG\n1', 'The SKU contains a line break or another control character.'],
    ['MUG\u00001', 'The SKU contains a line break or another control character.'],
  ])('validateShipStationSku(%j)', (s, expected) => {
    expect(validateShipStationSku(s)).toBe(expected);
  });
});
