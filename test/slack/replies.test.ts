import { describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/domain/block-kit';
import { helpMessage, refused, unknownCommand } from '../../src/slack/replies';
import { allText, describeValidBlockKit } from '../support/slack-messages';

describeValidBlockKit([
  ['help', helpMessage()],
  ['unknown', unknownCommand('`/dockhand retyr`: unknown command `retyr` — did you mean `retry`?')],
  ['refused', refused('Only managers may pause the sync.')],
]);

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
