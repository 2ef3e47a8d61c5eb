import { webApi } from '@slack/bolt';
import type { Logger } from '../log/logger';
import { retryAfterSeconds } from './alerts';

/** Sends an ephemeral reply to the person who clicked (Bolt's `respond`). */
export type Respond = (m: { response_type: 'ephemeral'; text: string; replace_original: false }) => Promise<unknown>;

/** views.open as the Web API speaks it. */
export interface ViewsApi {
  views: { open(args: { trigger_id: string; view: never }): Promise<unknown> };
}

/** Opens a click's modal; false when Slack did not, and the person who clicked has been told. */
export type OpenModal = (triggerId: string | undefined, view: object, respond: Respond) => Promise<boolean>;

/** What a failed views.open says, as Slack names it (`expired_trigger_id`, `ratelimited`…). */
function slackError(e: unknown): string {
  if (retryAfterSeconds(e) !== undefined) return 'ratelimited';
  const err = e as { data?: { error?: unknown }; code?: unknown } | null;
  if (typeof err?.data?.error === 'string') return err.data.error;
  return typeof err?.code === 'string' ? err.code : 'error';
}

/** The client modals open with: a trigger_id is dead before any Retry-After ends, so it neither waits nor retries. */
export function modalClient(botToken: string, slackApiUrl?: string): ViewsApi {
  return new webApi.WebClient(botToken, { ...(slackApiUrl ? { slackApiUrl } : {}), rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, timeout: 3_000 }) as unknown as ViewsApi;
}

/**
 * A click's trigger_id lives 3 s and views.open is Tier 4 (about 100 a minute per workspace), so
 * in a busy minute it fails, and a retry after Retry-After would only find the trigger expired.
 * `client` (`modalClient`) rejects rate-limited calls at once; the person is told to click again
 * instead of the button doing nothing.
 */
export function modalOpener(client: ViewsApi, logger: Logger): OpenModal {
  return async (triggerId, view, respond) => {
    if (!triggerId) return false;
    try {
      await client.views.open({ trigger_id: triggerId, view: view as never });
      return true;
    } catch (e) {
      const code = slackError(e);
      logger.warn({ code }, 'views.open failed');
      const why = code === 'ratelimited' ? 'Slack is opening too many forms this minute' : `Slack did not open the form (${code})`;
      await respond({ response_type: 'ephemeral', replace_original: false, text: `:warning: ${why}. Nothing was changed: press the button again in a few seconds.` }).catch((err: unknown) =>
        logger.warn({ err: (err as Error).message }, 'modal failure not delivered'),
      );
      return false;
    }
  };
}
