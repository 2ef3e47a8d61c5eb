import { z } from 'zod';
import { isKnownTimeZone } from '../domain/wall-clock';

/** The config file's `reports` and `digest` keys (issue 12). */
export const ReportsFileConfig = z
  .object({
    /** Days of a report run midnight to midnight here; default the first account's time zone. */
    timeZone: z.string().refine(isKnownTimeZone, 'an IANA time zone such as America/Chicago').optional(),
  })
  .strict();

export const DigestFileConfig = z
  .object({
    /** When the daily digest is posted to slack.channels.digest, in reports.timeZone. */
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day written HH:MM, such as 08:00').default('08:00'),
  })
  .strict();

export interface ReportsConfig {
  timeZone: string;
  digestTime: string;
}
