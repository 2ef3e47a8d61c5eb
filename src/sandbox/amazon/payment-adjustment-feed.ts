import { XMLParser } from 'fast-xml-parser';

/**
 * The simulator's side of POST_PAYMENT_ADJUSTMENT_DATA: checks an uploaded feed against the
 * OrderAdjustment structure (written from feeds-xml.md alone, never from Dockhand's builder, so a
 * misreading cannot hide on both sides) and answers with Amazon's XML processing report. A bad
 * message gets an Error result and is not applied; the others are. A document that is not the
 * envelope at all is refused whole, as Amazon does with its "XML Parsing Error".
 *
 * Result codes and texts are modelled on what Amazon's processing reports say (5001 parse errors,
 * 18028 invalid data, 18089 unknown order); the codes are not in any published spec.
 */

const REASONS = new Set([
  'NoInventory', 'CustomerReturn', 'GeneralAdjustment', 'CouldNotShip', 'DifferentItem', 'Abandoned', 'CustomerCancel', 'PriceError',
  'ProductOutofStock', 'CustomerAddressIncorrect', 'Exchange', 'Other', 'CarrierCreditDecision', 'RiskAssessmentInformationNotValid',
  'CarrierCoverageFailure', 'TransactionRecord', 'Undeliverable', 'RefusedDelivery',
]);
const COMPONENT_TYPES = new Set([
  'Principal', 'Shipping', 'Tax', 'ShippingTax', 'RestockingFee', 'RestockingFeeTax', 'GiftWrap', 'GiftWrapTax', 'Surcharge', 'ReturnShipping',
  'Goodwill', 'ExportCharge', 'COD', 'CODTax', 'Other', 'FreeReplacementReturnShipping',
]);
const ORDER_ID = /^\w{3}-\w{7}-\w{7}$/;
const ORDER_ITEM_CODE = /^\d{14}$/;
// xsd:decimal, totalDigits 20, fractionDigits 2.
const AMOUNT = /^[+-]?\d{1,18}(\.\d{1,2})?$/;

/** Each element's allowed children, in the XSD's sequence: name, min, max. */
type Seq = Array<{ names: string[]; min: number; max: number }>;
const ORDER_ADJUSTMENT: Seq = [
  { names: ['AmazonOrderID', 'MerchantOrderID'], min: 1, max: 1 },
  { names: ['ActionType'], min: 0, max: 1 },
  { names: ['CODCollectionMethod'], min: 0, max: 1 },
  { names: ['AdjustedItem'], min: 1, max: Infinity },
];
const ADJUSTED_ITEM: Seq = [
  { names: ['AmazonOrderItemCode', 'MerchantOrderItemID'], min: 1, max: 1 },
  { names: ['MerchantAdjustmentItemID'], min: 0, max: 1 },
  { names: ['AdjustmentReason'], min: 1, max: 1 },
  { names: ['ItemPriceAdjustments'], min: 0, max: 1 },
  { names: ['PromotionAdjustments'], min: 0, max: Infinity },
  { names: ['DirectPaymentAdjustments'], min: 0, max: 1 },
  { names: ['QuantityCancelled'], min: 0, max: 1 },
  { names: ['Quantity'], min: 0, max: 1 },
];

/** An element as fast-xml-parser's preserveOrder mode gives it. */
type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

function nameOf(n: Node): string {
  return Object.keys(n).find((k) => k !== ':@') ?? '';
}
function children(n: Node): Node[] {
  const v = n[nameOf(n)];
  return Array.isArray(v) ? (v as Node[]).filter((c) => nameOf(c) !== '#text' || String(c['#text']).trim() !== '') : [];
}
function text(n: Node | undefined): string {
  if (!n) return '';
  return children(n)
    .filter((c) => nameOf(c) === '#text')
    .map((c) => String(c['#text']))
    .join('')
    .trim();
}
function child(n: Node, name: string): Node | undefined {
  return children(n).find((c) => nameOf(c) === name);
}

/** The first way `nodes` break `seq` (wrong order, missing, repeated, unknown), or undefined. */
function sequenceProblem(parent: string, nodes: Node[], seq: Seq): string | undefined {
  let i = 0;
  for (const step of seq) {
    let n = 0;
    while (i < nodes.length && step.names.includes(nameOf(nodes[i]!))) {
      n++;
      i++;
    }
    if (n < step.min) {
      const found = nodes[i] ? `found <${nameOf(nodes[i]!)}>` : 'nothing';
      return `<${parent}> needs <${step.names.join('> or <')}> here, ${found}`;
    }
    if (n > step.max) return `<${parent}> has more than one <${step.names.join('/')}>`;
  }
  if (i < nodes.length) return `<${parent}>: <${nameOf(nodes[i]!)}> is not allowed here (element order: ${seq.map((s) => s.names.join('|')).join(', ')})`;
  return undefined;
}

/** One adjustment the simulated Amazon applied. */
export interface AppliedAdjustment {
  messageId: number;
  amazonOrderId: string;
  orderItemId: string;
  adjustmentId?: string;
  reason: string;
  /** Per component type, in cents (a fee is negative). */
  amounts: Record<string, number>;
  currency?: string;
}

