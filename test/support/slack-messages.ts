import { describe, expect, it } from 'vitest';
import type { RenderContext, SlackMessage } from '../../src/domain/block-kit';
import type { AlertRecord, AuditEntry, ConfirmationRecord, OrderRecord, QuarantineEntry, UnmappedSku } from '../../src/store/records';
import { deadlineFacts, type AtRiskOrder, type DeadlineNotice } from '../../src/writeback/deadline-alert';
import { writebackFacts, type WritebackNotice } from '../../src/writeback/writeback-alert';

/**
 * What the message builders' tests share: a Block Kit structure check (the rules Slack rejects a
 * whole message for) and fixtures (buyer data only where a test proves it never shows).
 */

/** ShipStation's own web app, as the config gives it for ShipStation's API. */
export const CTX: RenderContext = { shipstationAppUrl: 'https://ship.shipstation.com' };

export const KNOWN_BLOCKS = new Set(['section', 'header', 'context', 'divider', 'actions', 'input', 'image', 'rich_text']);

export function blockKitProblems(msg: SlackMessage): string[] {
  const problems: string[] = [];
  const actionIds = new Set<string>();
  const blockIds = new Set<string>();
  if (typeof msg.text !== 'string' || msg.text.trim() === '') problems.push('no fallback text');
  if (msg.blocks.length > 50) problems.push(`${msg.blocks.length} blocks`);
  const checkText = (t: { type: string; text: string } | undefined, max: number, where: string) => {
    if (!t) return;
    if (t.type !== 'mrkdwn' && t.type !== 'plain_text') problems.push(`${where}: text type ${t.type}`);
    if (t.text.length === 0) problems.push(`${where}: empty text`);
    if (t.text.length > max) problems.push(`${where}: ${t.text.length} > ${max}`);
  };
  const checkButton = (b: any, where: string) => {
    if (b.type !== 'button') return problems.push(`${where}: element ${b.type}`);
    checkText(b.text, 75, `${where} button`);
    if (b.text.type !== 'plain_text') problems.push(`${where}: button text must be plain_text`);
    if (!b.action_id || b.action_id.length > 255) problems.push(`${where}: action_id`);
    if (actionIds.has(b.action_id)) problems.push(`${where}: duplicate action_id ${b.action_id}`);
    actionIds.add(b.action_id);
    if (b.value !== undefined && b.value.length > 2000) problems.push(`${where}: value too long`);
    if (b.url !== undefined && (b.url.length > 3000 || !/^https:\/\//.test(b.url))) problems.push(`${where}: url`);
    if (b.style !== undefined && !['primary', 'danger'].includes(b.style)) problems.push(`${where}: style ${b.style}`);
    if (b.confirm) {
      for (const k of ['title', 'confirm', 'deny']) if (b.confirm[k]?.type !== 'plain_text') problems.push(`${where}: confirm.${k}`);
      checkText(b.confirm.text, 300, `${where} confirm`);
    }
    return undefined;
  };
  msg.blocks.forEach((raw, i) => {
    const b = raw as any;
    const where = `blocks[${i}] ${b.type}`;
    if (!KNOWN_BLOCKS.has(b.type)) problems.push(`${where}: unknown block type`);
    if (b.block_id !== undefined) {
      if (b.block_id.length > 255) problems.push(`${where}: block_id too long`);
      if (blockIds.has(b.block_id)) problems.push(`${where}: duplicate block_id`);
      blockIds.add(b.block_id);
    }
    if (b.type === 'section') {
      if (!b.text && !b.fields) problems.push(`${where}: needs text or fields`);
      checkText(b.text, 3000, where);
      if (b.fields && b.fields.length > 10) problems.push(`${where}: ${b.fields.length} fields`);
      b.fields?.forEach((f: any, j: number) => checkText(f, 2000, `${where} field ${j}`));
      if (b.accessory) checkButton(b.accessory, where);
    }
    if (b.type === 'header') {
      checkText(b.text, 150, where);
      if (b.text.type !== 'plain_text') problems.push(`${where}: header must be plain_text`);
    }
    if (b.type === 'context') {
      if (b.elements.length === 0 || b.elements.length > 10) problems.push(`${where}: ${b.elements.length} elements`);
      b.elements.forEach((e: any, j: number) => checkText(e, 3000, `${where} element ${j}`));
    }
    if (b.type === 'actions') {
      if (b.elements.length === 0 || b.elements.length > 25) problems.push(`${where}: ${b.elements.length} elements`);
      b.elements.forEach((e: any, j: number) => checkButton(e, `${where}[${j}]`));
    }
  });
  return problems;
}

export function allText(msg: SlackMessage): string {
  return JSON.stringify(msg.blocks);
}

export function buttons(msg: SlackMessage): any[] {
  return msg.blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : b.accessory ? [b.accessory] : []));
}

export const ID = '111-1234567-1234567';
export const NOW = new Date('2026-03-02T14:05:00Z');

export function quarantineEntry(i: number, over: Partial<QuarantineEntry> = {}): QuarantineEntry {
  return {
    accountId: 'default',
    amazonOrderId: `111-0000000-${String(i).padStart(7, '0')}`,
    code: 'sku.unmapped',
    reason: `SKU MUG-${i} has no ShipStation SKU`,
    hint: 'Map it with /dockhand sku map, then press Retry',
    at: new Date(Date.UTC(2026, 2, 2, 10, 0, i)).toISOString(),
    attempts: 1,
    ...over,
  };
}

