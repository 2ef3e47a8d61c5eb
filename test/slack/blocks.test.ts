import { afterEach, describe, expect, it } from 'vitest';
import type { StatusData } from '../../src/jobs/status';
import {
  ACTIONS,
  actionPattern,
  alertMessage,
  auditList,
  clampText,
  deadlineFacts,
  deadlineHeadline,
  fitMessage,
  helpMessage,
  lateList,
  mapSkuModal,
  mapSkuModalErrors,
  orderTimeline,
  parseButtonValue,
  quarantineList,
  reconcileSummary,
  refused,
  setShipStationAppUrl,
  shipstationOrderUrl,
  statusMessage,
  unknownCommand,
  unmappedList,
  validateShipStationSku,
  writebackFacts,
  writebackNoticeFromFacts,
  writebackResolution,
  type SlackMessage,
} from '../../src/slack/blocks';
import type { AtRiskOrder, DeadlineNotice, WritebackNotice } from '../../src/domain/notifier';
import type { AlertRecord, AuditEntry, ConfirmationRecord, OrderRecord, QuarantineEntry, UnmappedSku } from '../../src/store/records';

// ---------------------------------------------------------------------------------------------
// A small Block Kit structure check: the rules Slack rejects a whole message for.

const KNOWN_BLOCKS = new Set(['section', 'header', 'context', 'divider', 'actions', 'input', 'image', 'rich_text']);

function blockKitProblems(msg: SlackMessage): string[] {
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

function allText(msg: SlackMessage): string {
  return JSON.stringify(msg.blocks);
}

function buttons(msg: SlackMessage): any[] {
  return msg.blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : b.accessory ? [b.accessory] : []));
}

// ---------------------------------------------------------------------------------------------
// Fixtures (buyer data only where a test proves it never shows)

const ID = '111-1234567-1234567';
const NOW = new Date('2026-03-02T14:05:00Z');

function quarantineEntry(i: number, over: Partial<QuarantineEntry> = {}): QuarantineEntry {
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

function alert(over: Partial<AlertRecord> & Pick<AlertRecord, 'kind' | 'facts'>): AlertRecord {
  return { key: 'k', channel: 'C123', state: 'open', count: 1, updatedAt: '2026-03-02T14:00:00.000Z', ...over };
}

const quarantinedAlert = alert({
  key: `quarantine:default:${ID}`,
  kind: 'quarantined_order',
  facts: { accountId: 'default', amazonOrderId: ID, code: 'shipstation.rejected', reason: 'ShipStation said <b>no</b> & more', hint: 'Check the store ID' },
});
const unmappedAlert = alert({
  key: 'unmapped:MUG-1',
  kind: 'unmapped_sku',
  facts: { amazonSku: 'MUG-1', asin: 'B0TEST0001', orderCount: '3', recentOrders: `${ID}, 111-7654321-7654321` },
});
const syncAlert = alert({
  key: 'sync:default',
  kind: 'sync_failed',
  facts: { accountId: 'default', code: 'amazon.unauthorized', message: 'LWA refused the refresh token', hint: 'Re-authorise the app in Seller Central' },
});
const burstAlert = alert({
  key: 'burst:default',
  kind: 'quarantine_burst',
  count: 12,
  facts: { accountId: 'default', count: '12', orderIds: `${ID},111-0000000-0000002,111-0000000-0000003` },
});

const record: OrderRecord = {
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

const status: StatusData = {
  now: NOW,
  accounts: [
    {
      id: 'default',
      mode: 'import',
      marketplaceIds: ['ATVPDKIKX0DER'],
      lastRun: {
        accountId: 'default',
        startedAt: '2026-03-02T14:02:00Z',
        finishedAt: '2026-03-02T14:03:00Z',
        ok: true,
        seen: 10,
        created: 2,
        updated: 1,
        cancelled: 0,
        unchanged: 7,
        held: 0,
        skipped: 0,
        quarantined: 1,
        pages: 1,
      },
      states: { sent: 40, held: 2, quarantined: 1 },
      firstSeenToday: 5,
      quarantined: 1,
    },
    { id: 'eu', mode: 'watch', marketplaceIds: ['A1PA6795UKMFR9'], states: {}, firstSeenToday: 0, quarantined: 0 },
  ],
  events: {
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/123/dockhand',
    health: {
      updatedAt: '2026-03-02T14:04:00Z',
      received: 50,
      processed: 45,
      ignored: 4,
      retried: 1,
      quarantined: 0,
      lastEventAt: '2026-03-02T14:04:30Z',
      lastLagMs: 2300,
      queueErrors: 0,
      caughtByPolling: 3,
      lastCaughtAt: '2026-03-02T13:00:00Z',
    },
    depth: { visible: 4, inFlight: 1 },
  },
};

const audit: AuditEntry[] = [
  { at: '2026-03-02T14:02:00Z', actor: 'U1ALICE', source: 'slack', action: 'action:retry_order', target: ID, outcome: 'ok', detail: 'sent to ShipStation' },
  { at: '2026-03-02T13:00:00Z', actor: 'cli:bob', source: 'cli', action: 'pause', target: 'default', outcome: 'ok' },
  { at: '2026-03-02T13:30:00Z', actor: 'U2CAROL', source: 'slack', action: 'command:/dockhand pause', outcome: 'refused' },
];

function unmapped(i: number): UnmappedSku {
  return { amazonSku: `SKU-${i}`, asin: `B0${String(i).padStart(8, '0')}`, firstSeenAt: '2026-03-01T00:00:00Z', lastSeenAt: '2026-03-02T00:00:00Z', orderCount: i, recentOrderIds: [ID] };
}

// ---------------------------------------------------------------------------------------------

describe('every message is structurally valid Block Kit', () => {
  const many = Array.from({ length: 75 }, (_, i) => quarantineEntry(i));
  const longReason = quarantineEntry(1, { reason: 'x'.repeat(5000), hint: 'y'.repeat(5000) });
  const manyAccounts: StatusData = { now: NOW, accounts: Array.from({ length: 60 }, (_, i) => ({ ...status.accounts[1]!, id: `acct-${i}` })) };
  it.each<[string, SlackMessage]>([
    ['help', helpMessage()],
    ['unknown', unknownCommand('`/dockhand retyr`: unknown command `retyr` — did you mean `retry`?')],
    ['refused', refused('Only managers may pause the sync.')],
    ['status', statusMessage(status)],
    ['status, 60 accounts, no events', statusMessage(manyAccounts)],
    ['order timeline', orderTimeline({ amazonOrderId: ID, record, audit, alerts: [quarantinedAlert], confirmations: [] })],
    ['order timeline, unknown order', orderTimeline({ amazonOrderId: ID, audit: [], alerts: [], confirmations: [] })],
    ['order timeline, 200 audit entries', orderTimeline({ amazonOrderId: ID, record, quarantine: quarantineEntry(1), audit: Array.from({ length: 200 }, (_, i) => ({ ...audit[0]!, at: new Date(Date.UTC(2026, 2, 2, 0, i)).toISOString() })), alerts: [], confirmations: [] })],
    ['quarantine list, empty', quarantineList([])],
    ['quarantine list, 75', quarantineList(many)],
    ['quarantine list, huge reason', quarantineList([longReason])],
    ['audit list, 100', auditList(Array.from({ length: 100 }, (_, i) => ({ ...audit[0]!, detail: 'd'.repeat(200), at: new Date(Date.UTC(2026, 2, 2, 0, i)).toISOString() })))],
    ['audit list, empty', auditList([])],
    ['unmapped list, 30', unmappedList(Array.from({ length: 30 }, (_, i) => unmapped(i)))],
    ['unmapped list, empty', unmappedList([])],
    ['alert quarantined', alertMessage(quarantinedAlert)],
    ['alert unmapped', alertMessage(unmappedAlert)],
    ['alert sync failed', alertMessage(syncAlert)],
    ['alert burst', alertMessage(burstAlert)],
    ['alert resolved', alertMessage({ ...syncAlert, state: 'resolved', lastActor: 'U1ALICE', lastActionAt: '2026-03-02T14:02:00Z', lastActionText: 'pressed Retry now — sync ok' })],
    ['alert with no facts', alertMessage(alert({ kind: 'quarantined_order', facts: {} }))],
    ['alert with huge facts', alertMessage({ ...syncAlert, facts: { ...syncAlert.facts, message: 'm'.repeat(10_000) } })],
  ])('%s', (_name, msg) => {
    expect(blockKitProblems(msg)).toEqual([]);
  });

  it('the validator catches what Slack rejects', () => {
    const bad: SlackMessage = {
      text: 'x',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'a'.repeat(3001) } },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, action_id: 'same' }, { type: 'button', text: { type: 'plain_text', text: 'ok' }, action_id: 'same' }] },
      ],
    };
    expect(blockKitProblems(bad)).toEqual(['blocks[0] section: 3001 > 3000', 'blocks[1] actions[0] button: 76 > 75', 'blocks[1] actions[1]: duplicate action_id same']);
  });
});

