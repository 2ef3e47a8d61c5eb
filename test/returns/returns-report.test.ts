import { describe, expect, it } from 'vitest';
import { DockhandError } from '../../src/domain/errors';
import { DOCUMENTED_COLUMNS, parseReturnsReport } from '../../src/returns/returns-report';
import { report } from './support';

const ROW = {
  'Order ID': '112-1234567-1234567',
  'Order date': '2026-11-20',
  'Return request date': '2026-11-28',
  'Return request status': 'Approved',
  'Amazon RMA ID': 'DXYZ123abc',
  'Label type': 'AmazonUnPaidLabel',
  'Label cost': '5.99',
  'Currency code': 'USD',
  'Return carrier': 'UPS',
  'Tracking ID': '1Z999AA10123456784',
  'Label to be paid by': 'Customer',
  'A-to-Z Claim': 'N',
  'Is prime': 'Y',
  ASIN: 'B000TEST01',
  'Merchant SKU': 'MUG-1',
  'Item Name': 'Mug "large", 12" tall',
  'Return quantity': '1',
  'Return Reason': 'AMZ-PG-APP-TOO-SMALL',
  'In policy': 'Y',
  'Return type': 'C-Returns',
  Resolution: 'StandardRefund',
  'Return delivery date': '2026-11-30',
};

describe('the returns report (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE)', () => {
  it('reads a report with the documented columns', () => {
    const { returns, problems } = parseReturnsReport(report([ROW]));
    expect(problems).toEqual([]);
    expect(returns).toEqual([
      {
        amazonOrderId: '112-1234567-1234567',
        rma: 'DXYZ123abc',
        sku: 'MUG-1',
        quantity: 1,
        asin: 'B000TEST01',
        itemName: 'Mug "large", 12" tall',
        reason: 'AMZ-PG-APP-TOO-SMALL',
        inPolicy: true,
        returnType: 'C-Returns',
        resolution: 'StandardRefund',
        requestStatus: 'Approved',
        requestedAt: '2026-11-28',
        deliveredAt: '2026-11-30',
        carrier: 'UPS',
        tracking: '1Z999AA10123456784',
        labelPaidBy: 'Customer',
        labelType: 'AmazonUnPaidLabel',
        labelCost: '5.99',
        currency: 'USD',
        isPrime: true,
        aToZClaim: false,
      },
    ]);
  });

  it('finds columns by name whatever their order and case, and ignores unknown columns', () => {
    const text = ['merchant sku\tSOME NEW COLUMN\treturn QUANTITY\tAMAZON RMA ID\tIn Policy\torder id', 'PEN-3\twhatever\t2\tDabc\tN\t113-7654321-7654321'].join('\r\n');
    const { returns, problems } = parseReturnsReport(text);
    expect(problems).toEqual([]);
    expect(returns).toEqual([{ amazonOrderId: '113-7654321-7654321', rma: 'Dabc', sku: 'PEN-3', quantity: 2, reason: '', inPolicy: false }]);
  });

  it('accepts a byte-order mark and snake_case headers', () => {
    const text = '\uFEFForder_id\tamazon_rma_id\tmerchant_sku\treturn_quantity\n114-1111111-2222222\tR9\tSKU\t1\n';
    expect(parseReturnsReport(text).returns.map((r) => r.rma)).toEqual(['R9']);
  });

  it('refuses a file without a required column, naming it and what the file has', () => {
    const text = 'Order ID\tMerchant SKU\tReturn quantity\n112-1234567-1234567\tMUG-1\t1\n';
    let caught: unknown;
    try {
      parseReturnsReport(text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DockhandError);
    expect((caught as DockhandError).code).toBe('returns.report_unparseable');
    expect((caught as DockhandError).message).toBe('the returns report lacks the column "Amazon RMA ID" (it has: "Order ID", "Merchant SKU", "Return quantity")');
  });

  it('reports a bad row by line and keeps the others', () => {
    const text = report([ROW, { ...ROW, 'Amazon RMA ID': 'D2', 'Return quantity': 'two' }, { ...ROW, 'Amazon RMA ID': 'D3', 'Merchant SKU': '' }, { ...ROW, 'Amazon RMA ID': 'D4' }]);
    const { returns, problems } = parseReturnsReport(text);
    expect(returns.map((r) => r.rma)).toEqual(['DXYZ123abc', 'D4']);
    expect(problems).toEqual([
      { line: 3, message: 'line 3: "Return quantity" is not valid (two)', amazonOrderId: '112-1234567-1234567', rma: 'D2' },
      { line: 4, message: 'line 4: "Merchant SKU" is empty', amazonOrderId: '112-1234567-1234567', rma: 'D3' },
    ]);
  });

  it('an empty document has no returns', () => {
    expect(parseReturnsReport('')).toEqual({ returns: [], problems: [] });
    expect(parseReturnsReport(`${DOCUMENTED_COLUMNS.join('\t')}\n`)).toEqual({ returns: [], problems: [] });
  });
});
