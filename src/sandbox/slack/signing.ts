import { createHmac } from 'node:crypto';

/**
 * Slack's request signature (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `v0=` + hex HMAC-SHA256, keyed by the signing secret, over `v0:{timestamp}:{raw body}`.
 * `timestampSec` is Unix seconds, the same value sent in `X-Slack-Request-Timestamp`.
 */
export function signSlackRequest(signingSecret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}

/** The headers Slack sends with every request to an app's Request URL. */
export function slackRequestHeaders(signingSecret: string, timestampSec: number, rawBody: string, contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestampSec),
    'x-slack-signature': signSlackRequest(signingSecret, timestampSec, rawBody),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
}
