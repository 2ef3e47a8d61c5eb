import { ago, code, context, divider, escapeMrkdwn, fitMessage, header, moreLine, plural, section, utc, who, type Block, type SlackMessage } from '../domain/block-kit';
import type { StatusData } from './status';

const MAX_STATUS_ACCOUNTS = 20;

/** `/dockhand status`: per account, then the event path. */
export function statusMessage(d: StatusData): SlackMessage {
  const blocks: Block[] = [header('Dockhand status')];
  const shown = d.accounts.slice(0, MAX_STATUS_ACCOUNTS);
  const problems: string[] = [];
  for (const a of shown) {
    const r = a.lastRun;
    let lastSync = 'never';
    if (r) {
      if (r.pausedBy) lastSync = `:double_vertical_bar: paused by ${who(r.pausedBy)} (${ago(r.finishedAt, d.now)})`;
      else if (r.leaseHeldBy) lastSync = `${ago(r.finishedAt, d.now)}, skipped: another replica (${code(r.leaseHeldBy)}) holds the lease`;
      else if (r.ok) lastSync = `${ago(r.finishedAt, d.now)}, ok: ${r.seen} seen, ${r.created} created, ${r.updated} updated, ${r.cancelled} cancelled, ${r.quarantined} quarantined`;
      else {
        lastSync = `:warning: ${ago(r.finishedAt, d.now)}, FAILED: ${escapeMrkdwn(r.error ?? 'unknown error')}`;
        problems.push(`sync of ${a.id} failed`);
      }
    }
    const s = a.states;
    const orders = [`${s.sent ?? 0} in ShipStation`, `${s.in_flight ?? 0} being sent`, `${s.held ?? 0} held (pending)`, `${s.cancelled ?? 0} cancelled`, `${s.skipped ?? 0} skipped`].join(', ');
    if (a.quarantined > 0) problems.push(`${plural(a.quarantined, 'order')} of ${a.id} in quarantine`);
    const w = a.writeback;
    if (w && w.quarantined > 0) problems.push(`${plural(w.quarantined, 'label')} of ${a.id} refused by Amazon`);
    const tracking =
      a.mode === 'watch'
        ? "posted by ShipStation's own Amazon store; Dockhand reconciles"
        : w
          ? `${w.confirmed} confirmed (last ${ago(w.lastConfirmedAt, d.now)}), ${w.inFlight} to resend, ${w.skipped} not confirmed${w.quarantined > 0 ? `, :warning: ${w.quarantined} refused` : ''}`
          : 'no labels yet';
    blocks.push(
      section(`*${escapeMrkdwn(a.id)}* · ${escapeMrkdwn(a.mode)} · ${escapeMrkdwn(a.marketplaceIds.join(', '))}`, {
        blockId: `status:account:${a.id}`,
        fields: [
          `*Last sync*\n${lastSync}`,
          `*Orders*\n${orders}`,
          `*Quarantine*\n${a.quarantined > 0 ? `:construction: ${a.quarantined} — \`/dockhand quarantine\`` : '0'}`,
          `*First seen today*\n${a.firstSeenToday}`,
          `*Tracking to Amazon*\n${tracking}`,
        ],
      }),
    );
  }
  if (d.accounts.length > shown.length) blocks.push(context(moreLine(d.accounts.length - shown.length, 'dockhand status')));
  blocks.push(divider());

  const e = d.events;
  if (!e) {
    blocks.push(context('*Events* not configured: polling only (see README, "Real-time events").'));
  } else {
    const h = e.health;
    const fields = [
      `*Last event*\n${h ? ago(h.lastEventAt, d.now) : 'none recorded yet (is `dockhand start` running?)'}`,
      `*Lag*\n${h?.lastLagMs !== undefined ? `${(h.lastLagMs / 1000).toFixed(1)} s` : '—'}`,
      `*Queue*\n${e.depth ? `${e.depth.visible} waiting, ${e.depth.inFlight} in flight` : `:warning: unreachable: ${escapeMrkdwn(e.depthError ?? 'no client')}`}`,
    ];
    if (h) fields.push(`*Handled*\n${h.received} received, ${h.processed} sent on, ${h.ignored} ignored, ${h.retried} retried, ${h.quarantined} quarantined`);
    if (h?.lastQueueError) fields.push(`*Queue error*\n${escapeMrkdwn(h.lastQueueError)} (${ago(h.lastQueueErrorAt, d.now)})`);
    blocks.push(section('*Events* (Amazon ORDER_CHANGE)', { blockId: 'status:events', fields }));
    if (h && h.caughtByPolling > 0) {
      problems.push('events are being missed');
      blocks.push(
        section(
          `:warning: Polling had to send ${plural(h.caughtByPolling, 'order')} that events never delivered (last ${ago(h.lastCaughtAt, d.now)}). Check \`dockhand notifications status\`.`,
          { blockId: 'status:caught_by_polling' },
        ),
      );
    } else {
      blocks.push(context('Safety net: polling has caught nothing that events missed.'));
    }
  }
  blocks.push(context(`As of ${utc(d.now.toISOString())}`));
  const text = problems.length > 0 ? `Dockhand status: ${problems.join('; ')}` : `Dockhand status: ${plural(d.accounts.length, 'account')}, all well`;
  return fitMessage(text, blocks, { cliCommand: 'dockhand status' });
}
