import { parse } from 'csv-parse/sync';
import { DockhandError } from '../domain/errors';
import type { ProductRow } from '../store/rule-tables';

/**
 * The product table's CSV: `sku,weight_oz,length_in,width_in,height_in,category`, one ShipStation
 * SKU (after the SKU map) per line. Empty cells mean unknown. Every bad line is reported by its
 * number and nothing is imported while any is bad. Pure: the CLI reads the file.
 */
export const PRODUCT_COLUMNS = ['sku', 'weight_oz', 'length_in', 'width_in', 'height_in', 'category'] as const;

export function parseProductCsv(text: string, fileName = 'the CSV'): ProductRow[] {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (e) {
    throw new DockhandError('sku.invalid_csv', `${fileName}: ${(e as Error).message}`, { cause: e, hint: 'Save the file as comma-separated UTF-8 with one product per line.' });
  }
  const header = (rows.shift() ?? []).map((h) => h.toLowerCase());
  const missing = PRODUCT_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new DockhandError('sku.invalid_csv', `${fileName}: the header lacks ${missing.join(', ')} (found: ${header.join(', ') || 'nothing'})`, {
      hint: `The first line must be: ${PRODUCT_COLUMNS.join(',')}`,
    });
  }
  const at = (c: (typeof PRODUCT_COLUMNS)[number]) => header.indexOf(c);
  const problems: string[] = [];
  const out: ProductRow[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    const line = i + 2;
    const sku = row[at('sku')] ?? '';
    if (!sku) return void problems.push(`line ${line}: sku is empty`);
    const dup = seen.get(sku);
    if (dup !== undefined) return void problems.push(`line ${line}: sku ${sku} is already on line ${dup}`);
    seen.set(sku, line);
    const p: ProductRow = { sku };
    const nums: Array<[(typeof PRODUCT_COLUMNS)[number], 'weightOz' | 'lengthIn' | 'widthIn' | 'heightIn']> = [
      ['weight_oz', 'weightOz'],
      ['length_in', 'lengthIn'],
      ['width_in', 'widthIn'],
      ['height_in', 'heightIn'],
    ];
    for (const [col, key] of nums) {
      const raw = row[at(col)] ?? '';
      if (raw === '') continue;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) problems.push(`line ${line}: ${col} "${raw}" is not a number of ${col.endsWith('oz') ? 'ounces' : 'inches'} (0 or more)`);
      else p[key] = n;
    }
    const category = row[at('category')] ?? '';
    if (category) p.category = category;
    out.push(p);
  });
  if (problems.length > 0) {
    throw new DockhandError('sku.invalid_csv', `${fileName}: ${problems.length} bad line(s), nothing imported:\n  ${problems.join('\n  ')}`, { hint: 'Fix those lines and import again.' });
  }
  return out;
}
