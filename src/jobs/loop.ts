import type { Logger } from '../log/logger';

/**
 * Runs a job again and again: each pass starts `delayMs()` after the previous one ended, so
 * passes never overlap and a slow pass pushes the next one back instead of piling up.
 */
export interface Loop {
  stop(): Promise<void>;
  /** Starts the next pass now (e.g. a Slack "Retry now"). */
  kick(): void;
}

export function startLoop(name: string, pass: () => Promise<void>, delayMs: () => number, logger: Logger, opts: { firstDelayMs?: number } = {}): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, Math.max(0, ms));
    });
  const done = (async () => {
    // A job that would only repeat what start-up already does (reconcile right after the first sync) waits first.
    if (opts.firstDelayMs) await pause(opts.firstDelayMs);
    while (!stopped) {
      try {
        await pass();
      } catch (e) {
        logger.error({ job: name, err: (e as Error).message }, 'pass failed; the next one will retry');
      }
      if (stopped) break;
      await pause(delayMs());
    }
  })();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await done;
    },
    kick() {
      if (timer) clearTimeout(timer);
      wake?.();
    },
  };
}
