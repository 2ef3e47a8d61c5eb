import { describe, expect, it } from 'vitest';
import type { StatusData } from '../../src/jobs/status';
import { statusMessage } from '../../src/jobs/status-message';
import { refused } from '../../src/slack/replies';
import { allText, NOW, describeValidBlockKit } from '../support/slack-messages';

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

const manyAccounts: StatusData = { now: NOW, accounts: Array.from({ length: 60 }, (_, i) => ({ ...status.accounts[1]!, id: `acct-${i}` })) };

describeValidBlockKit([
  ['status', statusMessage(status)],
  ['status, 60 accounts, no events', statusMessage(manyAccounts)],
]);

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