describe('fitMessage', () => {
  it('cuts to 50 blocks, the last saying how many were left out and where to see all', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text: `line ${i}` } }));
    const out = fitMessage('t', blocks, { cliCommand: 'dockhand quarantine' });
    expect(out.blocks).toHaveLength(50);
    expect(JSON.stringify(out.blocks[49])).toContain('…and 11 more (`dockhand quarantine` in the CLI shows all)');
  });

  it.each<[string, number, string]>([
    ['short', 10, 'short'],
    ['abcdef', 4, 'abc…'],
    ['ab😀cd', 4, 'ab…'], // never leaves half a surrogate pair
  ])('clampText(%j, %i)', (s, max, expected) => {
    expect(clampText(s, max)).toBe(expected);
  });
});

describe('help, unknown, refused', () => {
  it('help lists every command', () => {
    const t = allText(helpMessage());
    for (const c of ['status', 'order <AmazonOrderId>', 'quarantine', 'retry <AmazonOrderId|all>', 'sku map', 'sku unmapped', 'pause [account]', 'resume [account]', 'audit [n]', 'late', 'reconcile [account]']) {
      expect(t).toContain(`/dockhand ${c}`);
    }
  });

  it.each<[string, SlackMessage, string]>([
    ['unknown escapes what the user typed', unknownCommand('`/dockhand <@U1>`: unknown command'), '`/dockhand &lt;@U1&gt;`: unknown command'],
    ['refused says why', refused('Only managers may pause & resume.'), ':lock: Only managers may pause &amp; resume.'],
  ])('%s', (_name, msg, expected) => {
    expect(allText(msg)).toContain(expected);
  });
});

describe('statusMessage', () => {
  it.each<[string, StatusData, string[], string[]]>([
    [
      'accounts, events, and the caught-by-polling warning',
      status,
      ['*default* · import · ATVPDKIKX0DER', '2m ago, ok: 10 seen, 2 created, 1 updated, 0 cancelled, 1 quarantined', '40 in ShipStation, 0 being sent, 2 held (pending)', ':construction: 1 — `/dockhand quarantine`', '*Lag*\\n2.3 s', '4 waiting, 1 in flight', 'Polling had to send 3 orders that events never delivered (last 65m ago)', '*eu*', 'never', 'As of 2026-03-02 14:05 UTC'],
      ['Safety net'],
    ],
    [
      'a failed run, a paused account, no events',
      {
        now: NOW,
        accounts: [
          { ...status.accounts[0]!, lastRun: { ...status.accounts[0]!.lastRun!, ok: false, error: 'LWA <refused>' } },
          { ...status.accounts[1]!, lastRun: { ...status.accounts[0]!.lastRun!, pausedBy: 'U1ALICE' } },
        ],
      },
      ['FAILED: LWA &lt;refused&gt;', 'paused by <@U1ALICE>', 'not configured: polling only'],
      ['Polling had to send'],
    ],
    [
      'tracking writeback: labels confirmed, and refused ones named as a problem',
      {
        now: NOW,
        accounts: [
          { ...status.accounts[0]!, writeback: { confirmed: 12, inFlight: 1, skipped: 2, quarantined: 3, lastConfirmedAt: '2026-03-02T14:04:00Z' } },
          { ...status.accounts[1]!, mode: 'watch' },
        ],
      },
      ['*Tracking to Amazon*\\n12 confirmed (last 60s ago), 1 to resend, 2 not confirmed, :warning: 3 refused', "posted by ShipStation's own Amazon store"],
      ['no labels yet'],
    ],
    [
      'an unreachable queue and no health yet',
      { now: NOW, accounts: [], events: { queueUrl: 'q', depthError: 'connect ECONNREFUSED' } },
      ['unreachable: connect ECONNREFUSED', 'none recorded yet', 'Safety net: polling has caught nothing'],
      [],
    ],
  ])('%s', (_name, data, present, absent) => {
    const t = allText(statusMessage(data));
    for (const p of present) expect(t).toContain(p);
    for (const a of absent) expect(t).not.toContain(a);
  });

  it('says in the notification text what is wrong', () => {
    expect(statusMessage(status).text).toBe('Dockhand status: 1 order of default in quarantine; events are being missed');
    expect(statusMessage({ now: NOW, accounts: [status.accounts[1]!] }).text).toBe('Dockhand status: 1 account, all well');
    const refused = { ...status.accounts[1]!, writeback: { confirmed: 0, inFlight: 0, skipped: 0, quarantined: 2 } };
    expect(statusMessage({ now: NOW, accounts: [refused] }).text).toBe('Dockhand status: 2 labels of eu refused by Amazon');
  });

  it('lists at most 20 accounts and says how many more', () => {
    const data: StatusData = { now: NOW, accounts: Array.from({ length: 25 }, (_, i) => ({ ...status.accounts[1]!, id: `acct-${i}` })) };
    const t = allText(statusMessage(data));
    expect(t).toContain('acct-19');
    expect(t).not.toContain('acct-20');
    expect(t).toContain('…and 5 more (`dockhand status` in the CLI shows all)');
  });
});

