import { describe, expect, it } from 'vitest';
import { buildStateValues, findElement, missingRequiredInputs, stateValue, withBlockIds } from '../../../src/sandbox/slack/blocks';
import { TokenBucket } from '../../../src/sandbox/slack/token-bucket';
import { signSlackRequest } from '../../../src/sandbox/slack/signing';

const options = [
  { text: { type: 'plain_text', text: 'Reno' }, value: 'reno' },
  { text: { type: 'plain_text', text: 'Newark' }, value: 'newark' },
];

describe('stateValue', () => {
  it.each([
    ['plain text', { type: 'plain_text_input' }, 'abc', { type: 'plain_text_input', value: 'abc' }],
    ['empty plain text', { type: 'plain_text_input' }, '', { type: 'plain_text_input', value: null }],
    ['a number', { type: 'number_input' }, '3', { type: 'number_input', value: '3' }],
    ['a static select', { type: 'static_select', options }, 'newark', { type: 'static_select', selected_option: options[1] }],
    ['an untouched select', { type: 'static_select', options }, null, { type: 'static_select', selected_option: null }],
    ['checkboxes', { type: 'checkboxes', options }, ['reno'], { type: 'checkboxes', selected_options: [options[0]] }],
    ['a user', { type: 'users_select' }, 'U1', { type: 'users_select', selected_user: 'U1' }],
  ])('shapes %s like Slack', (_label, element, value, expected) => {
    expect(stateValue(element, value)).toEqual(expected);
  });

  it('refuses an option the select does not offer', () => {
    expect(() => stateValue({ type: 'static_select', action_id: 'wh', options }, 'paris')).toThrow(/paris/);
  });
});

describe('view state', () => {
  const blocks = [
    { type: 'input', block_id: 'b1', element: { type: 'plain_text_input', action_id: 'a1' } },
    { type: 'input', block_id: 'b2', optional: true, element: { type: 'static_select', action_id: 'a2', options } },
    { type: 'section', block_id: 'b3', text: { type: 'mrkdwn', text: 'x' } },
  ];

  it.each([
    ['by action_id', { a1: 'x' }],
    ['by block_id', { b1: { a1: 'x' } }],
  ])('takes values keyed %s and fills untouched inputs as empty', (_label, values) => {
    expect(buildStateValues(blocks, values)).toEqual({
      b1: { a1: { type: 'plain_text_input', value: 'x' } },
      b2: { a2: { type: 'static_select', selected_option: null } },
    });
  });

  it('throws on a name the view does not have', () => {
    expect(() => buildStateValues(blocks, { nope: 'x' })).toThrow(/nope/);
  });

  it.each([
    [{ a1: 'x' }, []],
    [{ a1: '' }, ['b1']],
    [{}, ['b1']],
  ])('with %j the required inputs still empty are %j', (values, missing) => {
    expect(missingRequiredInputs(blocks, buildStateValues(blocks, values))).toEqual(missing);
  });
});

describe('blocks', () => {
  it('keeps given block_ids and generates the missing ones', () => {
    let n = 0;
    const out = withBlockIds([{ type: 'divider' }, { type: 'divider', block_id: 'keep' }], () => `gen${++n}`);
    expect(out.map((b) => b.block_id)).toEqual(['gen1', 'keep']);
  });

  it.each([
    ['in an actions block', [{ type: 'actions', block_id: 'a', elements: [{ type: 'button', action_id: 'go' }] }], 'a'],
    ['as a section accessory', [{ type: 'section', block_id: 's', accessory: { type: 'button', action_id: 'go' } }], 's'],
  ])('finds a button %s', (_label, blocks, blockId) => {
    expect(findElement(blocks, 'go')?.blockId).toBe(blockId);
    expect(findElement(blocks, 'other')).toBeUndefined();
  });
});

describe('TokenBucket', () => {
  it.each([
    // [burst, calls at t=0, expected Retry-After of the last call]
    [1, 2, 1],
    [3, 3, 0],
    [3, 4, 1],
  ])('burst %i, %i calls at once: the last waits %i s', (burst, callsAtOnce, wait) => {
    const bucket = new TokenBucket(1, burst, () => 0);
    let last = 0;
    for (let i = 0; i < callsAtOnce; i++) last = bucket.take();
    expect(last).toBe(wait);
  });

  it('refills with time', () => {
    let now = 0;
    const bucket = new TokenBucket(20 / 60, 20, () => now);
    for (let i = 0; i < 20; i++) expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(3);
    now += 3000;
    expect(bucket.take()).toBe(0);
  });
});

describe('signSlackRequest', () => {
  it('matches the worked example in Slack\'s "Verifying requests from Slack" guide', () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack (the guide's sample values).
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });
});
