import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config';
import { startSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/web-api-simulator';

const TOKEN = 'xoxb-api-url-test';
const CHANNEL = 'C0OPS00001';

/**
 * Issue 9: given Slack's own form of the base URL (`https://slack.com/api/`), Dockhand called
 * `…/api/api/chat.postMessage`, got no `ts` back and retried forever. The WebClient the app and
 * the CLI build takes `config.slack.apiUrl` as it is, so what reaches the Web API is decided here.
 */
describe('SLACK_API_URL with a real WebClient', () => {
  let sim: SlackSimulator;
  beforeAll(async () => {
    sim = await startSlackSimulator({ botToken: TOKEN, signingSecret: 'unused-here' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it.each([
    ["Slack's SDK form, http://127.0.0.1:<port>/api/", (origin: string) => `${origin}/api/`],
    ['the bare origin, http://127.0.0.1:<port>', (origin: string) => origin],
    ['the SDK form without its slash', (origin: string) => `${origin}/api`],
  ])('reaches chat.postMessage given %s', async (_name, form) => {
    const config = loadConfig({ SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: form(sim.url) }, mkdtempSync(path.join(tmpdir(), 'dockhand-api-url-')));
    // No retries: a wrong URL must fail here, not be retried into a timeout.
    const client = new webApi.WebClient(TOKEN, { slackApiUrl: config.slack.apiUrl!, retryConfig: { retries: 0 } });
    const text = `hello via ${form(sim.url)}`;
    const res = await client.chat.postMessage({ channel: CHANNEL, text });
    expect(res.ok).toBe(true);
    expect(res.ts).toMatch(/^\d+\.\d+$/);
    expect(sim.messages(CHANNEL).map((m) => m.text)).toContain(text);
  });

  it('shows what the doubled path did: the Web API does not know `api/chat.postMessage`', async () => {
    const client = new webApi.WebClient(TOKEN, { slackApiUrl: `${sim.url}/api/api/`, retryConfig: { retries: 0 } });
    await expect(client.chat.postMessage({ channel: CHANNEL, text: 'lost' })).rejects.toMatchObject({ data: { ok: false, error: 'unknown_method' } });
  });
});
