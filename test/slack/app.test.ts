import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, renderContextOf } from '../../src/config/config';
import { silentLogger } from '../../src/log/logger';
import { startSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/web-api-simulator';
import { createAlertManager, type AlertManager } from '../../src/slack/alerts';
import { createSlackApp, type SlackApp } from '../../src/slack/app';
import type { ConfirmationResult, DockhandOps, RetryResult } from '../../src/slack/handlers';
import { createRoleResolver } from '../../src/slack/roles';
import { Store } from '../../src/store/store';
import { quarantinedOrderProblem } from '../../src/sync/quarantine-alert';
import { deadlineProblem, type AtRiskOrder } from '../../src/writeback/deadline-alert';
import { writebackProblem, type WritebackNotice } from '../../src/writeback/writeback-alert';
import { refusedConfirmation } from '../support/writeback-notice';

const SECRET = 'test-signing-secret';
const TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0OPS00001';
const MANAGER = 'U0MAYA0001';
const STAFF = 'U0SAM00002';
const ORDER = '111-1234567-1234567';

/** Slack's request signature: v0= hex HMAC-SHA256 of `v0:{ts}:{raw body}` with the signing secret. */
function sign(body: string, ts: number, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor<T>(get: () => T | undefined | Promise<T | undefined>, what: string, ms = 4_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const LABEL = 'shipment:4242';
const SS_ORDER = 987654;

function atRisk(i: number, over: Partial<AtRiskOrder> = {}): AtRiskOrder {
  return { accountId: 'default', amazonOrderId: `112-0000000-${String(i).padStart(7, '0')}`, isPrime: false, shipByLatest: '2026-03-02T18:00:00Z', minutesLeft: 100, shipstationOrderId: 500_000 + i, ...over };
}

function finding(over: Partial<WritebackNotice> = {}): WritebackNotice {
  return refusedConfirmation({ key: `writeback:${LABEL}`, amazonOrderId: ORDER, labelId: LABEL, shipstationOrderId: SS_ORDER, ...over });
}

interface FakeOpsOptions {
  statusDelayMs?: number;
  confirmation?: ConfirmationResult;
  late?: AtRiskOrder[];
  findings?: WritebackNotice[];
}

/** A fake DockhandOps (the port the CLI implements) that remembers what it was asked. */
function fakeOps(opts: FakeOpsOptions = {}) {
  const calls = {
    retry: [] as Array<[string, string | undefined]>,
    pause: [] as string[],
    retrySync: [] as string[],
    retryConfirmation: [] as string[],
    confirmNow: [] as Array<[string, string, string]>,
    createInShipStation: [] as Array<[string, string]>,
    markPriority: [] as number[],
    holdOrder: [] as number[],
    reconcile: [] as Array<string | undefined>,
  };
  const ops: DockhandOps = {
    async status() {
      if (opts.statusDelayMs) await sleep(opts.statusDelayMs);
      return { now: new Date(), accounts: [{ id: 'default', mode: 'import', marketplaceIds: ['ATVPDKIKX0DER'], states: { sent: 3 }, firstSeenToday: 1, quarantined: 0 }] };
    },
    async orderTimeline(id) {
      return { amazonOrderId: id, audit: [], alerts: [], confirmations: [] };
    },
    quarantine: async () => [],
    async retry(target, accountId): Promise<RetryResult> {
      calls.retry.push([target, accountId]);
      await sleep(50);
      return { retried: 1, resolved: 1, stillQuarantined: 0, notFound: [] };
    },
    mapSku: async () => undefined,
    unmapped: async () => [],
    async pause(accountId, by) {
      calls.pause.push(`${accountId}:${by}`);
      return [accountId ?? 'default'];
    },
    resume: async (accountId) => [accountId ?? 'default'],
    audit: async () => [],
    async retrySync(accountId) {
      calls.retrySync.push(accountId);
    },
    accounts: () => ['default'],
    lateOrders: async () => opts.late ?? [],
    async reconcile(accountId) {
      calls.reconcile.push(accountId);
      return { accounts: [accountId ?? 'default'], checkedOrders: 12, checkedLabels: 9, findings: opts.findings ?? [] };
    },
    async retryConfirmation(labelId) {
      calls.retryConfirmation.push(labelId);
      return opts.confirmation ?? { outcome: 'confirmed', message: `Amazon has ${labelId}` };
    },
    async confirmNow(accountId, amazonOrderId, labelId) {
      calls.confirmNow.push([accountId, amazonOrderId, labelId]);
      return opts.confirmation ?? { outcome: 'confirmed', message: `Amazon has ${labelId}` };
    },
    async createInShipStation(accountId, amazonOrderId) {
      calls.createInShipStation.push([accountId, amazonOrderId]);
      return { ok: true, message: 'created ShipStation order 1001' };
    },
    async markPriority(id) {
      calls.markPriority.push(id);
      return { ok: true, message: `tagged ShipStation order ${id} priority` };
    },
    async holdOrder(id) {
      calls.holdOrder.push(id);
      return { ok: true, message: `ShipStation order ${id} on hold until 2026-03-09` };
    },
  };
  return { ops, calls };
}

describe('Slack app over HTTP', () => {
  let sim: SlackSimulator;
  let responder: Server;
  let responderUrl: string;
  const responses = new Map<string, unknown[]>();
  let store: Store;
  let alerts: AlertManager;
  let app: SlackApp;
  let appUrl: string;
  let calls: ReturnType<typeof fakeOps>['calls'];
  let n = 0;

  async function startApp(opsOpts: FakeOpsOptions = {}) {
    const fake = fakeOps(opsOpts);
    calls = fake.calls;
    const config = loadConfig({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: sim.url, PORT: '0' }, mkdtempSync(path.join(tmpdir(), 'dockhand-slack-')));
    alerts = createAlertManager({
      store,
      post: (c, m) => app.post(c, m),
      update: (c, ts, m) => app.update(c, ts, m),
      channels: { alerts: CHANNEL },
      now: () => new Date(),
      logger: silentLogger,
      render: renderContextOf(config),
      pacing: { intervalMs: 5, backoffBaseMs: 20, backoffMaxMs: 100 },
    });
    const roles = createRoleResolver({ managers: [MANAGER], listGroupMembers: async () => [] });
    app = createSlackApp({ config, ops: fake.ops, store, alerts, roles, logger: silentLogger, health: async () => ({ jobs: [], accounts: [], storeReachable: true }) });
    const { port } = await app.start();
    appUrl = `http://127.0.0.1:${port}`;
  }

  beforeEach(async () => {
    sim = await startSlackSimulator({ botToken: TOKEN, signingSecret: SECRET, host: '127.0.0.1', port: 0 });
    responses.clear();
    responder = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        responses.set(req.url!, [...(responses.get(req.url!) ?? []), JSON.parse(raw)]);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => responder.listen(0, '127.0.0.1', r));
    responderUrl = `http://127.0.0.1:${(responder.address() as AddressInfo).port}`;
    store = await Store.open({ memory: true });
  });

  afterEach(async () => {
    await app?.stop().catch(() => undefined);
    await new Promise((r) => responder.close(r));
    await sim.close();
    await store.close();
  });

  async function postToApp(body: string, opts: { ts?: number; signature?: string | null; contentType?: string } = {}) {
    const ts = opts.ts ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts) };
    if (opts.signature !== null) headers['x-slack-signature'] = opts.signature ?? sign(body, ts);
    const started = Date.now();
    const res = await fetch(`${appUrl}/slack/events`, { method: 'POST', headers, body });
    return { status: res.status, text: await res.text(), ms: Date.now() - started };
  }

  function commandBody(user: string, text: string): { body: string; responsePath: string } {
    const responsePath = `/respond/${++n}`;
    const body = new URLSearchParams({
      token: 'x',
      team_id: 'T0DOCKHAND',
      team_domain: 'dockhand',
      channel_id: CHANNEL,
      channel_name: 'dockhand-ops',
      user_id: user,
      user_name: user,
      command: '/dockhand',
      text,
      api_app_id: 'A0DOCKHAND',
      response_url: `${responderUrl}${responsePath}`,
      trigger_id: `trigger-${n}`,
    }).toString();
    return { body, responsePath };
  }

  function clickBody(user: string, actionId: string, value: string | undefined, messageTs: string): { body: string; responsePath: string } {
    const responsePath = `/respond/${++n}`;
    const payload = {
      type: 'block_actions',
      user: { id: user, username: user, team_id: 'T0DOCKHAND' },
      api_app_id: 'A0DOCKHAND',
      token: 'x',
      trigger_id: `trigger-${n}`,
      team: { id: 'T0DOCKHAND', domain: 'dockhand' },
      container: { type: 'message', message_ts: messageTs, channel_id: CHANNEL, is_ephemeral: false },
      channel: { id: CHANNEL, name: 'dockhand-ops' },
      response_url: `${responderUrl}${responsePath}`,
      actions: [{ action_id: actionId, block_id: 'alert:actions', ...(value !== undefined ? { value } : {}), type: 'button', action_ts: String(Date.now() / 1000) }],
    };
    return { body: `payload=${encodeURIComponent(JSON.stringify(payload))}`, responsePath };
  }

  function buttonValue(blocks: unknown[], actionId: string): string {
    const found = JSON.stringify(blocks).match(new RegExp(`"action_id":"${actionId}","value":"((?:[^"\\\\]|\\\\.)*)"`));
    if (!found) throw new Error(`no ${actionId} button`);
    return JSON.parse(`"${found[1]}"`) as string;
  }

  async function quarantinedAlert() {
    alerts.raise(quarantinedOrderProblem({ accountId: 'default', amazonOrderId: ORDER, code: 'shipstation.rejected', reason: 'ShipStation rejected the order: unknown store', hint: 'Fix the order data (or the SKU map) and press Retry.' }));
    const [msg] = await waitFor(() => (sim.messages(CHANNEL).length > 0 ? sim.messages(CHANNEL) : undefined), 'the alert');
    return msg!;
  }

  it('answers /dockhand status through the response_url', async () => {
    await startApp();
    const { body, responsePath } = commandBody(STAFF, 'status');
    const res = await postToApp(body);
    expect(res.status).toBe(200);
    const [reply] = await waitFor(() => responses.get(responsePath), 'the status reply');
    expect(reply).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(reply)).toContain('default');
    const [entry] = await store.recentAudit(5);
    expect(entry).toMatchObject({ actor: STAFF, source: 'slack', action: 'command:/dockhand status', outcome: 'ok' });
  });

  it.each<[string, { ts?: number; signature?: string | null }]>([
    ['unsigned', { signature: null }],
    ['signed with another secret', { signature: 'v0=0000' }],
    ['stale (six minutes old)', { ts: Math.floor(Date.now() / 1000) - 360 }],
    ['from the future (six minutes ahead)', { ts: Math.floor(Date.now() / 1000) + 360 }],
  ])('refuses a request that is %s with 401 and does nothing', async (_name, opts) => {
    await startApp();
    const { body, responsePath } = commandBody(MANAGER, 'pause');
    const ts = opts.ts ?? Math.floor(Date.now() / 1000);
    const signature = 'signature' in opts ? opts.signature : sign(body, ts);
    const res = await postToApp(body, { ts, signature });
    expect(res.status).toBe(401);
    await sleep(100);
    expect(responses.get(responsePath)).toBeUndefined();
    expect(calls.pause).toEqual([]);
  });

  it('serves /healthz without a signature', async () => {
    await startApp();
    const res = await fetch(`${appUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, storeReachable: true });
  });

  it('posts one alert for a quarantined order; Retry by staff retries it and names them in the message', async () => {
    await startApp();
    const alert = await quarantinedAlert();
    expect(alert.text).toContain(ORDER);
    const { body, responsePath } = clickBody(STAFF, 'retry_order', buttonValue(alert.blocks, 'retry_order'), alert.ts);
    expect((await postToApp(body)).status).toBe(200);

    const updated = await waitFor(() => sim.messages(CHANNEL).find((m) => m.ts === alert.ts && JSON.stringify(m.blocks).includes(`<@${STAFF}>`) && m.text.startsWith('Resolved')), 'the updated alert');
    expect(calls.retry).toEqual([[ORDER, 'default']]);
    expect(sim.messages(CHANNEL)).toHaveLength(1);
    expect(JSON.stringify(updated.blocks)).toContain('Retry');
    expect(responses.get(responsePath)).toBeUndefined();
    const audit = await waitFor(async () => (await store.recentAudit(10)).find((e) => e.action === 'action:retry_order'), 'the audit entry');
    expect(audit).toMatchObject({ actor: STAFF, outcome: 'ok', target: `quarantine:default:${ORDER}` });
  });

  it("refuses a non-manager's pause and changes nothing", async () => {
    await startApp();
    const { body, responsePath } = commandBody(STAFF, 'pause');
    expect((await postToApp(body)).status).toBe(200);
    const [reply] = await waitFor(() => responses.get(responsePath), 'the refusal');
    expect(reply).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(reply)).toMatch(/managers/i);
    expect(calls.pause).toEqual([]);
    const [entry] = await store.recentAudit(1);
    expect(entry).toMatchObject({ actor: STAFF, action: 'command:/dockhand pause', outcome: 'refused' });
  });

  it("lets a manager pause", async () => {
    await startApp();
    const { body, responsePath } = commandBody(MANAGER, 'pause default');
    expect((await postToApp(body)).status).toBe(200);
    await waitFor(() => responses.get(responsePath), 'the reply');
    expect(calls.pause).toEqual([`default:${MANAGER}`]);
  });

  it('retries once when Retry is clicked twice, and tells the second click who did it', async () => {
    await startApp();
    const alert = await quarantinedAlert();
    const value = buttonValue(alert.blocks, 'retry_order');
    const first = clickBody(STAFF, 'retry_order', value, alert.ts);
    const second = clickBody(MANAGER, 'retry_order', value, alert.ts);
    const [a, b] = await Promise.all([postToApp(first.body), postToApp(second.body, {})]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [reply] = await waitFor(() => responses.get(second.responsePath) ?? responses.get(first.responsePath), 'the already-done reply');
    expect(JSON.stringify(reply)).toMatch(/Already done by <@U0/);
    await sleep(200);
    expect(calls.retry).toHaveLength(1);
  });

  it('acks a command in under a second even when the work takes two', async () => {
    await startApp({ statusDelayMs: 2_000 });
    const { body, responsePath } = commandBody(STAFF, 'status');
    const res = await postToApp(body);
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1_000);
    expect(responses.get(responsePath)).toBeUndefined();
    await waitFor(() => responses.get(responsePath), 'the late reply', 5_000);
  });

  // -------------------------------------------------------------------------------------------
  // Tracking writeback and ship-by deadlines

  async function channelMessage(match: (m: { ts: string; text: string; blocks: unknown[] }) => boolean, what: string) {
    return waitFor(() => sim.messages(CHANNEL).find(match), what);
  }

  async function command(user: string, text: string): Promise<{ text: string; blocks: unknown[] }> {
    const { body, responsePath } = commandBody(user, text);
    expect((await postToApp(body)).status).toBe(200);
    const [reply] = await waitFor(() => responses.get(responsePath), `the reply to ${text}`);
    return reply as { text: string; blocks: unknown[] };
  }

  async function click(user: string, actionId: string, value: string | undefined, ts = '1.000001') {
    const c = clickBody(user, actionId, value, ts);
    expect((await postToApp(c.body)).status).toBe(200);
    return c.responsePath;
  }

  const auditOf = (action: string) => waitFor(async () => (await store.recentAudit(20)).find((e) => e.action === action), `the ${action} audit entry`);

  it('Retry on a writeback alert retries that label, resolves the message and names who did it', async () => {
    await startApp();
    alerts.raise(writebackProblem(finding()));
    const alert = await channelMessage((m) => m.text.includes(ORDER), 'the writeback alert');
    expect(JSON.stringify(alert.blocks)).toContain('1Z999AA10123456784');
    const responsePath = await click(STAFF, 'retry_confirmation', buttonValue(alert.blocks, 'retry_confirmation'), alert.ts);

    const updated = await channelMessage((m) => m.ts === alert.ts && m.text.startsWith('Resolved'), 'the resolved alert');
    expect(calls.retryConfirmation).toEqual([LABEL]);
    expect(JSON.stringify(updated.blocks)).toContain(`<@${STAFF}> pressed Retry`);
    expect(JSON.stringify(updated.blocks)).toContain('confirmed on Amazon: Amazon has shipment:4242');
    expect(JSON.stringify(updated.blocks)).not.toContain('"action_id"');
    expect(await auditOf('action:retry_confirmation')).toMatchObject({ actor: STAFF, outcome: 'ok', target: `writeback:${LABEL}` });
    expect(responses.get(responsePath)).toBeUndefined();
  });

  it('Retry that Amazon refuses again keeps the alert open, says so, and audits a failure', async () => {
    await startApp({ confirmation: { outcome: 'quarantined', message: 'Amazon refused the carrier code again' } });
    alerts.raise(writebackProblem(finding()));
    const alert = await channelMessage((m) => m.text.includes(ORDER), 'the writeback alert');
    await click(STAFF, 'retry_confirmation', buttonValue(alert.blocks, 'retry_confirmation'), alert.ts);
    const updated = await channelMessage((m) => m.ts === alert.ts && JSON.stringify(m.blocks).includes('still refused'), 'the noted alert');
    expect(updated.text.startsWith('Resolved')).toBe(false);
    expect(JSON.stringify(updated.blocks)).toContain('still refused: Amazon refused the carrier code again');
    expect(await auditOf('action:retry_confirmation')).toMatchObject({ outcome: 'failed', detail: 'still refused: Amazon refused the carrier code again' });
  });

  it.each<[string, Partial<WritebackNotice>, string, () => unknown[]]>([
    ['Confirm now confirms that label of that order', { key: 'reconcile:a', kind: 'label_not_on_amazon', fix: 'confirm_now' }, 'confirm_now', () => calls.confirmNow],
    ['Create in ShipStation creates that order', { key: 'reconcile:b', kind: 'missing_in_shipstation', fix: 'create_in_shipstation', labelId: undefined }, 'create_in_shipstation', () => calls.createInShipStation],
    ['Hold holds that ShipStation order', { key: 'reconcile:c', kind: 'cancelled_open_in_shipstation', fix: 'hold_order' }, 'hold_order', () => calls.holdOrder],
  ])('%s, for staff too, and resolves the alert', async (_name, over, actionId, got) => {
    await startApp();
    alerts.raise(writebackProblem(finding(over)));
    const alert = await channelMessage((m) => m.text.includes(ORDER), 'the alert');
    await click(STAFF, actionId, buttonValue(alert.blocks, actionId), alert.ts);
    await channelMessage((m) => m.ts === alert.ts && m.text.startsWith('Resolved'), 'the resolved alert');
    const expected = { confirm_now: [['default', ORDER, LABEL]], create_in_shipstation: [['default', ORDER]], hold_order: [SS_ORDER] }[actionId];
    expect(got()).toEqual(expected);
    expect(await auditOf(`action:${actionId}`)).toMatchObject({ actor: STAFF, outcome: 'ok', target: over.key });
  });

  it('Open in ShipStation is a link: the click is acked and nothing else happens', async () => {
    await startApp();
    alerts.raise(writebackProblem(finding()));
    const alert = await channelMessage((m) => m.text.includes(ORDER), 'the writeback alert');
    expect(JSON.stringify(alert.blocks)).toContain(`"url":"https://ship.shipstation.com/orders/all-orders-search-result?quickSearch=${ORDER}"`);
    const responsePath = await click(STAFF, 'open_shipstation', undefined, alert.ts);
    await sleep(150);
    expect(responses.get(responsePath)).toBeUndefined();
    expect(await store.recentAudit(5)).toEqual([]);
    expect(sim.messages(CHANNEL)[0]!.text).toBe(alert.text);
  });

  it('Mark priority in a deadline message tags that order, answers the clicker, and a second order can be tagged too', async () => {
    await startApp();
    alerts.raise(deadlineProblem({ stage: 'at_risk', leadMinutes: 240, orders: [atRisk(1, { isPrime: true }), atRisk(2)] })!);
    const msg = await channelMessage((m) => m.text.startsWith('2 orders ship-by'), 'the escalation');
    const first = await click(STAFF, 'mark_priority:default:112-0000000-0000001', buttonValue(msg.blocks, 'mark_priority:default:112-0000000-0000001'), msg.ts);
    const [reply] = await waitFor(() => responses.get(first), 'the reply');
    expect(reply).toMatchObject({ response_type: 'ephemeral', text: 'Mark priority for 112-0000000-0000001: tagged ShipStation order 500001 priority' });
    const second = await click(MANAGER, 'mark_priority:default:112-0000000-0000002', buttonValue(msg.blocks, 'mark_priority:default:112-0000000-0000002'), msg.ts);
    await waitFor(() => responses.get(second), 'the second reply');
    expect(calls.markPriority).toEqual([500001, 500002]);
    await channelMessage((m) => m.ts === msg.ts && JSON.stringify(m.blocks).includes(`<@${MANAGER}> pressed Mark priority for 112-0000000-0000002`), 'the noted escalation');
  });

  it('Retry sync on two orders of one account in a deadline message syncs the account once', async () => {
    await startApp();
    alerts.raise(deadlineProblem({ stage: 'late', orders: [atRisk(1, { minutesLeft: -5 }), atRisk(2, { minutesLeft: -1 })] })!);
    const msg = await channelMessage((m) => m.text === '2 orders are late', 'the escalation');
    const a = await click(STAFF, 'retry_sync:default:112-0000000-0000001', buttonValue(msg.blocks, 'retry_sync:default:112-0000000-0000001'), msg.ts);
    const [ra] = await waitFor(() => responses.get(a), 'the first reply');
    expect(JSON.stringify(ra)).toContain('Retry sync for 112-0000000-0000001: sync of default ran');
    const b = await click(STAFF, 'retry_sync:default:112-0000000-0000002', buttonValue(msg.blocks, 'retry_sync:default:112-0000000-0000002'), msg.ts);
    const [rb] = await waitFor(() => responses.get(b), 'the second reply');
    expect(JSON.stringify(rb)).toMatch(/Already done by <@U0SAM00002>/);
    expect(calls.retrySync).toEqual(['default']);
  });

  it('Hold on a cancel request holds that ShipStation order', async () => {
    await startApp();
    alerts.raise(deadlineProblem({ stage: 'cancel_requested', orders: [atRisk(3)] })!);
    const msg = await channelMessage((m) => m.text === 'Buyer asked to cancel 1 order', 'the escalation');
    const r = await click(STAFF, 'hold_order:default:112-0000000-0000003', buttonValue(msg.blocks, 'hold_order:default:112-0000000-0000003'), msg.ts);
    const [reply] = await waitFor(() => responses.get(r), 'the reply');
    expect(JSON.stringify(reply)).toContain('Hold for 112-0000000-0000003: ShipStation order 500003 on hold until 2026-03-09');
    expect(calls.holdOrder).toEqual([500003]);
  });

  it('/dockhand late lists at-risk orders by urgency, and its buttons answer the clicker', async () => {
    await startApp({ late: [atRisk(1, { isPrime: true, minutesLeft: -25 }), atRisk(2, { minutesLeft: 30 }), atRisk(3, { minutesLeft: 239 })] });
    const reply = await command(STAFF, 'late');
    expect(reply).toMatchObject({ response_type: 'ephemeral', text: '3 orders at risk, 1 late (1 Prime)' });
    const t = JSON.stringify(reply.blocks);
    expect(t.indexOf('late by 25 min')).toBeLessThan(t.indexOf('30 min left'));
    expect(t.indexOf('30 min left')).toBeLessThan(t.indexOf('3 h 59 min left'));
    const r = await click(STAFF, 'mark_priority:default:112-0000000-0000003', buttonValue(reply.blocks, 'mark_priority:default:112-0000000-0000003'));
    const [answer] = await waitFor(() => responses.get(r), 'the reply');
    expect(JSON.stringify(answer)).toContain('tagged ShipStation order 500003 priority');
    expect(calls.markPriority).toEqual([500003]);
    expect(await auditOf('action:mark_priority')).toMatchObject({ actor: STAFF, outcome: 'ok', target: 'late:default:112-0000000-0000003' });
  });

  it('/dockhand late says when nothing is at risk', async () => {
    await startApp();
    expect(await command(STAFF, 'late')).toMatchObject({ text: 'No orders at risk' });
  });

  it('/dockhand reconcile (anyone) answers with what it checked and each finding with its fix', async () => {
    await startApp({ findings: [finding({ key: 'reconcile:x', kind: 'label_not_on_amazon', fix: 'confirm_now' })] });
    const reply = await command(STAFF, 'reconcile default');
    expect(calls.reconcile).toEqual(['default']);
    expect(reply.text).toBe('Reconciled: 1 problem found');
    expect(JSON.stringify(reply.blocks)).toContain('Checked 12 orders and 9 labels in default.');
    const r = await click(STAFF, 'confirm_now:0', buttonValue(reply.blocks, 'confirm_now:0'));
    const [answer] = await waitFor(() => responses.get(r), 'the reply');
    expect(JSON.stringify(answer)).toContain(`Confirm now for ${ORDER}: confirmed on Amazon`);
    expect(calls.confirmNow).toEqual([['default', ORDER, LABEL]]);
    expect(await auditOf('command:/dockhand reconcile')).toMatchObject({ actor: STAFF, outcome: 'ok', target: 'default' });
  });

  it('/dockhand reconcile of an unknown account names the accounts and reconciles nothing', async () => {
    await startApp();
    const reply = await command(STAFF, 'reconcile nope');
    expect(reply.text).toBe('No account `nope`; the accounts are `default`.');
    expect(calls.reconcile).toEqual([]);
  });
});
