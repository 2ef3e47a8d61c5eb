import { createHash } from 'node:crypto';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { DockhandError } from '../domain/errors';
import { formatCents, type RefundComponents } from './refund';

/**
 * POST_PAYMENT_ADJUSTMENT_DATA, the order adjustment feed that refunds an MFN order (structure:
 * OrderAdjustment.xsd release 4.1 as test/specs/amazon/feeds-xml.md lists it). One `Message` per
 * order, one `AdjustedItem` per order item, `ActionType` Refund and `AdjustmentReason`
 * CustomerReturn. Amounts are totals for the quantity with two decimals in the order's
 * currency, positive for money back to the buyer; a restocking fee is charged to the buyer and
 * so is negative ("Amounts are signed", Seller Central help G200387280). Element order follows
 * the XSD's sequence: the builder is given the elements in that order.
 */

export const FEED_TYPE = 'POST_PAYMENT_ADJUSTMENT_DATA';
export const FEED_CONTENT_TYPE = 'text/xml; charset=UTF-8';

export interface AdjustedItem {
  /** Amazon's order item id (AmazonOrderItemCode, 14 digits). */
  orderItemId: string;
  /** Our key for this adjustment (RMA + item), at most 50 characters. */
  adjustmentId: string;
  quantity: number;
  components: RefundComponents;
  restockingFee: number;
}

export interface AdjustmentMessage {
  messageId: number;
  amazonOrderId: string;
  currency: string;
  items: AdjustedItem[];
}

/** MerchantAdjustmentItemID for a refund of one item of one RMA: readable when it fits in 50, else a digest. Pure. */
export function adjustmentItemId(rma: string, orderItemId: string): string {
  const plain = `${rma}-${orderItemId}`;
  return plain.length <= 50 ? plain : `dh-${createHash('sha256').update(plain).digest('hex').slice(0, 40)}`;
}

const COMPONENT_TYPES: Array<[keyof RefundComponents, string]> = [
  ['principal', 'Principal'],
  ['shipping', 'Shipping'],
  ['tax', 'Tax'],
  ['shippingTax', 'ShippingTax'],
];

function components(item: AdjustedItem, currency: string): Array<Record<string, unknown>> {
  const amount = (cents: number) => ({ '#text': formatCents(cents), '@_currency': currency });
  const out: Array<Record<string, unknown>> = [];
  for (const [key, type] of COMPONENT_TYPES) {
    // Principal always (an ItemPriceAdjustments needs a Component); the rest only when refunded.
    if (key === 'principal' || item.components[key] > 0) out.push({ Type: type, Amount: amount(item.components[key]) });
  }
  if (item.restockingFee > 0) out.push({ Type: 'RestockingFee', Amount: amount(-item.restockingFee) });
  return out;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });

/** The feed document for these messages, as uploaded with {@link FEED_CONTENT_TYPE}. Pure. */
export function buildAdjustmentFeed(sellerId: string, messages: AdjustmentMessage[]): string {
  if (messages.length === 0) throw new DockhandError('internal', 'an adjustment feed needs at least one message');
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    AmazonEnvelope: {
      '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      '@_xsi:noNamespaceSchemaLocation': 'amzn-envelope.xsd',
      Header: { DocumentVersion: '1.01', MerchantIdentifier: sellerId },
      MessageType: 'OrderAdjustment',
      Message: messages.map((m) => ({
        MessageID: String(m.messageId),
        OrderAdjustment: {
          AmazonOrderID: m.amazonOrderId,
          ActionType: 'Refund',
          AdjustedItem: m.items.map((i) => ({
            AmazonOrderItemCode: i.orderItemId,
            MerchantAdjustmentItemID: i.adjustmentId,
            AdjustmentReason: 'CustomerReturn',
            ItemPriceAdjustments: { Component: components(i, m.currency) },
            Quantity: String(i.quantity),
          })),
        },
      })),
    },
  };
  return builder.build(doc) as string;
}

// ---------------------------------------------------------------------------------------------
// The processing report Amazon answers with (ProcessingReport.xsd, as feeds-xml.md lists it)

export const MessageResult = z.object({
  messageId: z.number().int(),
  resultCode: z.enum(['Error', 'Warning']),
  messageCode: z.string(),
  description: z.string(),
});
export type MessageResult = z.infer<typeof MessageResult>;

export interface ProcessingReport {
  statusCode: string;
  processed: number;
  successful: number;
  withError: number;
  /** Only messages with an error or a warning have one; a message without succeeded. */
  results: MessageResult[];
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'Result' || name === 'Message' });

/** Reads an XML processing report. Throws `amazon.unparseable` for anything else (FATAL may answer in another format). Pure. */
export function parseProcessingReport(xml: string): ProcessingReport {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    throw unparseable((e as Error).message, xml, e);
  }
  const env = doc.AmazonEnvelope as Record<string, unknown> | undefined;
  const msg = (env?.Message as Array<Record<string, unknown>> | undefined)?.[0];
  const report = msg?.ProcessingReport as Record<string, unknown> | undefined;
  if (!report) throw unparseable('no AmazonEnvelope/Message/ProcessingReport', xml);
  const summary = (report.ProcessingSummary ?? {}) as Record<string, string>;
  const results = ((report.Result ?? []) as Array<Record<string, unknown>>).map((r) =>
    MessageResult.parse({
      messageId: Number(r.MessageID),
      resultCode: r.ResultCode,
      messageCode: String(r.ResultMessageCode ?? ''),
      description: String(r.ResultDescription ?? ''),
    }),
  );
  return {
    statusCode: String(report.StatusCode ?? ''),
    processed: Number(summary.MessagesProcessed ?? 0),
    successful: Number(summary.MessagesSuccessful ?? 0),
    withError: Number(summary.MessagesWithError ?? 0),
    results,
  };
}

function unparseable(why: string, text: string, cause?: unknown): DockhandError {
  return new DockhandError('amazon.unparseable', `the adjustment feed's processing report could not be read: ${why} (starts: ${JSON.stringify(text.slice(0, 120))})`, {
    hint: 'The feed may still have been applied: check Seller Central before pressing Retry.',
    ...(cause ? { cause } : {}),
  });
}

/** The error result of each message (messages absent here succeeded). Pure. */
export function errorsByMessage(report: ProcessingReport): Map<number, MessageResult> {
  const out = new Map<number, MessageResult>();
  for (const r of report.results) if (r.resultCode === 'Error' && !out.has(r.messageId)) out.set(r.messageId, r);
  return out;
}
