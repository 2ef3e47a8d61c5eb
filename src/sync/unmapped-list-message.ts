import { ACTIONS, button, clampText, code, context, escapeMrkdwn, fitMessage, header, LIMITS, moreLine, plural, section, utc, type Block, type SlackMessage } from '../domain/block-kit';
import type { UnmappedSku } from '../store/records';
import { unmappedKey } from './unmapped-sku-alert';

/** `/dockhand sku unmapped`: most orders first, a Map SKU button each. */
export function unmappedList(list: UnmappedSku[]): SlackMessage {
  if (list.length === 0) return fitMessage('Every Amazon SKU seen is mapped', [section(':white_check_mark: Every Amazon SKU seen is mapped.')]);
  const sorted = [...list].sort((a, b) => b.orderCount - a.orderCount || a.amazonSku.localeCompare(b.amazonSku));
  const shown = sorted.slice(0, LIMITS.listItems);
  const blocks: Block[] = [header(`Unmapped SKUs: ${list.length}`)];
  for (const u of shown) {
    const key = unmappedKey(u.amazonSku);
    const recent = u.recentOrderIds.slice(0, 3).map(code).join(', ');
    blocks.push(
      section(
        `${code(u.amazonSku)}${u.asin ? ` · ASIN ${code(u.asin)}` : ''}${u.title ? ` · ${escapeMrkdwn(clampText(u.title, 100))}` : ''}\n${plural(u.orderCount, 'order')}, last ${utc(u.lastSeenAt)}${recent ? ` · recent: ${recent}` : ''}`,
        {
          blockId: key,
          accessory: button({
            text: 'Map SKU',
            actionId: `${ACTIONS.mapSku}:${u.amazonSku}`,
            value: { key, version: u.lastSeenAt, amazonSku: u.amazonSku, ...(u.asin ? { asin: u.asin } : {}) },
          }),
        },
      ),
    );
  }
  if (sorted.length > shown.length) blocks.push(context(moreLine(sorted.length - shown.length, 'dockhand sku unmapped')));
  return fitMessage(`${plural(list.length, 'Amazon SKU')} without a ShipStation SKU`, blocks, { cliCommand: 'dockhand sku unmapped' });
}
