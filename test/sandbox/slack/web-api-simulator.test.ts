import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { METHODS, type SlackMethod } from '../../../src/sandbox/slack/method-table';
import { startSlackSimulator, type SlackSimulator, type SlackSimulatorOptions } from '../../../src/sandbox/slack/web-api-simulator';
import { callApi, startFakeApp, type FakeApp } from './fake-app';
import { readSpec } from '../../support/specs';

// ------------------------------------------------------------------ spec helpers

const refDoc = (method: string): any => JSON.parse(readSpec(`slack/slack-api-ref-docs.slack.dev-methods/${method}.json`));
const openapi: any = JSON.parse(readSpec('slack/slack_web_openapi_v2.json'));

/** Top-level fields a success response must carry: docs `output.required`, OpenAPI `required`, the docs' success example. */
function expectedFields(method: string): string[] {
  const doc = refDoc(method);
  const paths = openapi.paths[`/${method}`] ?? {};
  const op: any = Object.values(paths)[0];
  const fromOpenapi: string[] = op?.responses?.['200']?.schema?.required ?? [];
  const example = doc.examples?.success_with_bot_token?.example ?? doc.examples?.success?.example ?? {};
  return [...new Set(['ok', ...(doc.output?.required ?? []), ...fromOpenapi, ...Object.keys(example)])];
}
const successExample = (method: string): any => {
  const doc = refDoc(method);
  return doc.examples?.success_with_bot_token?.example ?? doc.examples?.success?.example;
};

// ------------------------------------------------------------------ fixtures

const TOKEN = 'xoxb-sandbox-token';
const SECRET = 'sandbox-signing-secret';
let sim: SlackSimulator | undefined;
let app: FakeApp | undefined;

afterEach(async () => {
  await sim?.close();
  await app?.close();
  sim = undefined;
  app = undefined;
});

