import { describe, expect, it } from 'vitest';
import { alertMessage } from '../../src/slack/alert-kinds';
import { approveModal, readAmounts, readReceived, receivedModal, targetOf, viewInputs } from '../../src/returns/returns-slack';
import type { RefundOffer } from '../../src/returns/return-actions';
import type { ReturnRecord } from '../../src/domain/return';

const ROW: ReturnRecord = {
  accountId: 'default', marketplaceId: 'ATVPDKIKX0DER', amazonOrderId: '112-0000001-0000001', rma: 'RMA1', sku: 'MUG-1', quantity: 2, reason: 'UNWANTED_ITEM', status: 'expected', firstSeenAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z',
};
const OFFER: RefundOffer = {
  accountId: 'default', rma: 'RMA1', amazonOrderId: '112-0000001-0000001', marketplaceId: 'ATVPDKIKX0DER', currency: 'USD',
  quotes: [{ orderItemId: '10000000000001', sku: 'MUG-1', quantity: 2, components: { principal: 4000, tax: 320, shipping: 500, shippingTax: 0 }, restockingFee: 800, total: 4020, max: 4020 }],
};

describe('the return modals', () => {
  it('Received asks for condition, quantity per SKU and notes, and round-trips the return', () => {
    const view = receivedModal([ROW, { ...ROW, sku: 'PEN-3', quantity: 1 }]);
    expect(view.blocks.map((b) => b.block_id)).toEqual(['returns:about', 'condition', 'qty:MUG-1', 'qty:PEN-3', 'notes']);
    expect(targetOf(view.private_metadata)).toEqual({ accountId: 'default', rma: 'RMA1' });
  });

  it.each([
    [{ condition: 'damaged', 'qty:MUG-1': '1', notes: ' cracked ' }, { condition: 'damaged', quantities: { 'MUG-1': 1 }, notes: 'cracked' }],
    [{ condition: 'lost', 'qty:MUG-1': '1' }, { errors: { condition: 'Choose ok, damaged, wrong item or missing.' } }],
    [{ condition: 'ok', 'qty:MUG-1': 'two' }, { errors: { 'qty:MUG-1': 'A whole number of units.' } }],
  ])('reads Received %j', (inputs, expected) => {
    expect(readReceived(inputs as Record<string, string>)).toEqual(expected);
  });

  it('Approve shows the amounts computed from the order, the fee and the ceiling', () => {
    const view = approveModal(OFFER);
    const about = JSON.stringify(view.blocks[0]);
    expect(about).toContain('principal 40.00, tax 3.20, shipping 5.00, less restocking fee 8.00 = *40.20 USD*');
    expect(JSON.stringify(view.blocks[1])).toContain('"initial_value":"40.20"');
    expect(JSON.stringify(view.blocks[1])).toContain('At most 40.20');
  });

  it.each([
    [{ 'amount:MUG-1': '30' }, { amounts: { 'MUG-1': 3000 } }],
    [{ 'amount:MUG-1': '40.21' }, { errors: { 'amount:MUG-1': 'At most 40.20: a refund can be lowered, not raised.' } }],
    [{ 'amount:MUG-1': '0' }, { errors: { 'amount:MUG-1': 'An amount above 0 with at most two decimals, e.g. 12.50.' } }],
  ])('reads Approve %j', (inputs, expected) => {
    expect(readAmounts(inputs, OFFER)).toEqual(expected);
  });

  it('reads view state by block id, selects included', () => {
    expect(viewInputs({ condition: { value: { selected_option: { value: 'ok' } } }, notes: { value: { value: 'x' } } })).toEqual({ condition: 'ok', notes: 'x' });
  });
});

describe('the Return on its way message', () => {
  const facts = { accountId: 'default', rma: 'RMA1', amazonOrderId: '112-0000001-0000001', status: 'expected', items: 'MUG-1 ×2', reason: 'UNWANTED_ITEM', inPolicy: 'yes', carrier: 'UPS', tracking: '1Z9', resolution: 'StandardRefund', history: 'Amazon reported the return' };
  const draw = (f: Record<string, string>) => alertMessage({ key: 'return:default:RMA1', kind: 'return_on_its_way', state: 'open', count: 1, facts: f, updatedAt: 'v1' }, {});

  it.each([
    ['expected', {}, ['returns_received']],
    ['received', {}, ['returns_approve', 'returns_replace', 'returns_reject']],
    ['refund_pending', { refundState: 'submitted', refund: '21.60 USD' }, []],
    ['refund_pending', { refundState: 'error', refund: '21.60 USD', refundError: '18089 not found' }, ['returns_retry_refund']],
    ['refunded', { refundState: 'accepted', refund: '21.60 USD' }, []],
  ])('in %s it offers %j', (status, extra, buttons) => {
    const msg = draw({ ...facts, status, ...extra });
    const drawn = msg.blocks.filter((b) => b.type === 'actions').flatMap((b) => (b as { elements: Array<{ action_id: string }> }).elements.map((e) => e.action_id));
    expect(drawn).toEqual(buttons);
    const json = JSON.stringify(msg.blocks);
    for (const shown of ['112-0000001-0000001', 'RMA1', 'MUG-1 ×2', 'UNWANTED_ITEM', 'UPS', '1Z9', 'StandardRefund']) expect(json).toContain(shown);
  });
});
