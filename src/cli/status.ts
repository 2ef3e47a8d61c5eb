import type { StatusData } from '../jobs/status';

function ago(iso: string | undefined, now: Date): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

/** The report as lines of text. Pure. */
export function formatStatus(d: StatusData): string[] {
  const lines: string[] = [];
  for (const a of d.accounts) {
    lines.push(`account ${a.id} (${a.mode}; ${a.marketplaceIds.join(', ')})`);
    const r = a.lastRun;
    lines.push(
      r
        ? `  last sync    ${ago(r.finishedAt, d.now)}, ${r.ok ? 'ok' : `FAILED: ${r.error}`}: ${r.seen} seen, ${r.created} created, ${r.updated} updated, ${r.cancelled} cancelled, ${r.quarantined} quarantined`
        : '  last sync    never',
    );
    const s = a.states;
    lines.push(
      `  orders       ${s.sent ?? 0} in ShipStation, ${s.in_flight ?? 0} being sent, ${s.held ?? 0} held (pending), ${s.cancelled ?? 0} cancelled, ${s.skipped ?? 0} skipped; ${a.firstSeenToday} first seen today`,
    );
    lines.push(`  quarantine   ${a.quarantined}${a.quarantined ? ' (dockhand quarantine)' : ''}`);
    const w = a.writeback ?? { confirmed: 0, inFlight: 0, skipped: 0, quarantined: 0 };
    lines.push(
      a.mode === 'watch'
        ? '  tracking     posted by ShipStation\'s own Amazon store; Dockhand reconciles'
        : `  tracking     ${w.confirmed} label(s) confirmed on Amazon (last ${ago(w.lastConfirmedAt, d.now)}), ${w.inFlight} to resend, ${w.skipped} not confirmed (voided or cancelled), ${w.quarantined} refused${w.quarantined ? ' (Retry in Slack)' : ''}`,
    );
  }
  const hook = d.shipNotify;
  const polled = `polled up to ${d.labelsPolledUntil ? ago(d.labelsPolledUntil, d.now) : 'never'}`;
  lines.push(
    hook
      ? `labels       SHIP_NOTIFY webhook ${hook.webhookId} → ${hook.url} (registered ${ago(hook.registeredAt, d.now)}), last SHIP_NOTIFY ${hook.lastNotifyAt ? ago(hook.lastNotifyAt, d.now) : 'none yet'}; polling as the safety net, ${polled}`
      : `labels       polling only (set DOCKHAND_PUBLIC_URL and SHIPSTATION_WEBHOOK_SECRET for webhooks); ${polled}`,
  );
  if (!d.events) {
    lines.push('events       not configured: polling only (see README, "Real-time events")');
    return lines;
  }
  const h = d.events.health;
  lines.push(`events       ${d.events.queueUrl}`);
  lines.push(
    h
      ? `  last event   ${ago(h.lastEventAt, d.now)}${h.lastLagMs !== undefined ? `, lag ${(h.lastLagMs / 1000).toFixed(1)} s` : ''}; ${h.received} received, ${h.processed} sent on, ${h.ignored} already current or not ours, ${h.retried} retried, ${h.quarantined} quarantined`
      : '  last event   none recorded yet (is `dockhand start` running?)',
  );
  lines.push(
    d.events.depth
      ? `  queue        ${d.events.depth.visible} waiting, ${d.events.depth.inFlight} in flight`
      : `  queue        unreachable: ${d.events.depthError ?? 'no client'}`,
  );
  if (h?.lastQueueError) lines.push(`  queue error  ${h.lastQueueError} (${ago(h.lastQueueErrorAt, d.now)})`);
  lines.push(
    h && h.caughtByPolling > 0
      ? `  WARNING      polling had to send ${h.caughtByPolling} order(s) events never delivered (last ${ago(h.lastCaughtAt, d.now)}): check \`dockhand notifications status\``
      : '  safety net   polling has caught nothing events missed',
  );
  return lines;
}