/** A clock the test moves by hand, starting at real time so the fake app accepts timestamps. */
function manualClock() {
  let now = Date.now();
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

async function start(extra: Partial<SlackSimulatorOptions> = {}): Promise<SlackSimulator> {
  app = await startFakeApp(SECRET);
  sim = await startSlackSimulator({ botToken: TOKEN, signingSecret: SECRET, appRequestUrl: app.url, ...extra });
  return sim;
}

const call = (method: string, args: Record<string, unknown> = {}, token: string | undefined = TOKEN) => callApi(sim!.url, method, args, token);

/** A trigger_id, obtained the only way an app gets one: from an interaction the simulator sent. */
async function freshTrigger(): Promise<string> {
  await sim!.sendCommand({ user: 'U0MAYA0001', channel: 'C0OPS00001', text: 'help' });
  return app!.received.at(-1)!.form.trigger_id!;
}

const VIEW = {
  type: 'modal',
  callback_id: 'map_sku',
  private_metadata: '{"asin":"B0TEST"}',
  title: { type: 'plain_text', text: 'Map a SKU' },
  submit: { type: 'plain_text', text: 'Save' },
  blocks: [
    { type: 'input', block_id: 'sku', label: { type: 'plain_text', text: 'SKU' }, element: { type: 'plain_text_input', action_id: 'sku_value' } },
    {
      type: 'input',
      block_id: 'warehouse',
      label: { type: 'plain_text', text: 'Warehouse' },
      element: {
        type: 'static_select',
        action_id: 'warehouse_value',
        options: [
          { text: { type: 'plain_text', text: 'Reno' }, value: 'reno' },
          { text: { type: 'plain_text', text: 'Newark' }, value: 'newark' },
        ],
      },
    },
  ],
};

/** Valid arguments for every method, so each required-arg test can drop exactly one. */
async function validArgs(method: SlackMethod): Promise<Record<string, unknown>> {
  switch (method) {
    case 'auth.test':
    case 'conversations.list':
      return {};
    case 'chat.postMessage':
      return { channel: 'C0OPS00001', text: 'hello' };
    case 'chat.update': {
      const posted = await call('chat.postMessage', { channel: 'C0OPS00001', text: 'v1' });
      return { channel: 'C0OPS00001', ts: posted.body.ts, text: 'v2' };
    }
    case 'chat.postEphemeral':
      return { channel: 'C0OPS00001', user: 'U0SAM00002', text: 'psst' };
    case 'views.open':
      return { trigger_id: await freshTrigger(), view: VIEW };
    case 'views.push': {
      await call('views.open', { trigger_id: await freshTrigger(), view: VIEW });
      return { trigger_id: await freshTrigger(), view: { ...VIEW, callback_id: 'second' } };
    }
    case 'views.update': {
      const opened = await call('views.open', { trigger_id: await freshTrigger(), view: VIEW });
      return { view_id: opened.body.view.id, view: { ...VIEW, title: { type: 'plain_text', text: 'Updated' } } };
    }
    case 'users.info':
      return { user: 'U0MAYA0001' };
    case 'usergroups.users.list':
      return { usergroup: 'S0MGRS0001' };
    case 'conversations.info':
    case 'conversations.join':
      return { channel: 'C0OPS00001' };
    case 'files.getUploadURLExternal':
      return { length: 3, filename: 'chart.png' };
    case 'files.completeUploadExternal': {
      const got = await call('files.getUploadURLExternal', { length: 3, filename: 'days.csv' });
      await fetch(got.body.upload_url, { method: 'POST', body: 'a,b' });
      return { files: JSON.stringify([{ id: got.body.file_id, title: 'Days' }]), channel_id: 'C0OPS00001' };
    }
  }
}

const ALL_METHODS = Object.keys(METHODS) as SlackMethod[];

// ------------------------------------------------------------------ tests

describe('method table', () => {
  it.each(ALL_METHODS)('%s: required args and rate tier match the docs reference', (method) => {
    const doc = refDoc(method);
    expect([...METHODS[method].required].sort()).toEqual([...doc.args.required].sort());
    expect(METHODS[method].tier).toBe(doc.rate_limits);
  });
});

describe('response shapes against the specs', () => {
  it.each(ALL_METHODS)('%s answers ok with every required and example top-level field', async (method) => {
    await start();
    const args = await validArgs(method);
    const res = await call(method, args);
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    const missing = expectedFields(method).filter((f) => !(f in res.body));
    expect(missing).toEqual([]);
  });

  it.each(['views.open', 'views.update'])('%s returns a view with every field of the docs example', async (method) => {
    await start();
    const res = await call(method, await validArgs(method as SlackMethod));
    const missing = Object.keys(successExample(method).view).filter((k) => !(k in res.body.view));
    expect(missing).toEqual([]);
  });

  it('users.info returns a user with every field of the docs example', async () => {
    await start();
    const res = await call('users.info', { user: 'U0SAM00002' });
    expect(Object.keys(successExample('users.info').user).filter((k) => !(k in res.body.user))).toEqual([]);
    expect(res.body.user).toMatchObject({ id: 'U0SAM00002', name: 'sam', real_name: 'Sam Ortiz', profile: { title: 'warehouse' } });
  });

  it('conversations.list returns channels with every field of the docs example', async () => {
    await start();
    const res = await call('conversations.list');
    const exampleChannel = successExample('conversations.list').channels[0];
    expect(Object.keys(exampleChannel).filter((k) => !(k in res.body.channels[0]))).toEqual([]);
    expect(res.body.channels.map((c: any) => c.name)).toEqual(['dockhand-ops', 'general']);
  });

  it.each(ALL_METHODS.flatMap((m) => refDoc(m).args.required.filter((a: string) => a !== 'token').map((a: string) => [m, a])))(
    '%s without %s is rejected as invalid_arguments',
    async (method, arg) => {
      await start();
      const args = await validArgs(method as SlackMethod);
      delete args[arg as string];
      const res = await call(method as string, args);
      expect(res.body).toMatchObject({ ok: false, error: 'invalid_arguments' });
      expect(res.body.response_metadata.messages.join(' ')).toContain(arg);
    },
  );
});

describe('auth', () => {
  it.each([
    ['no token', undefined, 'not_authed'],
    ['a wrong token', 'xoxb-wrong', 'invalid_auth'],
  ])('answers %s with ok:false', async (_label, token, error) => {
    await start();
    const res = await callApi(sim!.url, 'auth.test', {}, token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: false, error });
  });

  it('accepts the token as a POST parameter and JSON bodies', async () => {
    await start();
    expect((await call('auth.test', { token: TOKEN }, undefined)).body.ok).toBe(true);
    const res = await fetch(`${sim!.url}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: 'C0OPS00001', blocks: [{ type: 'divider' }], text: 'json' }),
    });
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    expect(sim!.messages('C0OPS00001')[0]!.blocks[0]).toMatchObject({ type: 'divider' });
  });

  it('answers unknown methods with unknown_method', async () => {
    await start();
    expect((await call('chat.meMessage', { channel: 'C0OPS00001' })).body).toMatchObject({ ok: false, error: 'unknown_method' });
  });
});

describe('chat.postMessage', () => {
  it.each(['C0GEN00001', 'general', '#general'])('posts to a channel given as %s', async (channel) => {
    await start();
    const res = await call('chat.postMessage', { channel, text: 'hi' });
    expect(res.body).toMatchObject({ ok: true, channel: 'C0GEN00001', message: { text: 'hi', type: 'message' } });
    expect(sim!.messages('C0GEN00001').map((m) => m.text)).toEqual(['hi']);
  });

  it.each([
    ['an unknown channel', { channel: 'C0NOPE', text: 'x' }, 'channel_not_found'],
    ['neither text nor blocks', { channel: 'C0OPS00001' }, 'no_text'],
    ['blocks that are not JSON', { channel: 'C0OPS00001', blocks: '[{' }, 'invalid_blocks_format'],
    ['a block without type', { channel: 'C0OPS00001', blocks: [{ text: 'x' }] }, 'invalid_blocks'],
    ['a channel the bot is not in', { channel: 'C0PRIV0001', text: 'x' }, 'not_in_channel'],
  ])('refuses %s', async (_label, args, error) => {
    await start({ channels: [{ id: 'C0OPS00001', name: 'dockhand-ops' }, { id: 'C0PRIV0001', name: 'secret', is_member: false }] });
    expect((await call('chat.postMessage', args)).body).toMatchObject({ ok: false, error });
  });

  it('posts once the bot has joined the channel', async () => {
    await start({ channels: [{ id: 'C0PRIV0001', name: 'later', is_member: false }] });
    const joined = await call('conversations.join', { channel: 'C0PRIV0001' });
    expect(joined.body.channel.is_member).toBe(true);
    expect(joined.body.warning).toBeUndefined();
    expect((await call('chat.postMessage', { channel: 'C0PRIV0001', text: 'in' })).body.ok).toBe(true);
  });

  it('fills in block_ids, keeps thread_ts and gives increasing ts', async () => {
    await start();
    const a = await call('chat.postMessage', { channel: 'C0OPS00001', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*x*' } }] });
    const b = await call('chat.postMessage', { channel: 'C0OPS00001', text: 'reply', thread_ts: a.body.ts });
    expect(a.body.message.blocks[0].block_id).toMatch(/.+/);
    expect(b.body.message.thread_ts).toBe(a.body.ts);
    expect(Number(b.body.ts)).toBeGreaterThan(Number(a.body.ts));
  });

  it('posts to a user ID into a DM with that user', async () => {
    await start();
    const res = await call('chat.postMessage', { channel: 'U0SAM00002', text: 'dm' });
    expect(res.body.channel).toMatch(/^D/);
    expect((await call('conversations.info', { channel: res.body.channel })).body.channel).toMatchObject({ is_im: true, user: 'U0SAM00002' });
  });

  it('paces posts per channel: a small burst, then 429 with Retry-After until time passes', async () => {
    const clock = manualClock();
    await start({ clock: clock.now, postRate: { perSecond: 1, burst: 3 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('chat.postMessage', { channel: 'C0OPS00001', text: `m${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await call('chat.postMessage', { channel: 'C0OPS00001', text: 'again' });
    expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await call('chat.postMessage', { channel: 'C0GEN00001', text: 'other channel' })).status).toBe(200);
    clock.advance(1000);
    expect((await call('chat.postMessage', { channel: 'C0OPS00001', text: 'later' })).status).toBe(200);
    expect(sim!.stats().rateLimited['chat.postMessage']).toBe(2);
  });
});

