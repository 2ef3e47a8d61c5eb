import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Buyer data must never reach a log line. We never pass it to the logger in the first place;
 * these paths are the backstop in case an object carrying it slips through.
 */
const REDACT_PATHS = [
  '*.shipTo', '*.billTo', '*.buyer', '*.recipient', '*.deliveryAddress', '*.customerEmail',
  '*.buyerEmail', '*.buyerName', '*.phone', '*.name', '*.street1', '*.street2', '*.street3',
  'shipTo', 'billTo', 'buyer', 'recipient', 'deliveryAddress', 'customerEmail', 'phone',
  'headers.authorization', 'headers.Authorization', '*.access_token', '*.refresh_token',
  '*.client_secret', 'err.config.headers', 'err.config.auth',
];

export interface LogOptions {
  level?: string;
  /** Where lines go; defaults to stderr so stdout stays for command output. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { app: 'dockhand' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (opts.destination ?? process.stderr) as pino.DestinationStream,
  );
}

/** A logger that drops everything: for tests and for library code given no logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
