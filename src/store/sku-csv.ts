import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { DockhandError } from '../domain/errors';
import type { SkuMapping } from './records';

/**
 * The SKU map's CSV form: `amazon_sku,shipstation_sku` with an optional `asin` column.
 * Pure: the CLI reads and writes the files.
 */
const REQUIRED = ['amazon_sku', 'shipstation_sku'] as const;

export function parseSkuCsv(text: string, fileName = 'the CSV'): SkuMapping[] {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw new DockhandError('sku.invalid_csv', `${fileName}: ${(e as Error).message}`, {
      cause: e,
      hint: 'Save the file as comma-separated UTF-8 with one mapping per line.',
    });
  }
  const header = (rows.shift() ?? []).map((h) => h.toLowerCase());
  for (const col of REQUIRED) {
    if (!header.includes(col)) {
      throw new DockhandError('sku.invalid_csv', `${fileName}: the header has no "${col}" column (found: ${header.join(', ') || 'nothing'})`, {
        hint: 'The first line must be: amazon_sku,shipstation_sku[,asin]',
      });
    }
  }
  const at = (name: string) => header.indexOf(name);
  const seen = new Map<string, number>();
  return rows.map((row, i) => {
    const line = i + 2;
    const amazonSku = row[at('amazon_sku')] ?? '';
    const shipstationSku = row[at('shipstation_sku')] ?? '';
    const asin = at('asin') >= 0 ? row[at('asin')] : undefined;
    if (!amazonSku) throw new DockhandError('sku.invalid_csv', `${fileName} line ${line}: amazon_sku is empty`, { hint: 'Every line needs an Amazon SKU.' });
    if (!shipstationSku) {
      throw new DockhandError('sku.invalid_csv', `${fileName} line ${line}: shipstation_sku is empty for ${amazonSku}`, { hint: 'Every line needs a ShipStation SKU.' });
    }
    if (asin && !/^[A-Z0-9]{10}$/.test(asin)) {
      throw new DockhandError('sku.invalid_csv', `${fileName} line ${line}: "${asin}" is not an ASIN (10 letters or digits)`, { hint: 'Leave asin empty or give the 10-character ASIN.' });
    }
    const dup = seen.get(amazonSku);
    if (dup !== undefined) {
      throw new DockhandError('sku.invalid_csv', `${fileName} line ${line}: amazon_sku ${amazonSku} is already mapped on line ${dup}`, { hint: 'Keep one line per Amazon SKU.' });
    }
    seen.set(amazonSku, line);
    return { amazonSku, shipstationSku, ...(asin ? { asin } : {}) };
  });
}

export function toSkuCsv(mappings: SkuMapping[]): string {
  const sorted = [...mappings].sort((a, b) => a.amazonSku.localeCompare(b.amazonSku));
  return stringify([['amazon_sku', 'shipstation_sku', 'asin'], ...sorted.map((m) => [m.amazonSku, m.shipstationSku, m.asin ?? ''])]);
}