describe('other methods', () => {
  it('chat.update keeps blocks it was not given and counts updates', async () => {
    await start();
    const posted = await call('chat.postMessage', { channel: 'C0OPS00001', text: 'v1', blocks: [{ type: 'divider' }] });
    const res = await call('chat.update', { channel: 'C0OPS00001', ts: posted.body.ts, text: 'v2' });
    expect(res.body).toMatchObject({ ok: true, text: 'v2', message: { text: 'v2' } });
    expect(sim!.messages()[0]).toMatchObject({ text: 'v2', updated: 1, blocks: [{ type: 'divider' }] });
    expect((await call('chat.update', { channel: 'C0OPS00001', ts: '1.000001', text: 'x' })).body.error).toBe('message_not_found');
  });

  it('chat.postEphemeral is seen only by its user', async () => {
    await start();
    await call('chat.postEphemeral', { channel: 'C0OPS00001', user: 'U0SAM00002', text: 'psst' });
    expect(sim!.ephemerals('U0SAM00002').map((m) => m.text)).toEqual(['psst']);
    expect(sim!.ephemerals('U0MAYA0001')).toEqual([]);
    expect(sim!.messages()).toEqual([]);
    expect((await call('chat.postEphemeral', { channel: 'C0OPS00001', user: 'U0NOBODY', text: 'x' })).body.error).toBe('user_not_in_channel');
  });

  it('usergroups.users.list is limited like Tier 2 and says when to retry', async () => {
    const clock = manualClock();
    await start({ clock: clock.now });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await call('usergroups.users.list', { usergroup: 'S0MGRS0001' })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    const limited = await call('usergroups.users.list', { usergroup: 'S0MGRS0001' });
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await call('usergroups.users.list', { usergroup: 'S0NOPE' })).status).toBe(429);
    clock.advance(6000);
    expect((await call('usergroups.users.list', { usergroup: 'S0NOPE' })).body.error).toBe('no_such_subteam');
  });

  it('conversations.list pages with a cursor and honours types', async () => {
    await start();
    const first = await call('conversations.list', { limit: 1 });
    expect(first.body.channels).toHaveLength(1);
    const second = await call('conversations.list', { limit: 1, cursor: first.body.response_metadata.next_cursor });
    expect(second.body.channels[0].name).toBe('general');
    expect(second.body.response_metadata.next_cursor).toBe('');
    expect((await call('conversations.list', { limit: 5000 })).body.error).toBe('invalid_limit');
  });

  it.each([
    ['a made-up trigger', async () => 'nope', 0, 'invalid_trigger_id'],
    ['a trigger older than 3 s', freshTrigger, 3100, 'expired_trigger_id'],
  ])('views.open refuses %s', async (_label, trigger, wait, error) => {
    const clock = manualClock();
    await start({ clock: clock.now });
    const id = await trigger();
    clock.advance(wait);
    expect((await call('views.open', { trigger_id: id, view: VIEW })).body).toMatchObject({ ok: false, error });
  });

  it('views.open refuses a trigger used twice, and a modal without submit', async () => {
    await start();
    const id = await freshTrigger();
    expect((await call('views.open', { trigger_id: id, view: VIEW })).body.ok).toBe(true);
    expect((await call('views.open', { trigger_id: id, view: VIEW })).body.error).toBe('exchanged_trigger_id');
    const noSubmit = { ...VIEW, submit: undefined };
    expect((await call('views.open', { trigger_id: await freshTrigger(), view: noSubmit })).body.error).toBe('invalid_arguments');
  });

  it('views.update refuses a stale hash', async () => {
    await start();
    const opened = await call('views.open', { trigger_id: await freshTrigger(), view: VIEW });
    const res = await call('views.update', { view_id: opened.body.view.id, hash: 'stale', view: VIEW });
    expect(res.body.error).toBe('hash_conflict');
  });

  it('counts calls per method', async () => {
    await start();
    await call('auth.test');
    await call('auth.test');
    await call('users.info', { user: 'U0MAYA0001' });
    expect(sim!.stats().calls).toEqual({ 'auth.test': 2, 'users.info': 1 });
  });
});

