import { describe, expect, it } from 'vitest';
import { processAdjustmentFeed } from '../../../src/sandbox/amazon/payment-adjustment-feed';

/** A feed written by hand from feeds-xml.md (not by Dockhand's builder), with one message's OrderAdjustment body replaceable. */
function feed(body: string, extraMessages = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>M1</MerchantIdentifier></Header>
  <MessageType>OrderAdjustment</MessageType>
  <Message><MessageID>1</MessageID><OrderAdjustment>${body}</OrderAdjustment></Message>${extraMessages}
</AmazonEnvelope>`;
}
const ITEM = (inner = '<AmazonOrderItemCode>12345678901234</AmazonOrderItemCode><AdjustmentReason>CustomerReturn</AdjustmentReason><ItemPriceAdjustments><Component><Type>Principal</Type><Amount currency="USD">10.00</Amount></Component></ItemPriceAdjustments>') =>
  `<AdjustedItem>${inner}</AdjustedItem>`;
const GOOD = `<AmazonOrderID>112-1234567-1234567</AmazonOrderID><ActionType>Refund</ActionType>${ITEM()}`;

describe('the simulated Amazon checks each adjustment message', () => {
  it('accepts a well-formed message', () => {
    const o = processAdjustmentFeed(feed(GOOD));
    expect(o.errors).toEqual([]);
    expect(o.applied).toHaveLength(1);
    expect(o.report).toContain('<MessagesSuccessful>1</MessagesSuccessful>');
  });

  it.each([
    ['elements out of order', `<ActionType>Refund</ActionType><AmazonOrderID>112-1234567-1234567</AmazonOrderID>${ITEM()}`, /<OrderAdjustment> needs <AmazonOrderID> or <MerchantOrderID> here, found <ActionType>/],
    ['a bad order id', `<AmazonOrderID>1121234567</AmazonOrderID>${ITEM()}`, /AmazonOrderID "1121234567" does not match/],
    ['an unknown action', `<AmazonOrderID>112-1234567-1234567</AmazonOrderID><ActionType>Refunds</ActionType>${ITEM()}`, /ActionType "Refunds"/],
    ['no item', `<AmazonOrderID>112-1234567-1234567</AmazonOrderID>`, /needs <AdjustedItem>/],
    ['an item code of 13 digits', `<AmazonOrderID>112-1234567-1234567</AmazonOrderID>${ITEM('<AmazonOrderItemCode>1234567890123</AmazonOrderItemCode><AdjustmentReason>CustomerReturn</AdjustmentReason>')}`, /must be 14 digits/],
    ['an unknown reason', `<AmazonOrderID>112-1234567-1234567</AmazonOrderID>${ITEM('<AmazonOrderItemCode>12345678901234</AmazonOrderItemCode><AdjustmentReason>Return</AdjustmentReason>')}`, /AdjustmentReason "Return" is not a valid value/],
    ['reason before the item code', `<AmazonOrderID>112-1234567-1234567</AmazonOrderID>${ITEM('<AdjustmentReason>CustomerReturn</AdjustmentReason><AmazonOrderItemCode>12345678901234</AmazonOrderItemCode>')}`, /<AdjustedItem> needs <AmazonOrderItemCode>/],
    ['three decimals', `<AmazonOrderID>112-1234567-1234567</AmazonOrderID>${ITEM('<AmazonOrderItemCode>12345678901234</AmazonOrderItemCode><AdjustmentReason>CustomerReturn</AdjustmentReason><ItemPriceAdjustments><Component><Type>Principal</Type><Amount>10.001</Amount></Component></ItemPriceAdjustments>')}`, /at most 2 fraction digits/],
    ['an unknown component type', `<AmazonOrderID>112-1234567-1234567</AmazonOrderID>${ITEM('<AmazonOrderItemCode>12345678901234</AmazonOrderItemCode><AdjustmentReason>CustomerReturn</AdjustmentReason><ItemPriceAdjustments><Component><Type>Price</Type><Amount>1.00</Amount></Component></ItemPriceAdjustments>')}`, /Component Type "Price"/],
    ['a net charge to the buyer', `<AmazonOrderID>112-1234567-1234567</AmazonOrderID>${ITEM('<AmazonOrderItemCode>12345678901234</AmazonOrderItemCode><AdjustmentReason>CustomerReturn</AdjustmentReason><ItemPriceAdjustments><Component><Type>RestockingFee</Type><Amount>-1.00</Amount></Component></ItemPriceAdjustments>')}`, /must be a credit to the buyer/],
    ['an adjustment id over 50', `<AmazonOrderID>112-1234567-1234567</AmazonOrderID>${ITEM(`<AmazonOrderItemCode>12345678901234</AmazonOrderItemCode><MerchantAdjustmentItemID>${'x'.repeat(51)}</MerchantAdjustmentItemID><AdjustmentReason>CustomerReturn</AdjustmentReason>`)}`, /1 to 50 characters/],
  ])('refuses %s with an Error result naming the problem', (_name, body, message) => {
    const o = processAdjustmentFeed(feed(body));
    expect(o.applied).toEqual([]);
    expect(o.errors).toHaveLength(1);
    expect(o.errors[0]!.messageId).toBe(1);
    expect(o.errors[0]!.description).toMatch(message);
    expect(o.report).toContain('<ResultCode>Error</ResultCode>');
    expect(o.report).toContain('<MessagesWithError>1</MessagesWithError>');
  });

  it('refuses an order it does not know, while applying the next message', () => {
    const o = processAdjustmentFeed(feed(GOOD, `<Message><MessageID>2</MessageID><OrderAdjustment><AmazonOrderID>113-1234567-1234567</AmazonOrderID>${ITEM()}</OrderAdjustment></Message>`), {
      lookup: (id) => (id === '113-1234567-1234567' ? { items: ['12345678901234'], currency: 'USD' } : undefined),
    });
    expect(o.errors).toEqual([{ messageId: 1, code: '18089', description: expect.stringMatching(/order ID 112-1234567-1234567 was not found/) }]);
    expect(o.applied.map((a) => a.amazonOrderId)).toEqual(['113-1234567-1234567']);
  });

  it('refuses a repeated MessageID', () => {
    const o = processAdjustmentFeed(feed(GOOD, `<Message><MessageID>1</MessageID><OrderAdjustment>${GOOD}</OrderAdjustment></Message>`));
    expect(o.errors.map((e) => e.description)).toEqual([expect.stringMatching(/MessageID 1 is used more than once/)]);
  });

  it.each([
    ['not XML at all', 'refund please'],
    ['another message type', feed(GOOD).replace('<MessageType>OrderAdjustment</MessageType>', '<MessageType>OrderFulfillment</MessageType>')],
    ['no header', feed(GOOD).replace(/<Header>.*<\/Header>/, '')],
  ])('refuses a document that is %s whole', (_name, doc) => {
    const o = processAdjustmentFeed(doc);
    expect(o.applied).toEqual([]);
    expect(o.errors[0]!.code).toBe('5001');
  });
});