describe('orderTimeline', () => {
  it('shows what happened in time order and never the sealed buyer data', () => {
    const msg = orderTimeline({
      amazonOrderId: ID,
      record,
      audit,
      alerts: [{ ...quarantinedAlert, updatedAt: '2026-03-02T13:45:00Z', lastActor: 'U1ALICE', lastActionAt: '2026-03-02T13:50:00Z', lastActionText: 'pressed Retry' }],
      confirmations: [],
    });
    const t = allText(msg);
    expect(msg.text).toBe(`Order ${ID}: in ShipStation`);
    expect(t).toContain('*ShipStation order*\\n987654');
    expect(t).toContain('Prime');
    expect(t).toContain('*Tracking to Amazon*\\nno label yet');
    expect(t).not.toContain('Jane');
    expect(t).not.toContain('SEALED');
    const order = ['First seen by Dockhand', 'Sent to ShipStation (order 987654)', '`cli:bob`', '<@U2CAROL>', 'Alert `quarantined_order` open', '<@U1ALICE> pressed Retry', '<@U1ALICE> `action:retry_order` → ok (sent to ShipStation)'];
    const positions = order.map((s) => t.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it.each<[string, Parameters<typeof orderTimeline>[0], string[]]>([
    ['an order never seen', { amazonOrderId: ID, audit: [], alerts: [], confirmations: [] }, [`Dockhand has not seen order \`${ID}\``]],
    [
      'a quarantined order gets a Retry button',
      { amazonOrderId: ID, quarantine: quarantineEntry(1, { amazonOrderId: ID, attempts: 3 }), audit: [], alerts: [], confirmations: [] },
      ['Quarantined: `sku.unmapped` — SKU MUG-1 has no ShipStation SKU (3 attempts)', '"action_id":"retry_order"'],
    ],
    ['a cancelled order', { amazonOrderId: ID, record: { ...record, state: 'cancelled', amazonStatus: 'Canceled', closedAt: '2026-03-02T12:00:00Z' }, audit: [], alerts: [], confirmations: [] }, ['Cancelled on Amazon', '*State*\\ncancelled']],
    ['a shipped order', { amazonOrderId: ID, record: { ...record, amazonStatus: 'Shipped', closedAt: '2026-03-02T12:00:00Z' }, audit: [], alerts: [], confirmations: [] }, ['Shipped on Amazon', 'shipped on Amazon; Dockhand saw no ShipStation label']],
    ['a skipped order says why', { amazonOrderId: ID, record: { ...record, state: 'skipped', skipReason: 'fulfilled by Amazon' }, audit: [], alerts: [], confirmations: [] }, ['skipped (fulfilled by Amazon)']],
  ])('%s', (_name, input, present) => {
    const t = allText(orderTimeline(input));
    for (const p of present) expect(t).toContain(p);
  });

  it('keeps the latest 40 events and says how many earlier ones are hidden', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ ...audit[1]!, at: new Date(Date.UTC(2026, 2, 1, 0, i)).toISOString(), detail: `n${i}` }));
    const t = allText(orderTimeline({ amazonOrderId: ID, audit: many, alerts: [], confirmations: [] }));
    expect(t).toContain('…20 earlier events not shown');
    expect(t).toContain('(n59)');
    expect(t).not.toContain('(n19)');
  });
});

describe('quarantineList', () => {
  it('gives each entry a Retry button with a unique action id and the order in its value', () => {
    const msg = quarantineList([quarantineEntry(2), quarantineEntry(1)]);
    const bs = buttons(msg);
    expect(bs.map((b) => b.action_id)).toEqual(['retry_order:default:111-0000000-0000001', 'retry_order:default:111-0000000-0000002', 'retry_all:list']);
    expect(bs.every((b) => actionPattern(ACTIONS.retryOrder).test(b.action_id) || actionPattern(ACTIONS.retryAll).test(b.action_id))).toBe(true);
    expect(parseButtonValue(bs[0].value)).toEqual({ key: 'quarantine:default:111-0000000-0000001', version: quarantineEntry(1).at, accountId: 'default', amazonOrderId: '111-0000000-0000001' });
    expect(bs[2].text.text).toBe('Retry all 2');
    expect(bs[2].confirm.text.text).toBe('Send all 2 quarantined orders to ShipStation again?');
    expect(msg.text).toBe('2 orders in quarantine');
  });

  it('shows 20 and says how many more, keeping Retry all', () => {
    const msg = quarantineList(Array.from({ length: 23 }, (_, i) => quarantineEntry(i)));
    expect(buttons(msg)).toHaveLength(21);
    expect(allText(msg)).toContain('…and 3 more (`dockhand quarantine` in the CLI shows all)');
  });

  it('says so when empty, with no buttons', () => {
    const msg = quarantineList([]);
    expect(buttons(msg)).toEqual([]);
    expect(msg.text).toBe('No orders in quarantine');
  });
});

