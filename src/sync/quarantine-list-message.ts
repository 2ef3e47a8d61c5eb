import { ACTIONS, actions, button, code, context, escapeMrkdwn, fitMessage, header, LIMITS, moreLine, plural, section, utc, type Block, type SlackMessage } from '../domain/block-kit';
import { isRetryable } from '../domain/errors';
import type { QuarantineEntry } from '../store/records';
import { quarantineKey, quarantineTodo } from './quarantine-alert';

/** `/dockhand quarantine`: one entry each with a Retry button, then Retry all. */
export function quarantineList(entries: QuarantineEntry[]): SlackMessage {
  if (entries.length === 0) return fitMessage('No orders in quarantine', [section(':white_check_mark: No orders in quarantine.')]);
  const sorted = [...entries].sort((a, b) => a.at.localeCompare(b.at));
  const shown = sorted.slice(0, LIMITS.listItems);
  const retryable = entries.filter((q) => isRetryable(q.code)).length;
  const blocks: Block[] = [header(`Quarantine: ${plural(entries.length, 'order')}`)];
  for (const q of shown) {
    const target = `${q.accountId}:${q.amazonOrderId}`;
    const key = quarantineKey(q.accountId, q.amazonOrderId);
    const what = quarantineTodo(q.code, q.hint);
    blocks.push(
      section(
        `${code(q.amazonOrderId)} · ${escapeMrkdwn(q.accountId)} · ${code(q.code)} · since ${utc(q.at)}${q.attempts > 1 ? ` · ${q.attempts} attempts` : ''}\n${escapeMrkdwn(q.reason)}${what ? `\n_${what}_` : ''}`,
        {
          blockId: key,
          ...(isRetryable(q.code)
            ? { accessory: button({ text: 'Retry', actionId: `${ACTIONS.retryOrder}:${target}`, value: { key, version: q.at, accountId: q.accountId, amazonOrderId: q.amazonOrderId } }) }
            : {}),
        },
      ),
    );
  }
  if (sorted.length > shown.length) blocks.push(context(moreLine(sorted.length - shown.length, 'dockhand quarantine')));
  const amazonOnly = entries.length - retryable;
  if (amazonOnly > 0) {
    const them = amazonOnly === 1 ? 'it' : 'them';
    blocks.push(context(`${plural(amazonOnly, 'order')} only Amazon can correct: no Retry, and Retry all skips ${them}. Dockhand imports ${them} automatically when Amazon updates ${them}.`));
  }
  if (retryable > 0) {
    blocks.push(
      actions('quarantine:actions', [
        button({
          text: `Retry all ${retryable}`,
          // Suffixed like the entries' buttons: this reply is no alert to update, so the outcome goes to the clicker.
          actionId: `${ACTIONS.retryAll}:list`,
          style: 'primary',
          value: { key: 'quarantine:all', version: String(entries.length) },
          confirm: { title: 'Retry all?', text: `Send ${retryable === entries.length ? 'all ' : ''}${plural(retryable, 'quarantined order')} to ShipStation again?`, confirm: 'Retry all', deny: 'Cancel' },
        }),
      ]),
    );
  }
  return fitMessage(`${plural(entries.length, 'order')} in quarantine`, blocks, { cliCommand: 'dockhand quarantine' });
}
