import { describe, expect, it } from 'vitest';
import { parseSkuCsv, toSkuCsv } from '../../src/store/sku-csv';

describe('parseSkuCsv', () => {
  it.each([
    ['two columns', 'amazon_sku,shipstation_sku\nA-1,SS-1\n', [{ amazonSku: 'A-1', shipstationSku: 'SS-1' }]],
    ['with ASIN and a BOM', '\uFEFFamazon_sku,shipstation_sku,asin\nA-1,SS-1,B08N5WRWNW\n', [{ amazonSku: 'A-1', shipstationSku: 'SS-1', asin: 'B08N5WRWNW' }]],
    ['columns in another order, upper-case header', 'ASIN,SHIPSTATION_SKU,AMAZON_SKU\n,SS-2,A-2\n', [{ amazonSku: 'A-2', shipstationSku: 'SS-2' }]],
    ['quoted commas', 'amazon_sku,shipstation_sku\n"A,1","SS,1"\n', [{ amazonSku: 'A,1', shipstationSku: 'SS,1' }]],
  ])('reads %s', (_n, text, expected) => {
    expect(parseSkuCsv(text)).toEqual(expected);
  });

  it.each([
    ['a missing column', 'amazon_sku,sku\nA,B\n', /no "shipstation_sku" column/],
    ['an empty ShipStation SKU', 'amazon_sku,shipstation_sku\nA-1,\n', /line 2: shipstation_sku is empty for A-1/],
    ['a duplicate Amazon SKU', 'amazon_sku,shipstation_sku\nA-1,X\nA-1,Y\n', /line 3: amazon_sku A-1 is already mapped on line 2/],
    ['a bad ASIN', 'amazon_sku,shipstation_sku,asin\nA-1,X,nope\n', /"nope" is not an ASIN/],
    ['a ragged row', 'amazon_sku,shipstation_sku\nA-1,X,extra\n', /skus.csv/],
  ])('names the problem for %s', (_n, text, message) => {
    expect(() => parseSkuCsv(text, 'skus.csv')).toThrow(message);
  });

  it('round-trips through export', () => {
    const rows = [
      { amazonSku: 'B', shipstationSku: 'SS-B', asin: 'B000000002' },
      { amazonSku: 'A', shipstationSku: 'SS-A' },
    ];
    expect(parseSkuCsv(toSkuCsv(rows))).toEqual([rows[1], rows[0]]);
  });
});