export function alert(over: Partial<AlertRecord> & Pick<AlertRecord, 'kind' | 'facts'>): AlertRecord {
  return { key: 'k', channel: 'C123', state: 'open', count: 1, updatedAt: '2026-03-02T14:00:00.000Z', ...over };
}

export const quarantinedAlert = alert({
  key: `quarantine:default:${ID}`,
  kind: 'quarantined_order',
  facts: { accountId: 'default', amazonOrderId: ID, code: 'shipstation.rejected', reason: 'ShipStation said <b>no</b> & more', hint: 'Check the store ID' },
});
export const unmappedAlert = alert({
  key: 'unmapped:MUG-1',
  kind: 'unmapped_sku',
  facts: { amazonSku: 'MUG-1', asin: 'B0TEST0001', orderCount: '3', recentOrders: `${ID}, 111-7654321-7654321` },
});
export const syncAlert = alert({
  key: 'sync:default',
  kind: 'sync_failed',
  facts: { accountId: 'default', code: 'amazon.unauthorized', message: 'LWA refused the refresh token', hint: 'Re-authorise the app in Seller Central' },
});
export const burstAlert = alert({
  key: 'burst:default',
  kind: 'quarantine_burst',
  count: 12,
  facts: { accountId: 'default', count: '12', orderIds: `${ID},111-0000000-0000002,111-0000000-0000003` },
});

export const record: OrderRecord = {
  accountId: 'default',
  amazonOrderId: ID,
  orderKey: `amazon-${ID}`,
  state: 'sent',
  amazonStatus: 'Unshipped',
  lastUpdatedTime: '2026-03-02T10:00:00Z',
  shipstationOrderId: 987654,
  firstSeenAt: '2026-03-02T10:00:05Z',
  sentAt: '2026-03-02T10:00:07Z',
  unmappedSkus: [],
  isPrime: true,
  shipByLatest: '2026-03-03T23:59:59Z',
};

export const audit: AuditEntry[] = [
  { at: '2026-03-02T14:02:00Z', actor: 'U1ALICE', source: 'slack', action: 'action:retry_order', target: ID, outcome: 'ok', detail: 'sent to ShipStation' },
  { at: '2026-03-02T13:00:00Z', actor: 'cli:bob', source: 'cli', action: 'pause', target: 'default', outcome: 'ok' },
  { at: '2026-03-02T13:30:00Z', actor: 'U2CAROL', source: 'slack', action: 'command:/dockhand pause', outcome: 'refused' },
];

export function unmapped(i: number): UnmappedSku {
  return { amazonSku: `SKU-${i}`, asin: `B0${String(i).padStart(8, '0')}`, firstSeenAt: '2026-03-01T00:00:00Z', lastSeenAt: '2026-03-02T00:00:00Z', orderCount: i, recentOrderIds: [ID] };
}

export function atRisk(i: number, over: Partial<AtRiskOrder> = {}): AtRiskOrder {
  return {
    accountId: 'default',
    amazonOrderId: `112-0000000-${String(i).padStart(7, '0')}`,
    isPrime: false,
    shipByLatest: '2026-03-02T18:00:00.000Z',
    minutesLeft: 100 + i,
    shipstationOrderId: 500_000 + i,
    ...over,
  };
}

export function deadlineAlertRecord(n: DeadlineNotice, over: Partial<AlertRecord> = {}): AlertRecord {
  return alert({ key: 'deadline:test', kind: 'deadline', facts: deadlineFacts(n, '2026-03-02T14:01:00.000Z'), ...over });
}

export function notice(over: Partial<WritebackNotice> = {}): WritebackNotice {
  return {
    key: 'writeback:shipment:4242',
    kind: 'confirmation_quarantined',
    accountId: 'default',
    amazonOrderId: ID,
    labelId: 'shipment:4242',
    shipstationOrderId: 987654,
    trackingNumber: '1Z999AA10123456784',
    carrier: 'UPS',
    code: 'writeback.rejected',
    message: 'Amazon said: InvalidInput <packageDetail> & more',
    hint: 'Check the carrier code, then press Retry',
    fix: 'retry_confirmation',
    ...over,
  };
}

export function writebackAlert(n: WritebackNotice, over: Partial<AlertRecord> = {}): AlertRecord {
  return alert({ key: n.key, kind: 'writeback_problem', facts: writebackFacts(n), ...over });
}

export function confirmation(over: Partial<ConfirmationRecord> = {}): ConfirmationRecord {
  return {
    labelId: 'shipment:4242',
    accountId: 'default',
    amazonOrderId: ID,
    shipstationOrderId: 987654,
    state: 'confirmed',
    packageReferenceId: '4242',
    carrierCode: 'ups_walleted',
    carrierName: 'UPS',
    trackingNumber: '1Z999AA10123456784',
    items: [{ orderItemId: '12345678901234', quantity: 2 }],
    labelCreatedAt: '2026-03-02T11:00:00.000Z',
    via: 'webhook',
    at: '2026-03-02T11:00:05.000Z',
    confirmedAt: '2026-03-02T11:00:06.000Z',
    attempts: 1,
    voidedAfterConfirm: false,
    ...over,
  };
}

export const many = (n: number, over: (i: number) => Partial<AtRiskOrder> = () => ({})) => Array.from({ length: n }, (_, i) => atRisk(i, over(i)));

/** One test per message: each is valid Block Kit within Slack's limits. */
export function describeValidBlockKit(messages: Array<[string, SlackMessage]>): void {
  describe('is structurally valid Block Kit', () => {
    it.each(messages)('%s', (_name, msg) => {
      expect(blockKitProblems(msg)).toEqual([]);
    });
  });
}