describe('auditList', () => {
  it('lists newest first with who, what, target and outcome', () => {
    const t = allText(auditList(audit));
    const lines = ['<@U1ALICE> `action:retry_order` `111-1234567-1234567` → ok (sent to ShipStation)', ':lock: <@U2CAROL> `command:/dockhand pause` → refused', '`cli:bob` `pause` `default` → ok'];
    const pos = lines.map((l) => t.indexOf(l));
    expect(pos.every((p) => p >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
  });
});

describe('unmappedList', () => {
  it('orders by order count and gives a Map SKU button each', () => {
    const msg = unmappedList([unmapped(1), unmapped(5)]);
    const bs = buttons(msg);
    expect(bs.map((b) => b.action_id)).toEqual(['map_sku:SKU-5', 'map_sku:SKU-1']);
    expect(parseButtonValue(bs[0].value)).toMatchObject({ amazonSku: 'SKU-5', asin: 'B000000005' });
    expect(allText(msg)).toContain('5 orders, last 2026-03-02 00:00 UTC');
  });

  it('shows 20 and says how many more', () => {
    expect(allText(unmappedList(Array.from({ length: 26 }, (_, i) => unmapped(i))))).toContain('…and 6 more (`dockhand sku unmapped` in the CLI shows all)');
  });
});

describe('alertMessage', () => {
  it.each<[string, AlertRecord, string, string[], Array<[string, string | undefined]>]>([
    [
      'quarantined order',
      quarantinedAlert,
      `Order ${ID} is quarantined: shipstation.rejected`,
      ['Order `111-1234567-1234567` is quarantined', '`shipstation.rejected`', 'ShipStation said &lt;b&gt;no&lt;/b&gt; &amp; more', 'Check the store ID'],
      [
        ['retry_order', 'primary'],
        ['show_order', undefined],
      ],
    ],
    ['unmapped SKU', unmappedAlert, 'Amazon SKU MUG-1 has no ShipStation SKU (3 orders)', ['`MUG-1`', '`B0TEST0001`', '*Orders with it*\\n3', '`111-7654321-7654321`'], [['map_sku', 'primary']]],
    [
      'sync failed',
      syncAlert,
      'Sync failed for account default: amazon.unauthorized',
      ['Sync is failing for account *default*', 'LWA refused the refresh token', 'Re-authorise the app'],
      [
        ['retry_sync', 'primary'],
        ['pause_sync', 'danger'],
      ],
    ],
    ['quarantine burst', burstAlert, '12 orders quarantined in default', ['12 orders quarantined', '`111-0000000-0000003` and 9 more'], [['retry_all', 'primary']]],
  ])('%s', (_name, record, text, present, expectedButtons) => {
    const msg = alertMessage(record);
    expect(msg.text).toBe(text);
    for (const p of present) expect(allText(msg)).toContain(p);
    const bs = buttons(msg);
    expect(bs.map((b) => [b.action_id, b.style])).toEqual(expectedButtons);
    for (const b of bs) expect(parseButtonValue(b.value)).toMatchObject({ key: record.key, version: record.updatedAt });
  });

  it('puts the order in the Retry value and a confirm dialog on Pause', () => {
    const [retry] = buttons(alertMessage(quarantinedAlert));
    expect(parseButtonValue(retry.value)).toEqual({ key: `quarantine:default:${ID}`, version: '2026-03-02T14:00:00.000Z', accountId: 'default', amazonOrderId: ID });
    const pause = buttons(alertMessage(syncAlert))[1];
    expect(pause.confirm).toMatchObject({ title: { text: 'Pause sync?' }, confirm: { text: 'Pause' }, deny: { text: 'Cancel' } });
  });

  it('writes who acted last, when, and the outcome', () => {
    const msg = alertMessage({ ...quarantinedAlert, lastActor: 'U123', lastActionAt: '2026-03-02T14:02:10Z', lastActionText: 'pressed Retry — sent to ShipStation' });
    expect(allText(msg)).toContain('<@U123> pressed Retry at 14:02 UTC — sent to ShipStation');
    expect(buttons(msg)).toHaveLength(2);
  });

  it.each<[string, AlertRecord, string]>([
    ['with a resolution fact', { ...unmappedAlert, state: 'resolved', facts: { ...unmappedAlert.facts, resolution: 'mapped to MUG-BLUE' } }, ':white_check_mark: Resolved: mapped to MUG-BLUE'],
    [
      'by a person',
      { ...quarantinedAlert, state: 'resolved', lastActor: 'U123', lastActionAt: '2026-03-02T14:02:10Z', lastActionText: 'pressed Retry — sent to ShipStation' },
      ':white_check_mark: Resolved — <@U123> pressed Retry at 14:02 UTC — sent to ShipStation',
    ],
    ['on its own', { ...syncAlert, state: 'resolved' }, ':white_check_mark: Resolved: the problem went away'],
  ])('drops the buttons once resolved (%s)', (_name, record, line) => {
    const msg = alertMessage(record);
    expect(buttons(msg)).toEqual([]);
    expect(allText(msg)).toContain(line);
    expect(msg.text.startsWith('Resolved: ')).toBe(true);
  });

  it('renders an alert whose facts are missing rather than throwing', () => {
    expect(alertMessage(alert({ kind: 'unmapped_sku', facts: {} })).blocks.length).toBeGreaterThan(0);
  });
});

describe('Map SKU modal', () => {
  it('has the input the submission handler reads', () => {
    const view = mapSkuModal({ amazonSku: 'MUG-1', asin: 'B0TEST0001', privateMetadata: '{"key":"unmapped:MUG-1"}' });
    expect(view).toMatchObject({ type: 'modal', callback_id: 'map_sku_submit', private_metadata: '{"key":"unmapped:MUG-1"}' });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    const input = view.blocks.find((b) => b.type === 'input') as any;
    expect(input).toMatchObject({ block_id: 'shipstation_sku', element: { type: 'plain_text_input', action_id: 'value', max_length: 100 } });
    expect(JSON.stringify(view.blocks)).toContain('`B0TEST0001`');
  });

  it('refuses private_metadata Slack would reject', () => {
    expect(() => mapSkuModal({ amazonSku: 'X', privateMetadata: 'x'.repeat(3001) })).toThrow(/3001 characters/);
  });

  it('shapes errors for the input', () => {
    expect(mapSkuModalErrors('Enter the ShipStation SKU.')).toEqual({ response_action: 'errors', errors: { shipstation_sku: 'Enter the ShipStation SKU.' } });
  });

  it.each<[string, string | undefined]>([
    ['MUG-BLUE-12', undefined],
    ['MUG BLUE 12', undefined],
    ['杯子-1', undefined],
    ['x'.repeat(100), undefined],
    ['', 'Enter the ShipStation SKU.'],
    ['   ', 'Enter the ShipStation SKU.'],
    [' MUG', 'Remove the spaces at the start or end of the SKU.'],
    ['MUG\t', 'Remove the spaces at the start or end of the SKU.'],
    ['x'.repeat(101), 'A SKU has at most 100 characters; this one has 101.'],
    ['MUG\n1', 'The SKU contains a line break or another control character.'],
    ['MUG\u00001', 'The SKU contains a line break or another control character.'],
  ])('validateShipStationSku(%j)', (s, expected) => {
    expect(validateShipStationSku(s)).toBe(expected);
  });
});

describe('parseButtonValue', () => {
  it.each<[string | undefined, boolean]>([
    ['{"key":"k","version":"v"}', true],
    ['{"key":"k"}', false],
    ['not json', false],
    [undefined, false],
  ])('%j', (raw, ok) => {
    expect(parseButtonValue(raw) !== undefined).toBe(ok);
  });
});

// ---------------------------------------------------------------------------------------------
// Tracking writeback and ship-by deadlines

function atRisk(i: number, over: Partial<AtRiskOrder> = {}): AtRiskOrder {
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

function deadlineAlertRecord(n: DeadlineNotice, over: Partial<AlertRecord> = {}): AlertRecord {
  return alert({ key: 'deadline:test', kind: 'deadline', facts: deadlineFacts(n, '2026-03-02T14:01:00.000Z'), ...over });
}

function notice(over: Partial<WritebackNotice> = {}): WritebackNotice {
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

function writebackAlert(n: WritebackNotice, over: Partial<AlertRecord> = {}): AlertRecord {
  return alert({ key: n.key, kind: 'writeback_problem', facts: writebackFacts(n), ...over });
}

function confirmation(over: Partial<ConfirmationRecord> = {}): ConfirmationRecord {
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

const many = (n: number, over: (i: number) => Partial<AtRiskOrder> = () => ({})) => Array.from({ length: n }, (_, i) => atRisk(i, over(i)));

describe('writeback and deadline messages are structurally valid Block Kit', () => {
  it.each<[string, SlackMessage]>([
    ['deadline, 200 orders at risk', alertMessage(deadlineAlertRecord({ stage: 'at_risk', leadMinutes: 240, orders: many(200, (i) => ({ isPrime: i < 50 })) }))],
    ['deadline, 200 late', alertMessage(deadlineAlertRecord({ stage: 'late', orders: many(200, (i) => ({ minutesLeft: -i })) }))],
    ['deadline, 200 cancel requests', alertMessage(deadlineAlertRecord({ stage: 'cancel_requested', orders: many(200, (i) => (i % 2 ? { shipstationOrderId: undefined } : {})) }))],
    ['deadline, resolved', alertMessage(deadlineAlertRecord({ stage: 'late', orders: many(3) }, { state: 'resolved' }))],
    ['late list, 200 in every group', lateList(many(200, (i) => ({ minutesLeft: [-30, 30, 120, 600, undefined][i % 5] })), NOW)],
    ['late list, empty', lateList([], NOW)],
    ['reconcile, 60 findings of every kind', reconcileSummary({ accounts: ['default', 'eu'], checkedOrders: 900, checkedLabels: 1200, findings: Array.from({ length: 60 }, (_, i) => notice({ key: `reconcile:${i}`, fix: (['retry_confirmation', 'confirm_now', 'create_in_shipstation', 'hold_order', undefined] as const)[i % 5] })) }, NOW)],
    ['reconcile, nothing found', reconcileSummary({ accounts: ['default'], checkedOrders: 3, checkedLabels: 2, findings: [] }, NOW)],
    ['writeback alert, huge message', alertMessage(writebackAlert(notice({ message: 'm'.repeat(10_000), hint: 'h'.repeat(5_000) })))],
    ['writeback alert, no facts', alertMessage(alert({ kind: 'writeback_problem', facts: {} }))],
    ['deadline alert, no facts', alertMessage(alert({ kind: 'deadline', facts: {} }))],
    ['timeline with 30 labels', orderTimeline({ amazonOrderId: ID, record, audit: [], alerts: [], confirmations: Array.from({ length: 30 }, (_, i) => confirmation({ labelId: `shipment:${i}`, state: 'quarantined', code: 'writeback.rejected', reason: 'r'.repeat(400) })) })],
  ])('%s', (_name, msg) => {
    expect(blockKitProblems(msg)).toEqual([]);
  });
});

describe('shipstationOrderUrl', () => {
  it.each<[string, string]>([
    [ID, `https://ship.shipstation.com/orders/all-orders-search-result?quickSearch=${ID}`],
    ['A B&C', 'https://ship.shipstation.com/orders/all-orders-search-result?quickSearch=A%20B%26C'],
  ])('%s', (id, url) => {
    expect(shipstationOrderUrl(id)).toBe(url);
  });
});

describe('where Open in ShipStation leads', () => {
  afterEach(() => setShipStationAppUrl('https://ship.shipstation.com'));

  it.each<[string, string | undefined, string | undefined]>([
    ["ShipStation's web app", 'https://ship.shipstation.com', `https://ship.shipstation.com/orders/all-orders-search-result?quickSearch=${ID}`],
    ["the sandbox simulator's order page", 'http://127.0.0.1:4711/app', `http://127.0.0.1:4711/app/orders/all-orders-search-result?quickSearch=${ID}`],
    ['no web app known (another API): nowhere', undefined, undefined],
  ])('%s', (_name, appUrl, url) => {
    setShipStationAppUrl(appUrl);
    expect(shipstationOrderUrl(ID)).toBe(url);
  });

  it('follows the configured web app in every message, and offers none without one', () => {
    const late = deadlineAlertRecord({ stage: 'late', orders: [atRisk(1)] });
    setShipStationAppUrl('http://127.0.0.1:4711/app/');
    const open = buttons(alertMessage(late)).find((b) => b.action_id.startsWith('open_shipstation'));
    expect(open.url).toBe('http://127.0.0.1:4711/app/orders/all-orders-search-result?quickSearch=112-0000000-0000001');
    expect(buttons(orderTimeline({ amazonOrderId: ID, record, audit: [], alerts: [], confirmations: [] }))[0].url).toContain('http://127.0.0.1:4711/app/orders/');
    setShipStationAppUrl(undefined);
    expect(buttons(alertMessage(late)).map((b) => b.action_id)).toEqual(['retry_sync:default:112-0000000-0000001', 'mark_priority:default:112-0000000-0000001']);
    expect(buttons(alertMessage(writebackAlert(notice()))).map((b) => b.action_id)).toEqual(['retry_confirmation', 'show_order']);
  });

  it('offers no Open in ShipStation for an order ShipStation does not hold', () => {
    const notSent = orderTimeline({ amazonOrderId: ID, record: { ...record, state: 'held', shipstationOrderId: undefined, sentAt: undefined }, audit: [], alerts: [], confirmations: [] });
    expect(buttons(notSent)).toEqual([]);
    expect(blockKitProblems(notSent)).toEqual([]);
    expect(allText(notSent)).toContain('*ShipStation order*\\nnot created');
    const late = lateList([atRisk(1, { shipstationOrderId: undefined })], NOW);
    expect(buttons(late).map((b) => b.action_id)).toEqual(['retry_sync:default:112-0000000-0000001']);
  });
});

describe('Retry only where it can help', () => {
  const malformedFacts = {
    accountId: 'default',
    amazonOrderId: ID,
    code: 'order.malformed',
    reason: `Amazon order ${ID} is malformed: orderItems[0] has neither sellerSku nor asin`,
    hint: 'Dockhand skipped this order. Check it in Seller Central; it is retried automatically when Amazon updates it.',
  };
  const marketplaceFacts = {
    accountId: 'default',
    amazonOrderId: ID,
    code: 'order.unknown_marketplace',
    reason: `Amazon order ${ID} is from marketplace A2EUQ1WTGCTBG2, which account default does not sync (ATVPDKIKX0DER)`,
    hint: 'Add A2EUQ1WTGCTBG2 to the marketplaceIds of account default in the config if Dockhand should sync it.',
  };

  it.each<[string, Record<string, string>, string[], string[], string[]]>([
    ['a malformed order Amazon must correct: no Retry, says what clears it', malformedFacts, ['show_order'], ['Amazon must correct this order', 'imports it automatically when Amazon updates it'], ['press Retry']],
    [
      'an unknown marketplace: Retry, after the config names it and Dockhand restarts',
      marketplaceFacts,
      ['retry_order', 'show_order'],
      ['Add A2EUQ1WTGCTBG2 to the marketplaceIds of account default', 'restart Dockhand, then press Retry'],
      [],
    ],
    ['ShipStation refused it: Retry after the fix the hint names', quarantinedAlert.facts, ['retry_order', 'show_order'], ['Check the store ID'], ['restart']],
  ])('%s', (_name, facts, expectedButtons, present, absent) => {
    const msg = alertMessage(alert({ key: `quarantine:default:${ID}`, kind: 'quarantined_order', facts }));
    expect(blockKitProblems(msg)).toEqual([]);
    expect(buttons(msg).map((b) => b.action_id)).toEqual(expectedButtons);
    const t = allText(msg);
    for (const p of present) expect(t).toContain(p);
    for (const p of absent) expect(t).not.toContain(p);
  });

  it('keeps Retry all on a burst and says the orders only Amazon can correct are skipped', () => {
    const [retryAll] = buttons(alertMessage(burstAlert));
    expect(retryAll.action_id).toBe('retry_all');
    expect(retryAll.confirm.text.text).toBe('Send 12 quarantined orders to ShipStation again? Orders only Amazon can correct are skipped: they come in when Amazon updates them.');
  });

  it('lists every order, with Retry on those a retry can help, and Retry all counting only them', () => {
    const entries = [
      quarantineEntry(1),
      quarantineEntry(2, { code: 'order.malformed', reason: malformedFacts.reason, hint: malformedFacts.hint }),
      quarantineEntry(3, { code: 'order.unknown_marketplace', reason: marketplaceFacts.reason, hint: marketplaceFacts.hint }),
      quarantineEntry(4, { code: 'order.malformed', reason: 'no address', hint: malformedFacts.hint }),
    ];
    const msg = quarantineList(entries);
    expect(blockKitProblems(msg)).toEqual([]);
    const bs = buttons(msg);
    expect(bs.map((b) => b.action_id)).toEqual(['retry_order:default:111-0000000-0000001', 'retry_order:default:111-0000000-0000003', 'retry_all:list']);
    expect(bs[2].text.text).toBe('Retry all 2');
    expect(bs[2].confirm.text.text).toBe('Send 2 quarantined orders to ShipStation again?');
    const t = allText(msg);
    expect(t).toContain('2 orders only Amazon can correct: no Retry, and Retry all skips them. Dockhand imports them automatically when Amazon updates them.');
    expect(msg.text).toBe('4 orders in quarantine');
  });

  it('offers no Retry all when only Amazon can correct what is in quarantine', () => {
    const msg = quarantineList([quarantineEntry(1, { code: 'order.malformed', hint: malformedFacts.hint })]);
    expect(buttons(msg)).toEqual([]);
    expect(allText(msg)).toContain('1 order only Amazon can correct: no Retry, and Retry all skips it.');
  });

  it('gives the order timeline of a malformed order no Retry, and says what clears it', () => {
    const msg = orderTimeline({ amazonOrderId: ID, quarantine: quarantineEntry(1, { amazonOrderId: ID, code: 'order.malformed', hint: malformedFacts.hint }), audit: [], alerts: [], confirmations: [] });
    expect(buttons(msg)).toEqual([]);
    expect(blockKitProblems(msg)).toEqual([]);
    expect(allText(msg)).toContain('Amazon must correct this order');
  });
});

describe('deadline escalation messages', () => {
  it.each<[DeadlineNotice['stage'], number, number | undefined, string]>([
    ['at_risk', 3, 240, '3 orders ship-by in under 4 h'],
    ['at_risk', 1, 60, '1 order ship-by in under 1 h'],
    ['at_risk', 2, 90, '2 orders ship-by in under 1 h 30 min'],
    ['at_risk', 2, undefined, '2 orders ship-by soon'],
    ['late', 2, undefined, '2 orders are late'],
    ['late', 1, undefined, '1 order is late'],
    ['cancel_requested', 1, undefined, 'Buyer asked to cancel 1 order'],
    ['cancel_requested', 4, undefined, 'Buyers asked to cancel 4 orders'],
  ])('headline %s ×%i (lead %s): %s', (stage, count, lead, text) => {
    expect(deadlineHeadline(stage, count, lead)).toBe(text);
  });

  it('shows 20 of 200 orders in the caller’s order (Prime first), then how many more, within 50 blocks', () => {
    const orders = many(200, (i) => ({ isPrime: i < 3 }));
    const msg = alertMessage(deadlineAlertRecord({ stage: 'at_risk', leadMinutes: 240, orders }));
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    expect(msg.text).toBe('200 orders ship-by in under 4 h (3 Prime)');
    expect((msg.blocks[0] as any).text.text).toBe('200 orders ship-by in under 4 h');
    const t = allText(msg);
    const shownIds = orders.slice(0, 20).map((o) => o.amazonOrderId);
    const positions = shownIds.map((id) => t.indexOf(`\`${id}\``));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(t).not.toContain(orders[20]!.amazonOrderId);
    expect(t).toContain('…and 180 more — `/dockhand late`');
    expect(t).toContain(':zap: *Prime* `112-0000000-0000000` · default · ship by 2026-03-02 18:00 UTC · *1 h 40 min left*');
    expect(t).toContain('Times left as of 14:01 UTC');
  });

  it('gives each late or at-risk order Retry sync, Mark priority and Open in ShipStation, with the order in the values', () => {
    const msg = alertMessage(deadlineAlertRecord({ stage: 'late', orders: [atRisk(1, { minutesLeft: -25, isPrime: true }), atRisk(2, { minutesLeft: -3, shipstationOrderId: undefined })] }, { key: 'deadline:late:-:x:2:abc' }));
    const bs = buttons(msg);
    const o1 = 'default:112-0000000-0000001';
    const o2 = 'default:112-0000000-0000002';
    // Order 2 never reached ShipStation: nothing there to tag or open.
    expect(bs.map((b) => b.action_id)).toEqual([`retry_sync:${o1}`, `mark_priority:${o1}`, `open_shipstation:${o1}`, `retry_sync:${o2}`]);
    expect(parseButtonValue(bs[1].value)).toEqual({ key: 'deadline:late:-:x:2:abc', version: '2026-03-02T14:00:00.000Z', accountId: 'default', amazonOrderId: '112-0000000-0000001', shipstationOrderId: 500001 });
    expect(parseButtonValue(bs[3].value)).toEqual({ key: 'deadline:late:-:x:2:abc', version: '2026-03-02T14:00:00.000Z', accountId: 'default', amazonOrderId: '112-0000000-0000002' });
    expect(bs[2]).toMatchObject({ url: shipstationOrderUrl('112-0000000-0000001'), text: { text: 'Open in ShipStation' } });
    expect(bs[2].value).toBeUndefined();
    expect(allText(msg)).toContain('*late by 25 min*');
    expect(allText(msg)).toContain('*late by 3 min* · not in ShipStation');
  });

  it('gives each cancel request Hold (with a confirm dialog) and Open in ShipStation', () => {
    const msg = alertMessage(deadlineAlertRecord({ stage: 'cancel_requested', orders: [atRisk(1), atRisk(2, { shipstationOrderId: undefined, shipByLatest: undefined, minutesLeft: undefined })] }));
    const bs = buttons(msg);
    // Order 2 is not in ShipStation: no Hold, no Open, and no empty row of buttons.
    expect(bs.map((b) => b.action_id)).toEqual(['hold_order:default:112-0000000-0000001', 'open_shipstation:default:112-0000000-0000001']);
    expect(blockKitProblems(msg)).toEqual([]);
    expect(bs[0]).toMatchObject({ style: 'danger', confirm: { title: { text: 'Hold in ShipStation?' }, confirm: { text: 'Hold' } } });
    expect(parseButtonValue(bs[0].value)).toMatchObject({ shipstationOrderId: 500001, amazonOrderId: '112-0000000-0000001' });
    expect(msg.text).toBe('Buyers asked to cancel 2 orders');
    expect(allText(msg)).toContain('*ship-by unknown* · not in ShipStation');
  });

  it('keeps its buttons after an action, naming who did what', () => {
    const msg = alertMessage(deadlineAlertRecord({ stage: 'late', orders: [atRisk(1)] }, { lastActor: 'U1ALICE', lastActionAt: '2026-03-02T14:03:00Z', lastActionText: 'pressed Mark priority for 112-0000000-0000001 — tagged' }));
    expect(buttons(msg)).toHaveLength(3);
    expect(allText(msg)).toContain('<@U1ALICE> pressed Mark priority for 112-0000000-0000001 at 14:03 UTC — tagged');
  });
});

describe('lateList', () => {
  it('groups late / under 1 h / under 4 h / later, keeping Prime first in each group', () => {
    const orders = [
      atRisk(1, { isPrime: true, minutesLeft: -10 }),
      atRisk(2, { isPrime: true, minutesLeft: 30 }),
      atRisk(3, { isPrime: true, minutesLeft: 600 }),
      atRisk(4, { minutesLeft: -40 }),
      atRisk(5, { minutesLeft: 59 }),
      atRisk(6, { minutesLeft: 60 }),
      atRisk(7, { minutesLeft: 239 }),
      atRisk(8, { minutesLeft: 240 }),
    ];
    const msg = lateList(orders, NOW);
    const t = allText(msg);
    const seq = ['*:rotating_light: Late* (2)', '0000001', '0000004', '*:alarm_clock: Under 1 h* (2)', '0000002', '0000005', '*:hourglass_flowing_sand: Under 4 h* (2)', '0000006', '0000007', '*Later* (2)', '0000003', '0000008'];
    const pos = seq.map((x) => t.indexOf(x));
    expect(pos.every((p) => p >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
    expect(t).not.toContain('Ship-by unknown');
    expect(msg.text).toBe('8 orders at risk, 2 late (3 Prime)');
    const [retry, priority] = buttons(msg);
    expect(retry.action_id).toBe('retry_sync:default:112-0000000-0000001');
    expect(parseButtonValue(priority.value)).toEqual({ key: 'late:default:112-0000000-0000001', version: NOW.toISOString(), accountId: 'default', amazonOrderId: '112-0000000-0000001', shipstationOrderId: 500001 });
  });

  it('shows the 20 most urgent of 200 and counts the rest per group', () => {
    const msg = lateList(many(200, (i) => ({ minutesLeft: i < 150 ? -i - 1 : 500 })), NOW);
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    const t = allText(msg);
    expect(t).toContain('*:rotating_light: Late* (150)');
    expect(t).not.toContain('*Later*');
    expect(t).toContain('…and 180 more, less urgent');
    expect(buttons(msg).filter((b) => b.action_id.startsWith('mark_priority:'))).toHaveLength(20);
  });

  it('says so when nothing is at risk', () => {
    const msg = lateList([], NOW);
    expect(msg.text).toBe('No orders at risk');
    expect(buttons(msg)).toEqual([]);
  });
});

describe('writeback problem alerts', () => {
  it.each<[string, WritebackNotice, string, Array<[string, string | undefined]>]>([
    ['Retry', notice(), 'Amazon has no tracking for order 111-1234567-1234567: the confirmation was refused (writeback.rejected)', [['retry_confirmation', 'primary'], ['open_shipstation', undefined], ['show_order', undefined]]],
    ['Confirm now', notice({ kind: 'label_not_on_amazon', fix: 'confirm_now' }), 'A ShipStation label of order 111-1234567-1234567 never reached Amazon (writeback.rejected)', [['confirm_now', 'primary'], ['open_shipstation', undefined], ['show_order', undefined]]],
    ['Create in ShipStation', notice({ kind: 'missing_in_shipstation', fix: 'create_in_shipstation', labelId: undefined, trackingNumber: undefined }), 'Order 111-1234567-1234567 is open on Amazon but not in ShipStation (writeback.rejected)', [['create_in_shipstation', 'primary'], ['open_shipstation', undefined], ['show_order', undefined]]],
    ['Hold', notice({ kind: 'cancelled_open_in_shipstation', fix: 'hold_order' }), 'Order 111-1234567-1234567 was cancelled on Amazon but is still open in ShipStation (writeback.rejected)', [['hold_order', 'danger'], ['open_shipstation', undefined], ['show_order', undefined]]],
    ['no fix', notice({ kind: 'voided_after_confirm', fix: undefined }), 'A label of order 111-1234567-1234567 was voided after Amazon got its tracking (writeback.rejected)', [['open_shipstation', undefined], ['show_order', undefined]]],
    ['Hold without a ShipStation order', notice({ kind: 'cancelled_open_in_shipstation', fix: 'hold_order', shipstationOrderId: undefined }), 'Order 111-1234567-1234567 was cancelled on Amazon but is still open in ShipStation (writeback.rejected)', [['show_order', undefined]]],
  ])('%s', (_name, n, text, expected) => {
    const msg = alertMessage(writebackAlert(n));
    expect(msg.text).toBe(text);
    expect(blockKitProblems(msg)).toEqual([]);
    const bs = buttons(msg);
    expect(bs.map((b) => [b.action_id, b.style])).toEqual(expected);
    const open = bs.find((b) => b.action_id === 'open_shipstation');
    if (n.shipstationOrderId === undefined) expect(open).toBeUndefined();
    else expect(open.url).toBe(shipstationOrderUrl(ID));
    for (const b of bs.filter((x) => x.value)) {
      expect(parseButtonValue(b.value)).toEqual({
        key: n.key,
        version: '2026-03-02T14:00:00.000Z',
        accountId: 'default',
        amazonOrderId: ID,
        ...(n.labelId ? { labelId: n.labelId } : {}),
        ...(n.shipstationOrderId !== undefined ? { shipstationOrderId: n.shipstationOrderId } : {}),
      });
    }
  });

  it('names the order, label, tracking, what happened and the hint, escaped', () => {
    const t = allText(alertMessage(writebackAlert(notice())));
    for (const p of ['`111-1234567-1234567`', '*Label*\\n`shipment:4242`', '*Tracking*\\nUPS `1Z999AA10123456784`', '*ShipStation order*\\n987654', 'Amazon said: InvalidInput &lt;packageDetail&gt; &amp; more', ':point_right: Check the carrier code, then press Retry']) {
      expect(t).toContain(p);
    }
  });

  it('asks before Confirm now: Amazon cannot take a confirmation back', () => {
    const [confirmNow] = buttons(alertMessage(writebackAlert(notice({ kind: 'tracking_mismatch', fix: 'confirm_now' }))));
    expect(confirmNow.confirm).toMatchObject({ title: { text: 'Confirm on Amazon?' }, confirm: { text: 'Confirm' }, deny: { text: 'Cancel' } });
    expect(confirmNow.confirm.text.text).toContain('`1Z999AA10123456784`');
  });

  it.each<[string, string]>([
    ['confirmation_quarantined', 'confirmed on Amazon'],
    ['missing_in_shipstation', 'the order is in ShipStation now'],
    ['label_not_on_amazon', 'Amazon has the tracking now'],
    ['nonsense', 'confirmed on Amazon'],
  ])('resolved on its own (%s) says: %s, and drops the buttons', (problem, words) => {
    expect(writebackResolution(problem)).toBe(words);
    const msg = alertMessage(writebackAlert(notice({ kind: problem as WritebackNotice['kind'] }), { state: 'resolved', facts: { ...writebackFacts(notice()), problem, resolution: writebackResolution(problem) } }));
    expect(buttons(msg)).toEqual([]);
    expect(allText(msg)).toContain(`:white_check_mark: Resolved: ${words}`);
    expect(msg.text.startsWith('Resolved: ')).toBe(true);
  });

  it.each<[string, WritebackNotice]>([
    ['every field', notice()],
    ['only the required ones', notice({ labelId: undefined, shipstationOrderId: undefined, trackingNumber: undefined, carrier: undefined, fix: undefined })],
  ])('round-trips through the stored facts (%s)', (_name, n) => {
    expect(writebackNoticeFromFacts(n.key, writebackFacts(n))).toEqual(Object.fromEntries(Object.entries(n).filter(([, v]) => v !== undefined)));
  });
});

describe('reconcileSummary', () => {
  it('lists each finding with its fix, ids suffixed by position', () => {
    const msg = reconcileSummary(
      {
        accounts: ['default'],
        checkedOrders: 40,
        checkedLabels: 35,
        findings: [notice({ key: 'reconcile:a', kind: 'label_not_on_amazon', fix: 'confirm_now' }), notice({ key: 'reconcile:b', kind: 'missing_in_shipstation', fix: 'create_in_shipstation' })],
      },
      NOW,
    );
    expect(msg.text).toBe('Reconciled: 2 problems found');
    expect(allText(msg)).toContain('Checked 40 orders and 35 labels in default.');
    expect(buttons(msg).map((b) => b.action_id)).toEqual(['confirm_now:0', 'open_shipstation:0', 'show_order:0', 'create_in_shipstation:1', 'open_shipstation:1', 'show_order:1']);
    expect(parseButtonValue(buttons(msg)[0].value)).toMatchObject({ key: 'reconcile:a', version: NOW.toISOString(), labelId: 'shipment:4242' });
  });

  it('says so when Amazon and ShipStation agree', () => {
    const msg = reconcileSummary({ accounts: ['default', 'eu'], checkedOrders: 1, checkedLabels: 0, findings: [] }, NOW);
    expect(msg.text).toBe('Reconciled: nothing to fix');
    expect(allText(msg)).toContain('checked 1 order and 0 labels in default, eu');
  });
});

describe('orderTimeline: labels and confirmations', () => {
  it('shows each label and what happened on Amazon, in time order, with Retry for a quarantined one', () => {
    const msg = orderTimeline({
      amazonOrderId: ID,
      record,
      audit: [],
      alerts: [],
      confirmations: [
        confirmation(),
        confirmation({ labelId: 'shipment:4243', state: 'quarantined', confirmedAt: undefined, labelCreatedAt: '2026-03-02T12:00:00.000Z', at: '2026-03-02T12:00:03.000Z', code: 'writeback.rejected', reason: 'Amazon refused the carrier', hint: 'Map the carrier', attempts: 3 }),
        confirmation({ labelId: 'fulfillment:77', state: 'skipped', reason: 'voided before confirming', labelCreatedAt: '2026-03-02T13:00:00.000Z', at: '2026-03-02T13:00:01.000Z' }),
        confirmation({ labelId: 'shipment:9', voidedAfterConfirm: true, labelCreatedAt: '2026-03-02T09:00:00.000Z', at: '2026-03-02T09:00:01.000Z', confirmedAt: '2026-03-02T09:00:01.000Z' }),
      ],
    });
    const t = allText(msg);
    expect(t).toContain('*Tracking to Amazon*\\n4 labels: 2 confirmed, 1 quarantined, 1 skipped, :warning: 1 voided after confirming');
    const seq = [
      'Label `shipment:9` created in ShipStation',
      'voided after Amazon accepted its tracking',
      'Label `shipment:4242` created in ShipStation: UPS `1Z999AA10123456784`',
      ':white_check_mark: Confirmed on Amazon (`shipment:4242`): UPS `1Z999AA10123456784`, items `12345678901234` ×2 (via webhook)',
      ':construction: Confirmation of `shipment:4243` quarantined: `writeback.rejected` — Amazon refused the carrier (3 attempts)',
      ':fast_forward: Not confirmed on Amazon (`fulfillment:77`): voided before confirming',
    ];
    const pos = seq.map((x) => t.indexOf(x));
    expect(pos.every((p) => p >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
    const bs = buttons(msg);
    expect(bs.map((b) => b.action_id)).toEqual(['retry_confirmation:shipment:4243', 'open_shipstation']);
    expect(parseButtonValue(bs[0].value)).toEqual({ key: 'writeback:shipment:4243', version: '2026-03-02T12:00:03.000Z', accountId: 'default', amazonOrderId: ID, labelId: 'shipment:4243' });
  });

  it('an order Dockhand knows only from a label still gets a timeline', () => {
    const msg = orderTimeline({ amazonOrderId: ID, audit: [], alerts: [], confirmations: [confirmation()] });
    expect(msg.text).toBe(`Order ${ID}: unknown`);
    expect(allText(msg)).toContain('1 label: 1 confirmed');
  });
});
