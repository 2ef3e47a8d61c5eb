import { parse } from 'csv-parse/sync';
import { DockhandError } from '../domain/errors';
import type { StockLevelInput } from '../store/inventory';

/**
 * `dockhand stock import <csv>`: columns sku,on_hand[,warehouse], a header line optional. Every
 * bad line is reported by its number, and nothing is imported until all are good.
 */
export function parseStockCsv(text: string, file: string): StockLevelInput[] {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as string[][];
  } catch (e) {
    throw new DockhandError('sku.invalid_csv', `${file}: not readable as CSV: ${(e as Error).message}`, { hint: 'Columns: sku,on_hand[,warehouse].' });
  }
  const levels: StockLevelInput[] = [];
  const problems: string[] = [];
  records.forEach((cells, i) => {
    const line = i + 1;
    if (i === 0 && cells[0]?.toLowerCase() === 'sku') return;
    const [sku = '', onHand = '', warehouse] = cells;
    if (cells.length > 3) return void problems.push(`line ${line}: ${cells.length} columns, expected sku,on_hand[,warehouse]`);
    if (!sku) return void problems.push(`line ${line}: the SKU is empty`);
    if (!/^-?\d+$/.test(onHand)) return void problems.push(`line ${line}: on_hand "${onHand}" is not a whole number`);
    const n = Number(onHand);
    if (n < 0) return void problems.push(`line ${line}: on_hand ${n} is negative`);
    levels.push({ sku, onHand: n, ...(warehouse ? { warehouse } : {}) });
  });
  if (problems.length > 0) {
    throw new DockhandError('sku.invalid_csv', `${file}: ${problems.length} bad line(s), nothing imported:\n  ${problems.slice(0, 50).join('\n  ')}`, {
      hint: 'Fix those lines (columns sku,on_hand[,warehouse]; on_hand a whole number ≥ 0) and import again.',
    });
  }
  return levels;
}