export interface AdjustmentFeedOutcome {
  /** The ProcessingReport XML, as the result document holds it. */
  report: string;
  applied: AppliedAdjustment[];
  errors: Array<{ messageId: number; code: string; description: string }>;
  processed: number;
}

/** What the simulated Amazon knows of an order: its item codes and currency (undefined: no such order). */
export type OrderLookup = (amazonOrderId: string) => { items: string[]; currency?: string } | undefined;

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: true });

function cents(amount: string): number {
  const [whole, frac = ''] = amount.replace(/^\+/, '').split('.');
  const sign = whole!.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 100 + Number(frac.padEnd(2, '0')));
}

/** Checks one Message's OrderAdjustment; returns the adjustments it makes or the error Amazon would give. */
function checkMessage(messageId: number, adj: Node, lookup: OrderLookup | undefined): { applied: AppliedAdjustment[] } | { code: string; description: string } {
  const invalid = (why: string) => ({ code: '18028', description: `The data you submitted is incomplete or invalid. ${why}` });
  const order = sequenceProblem('OrderAdjustment', children(adj), ORDER_ADJUSTMENT);
  if (order) return invalid(order);
  const amazonOrderId = text(child(adj, 'AmazonOrderID'));
  if (!child(adj, 'AmazonOrderID')) return invalid('Only AmazonOrderID is supported by this simulator, not MerchantOrderID.');
  if (!ORDER_ID.test(amazonOrderId)) return invalid(`AmazonOrderID "${amazonOrderId}" does not match the pattern \\w{3}-\\w{7}-\\w{7}.`);
  const action = child(adj, 'ActionType');
  if (action && !['Refund', 'Cancel'].includes(text(action))) return invalid(`ActionType "${text(action)}" is not one of Refund, Cancel.`);
  const known = lookup?.(amazonOrderId);
  if (lookup && !known) return { code: '18089', description: `The order ID ${amazonOrderId} was not found in our system. Verify the order ID and resubmit.` };
  const applied: AppliedAdjustment[] = [];
  let net = 0;
  for (const item of children(adj).filter((c) => nameOf(c) === 'AdjustedItem')) {
    const p = sequenceProblem('AdjustedItem', children(item), ADJUSTED_ITEM);
    if (p) return invalid(p);
    const code = child(item, 'AmazonOrderItemCode');
    const orderItemId = text(code);
    if (!code) return invalid('Only AmazonOrderItemCode is supported by this simulator, not MerchantOrderItemID.');
    if (!ORDER_ITEM_CODE.test(orderItemId)) return invalid(`AmazonOrderItemCode "${orderItemId}" must be 14 digits.`);
    if (known && !known.items.includes(orderItemId)) return { code: '18089', description: `The order item ${orderItemId} was not found in order ${amazonOrderId}.` };
    const adjustmentId = child(item, 'MerchantAdjustmentItemID') ? text(child(item, 'MerchantAdjustmentItemID')) : undefined;
    if (adjustmentId !== undefined && (adjustmentId.length < 1 || adjustmentId.length > 50)) return invalid('MerchantAdjustmentItemID must be 1 to 50 characters.');
    const reason = text(child(item, 'AdjustmentReason'));
    if (!REASONS.has(reason)) return invalid(`AdjustmentReason "${reason}" is not a valid value.`);
    for (const q of ['Quantity', 'QuantityCancelled']) {
      const n = child(item, q);
      if (n && !/^[1-9]\d*$/.test(text(n))) return invalid(`${q} "${text(n)}" must be a positive integer.`);
    }
    const amounts: Record<string, number> = {};
    let currency: string | undefined;
    const prices = child(item, 'ItemPriceAdjustments');
    for (const comp of prices ? children(prices) : []) {
      if (nameOf(comp) !== 'Component') return invalid(`<ItemPriceAdjustments> may hold only <Component>, found <${nameOf(comp)}>.`);
      const cp = sequenceProblem('Component', children(comp), [
        { names: ['Type'], min: 1, max: 1 },
        { names: ['Amount'], min: 1, max: 1 },
      ]);
      if (cp) return invalid(cp);
      const type = text(child(comp, 'Type'));
      if (!COMPONENT_TYPES.has(type)) return invalid(`Component Type "${type}" is not a valid value.`);
      const amountNode = child(comp, 'Amount')!;
      const amount = text(amountNode);
      if (!AMOUNT.test(amount)) return invalid(`Amount "${amount}" for ${type} must be a decimal with at most 2 fraction digits.`);
      const cur = amountNode[':@']?.currency;
      if (cur !== undefined && !/^[A-Z]{3}$/.test(cur)) return invalid(`currency "${cur}" is not a currency code.`);
      if (cur && known?.currency && cur !== known.currency) return invalid(`currency ${cur} differs from the order's currency ${known.currency}.`);
      currency = cur ?? currency;
      amounts[type] = (amounts[type] ?? 0) + cents(amount);
      net += cents(amount);
    }
    applied.push({ messageId, amazonOrderId, orderItemId, ...(adjustmentId ? { adjustmentId } : {}), reason, amounts, ...(currency ? { currency } : {}) });
  }
  if (net <= 0) return invalid('The net amount of the adjustment must be a credit to the buyer.');
  return { applied };
}

