import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger';
import { slackApiBaseUrl } from '../../src/config/config';
import { modalClient, modalOpener, type ViewsApi } from '../../src/slack/modal';
import { startSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/web-api-simulator';

const VIEW = { type: 'modal', title: { type: 'plain_text', text: 'Received' }, blocks: [] };

function opener(result: () => Promise<unknown>) {
  const replies: string[] = [];
  const open = modalOpener({ views: { open: result } } as ViewsApi, silentLogger);
  const respond = async (m: { text: string }) => void replies.push(m.text);
  return { replies, run: (trigger: string | undefined) => open(trigger, VIEW, respond) };
}

describe('opening a click’s modal', () => {
  it.each([
    // [what Slack answers, trigger, opened, what the person is told]
    ['the modal', 'T1', async () => ({ ok: true }), true, undefined],
    ['nothing to open with', undefined, async () => ({ ok: true }), false, undefined],
    ['a trigger that expired', 'T1', async () => Promise.reject(Object.assign(new Error('An API error occurred: expired_trigger_id'), { code: 'slack_webapi_platform_error', data: { ok: false, error: 'expired_trigger_id' } })), false, /Slack did not open the form \(expired_trigger_id\)\. Nothing was changed: press the button again/],
    ['a 429', 'T1', async () => Promise.reject(Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 12 })), false, /too many forms this minute\. Nothing was changed: press the button again/],
    ['no answer', 'T1', async () => Promise.reject(Object.assign(new Error('timeout'), { code: 'slack_webapi_request_error' })), false, /\(slack_webapi_request_error\)/],
  ] as Array<[string, string | undefined, () => Promise<unknown>, boolean, RegExp | undefined]>)('%s', async (_what, trigger, answer, opened, told) => {
    const o = opener(answer);
    expect(await o.run(trigger)).toBe(opened);
    if (told) expect(o.replies).toEqual([expect.stringMatching(told)]);
    else expect(o.replies).toEqual([]);
  });
});

describe('the modal client against the Slack simulator', () => {
  let slack: SlackSimulator;
  beforeAll(async () => {
    slack = await startSlackSimulator({ botToken: 'xoxb-modal', signingSecret: 'modal-secret' });
  });
  afterAll(async () => slack?.close());

  it('a views.open past Tier 4 fails at once as a 429, and the person hears why', async () => {
    const o = { replies: [] as string[] };
    const open = modalOpener(modalClient('xoxb-modal', slackApiBaseUrl(slack.url)), silentLogger);
    const respond = async (m: { text: string }) => void o.replies.push(m.text);
    const started = Date.now();
    // Every trigger here is unknown to Slack; the 101st call in a minute is refused before it is read.
    for (let i = 0; i < 101; i++) expect(await open(`T${i}`, VIEW, respond)).toBe(false);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(o.replies.slice(0, 100).every((t) => t.includes('Slack did not open the form'))).toBe(true);
    expect(o.replies[100]).toContain('too many forms this minute');
  });
});
