import { describe, expect, it } from 'vitest';
import { auditList } from '../../src/slack/audit-list';
import { allText, audit, describeValidBlockKit } from '../support/slack-messages';

describeValidBlockKit([
  ['audit list, 100', auditList(Array.from({ length: 100 }, (_, i) => ({ ...audit[0]!, detail: 'd'.repeat(200), at: new Date(Date.UTC(2026, 2, 2, 0, i)).toISOString() })))],
  ['audit list, empty', auditList([])],
]);

describe('auditList', () => {
  it('lists newest first with who, what, target and outcome', () => {
    const t = allText(auditList(audit));
    const lines = ['<@U1ALICE> `action:retry_order` `111-1234567-1234567` → ok (sent to ShipStation)', ':lock: <@U2CAROL> `command:/dockhand pause` → refused', '`cli:bob` `pause` `default` → ok'];
    const pos = lines.map((l) => t.indexOf(l));
    expect(pos.every((p) => p >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
  });
});
