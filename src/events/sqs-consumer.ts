import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DockhandError } from '../domain/errors';
import type { Logger } from '../log/logger';

/**
 * A thin long-polling loop over one SQS queue. It knows nothing about what a message means:
 * `handle` decides, and the loop only keeps SQS's at-least-once contract (delete after the
 * effect is durable, make the message visible again later otherwise).
 */

export type HandleOutcome = 'done' | 'retry';

export interface MessageMeta {
  messageId: string;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
  /** When the message was sent to the queue, ISO 8601 (SentTimestamp). */
  sentAt?: string;
}

export interface SqsConsumerOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** Resolve 'done' only once the message's effect is durable: the message is deleted then. */
  handle: (body: string, meta: MessageMeta) => Promise<HandleOutcome>;
  /** Messages being handled at once. Default 10. */
  concurrency?: number;
  /** Long-poll wait, 0–20 s. Default 20. */
  waitTimeSeconds?: number;
  /** How long a received message stays hidden from other consumers. Default 60 s. */
  visibilityTimeoutSeconds?: number;
  /** A message handed back ('retry' or a throw) is hidden for this × its receive count. Default 5 s. */
  retryStepSeconds?: number;
  /** Upper bound of that delay. Default 900 s. */
  retryCapSeconds?: number;
  /** First wait after a failed queue call; doubles per failure in a row. Default 1000 ms. */
  errorBackoffBaseMs?: number;
  /** Upper bound of that wait. Default 60 000 ms. */
  errorBackoffCapMs?: number;
  logger: Logger;
  /** Told about every failure (queue calls and handler throws); the loop keeps going. */
  onError?: (err: DockhandError) => void;
}

export interface SqsConsumerStats {
  received: number;
  deleted: number;
  retried: number;
  errors: number;
  lastMessageAt?: string;
  lastError?: string;
  inFlight: number;
}

export interface SqsConsumer {
  /** Stops receiving, then waits for the handlers in flight (their messages are settled too). */
  stop(): Promise<void>;
  stats(): SqsConsumerStats;
  /** ApproximateNumberOfMessages (visible) and ApproximateNumberOfMessagesNotVisible (in flight). */
  queueDepth(): Promise<{ visible: number; inFlight: number }>;
}

/** SQS caps a visibility timeout at 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Seconds to hide a message that was handed back, growing with each delivery so a message that
 * keeps failing doesn't spin; SQS's own redrive policy (maxReceiveCount) ends it eventually.
 */
export function retryVisibilitySeconds(receiveCount: number, stepSeconds = 5, capSeconds = 900): number {
  const n = Math.max(1, Math.floor(receiveCount) || 1);
  return Math.max(0, Math.min(stepSeconds * n, capSeconds, MAX_VISIBILITY_SECONDS));
}

/** Wait before the next queue call after `failures` failed ones in a row (1-based). */
export function queueBackoffMs(failures: number, baseMs = 1000, capMs = 60_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
}

function toQueueError(e: unknown, what: string): DockhandError {
  if (e instanceof DockhandError) return e;
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  const status = err?.$metadata?.httpStatusCode;
  const name = err?.name ?? err?.code ?? 'Error';
  const message = `${what} failed (${name}${status ? ` ${status}` : ''}): ${err?.message ?? String(e)}`;
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
    // Credentials, permissions or a wrong queue URL: retrying helps only once someone fixes it,
    // but the loop still retries (slowly) so a fixed policy takes effect without a restart.
    return new DockhandError('events.queue_unreachable', message, {
      hint: 'Check the queue URL (AMAZON_SQS_QUEUE_URL), the AWS credentials and that they allow sqs:ReceiveMessage, DeleteMessage, ChangeMessageVisibility and GetQueueAttributes.',
      cause: e,
      status,
    });
  }
  return new DockhandError('events.queue_unreachable', message, {
    hint: 'SQS did not answer; Dockhand keeps retrying and the regular sync still picks orders up.',
    cause: e,
    ...(status !== undefined ? { status } : {}),
    transient: true,
  });
}

/**
 * Starts consuming `queueUrl`. At most `concurrency` handlers run at once; the loop asks SQS
 * for more only when there is room (at most 10 per call, SQS's limit). Queue failures are
 * reported and retried with exponential backoff; they never end the loop.
 */
