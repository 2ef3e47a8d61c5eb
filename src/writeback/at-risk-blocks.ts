import type { types } from '@slack/bolt';
import { ACTIONS, actions, button, code, escapeMrkdwn, openInShipStation, section, utc, type Block, type ButtonValue, type RenderContext } from '../domain/block-kit';
import type { AtRiskOrder } from './deadline-alert';
import { timeLeft } from './late-orders';

/** The lines and buttons of orders at risk of missing their ship-by date: the deadline alerts and `/dockhand late` draw them alike. */

/** One order's line: Prime, ID, account, ship-by and time left (as of the escalation). */
export function atRiskLine(o: AtRiskOrder): string {
  return [
    `${o.isPrime ? ':zap: *Prime* ' : ''}${code(o.amazonOrderId)}`,
    escapeMrkdwn(o.accountId),
    ...(o.shipByLatest ? [`ship by ${utc(o.shipByLatest)}`] : []),
    `*${timeLeft(o.minutesLeft)}*`,
    ...(o.shipstationOrderId === undefined ? ['not in ShipStation'] : []),
  ].join(' · ');
}

/**
 * One order's buttons, action ids suffixed `:<account>:<order>` to stay unique in the message.
 * Late or at risk: Retry sync (the account), Mark priority; buyer asked to cancel: Hold. These
 * and Open in ShipStation need the ShipStation order, so they are left out when there is none.
 */
export function atRiskButtons(ctx: RenderContext, o: AtRiskOrder, cancel: boolean, key: string, version: string): types.Button[] {
  const target = `${o.accountId}:${o.amazonOrderId}`;
  const ss = o.shipstationOrderId;
  const value: ButtonValue = { key, version, accountId: o.accountId, amazonOrderId: o.amazonOrderId, ...(ss !== undefined ? { shipstationOrderId: ss } : {}) };
  const out: types.Button[] = [];
  if (cancel) {
    if (ss !== undefined) out.push(holdButton(`${ACTIONS.holdOrder}:${target}`, value, o.amazonOrderId, ss));
  } else {
    out.push(button({ text: 'Retry sync', actionId: `${ACTIONS.retrySync}:${target}`, value }));
    if (ss !== undefined) out.push(button({ text: 'Mark priority', actionId: `${ACTIONS.markPriority}:${target}`, style: 'primary', value }));
  }
  out.push(...openInShipStation(ctx, `${ACTIONS.openShipStation}:${target}`, o.amazonOrderId, ss));
  return out;
}

export function holdButton(actionId: string, value: ButtonValue, amazonOrderId: string, shipstationOrderId: number): types.Button {
  return button({
    text: 'Hold',
    actionId,
    style: 'danger',
    value,
    confirm: {
      title: 'Hold in ShipStation?',
      text: `ShipStation order ${shipstationOrderId} (Amazon ${code(amazonOrderId)}) goes on hold for 7 days and is not shipped until someone releases it in ShipStation.`,
      confirm: 'Hold',
      deny: 'Cancel',
    },
  });
}

/** A line and a row of buttons per order, at most `LIMITS.listItems` orders, then how many more. */
export function atRiskBlocks(ctx: RenderContext, orders: AtRiskOrder[], cancel: boolean, key: string, version: string, withButtons: boolean): Block[] {
  const out: Block[] = [];
  for (const o of orders) {
    const id = `${o.accountId}:${o.amazonOrderId}`;
    out.push(section(atRiskLine(o), { blockId: `order:${id}` }));
    const buttons = withButtons ? atRiskButtons(ctx, o, cancel, key, version) : [];
    // A cancel request for an order not in ShipStation has nothing to press: its line says so.
    if (buttons.length > 0) out.push(actions(`order:${id}:actions`, buttons));
  }
  return out;
}

export function primeNote(orders: AtRiskOrder[]): string {
  const prime = orders.filter((o) => o.isPrime).length;
  return prime > 0 ? `${prime} Prime` : '';
}
