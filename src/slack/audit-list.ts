import { code, escapeMrkdwn, fitMessage, header, linesToSections, plural, section, utc, who, type SlackMessage } from '../domain/block-kit';
import type { AuditEntry } from '../store/records';

/** `/dockhand audit [n]`: newest first, one line each. */
export function auditList(entries: AuditEntry[]): SlackMessage {
  if (entries.length === 0) return fitMessage('The audit log is empty', [section('The audit log is empty.')]);
  const sorted = [...entries].sort((a, b) => b.at.localeCompare(a.at));
  const lines = sorted.map((e) => {
    const mark = e.outcome === 'ok' ? '' : e.outcome === 'refused' ? ':lock: ' : ':x: ';
    return `\`${utc(e.at)}\`  ${mark}${who(e.actor)} ${code(e.action)}${e.target ? ` ${code(e.target)}` : ''} → ${e.outcome}${e.detail ? ` (${escapeMrkdwn(e.detail)})` : ''}`;
  });
  return fitMessage(`Audit log: last ${plural(entries.length, 'entry', 'entries')}`, [header(`Audit log: last ${entries.length}`), ...linesToSections(lines)], {
    cliCommand: 'dockhand audit',
  });
}
