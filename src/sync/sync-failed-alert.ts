import { ACTIONS, button, code, escapeMrkdwn, fact, section, type AlertRenderer } from '../domain/block-kit';
import { problemKind, type Problem } from '../domain/notifier';

/** A sync pass of one account failed as a whole (Amazon unreachable, credentials refused…). */
export interface SyncFailureNotice {
  accountId: string;
  code: string;
  message: string;
  hint: string;
}

export const SYNC_FAILED = problemKind<SyncFailureNotice>('sync_failed');

export function syncKey(accountId: string): string {
  return `sync:${accountId}`;
}

/** One message per account, counting the failed runs; `lastAt` is when the last one was recorded. Pure. */
export function syncFailedProblem(n: SyncFailureNotice): Problem<SyncFailureNotice> {
  return {
    kind: SYNC_FAILED.name,
    key: syncKey(n.accountId),
    facts: { accountId: n.accountId, code: n.code, message: n.message, hint: n.hint },
    stamp: 'lastAt',
    notice: n,
    log: { level: 'error', msg: 'sync failed', fields: { accountId: n.accountId, code: n.code } },
  };
}

/** Alert `sync_failed`. Facts: accountId, code, message, hint. */
export const renderSyncFailed: AlertRenderer = (r) => {
  const accountId = fact(r, 'accountId');
  const errCode = fact(r, 'code');
  const fields = [`*Account*\n${escapeMrkdwn(accountId || 'unknown')}`, `*Problem*\n${errCode ? code(errCode) : 'unknown'}`];
  if (r.count > 1) fields.push(`*Failed runs*\n${r.count}`);
  const blocks = [section(`:warning: Sync ${r.state === 'open' ? 'is failing' : 'failed'} for account *${escapeMrkdwn(accountId)}*.`, { blockId: 'alert:summary', fields })];
  const message = fact(r, 'message');
  const hint = fact(r, 'hint');
  if (message || hint) blocks.push(section(`${escapeMrkdwn(message)}${hint ? `\n:point_right: ${escapeMrkdwn(hint)}` : ''}`, { blockId: 'alert:detail' }));
  const value = { key: r.key, version: r.updatedAt, accountId };
  return {
    text: `Sync failed for account ${accountId}${errCode ? `: ${errCode}` : ''}`,
    blocks,
    buttons: [
      button({ text: 'Retry now', actionId: ACTIONS.retrySync, style: 'primary', value }),
      button({
        text: 'Pause',
        actionId: ACTIONS.pauseSync,
        style: 'danger',
        value,
        confirm: {
          title: 'Pause sync?',
          text: `New orders of *${escapeMrkdwn(accountId)}* stop going to ShipStation until someone resumes (\`/dockhand resume ${escapeMrkdwn(accountId)}\`).`,
          confirm: 'Pause',
          deny: 'Cancel',
        },
      }),
    ],
  };
};
