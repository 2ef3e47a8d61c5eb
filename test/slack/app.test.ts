import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/log/logger';
import { startSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/web-api-simulator';
import { createAlertManager, type AlertManager } from '../../src/slack/alerts';
import { createSlackApp, type SlackApp } from '../../src/slack/app';
import type { DockhandOps, RetryResult } from '../../src/slack/handlers';
import { createRoleResolver } from '../../src/slack/roles';
import { Store } from '../../src/store/store';

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

/** A fake DockhandOps (the port the CLI implements) that remembers what it was asked. */
function fakeOps(opts: { statusDelayMs?: number } = {}) {
  const calls = { retry: [] as Array<[string, string | undefined]>, pause: [] as string[] };
  const ops: DockhandOps = {
    async status() {
      if (opts.statusDelayMs) await sleep(opts.statusDelayMs);
      return { now: new Date(), accounts: [{ id: 'default', mode: 'import', marketplaceIds: ['ATVPDKIKX0DER'], states: { sent: 3 }, firstSeenToday: 1, quarantined: 0 }] };
    },
    async orderTimeline(id) {
      return { amazonOrderId: id, audit: [], alerts: [] };
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
    retrySync: async () => undefined,
    accounts: () => ['default'],
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

  async function startApp(opsOpts: { statusDelayMs?: number } = {}) {
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

  function clickBody(user: string, actionId: string, value: string, messageTs: string): { body: string; responsePath: string } {
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
      actions: [{ action_id: actionId, block_id: 'alert:actions', value, type: 'button', action_ts: String(Date.now() / 1000) }],
    };
    return { body: `payload=${encodeURIComponent(JSON.stringify(payload))}`, responsePath };
  }

  function buttonValue(blocks: unknown[], actionId: string): string {
    const found = JSON.stringify(blocks).match(new RegExp(`"action_id":"${actionId}","value":"((?:[^"\\\\]|\\\\.)*)"`));
    if (!found) throw new Error(`no ${actionId} button`);
    return JSON.parse(`"${found[1]}"`) as string;
  }

  async function quarantinedAlert() {
    alerts.orderQuarantined({ accountId: 'default', amazonOrderId: ORDER, code: 'order.malformed', reason: 'no shipping address', hint: 'Fix it on Amazon, then press Retry' });
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
});
