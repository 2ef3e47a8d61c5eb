import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/slack/commands';
import { listReturns, returnsListMessage, statusesFor } from '../../src/returns/returns-list';
import { runCli } from '../support/cli';
import { MANAGER, order, report, returnRow, WAREHOUSE, world, type World } from './support';

describe('listing returns', () => {
  let w: World;
  beforeEach(async () => {
    w = await world('sqlite');
    w.orders.set('112-0000001-0000001', order('112-0000001-0000001', [{ id: '10000000000001', sku: 'MUG-1', qty: 1, price: 20, tax: 1.6 }]));
    w.reports.texts.set('default/ATVPDKIKX0DER', report([returnRow('112-0000001-0000001', 'RMA1', 'MUG-1', 1), returnRow('112-0000002-0000002', 'RMA2', 'PEN-3', 2, { 'In policy': 'N', 'Tracking ID': '' })]));
    await w.poll();
    await w.actions.received(WAREHOUSE, 'default', 'RMA1', { condition: 'ok' });
    await w.actions.approve(MANAGER, 'default', 'RMA1');
  });
  afterEach(async () => {
    await w.close();
  });

  it('dockhand returns --json prints exactly the issue\'s shape', { timeout: 30_000 }, async () => {
    const dataDir = (w.store as unknown as { db: { where: string } }).db.where.replace(/\/dockhand\.sqlite$/, '');
    await w.store.close();
    const r = await runCli(['returns', '--json'], { DOCKHAND_DATA_DIR: dataDir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout) as unknown[];
    expect(entries).toEqual(
      expect.arrayContaining([
        { rma: 'RMA1', amazonOrderId: '112-0000001-0000001', sku: 'MUG-1', quantity: 1, reason: 'UNWANTED_ITEM', inPolicy: true, status: 'refund_pending', carrier: 'UPS', tracking: '1ZRMA1', refund: { amount: 21.6, currency: 'USD', state: 'approved' } },
        { rma: 'RMA2', amazonOrderId: '112-0000002-0000002', sku: 'PEN-3', quantity: 2, reason: 'UNWANTED_ITEM', inPolicy: false, status: 'expected', carrier: 'UPS', tracking: null, refund: null },
      ]),
    );
    expect(entries).toHaveLength(2);
    w = await w.restart();
  });

  it('--status takes a status or a filter, and names a word that is neither', async () => {
    expect((await listReturns(w.store, statusesFor('expected')!.statuses)).map((e) => e.rma)).toEqual(['RMA2']);
    expect((await listReturns(w.store, statusesFor('pending')!.statuses)).map((e) => e.rma)).toEqual(['RMA1']);
    expect(statusesFor('lost')).toBeUndefined();
  });

  it.each([
    ['returns', 'open'],
    ['returns pending', 'pending'],
    ['RETURNS All', 'all'],
  ])('/dockhand %s lists %s returns', (text, filter) => {
    expect(parseCommand(text)).toEqual({ kind: 'returns', filter });
  });

  it('/dockhand returns with another word says what it takes', () => {
    expect(parseCommand('returns late')).toMatchObject({ kind: 'usage', message: expect.stringContaining('say `open`, `pending` or `all`') });
  });

  it('the Slack list names each return with its status and refund', () => {
    const msg = returnsListMessage(
      [{ rma: 'RMA1', amazonOrderId: '112-0000001-0000001', sku: 'MUG-1', quantity: 1, reason: 'UNWANTED_ITEM', inPolicy: false, status: 'refund_pending', carrier: 'UPS', tracking: '1Z', refund: { amount: 21.6, currency: 'USD', state: 'approved' } }],
      'open',
    );
    expect(JSON.stringify(msg.blocks)).toContain('*refund pending* · UNWANTED_ITEM · out of policy · UPS `1Z` · refund 21.60 USD (approved)');
  });
});