describe('the real @slack/web-api client', () => {
  it('talks to the simulator through slackApiUrl', async () => {
    await start();
    const client = new webApi.WebClient(TOKEN, { slackApiUrl: `${sim!.url}/api/` });
    const auth = await client.auth.test();
    expect(auth.user_id).toBe('U0DOCKBOT1');
    const posted = await client.chat.postMessage({ channel: 'dockhand-ops', text: 'from WebClient', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Alert' } }] });
    expect(sim!.messages('C0OPS00001')[0]).toMatchObject({ ts: posted.ts, text: 'from WebClient' });
  });

  it('surfaces 429 as a rate-limit error carrying retryAfter', async () => {
    const clock = manualClock();
    await start({ clock: clock.now, postRate: { perSecond: 1, burst: 1 } });
    const client = new webApi.WebClient(TOKEN, { slackApiUrl: `${sim!.url}/api/`, rejectRateLimitedCalls: true });
    await client.chat.postMessage({ channel: 'C0OPS00001', text: 'one' });
    await expect(client.chat.postMessage({ channel: 'C0OPS00001', text: 'two' })).rejects.toMatchObject({
      code: webApi.ErrorCode.RateLimitedError,
      retryAfter: 1,
    });
  });
});

describe('signed requests to the app', () => {
  it('sends a slash command as a signed form post with every field Slack sends', async () => {
    await start();
    await sim!.sendCommand({ user: 'U0SAM00002', channel: 'C0OPS00001', text: 'status B0TEST' });
    expect(app!.rejected).toBe(0);
    expect(app!.received[0]!.form).toMatchObject({
      team_id: 'T0DOCKHAND',
      channel_id: 'C0OPS00001',
      channel_name: 'dockhand-ops',
      user_id: 'U0SAM00002',
      user_name: 'sam',
      command: '/dockhand',
      text: 'status B0TEST',
      api_app_id: 'A0DOCKHAND',
    });
    expect(app!.received[0]!.form.response_url).toMatch(new RegExp(`^${sim!.url}/_sim/response/`));
    expect(app!.received[0]!.form.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
  });

  it('is refused by an app that holds a different signing secret', async () => {
    await start({ signingSecret: 'someone-else' });
    const reply = await sim!.sendCommand({ user: 'U0SAM00002', channel: 'C0OPS00001', text: 'help' });
    expect(reply.status).toBe(401);
    expect(app!.rejected).toBe(1);
    expect(sim!.ephemerals('U0SAM00002')[0]!.text).toBe('/dockhand failed with the error "http_status_401"');
  });

  it('shows a command ack body as an ephemeral reply and response_url posts by response_type', async () => {
    await start();
    app!.setHandler(() => ({ body: { text: 'Working on it…' } }));
    await sim!.sendCommand({ user: 'U0MAYA0001', channel: 'C0OPS00001', text: 'sync' });
    const responseUrl = app!.received[0]!.form.response_url!;
    const post = (body: unknown) => fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ text: 'Synced 3 orders', response_type: 'in_channel' })).status).toBe(200);
    expect((await post({ text: 'only you' })).status).toBe(200);
    expect(sim!.ephemerals('U0MAYA0001').map((m) => m.text)).toEqual(['Working on it…', 'only you']);
    expect(sim!.messages('C0OPS00001').map((m) => m.text)).toEqual(['Synced 3 orders']);
    expect(sim!.responses().map((r) => r.body.response_type ?? 'ephemeral')).toEqual(['in_channel', 'ephemeral']);
  });

  it('sends block_actions for a click and lets response_url replace the original', async () => {
    await start();
    const posted = await call('chat.postMessage', {
      channel: 'C0OPS00001',
      text: 'Order needs review',
      blocks: [{ type: 'actions', block_id: 'act', elements: [{ type: 'button', action_id: 'retry', value: 'o-1', style: 'primary', text: { type: 'plain_text', text: 'Retry' } }] }],
    });
    await sim!.clickButton({ user: 'U0MAYA0001', channel: 'C0OPS00001', ts: posted.body.ts, actionId: 'retry' });
    const payload = app!.received[0]!.payload!;
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0MAYA0001' },
      channel: { id: 'C0OPS00001' },
      container: { type: 'message', message_ts: posted.body.ts, channel_id: 'C0OPS00001' },
      message: { ts: posted.body.ts, blocks: [{ block_id: 'act' }] },
      actions: [{ action_id: 'retry', block_id: 'act', value: 'o-1', type: 'button', style: 'primary' }],
    });
    await fetch(payload.response_url, { method: 'POST', body: JSON.stringify({ replace_original: true, text: 'Retried by Maya' }) });
    expect(sim!.messages('C0OPS00001')).toMatchObject([{ ts: posted.body.ts, text: 'Retried by Maya', blocks: [], updated: 1 }]);
  });

  it('submits a view with state values, shows returned errors, then closes on an empty ack', async () => {
    await start();
    const opened = await call('views.open', { trigger_id: await freshTrigger(), view: VIEW });
    const viewId = opened.body.view.id;
    app!.setHandler(() => ({ body: { response_action: 'errors', errors: { sku: 'Unknown SKU' } } }));
    const first = await sim!.submitView({ user: 'U0MAYA0001', viewId, values: { sku_value: 'NOPE', warehouse_value: 'reno' } });
    expect(first.body).toEqual({ response_action: 'errors', errors: { sku: 'Unknown SKU' } });
    const payload = app!.received.at(-1)!.payload!;
    expect(payload).toMatchObject({
      type: 'view_submission',
      user: { id: 'U0MAYA0001' },
      view: {
        id: viewId,
        callback_id: 'map_sku',
        private_metadata: '{"asin":"B0TEST"}',
        state: {
          values: {
            sku: { sku_value: { type: 'plain_text_input', value: 'NOPE' } },
            warehouse: { warehouse_value: { type: 'static_select', selected_option: { value: 'reno', text: { text: 'Reno' } } } },
          },
        },
      },
    });
    expect(sim!.views('U0MAYA0001')[0]!.errors).toEqual({ sku: 'Unknown SKU' });
    app!.setHandler(() => ({ status: 200 }));
    await sim!.submitView({ user: 'U0MAYA0001', viewId, values: { sku_value: 'SKU-1', warehouse_value: 'newark' } });
    expect(sim!.views()).toEqual([]);
  });

  it('does not send a view with an empty required input, as Slack blocks it in the client', async () => {
    await start();
    const opened = await call('views.open', { trigger_id: await freshTrigger(), view: VIEW });
    const before = app!.received.length;
    const reply = await sim!.submitView({ user: 'U0MAYA0001', viewId: opened.body.view.id, values: { sku_value: 'X' } });
    expect(reply.error).toBe('required_fields_missing');
    expect(app!.received.length).toBe(before);
    expect(Object.keys(sim!.views()[0]!.errors)).toEqual(['warehouse']);
  });

  it('reports operation_timeout when the app does not answer in time', async () => {
    await start({ ackTimeoutMs: 100 });
    app!.setHandler(() => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 500)));
    const reply = await sim!.sendCommand({ user: 'U0MAYA0001', channel: 'C0OPS00001', text: 'slow' });
    expect(reply).toMatchObject({ status: 0, error: 'operation_timeout' });
  });
});

