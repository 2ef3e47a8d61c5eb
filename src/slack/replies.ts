import { context, escapeMrkdwn, fitMessage, header, section, type SlackMessage } from '../domain/block-kit';
import { COMMAND_HELP } from './commands';

/** Slack's own answers: help, a command not understood, a refusal. */

/** `/dockhand help`: every command, one line each. */
export function helpMessage(): SlackMessage {
  return fitMessage('Dockhand commands', [
    header('Dockhand commands'),
    section(COMMAND_HELP.join('\n')),
    context('Dockhand syncs Amazon orders into ShipStation. Orders are named by their Amazon order ID; buyer details never appear in Slack.'),
  ]);
}

/** The answer to a command Dockhand could not read (the parser's message: mrkdwn, unescaped). */
export function unknownCommand(message: string): SlackMessage {
  const safe = escapeMrkdwn(message);
  return fitMessage(message, [section(`:warning: ${safe}`), context('`/dockhand help` lists the commands.')]);
}

/** An ephemeral refusal (role checks): says why, not who may. */
export function refused(reason: string): SlackMessage {
  const safe = escapeMrkdwn(reason);
  return fitMessage(reason, [section(`:lock: ${safe}`)]);
}
