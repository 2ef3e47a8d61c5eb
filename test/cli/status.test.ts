import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../src/cli/status';
import type { StatusData } from '../../src/jobs/status';
import type { EventHealth } from '../../src/store/records';

const now = new Date('2026-11-28T12:00:00Z');
const base: StatusData = {
  now,
  accounts: [{ id: 'us', mode: 'import', marketplaceIds: ['ATVPDKIKX0DER'], states: { sent: 40, held: 2 }, firstSeenToday: 12, quarantined: 1 }],
};
const hook = { webhookId: 7, url: 'https://dockhand.example.com/webhooks/shipstation', registeredAt: '2026-11-28T10:00:00Z' };
const health: EventHealth = {
  updatedAt: now.toISOString(),
  received: 50,
  processed: 45,
  ignored: 5,
  retried: 0,
  quarantined: 0,
  queueErrors: 0,
  caughtByPolling: 0,
  lastEventAt: '2026-11-28T11:59:30Z',
  lastLagMs: 1200,
};

describe('formatStatus', () => {
  it('says polling only when no queue is configured', () => {
    expect(formatStatus(base).join('\n')).toMatch(/events\s+not configured: polling only/);
  });

  it('shows the last event, its lag and the queue depth', () => {
    const text = formatStatus({ ...base, events: { queueUrl: 'q', health, depth: { visible: 3, inFlight: 1 } } }).join('\n');
    expect(text).toMatch(/last event\s+30s ago, lag 1\.2 s; 50 received, 45 sent on/);
    expect(text).toMatch(/queue\s+3 waiting, 1 in flight/);
    expect(text).toMatch(/polling has caught nothing events missed/);
    expect(text).toMatch(/40 in ShipStation, 0 being sent, 2 held/);
  });

  it('warns when polling had to send orders that events never delivered', () => {
    const text = formatStatus({ ...base, events: { queueUrl: 'q', health: { ...health, caughtByPolling: 4, lastCaughtAt: '2026-11-28T11:00:00Z' } } }).join('\n');
    expect(text).toMatch(/WARNING\s+polling had to send 4 order\(s\) events never delivered \(last 60m ago\)/);
    expect(text).toMatch(/queue\s+unreachable/);
  });

  it.each<[string, Partial<StatusData>, StatusData['accounts'][number]['writeback'] | undefined, RegExp]>([
    ['labels confirmed, some refused', { shipNotify: hook, labelsPolledUntil: '2026-11-28T11:59:00Z' }, { confirmed: 12, inFlight: 1, skipped: 2, quarantined: 3, lastConfirmedAt: '2026-11-28T11:58:00Z' }, /tracking\s+12 label\(s\) confirmed on Amazon \(last 2m ago\), 1 to resend, 2 not confirmed \(voided or cancelled\), 3 refused \(Retry in Slack\)/],
    [
      'the webhook the product registered, its last call, and polling',
      { shipNotify: { ...hook, lastNotifyAt: '2026-11-28T11:59:57Z' }, labelsPolledUntil: '2026-11-28T11:59:00Z' },
      undefined,
      /labels\s+SHIP_NOTIFY webhook 7 → https:\/\/dockhand\.example\.com\/webhooks\/shipstation \(registered 2h ago\), last SHIP_NOTIFY 3s ago; polling as the safety net, polled up to 60s ago/,
    ],
    ['a webhook no SHIP_NOTIFY has reached yet', { shipNotify: hook }, undefined, /last SHIP_NOTIFY none yet/],
    ['polling only, never run', {}, undefined, /labels\s+polling only \(set DOCKHAND_PUBLIC_URL and SHIPSTATION_WEBHOOK_SECRET for webhooks\); polled up to never/],
  ])('tracking writeback: %s', (_name, over, writeback, expected) => {
    const text = formatStatus({ ...base, ...over, accounts: [{ ...base.accounts[0]!, ...(writeback ? { writeback } : {}) }] }).join('\n');
    expect(text).toMatch(expected);
  });

  it('says an account in watch mode has its tracking posted by ShipStation', () => {
    const text = formatStatus({ ...base, accounts: [{ ...base.accounts[0]!, mode: 'watch' }] }).join('\n');
    expect(text).toMatch(/tracking\s+posted by ShipStation's own Amazon store; Dockhand reconciles/);
  });
});