describe('external file upload', () => {
  it('keeps the bytes posted to the upload URL and shares the file in a thread on completion', async () => {
    await start();
    const parent = await call('chat.postMessage', { channel: 'C0OPS00001', text: 'digest' });
    const got = await call('files.getUploadURLExternal', { length: 4, filename: 'chart.png' });
    // Completing before the bytes arrived is refused, as Slack does.
    expect((await call('files.completeUploadExternal', { files: JSON.stringify([{ id: got.body.file_id }]) })).body.error).toBe('file_not_found');
    expect((await fetch(got.body.upload_url, { method: 'POST', body: Buffer.from([0x89, 0x50, 0x4e, 0x47]) })).status).toBe(200);
    const done = await call('files.completeUploadExternal', { files: JSON.stringify([{ id: got.body.file_id, title: 'Chart' }]), channel_id: 'C0OPS00001', thread_ts: parent.body.ts });
    expect(done.body).toMatchObject({ ok: true, files: [{ id: got.body.file_id, title: 'Chart' }] });
    const reply = sim!.messages('C0OPS00001').find((m) => m.thread_ts === parent.body.ts);
    expect(reply?.files).toEqual([{ id: got.body.file_id, name: 'chart.png', title: 'Chart', mimetype: 'image/png', size: 4 }]);
    const served = await fetch(`${sim!.url}/_sim/files/${got.body.file_id}`);
    expect([served.headers.get('content-type'), Buffer.from(await served.arrayBuffer()).toString('hex')]).toEqual(['image/png', '89504e47']);
  });
});
