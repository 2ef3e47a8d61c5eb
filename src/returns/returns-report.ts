import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { ReturnFacts } from '../domain/return';

/**
 * GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE, the seller-fulfilled returns report: tab-separated,
 * one row per returned SKU of an RMA. Columns are found by header name, case-insensitively and
 * whatever their order (Amazon adds columns and its docs list them in another order than some
 * files have); unknown columns are ignored. Column names from Amazon's "Returns reports
 * attributes" page: Order ID, Order date, Return request date, Return request status, Amazon RMA
 * ID, Merchant RMA ID, Label type, Label cost, Currency code, Return carrier, Tracking ID, Label to
 * be paid by, A-to-Z Claim, Is prime, ASIN, Merchant SKU, Item Name, Return quantity, Return
 * Reason, In policy, Return type, Resolution, Invoice number, Return delivery date, Order Amount,
 * Order quantity, SafeT…, Refunded Amount.
 */

/** One returned SKU of an RMA, as the report states it. Key: (amazonOrderId, rma, sku). */
export const ReportedReturn = ReturnFacts;
export type ReportedReturn = z.infer<typeof ReportedReturn>;

type Field = keyof ReportedReturn;

/** Header (normalised) → field. Several headers may name one field (Amazon renamed some). */
const COLUMNS: Record<string, Field> = {
  'order id': 'amazonOrderId',
  'amazon rma id': 'rma',
  'merchant sku': 'sku',
  'return quantity': 'quantity',
  asin: 'asin',
  'item name': 'itemName',
  'return reason': 'reason',
  'return reason code': 'reason',
  'in policy': 'inPolicy',
  'return type': 'returnType',
  resolution: 'resolution',
  'return request status': 'requestStatus',
  'return request date': 'requestedAt',
  'return delivery date': 'deliveredAt',
  'return carrier': 'carrier',
  'tracking id': 'tracking',
  'label to be paid by': 'labelPaidBy',
  'label type': 'labelType',
  'label cost': 'labelCost',
  'currency code': 'currency',
  'merchant rma id': 'merchantRmaId',
  'seller rma id': 'merchantRmaId',
  'is prime': 'isPrime',
  'a to z claim': 'aToZClaim',
  'refunded amount': 'refundedAmount',
};

/** Without these a row cannot be keyed or counted: a file lacking one is refused whole. */
export const REQUIRED_COLUMNS = ['Order ID', 'Amazon RMA ID', 'Merchant SKU', 'Return quantity'] as const;

const BOOLEAN_FIELDS = new Set<Field>(['inPolicy', 'isPrime', 'aToZClaim']);

/** "Amazon RMA ID", "amazon_rma_id", " A-to-Z Claim " → the same key. */
function normalise(header: string): string {
  return header.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

function yesNo(v: string): boolean | undefined {
  const s = v.trim().toLowerCase();
  if (['y', 'yes', 'true', '1'].includes(s)) return true;
  if (['n', 'no', 'false', '0'].includes(s)) return false;
  return undefined;
}

/** A row that could not be read: its line and why. The rest of the report is still used. */
export interface ReportRowProblem {
  line: number;
  message: string;
  amazonOrderId?: string;
  rma?: string;
}

export interface ParsedReturnsReport {
  returns: ReportedReturn[];
  problems: ReportRowProblem[];
}

/**
 * Reads the report's text. Throws `returns.report_unparseable` when a required column is missing
 * (naming it and the columns found); a bad row is reported in `problems` and skipped. Pure.
 */
export function parseReturnsReport(text: string): ParsedReturnsReport {
  // Amazon's flat files are tab-separated without quoting: a quote in an item name is text.
  const rows = parse(text, { delimiter: '\t', quote: false, relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
  if (rows.length === 0) return { returns: [], problems: [] };
  const header = rows[0]!;
  const index = new Map<Field, number>();
  header.forEach((h, i) => {
    const field = COLUMNS[normalise(h)];
    if (field && !index.has(field)) index.set(field, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(COLUMNS[normalise(c)]!));
  if (missing.length > 0) {
    throw new DockhandError('returns.report_unparseable', `the returns report lacks the column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (it has: ${header.map((h) => `"${h.trim()}"`).join(', ')})`, {
      hint: 'Dockhand reads GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE by column name; if Amazon renamed a column, report it. The window is read again on the next poll.',
    });
  }
  const returns: ReportedReturn[] = [];
  const problems: ReportRowProblem[] = [];
  rows.slice(1).forEach((cells, n) => {
    const line = n + 2;
    const raw: Record<string, unknown> = {};
    for (const [field, i] of index) {
      const v = (cells[i] ?? '').trim();
      if (v === '') continue;
      if (field === 'quantity') raw[field] = /^\d+$/.test(v) ? Number(v) : v;
      else if (BOOLEAN_FIELDS.has(field)) {
        const b = yesNo(v);
        if (b !== undefined) raw[field] = b;
      } else raw[field] = v;
    }
    const parsed = ReportedReturn.safeParse(raw);
    if (parsed.success) returns.push(parsed.data);
    else {
      const issue = parsed.error.issues[0]!;
      const column = header[index.get(issue.path[0] as Field) ?? -1]?.trim() ?? String(issue.path[0]);
      problems.push({
        line,
        message: `line ${line}: "${column}" ${raw[issue.path[0] as string] === undefined ? 'is empty' : `is not valid (${String(raw[issue.path[0] as string])})`}`,
        ...(typeof raw.amazonOrderId === 'string' ? { amazonOrderId: raw.amazonOrderId } : {}),
        ...(typeof raw.rma === 'string' ? { rma: raw.rma } : {}),
      });
    }
  });
  return { returns, problems };
}

/** The report's own columns, in Amazon's documented order (the sandbox and tests write files with them). */
export const DOCUMENTED_COLUMNS = [
  'Order ID',
  'Order date',
  'Return request date',
  'Return request status',
  'Amazon RMA ID',
  'Merchant RMA ID',
  'Label type',
  'Label cost',
  'Currency code',
  'Return carrier',
  'Tracking ID',
  'Label to be paid by',
  'A-to-Z Claim',
  'Is prime',
  'ASIN',
  'Merchant SKU',
  'Item Name',
  'Return quantity',
  'Return Reason',
  'In policy',
  'Return type',
  'Resolution',
  'Invoice number',
  'Return delivery date',
  'Order Amount',
  'Order quantity',
  'SafeT Action reason',
  'SafeT claim id',
  'SafeT claim state',
  'SafeT claim creation time',
  'SafeT claim reimbursement amount',
  'Refunded Amount',
] as const;