/**
 * Processes one uploaded POST_PAYMENT_ADJUSTMENT_DATA document. `lookup` (optional) lets the
 * simulated Amazon refuse orders and items it does not have.
 */
export function processAdjustmentFeed(document: string, opts: { lookup?: OrderLookup; transactionId?: string } = {}): AdjustmentFeedOutcome {
  const transactionId = opts.transactionId ?? String(Date.now());
  let nodes: Node[];
  try {
    nodes = parser.parse(document, true) as Node[];
  } catch (e) {
    return refusedWhole(transactionId, `XML Parsing Error: ${(e as Error).message}`);
  }
  const env = nodes.find((n) => nameOf(n) === 'AmazonEnvelope');
  if (!env) return refusedWhole(transactionId, 'XML Parsing Error: the root element must be AmazonEnvelope.');
  const head = sequenceProblem('AmazonEnvelope', children(env).slice(0, 2), [
    { names: ['Header'], min: 1, max: 1 },
    { names: ['MessageType'], min: 1, max: 1 },
  ]);
  if (head) return refusedWhole(transactionId, head);
  const header = child(env, 'Header')!;
  if (!text(child(header, 'DocumentVersion')) || !text(child(header, 'MerchantIdentifier'))) return refusedWhole(transactionId, '<Header> needs DocumentVersion and MerchantIdentifier.');
  if (text(child(env, 'MessageType')) !== 'OrderAdjustment') return refusedWhole(transactionId, `MessageType "${text(child(env, 'MessageType'))}" is not OrderAdjustment for this feed type.`);
  const messages = children(env).slice(2);
  const applied: AppliedAdjustment[] = [];
  const errors: AdjustmentFeedOutcome['errors'] = [];
  const seen = new Set<number>();
  for (const m of messages) {
    if (nameOf(m) !== 'Message') return refusedWhole(transactionId, `<AmazonEnvelope>: <${nameOf(m)}> is not allowed here.`);
    const idText = text(child(m, 'MessageID'));
    const messageId = /^\d{1,20}$/.test(idText) ? Number(idText) : 0;
    if (messageId === 0) {
      errors.push({ messageId: 0, code: '18028', description: `The data you submitted is incomplete or invalid. MessageID "${idText}" must be a positive integer.` });
      continue;
    }
    if (seen.has(messageId)) {
      errors.push({ messageId, code: '18028', description: `The data you submitted is incomplete or invalid. MessageID ${messageId} is used more than once in this feed.` });
      continue;
    }
    seen.add(messageId);
    const adj = child(m, 'OrderAdjustment');
    if (!adj || nameOf(children(m)[0] ?? {}) !== 'MessageID') {
      errors.push({ messageId, code: '18028', description: 'The data you submitted is incomplete or invalid. <Message> needs <MessageID> then <OrderAdjustment>.' });
      continue;
    }
    const r = checkMessage(messageId, adj, opts.lookup);
    if ('applied' in r) applied.push(...r.applied);
    else errors.push({ messageId, ...r });
  }
  return { report: reportXml(transactionId, messages.length, errors), applied, errors, processed: messages.length };
}

function refusedWhole(transactionId: string, description: string): AdjustmentFeedOutcome {
  const errors = [{ messageId: 0, code: '5001', description }];
  return { report: reportXml(transactionId, 0, errors), applied: [], errors, processed: 0 };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function reportXml(transactionId: string, processed: number, errors: AdjustmentFeedOutcome['errors']): string {
  const failed = new Set(errors.filter((e) => e.messageId > 0).map((e) => e.messageId)).size;
  const results = errors
    .map(
      (e) =>
        `<Result><MessageID>${e.messageId}</MessageID><ResultCode>Error</ResultCode><ResultMessageCode>${e.code}</ResultMessageCode><ResultDescription>${escapeXml(e.description)}</ResultDescription></Result>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">` +
    `<Header><DocumentVersion>1.02</DocumentVersion><MerchantIdentifier>SANDBOX</MerchantIdentifier></Header><MessageType>ProcessingReport</MessageType>` +
    `<Message><MessageID>1</MessageID><ProcessingReport><DocumentTransactionID>${escapeXml(transactionId)}</DocumentTransactionID><StatusCode>Complete</StatusCode>` +
    `<ProcessingSummary><MessagesProcessed>${processed}</MessagesProcessed><MessagesSuccessful>${Math.max(0, processed - failed)}</MessagesSuccessful>` +
    `<MessagesWithError>${errors.length > 0 && processed === 0 ? errors.length : failed}</MessagesWithError><MessagesWithWarning>0</MessagesWithWarning></ProcessingSummary>` +
    `${results}</ProcessingReport></Message></AmazonEnvelope>`
  );
}
