import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

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
  /**
   * Where lines go; defaults to stderr so stdout stays for command output. A terminal (a stream
   * whose `isTTY` is true) gets one readable line per entry; files and pipes get pino's JSON.
   */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const destination = opts.destination ?? process.stderr;
  return pino(
    {
      level: opts.level ?? 'info',
      base: { app: 'dockhand' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (isTerminal(destination) ? readableLines(destination) : destination) as pino.DestinationStream,
  );
}

function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Keys every entry has, shown in the line's prefix (time, level) or not at all. */
const PREFIX_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app']);

/**
 * pino's JSON, made readable for a person at a terminal: `[14:02:03] WARN: message key=value`.
 * The entry is formatted after pino has serialised (and redacted) it, so a terminal shows
 * exactly what a log file would hold. Synchronous, like writing the JSON itself: a one-shot
 * command that exits right after a warning still prints it.
 */
function readableLines(destination: NodeJS.WritableStream): { write(line: string): void } {
  // Loaded only for a terminal: a service logging to a file or pipe never formats a line, and
  // pino-pretty (with its colour and date libraries) costs every process a few MB otherwise.
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  const format = pinoPretty.prettyFactory({
    // colorette's own test: NO_COLOR, FORCE_COLOR, a terminal, TERM=dumb.
    colorize: pinoPretty.isColorSupported,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,app',
    hideObject: true,
    messageFormat: (entry, messageKey) => [String(entry[messageKey] ?? ''), ...pairs(entry)].filter(Boolean).join(' '),
  });
  return { write: (line) => void destination.write(format(line)) };
}

/** `key=value` for every field of an entry; strings with spaces or quotes are quoted. */
function pairs(entry: Record<string, unknown>): string[] {
  return Object.entries(entry)
    .filter(([k]) => !PREFIX_KEYS.has(k))
    .map(([k, v]) => `${k}=${show(v)}`);
}

function show(v: unknown): string {
  // A serialised error: its message says what failed, on the one line (`2> file` gives the JSON, stack and all).
  const err = v as { message?: unknown; stack?: unknown } | null;
  if (err && typeof err === 'object' && typeof err.message === 'string' && err.stack !== undefined) return show(err.message);
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/** A logger that drops everything: for tests and for library code given no logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