export function startSqsConsumer(opts: SqsConsumerOptions): SqsConsumer {
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 10));
  const waitTimeSeconds = Math.min(20, Math.max(0, opts.waitTimeSeconds ?? 20));
  const visibilityTimeout = opts.visibilityTimeoutSeconds ?? 60;
  const retryStep = opts.retryStepSeconds ?? 5;
  const retryCap = opts.retryCapSeconds ?? 900;
  const backoffBase = opts.errorBackoffBaseMs ?? 1000;
  const backoffCap = opts.errorBackoffCapMs ?? 60_000;
  const log = opts.logger.child({ component: 'sqs-consumer' });
  const { sqs, queueUrl } = opts;

  const stats: SqsConsumerStats = { received: 0, deleted: 0, retried: 0, errors: 0, inFlight: 0 };
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();
  let slotFreed: (() => void) | undefined;

  const report = (err: DockhandError): void => {
    stats.errors++;
    stats.lastError = `${err.code}: ${err.message}`;
    try {
      opts.onError?.(err);
    } catch (e) {
      log.warn({ err: e instanceof Error ? e.message : String(e) }, 'onError threw');
    }
  };

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stopping.signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done, { once: true });
    });

  async function settle(message: Message, meta: MessageMeta): Promise<void> {
    const receiptHandle = message.ReceiptHandle!;
    let outcome: HandleOutcome;
    try {
      outcome = await opts.handle(message.Body ?? '', meta);
    } catch (e) {
      outcome = 'retry';
      const err = e instanceof DockhandError ? e : new DockhandError('internal', `handler failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      log.warn({ messageId: meta.messageId, receiveCount: meta.receiveCount, code: err.code }, 'handler threw; message will come back');
      report(err);
    }
    if (outcome === 'done') {
      try {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
        stats.deleted++;
      } catch (e) {
        // The message reappears after its visibility timeout and is handled again; handlers
        // are idempotent, so that costs a repeat, not a duplicate.
        report(toQueueError(e, 'DeleteMessage'));
      }
      return;
    }
    stats.retried++;
    const hideFor = retryVisibilitySeconds(meta.receiveCount, retryStep, retryCap);
    try {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: hideFor }));
      log.debug({ messageId: meta.messageId, hideFor }, 'message handed back');
    } catch (e) {
      // It still comes back, after the full visibility timeout instead.
      report(toQueueError(e, 'ChangeMessageVisibility'));
    }
  }

  function start(message: Message): void {
    if (!message.ReceiptHandle) return;
    const sent = Number(message.Attributes?.SentTimestamp);
    const meta: MessageMeta = {
      messageId: message.MessageId ?? '',
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount) || 1,
      ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    };
    stats.received++;
    stats.lastMessageAt = new Date().toISOString();
    stats.inFlight++;
    const p: Promise<void> = settle(message, meta)
      .catch((e) => report(toQueueError(e, 'settling a message')))
      .finally(() => {
        stats.inFlight--;
        inFlight.delete(p);
        slotFreed?.();
      });
    inFlight.add(p);
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      const room = concurrency - inFlight.size;
      if (room <= 0) {
        // Wait for a handler to finish (or for stop); the abort listener goes away either way so
        // a busy consumer does not pile listeners onto the stop signal.
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stopping.signal.removeEventListener('abort', done);
            resolve();
          };
          slotFreed = done;
          stopping.signal.addEventListener('abort', done, { once: true });
        });
        slotFreed = undefined;
        continue;
      }
      let messages: Message[];
      try {
        const res = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, room),
            WaitTimeSeconds: waitTimeSeconds,
            VisibilityTimeout: visibilityTimeout,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
          { abortSignal: stopping.signal },
        );
        messages = res.Messages ?? [];
        if (failures > 0) log.info({ failures }, 'queue reachable again');
        failures = 0;
      } catch (e) {
        if (stopping.signal.aborted) break;
        failures++;
        const err = toQueueError(e, 'ReceiveMessage');
        const waitMs = queueBackoffMs(failures, backoffBase, backoffCap);
        log.warn({ code: err.code, status: err.status, failures, waitMs }, 'queue receive failed; backing off');
        report(err);
        await pause(waitMs);
        continue;
      }
      for (const m of messages) start(m);
    }
  }

  const running = loop().catch((e) => report(toQueueError(e, 'consumer loop')));
  log.info({ concurrency, waitTimeSeconds }, 'SQS consumer started');

  return {
    async stop() {
      stopping.abort();
      await running;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      log.info({ ...stats }, 'SQS consumer stopped');
    },
    stats() {
      return { ...stats };
    },
    async queueDepth() {
      try {
        const res = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
        );
        return {
          visible: Number(res.Attributes?.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
        };
      } catch (e) {
        throw toQueueError(e, 'GetQueueAttributes');
      }
    },
  };
}

/** Messages waiting in the queue and being handled: how far behind the event path is. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}
