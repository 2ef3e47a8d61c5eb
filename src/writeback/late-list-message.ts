import { actions, context, fitMessage, header, LIMITS, plural, section, utc, type Block, type RenderContext, type SlackMessage } from '../domain/block-kit';
import { atRiskButtons, atRiskLine, primeNote } from './at-risk-blocks';
import type { AtRiskOrder } from './deadline-alert';

const LATE_GROUPS: Array<{ title: string; has: (m: number | undefined) => boolean }> = [
  { title: ':rotating_light: Late', has: (m) => m !== undefined && m < 0 },
  { title: ':alarm_clock: Under 1 h', has: (m) => m !== undefined && m >= 0 && m < 60 },
  { title: ':hourglass_flowing_sand: Under 4 h', has: (m) => m !== undefined && m >= 60 && m < 240 },
  { title: 'Later', has: (m) => m !== undefined && m >= 240 },
  { title: 'Ship-by unknown', has: (m) => m === undefined || Number.isNaN(m) },
];

/**
 * `/dockhand late`: at-risk orders grouped late / under 1 h / under 4 h / later. The caller's
 * order (Prime first, then least time left) is kept inside each group. Buttons carry the key
 * `late:<account>:<order>` (no alert message behind it: the handler answers the clicker).
 */
export function lateList(orders: AtRiskOrder[], now: Date, ctx: RenderContext): SlackMessage {
  if (orders.length === 0) return fitMessage('No orders at risk', [section(':white_check_mark: No orders at risk of missing their ship-by date.')]);
  const version = now.toISOString();
  const shown = orders.slice(0, LIMITS.listItems);
  const prime = primeNote(orders);
  const blocks: Block[] = [header(`${plural(orders.length, 'order')} at risk`)];
  for (const g of LATE_GROUPS) {
    const inGroup = shown.filter((o) => g.has(o.minutesLeft));
    if (inGroup.length === 0) continue;
    const all = orders.filter((o) => g.has(o.minutesLeft)).length;
    blocks.push(section(`*${g.title}* (${all})`, { blockId: `late:group:${g.title}` }));
    for (const o of inGroup) {
      const id = `${o.accountId}:${o.amazonOrderId}`;
      blocks.push(section(atRiskLine(o), { blockId: `order:${id}` }), actions(`order:${id}:actions`, atRiskButtons(ctx, o, false, `late:${id}`, version)));
    }
  }
  if (orders.length > shown.length) blocks.push(context(`…and ${orders.length - shown.length} more, less urgent`));
  blocks.push(context(`${prime ? `:zap: ${prime} · ` : ''}As of ${utc(version)}`));
  const late = orders.filter((o) => o.minutesLeft !== undefined && o.minutesLeft < 0).length;
  return fitMessage(`${plural(orders.length, 'order')} at risk${late ? `, ${late} late` : ''}${prime ? ` (${prime})` : ''}`, blocks);
}
