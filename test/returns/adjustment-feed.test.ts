import { describe, expect, it } from 'vitest';
import { adjustmentItemId, buildAdjustmentFeed, errorsByMessage, parseProcessingReport, type AdjustmentMessage } from '../../src/returns/adjustment-feed';
import { processAdjustmentFeed } from '../../src/sandbox/amazon/payment-adjustment-feed';

const MESSAGES: AdjustmentMessage[] = [
  {
    messageId: 1,
    amazonOrderId: '112-1234567-1234567',
    currency: 'USD',
    items: [
      { orderItemId: '12345678901234', adjustmentId: 'DXYZ-12345678901234', quantity: 1, components: { principal: 2000, tax: 160, shipping: 250, shippingTax: 20 }, restockingFee: 0 },
      { orderItemId: '22345678901234', adjustmentId: 'DXYZ-22345678901234', quantity: 3, components: { principal: 2997, tax: 240, shipping: 0, shippingTax: 0 }, restockingFee: 599 },
    ],
  },
  { messageId: 2, amazonOrderId: '302-7654321-7654321', currency: 'EUR', items: [{ orderItemId: '32345678901234', adjustmentId: 'R2-32345678901234', quantity: 1, components: { principal: 1050, tax: 0, shipping: 0, shippingTax: 0 }, restockingFee: 0 }] },
];

describe('the POST_PAYMENT_ADJUSTMENT_DATA feed', () => {
  const xml = buildAdjustmentFeed('A2SELLER123', MESSAGES);

  it('is the envelope feeds-xml.md describes, one Message per order and one AdjustedItem per item, in the XSD order', () => {
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toContain('<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">');
    const flat = xml.replace(/>\s+</g, '><');
    expect(flat).toContain('<Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A2SELLER123</MerchantIdentifier></Header><MessageType>OrderAdjustment</MessageType>');
    expect(flat).toContain(
      '<Message><MessageID>1</MessageID><OrderAdjustment><AmazonOrderID>112-1234567-1234567</AmazonOrderID><ActionType>Refund</ActionType><AdjustedItem><AmazonOrderItemCode>12345678901234</AmazonOrderItemCode><MerchantAdjustmentItemID>DXYZ-12345678901234</MerchantAdjustmentItemID><AdjustmentReason>CustomerReturn</AdjustmentReason><ItemPriceAdjustments><Component><Type>Principal</Type><Amount currency="USD">20.00</Amount></Component><Component><Type>Shipping</Type><Amount currency="USD">2.50</Amount></Component><Component><Type>Tax</Type><Amount currency="USD">1.60</Amount></Component><Component><Type>ShippingTax</Type><Amount currency="USD">0.20</Amount></Component></ItemPriceAdjustments><Quantity>1</Quantity></AdjustedItem>',
    );
    expect(flat).toContain('<Component><Type>RestockingFee</Type><Amount currency="USD">-5.99</Amount></Component>');
    expect(flat).toContain('<Amount currency="EUR">10.50</Amount>');
    expect(flat.match(/<Message>/g)).toHaveLength(2);
    expect(flat.match(/<AdjustedItem>/g)).toHaveLength(3);
  });

  it('passes the simulated Amazon with exactly the amounts given', () => {
    const outcome = processAdjustmentFeed(xml);
    expect(outcome.errors).toEqual([]);
    expect(outcome.applied).toEqual([
      { messageId: 1, amazonOrderId: '112-1234567-1234567', orderItemId: '12345678901234', adjustmentId: 'DXYZ-12345678901234', reason: 'CustomerReturn', amounts: { Principal: 2000, Shipping: 250, Tax: 160, ShippingTax: 20 }, currency: 'USD' },
      { messageId: 1, amazonOrderId: '112-1234567-1234567', orderItemId: '22345678901234', adjustmentId: 'DXYZ-22345678901234', reason: 'CustomerReturn', amounts: { Principal: 2997, Tax: 240, RestockingFee: -599 }, currency: 'USD' },
      { messageId: 2, amazonOrderId: '302-7654321-7654321', orderItemId: '32345678901234', adjustmentId: 'R2-32345678901234', reason: 'CustomerReturn', amounts: { Principal: 1050 }, currency: 'EUR' },
    ]);
    const report = parseProcessingReport(outcome.report);
    expect(report).toMatchObject({ statusCode: 'Complete', processed: 2, successful: 2, withError: 0, results: [] });
  });

  it('escapes what XML needs escaped', () => {
    const x = buildAdjustmentFeed('A&B<', [{ ...MESSAGES[1]!, items: [{ ...MESSAGES[1]!.items[0]!, adjustmentId: 'a&b' }] }]);
    expect(x).toContain('<MerchantIdentifier>A&amp;B&lt;</MerchantIdentifier>');
    expect(processAdjustmentFeed(x).applied[0]!.adjustmentId).toBe('a&b');
  });

  it('keys an adjustment by RMA and item, within the 50 characters Amazon allows', () => {
    expect(adjustmentItemId('DXYZ', '12345678901234')).toBe('DXYZ-12345678901234');
    const long = adjustmentItemId('R'.repeat(60), '12345678901234');
    expect(long.length).toBeLessThanOrEqual(50);
    expect(long).toBe(adjustmentItemId('R'.repeat(60), '12345678901234'));
  });
});

describe('the processing report read back', () => {
  it('names each failed message and its Amazon message; the others succeeded', () => {
    const bad = buildAdjustmentFeed('S', MESSAGES).replace('302-7654321-7654321', '302-NOPE');
    const outcome = processAdjustmentFeed(bad);
    const report = parseProcessingReport(outcome.report);
    expect(report).toMatchObject({ processed: 2, successful: 1, withError: 1 });
    const errors = errorsByMessage(report);
    expect([...errors.keys()]).toEqual([2]);
    expect(errors.get(2)!.description).toMatch(/AmazonOrderID "302-NOPE" does not match the pattern/);
    expect(outcome.applied.map((a) => a.messageId)).toEqual([1, 1]);
  });

  it('refuses anything that is not a processing report, saying so', () => {
    expect(() => parseProcessingReport('<html>oops</html>')).toThrow(/processing report could not be read/);
  });
});
