import { describe, expect, it } from 'vitest';
import { clampText, fitMessage, parseButtonValue, shipstationOrderUrl, type SlackMessage } from '../../src/domain/block-kit';
import { blockKitProblems, ID, CTX } from '../support/slack-messages';

describe('the Block Kit structure check of these tests', () => {
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

describe('shipstationOrderUrl', () => {
  it.each<[string, string]>([
    [ID, `https://ship.shipstation.com/orders/all-orders-search-result?quickSearch=${ID}`],
    ['A B&C', 'https://ship.shipstation.com/orders/all-orders-search-result?quickSearch=A%20B%26C'],
  ])('%s', (id, url) => {
    expect(shipstationOrderUrl(id, CTX.shipstationAppUrl)).toBe(url);
  });
});
