import { Worker } from 'node:worker_threads';
import { listenError } from '../domain/listen';
import type { Logger } from '../log/logger';

/**
 * Slack gives an app 3 s to acknowledge a command or a click, and measures from the request it
 * sends. On the main thread, an ack waits for whatever else the event loop is doing: a page of
 * orders being parsed, a garbage collection after an import. So in HTTP mode the public port
 * belongs to a small front in a worker thread (front-worker.mjs), with its own event loop and
 * heap: it checks the signature, answers at once, and passes the request to the Bolt app on a
 * loopback port, where it is verified again and handled as always.
 */
export interface SlackFront {
  /** The public port (the one given, or the one picked for port 0). */
  port: number;
  /** The address it is bound to (`::` or `0.0.0.0` for every interface, `127.0.0.1` for loopback). */
  address: string;
  /** Requests refused for a missing, wrong or stale signature. */
  refused(): number;
  stop(): Promise<void>;
}

export async function startSlackFront(opts: { port: number; host?: string; upstreamPort: number; signingSecret: string; logger: Logger }): Promise<SlackFront> {
  const worker = new Worker(new URL('./front-worker.mjs', import.meta.url), {
    workerData: { port: opts.port, host: opts.host, upstreamPort: opts.upstreamPort, signingSecret: opts.signingSecret },
  });
  let refused = 0;
  let reported = 0;
  let stopped: (() => void) | undefined;
  // Refusals are logged as a count at most every ten seconds: anyone can send unsigned requests,
  // and a flood of them must not become a flood of log lines.
  const report = setInterval(() => {
    if (refused === reported) return;
    opts.logger.warn({ refused: refused - reported }, 'Slack requests refused: signature missing, wrong, or more than five minutes off');
    reported = refused;
  }, 10_000);
  report.unref();
  const at = { port: opts.port, ...(opts.host ? { host: opts.host } : {}) };
  let bound: { port: number; address: string };
  try {
    bound = await new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: { type: string; port?: number; address?: string; code?: string; message?: string }) => {
        if (m.type === 'listening') resolve({ port: m.port!, address: m.address! });
        // Only the code and the message cross the thread: the same error as every other listener's.
        else if (m.type === 'listen_failed') void listenError({ ...(m.code ? { code: m.code } : {}), message: m.message ?? '' }, at).then(reject);
        else if (m.type === 'refused') refused++;
        else if (m.type === 'error') opts.logger.warn({ err: m.message }, 'Slack front');
        else if (m.type === 'stopped') stopped?.();
      });
    });
  } catch (e) {
    clearInterval(report);
    await worker.terminate();
    throw e;
  }
  worker.on('error', (e) => opts.logger.error({ err: e.message }, 'Slack front failed'));
  return {
    ...bound,
    refused: () => refused,
    async stop() {
      clearInterval(report);
      await new Promise<void>((resolve) => {
        stopped = resolve;
        worker.postMessage('stop');
        setTimeout(resolve, 3_000).unref();
      });
      await worker.terminate();
    },
  };
}
