import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { SimQueue, type QueueSettings, type ReceivedMessage } from './queue-model';
import { SqsWireError, sqsErrors } from './sqs-wire';
import { listenOnLoopback } from '../listen';

/**
 * A loopback Amazon SQS (standard queues) speaking the AWS JSON 1.0 protocol that
 * @aws-sdk/client-sqs v3 uses: `POST /`, `Content-Type: application/x-amz-json-1.0`,
 * `X-Amz-Target: AmazonSQS.<Action>`. SP-API delivers ORDER_CHANGE notifications only to an SQS
 * queue, so the sandbox needs one; point the SDK here with `endpoint: sim.url` or the standard
 * `AWS_ENDPOINT_URL_SQS` variable.
 *
 * Signatures are not verified (any credentials pass), but an Authorization header must be
 * present so that an unsigned client fails as it would on AWS. Message attributes, FIFO queues,
 * dead-letter redrive and retention expiry are not simulated.
 */

export interface SqsSimulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  region?: string;
  accountId?: string;
  /** Queues that exist from the start, with SQS default attributes. */
  queues?: string[];
  /** Epoch ms; drives visibility timeouts, delays and timestamps. Long-poll waits use real time. */
  clock?: () => number;
  /** Standard queues don't promise order; true delivers visible messages in random order. */
  shuffle?: boolean;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface SqsSimulator {
  /** `http://host:port`: the SDK `endpoint` / `AWS_ENDPOINT_URL_SQS`. */
  url: string;
  queueUrl(name: string): string;
  queueArn(name: string): string;
  /** Creates a queue (idempotent) outside the API, e.g. when the SP-API simulator adds a destination. */
  createQueue(name: string, settings?: Partial<QueueSettings>): string;
  /** Publishes a message as SP-API would; returns its MessageId. Throws for an unknown queue. */
  send(queueName: string, body: string): string;
  depth(name: string): QueueDepth;
  /** Messages handed out by ReceiveMessage so far (a redelivery counts again). */
  received(name: string): number;
  /** Messages actually removed by DeleteMessage / DeleteMessageBatch. */
  deleted(name: string): number;
  /** The next `count` HTTP calls answer `status` (500 InternalError or 503 ServiceUnavailable). */
  failNext(count: number, status?: 500 | 503): void;
  /**
   * Simulates an outage until called with false: every call answers 503 ('503', default) or has
   * its connection dropped without a response ('reset'), which the SDK sees as a network error.
   */
  setDown(down: boolean, mode?: '503' | 'reset'): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_VISIBILITY_TIMEOUT = 43_200;
/** How often a long poll re-checks for messages that became visible by the clock alone. */
const LONG_POLL_TICK_MS = 20;

const MESSAGE_SYSTEM_ATTRIBUTES = ['ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'SentTimestamp', 'SenderId'] as const;
const QUEUE_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'VisibilityTimeout',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'SqsManagedSseEnabled',
] as const;
/** CreateQueue attributes this simulator honours, with their allowed ranges (API reference). */
const SETTABLE: Record<string, { key: keyof QueueSettings; max: number }> = {
  VisibilityTimeout: { key: 'visibilityTimeout', max: MAX_VISIBILITY_TIMEOUT },
  DelaySeconds: { key: 'delaySeconds', max: 900 },
  ReceiveMessageWaitTimeSeconds: { key: 'receiveMessageWaitTimeSeconds', max: 20 },
};

/**
 * Starts the simulator on a loopback port.
 * @example
 * const sim = await startSqsSimulator({ queues: ['dockhand-orders'] });
 * const sqs = new SQSClient({ endpoint: sim.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
 */
export async function startSqsSimulator(opts: SqsSimulatorOptions = {}): Promise<SqsSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const region = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? '000000000000';
  const clock = opts.clock ?? Date.now;
  const shuffle = opts.shuffle ?? false;

  const queues = new Map<string, SimQueue>();
  const wakers = new Set<() => void>();
  let failures: { remaining: number; status: 500 | 503 } = { remaining: 0, status: 500 };
  let down: false | '503' | 'reset' = false;
  let closing = false;
  let baseUrl = '';

  const queueUrl = (name: string) => `${baseUrl}/${accountId}/${name}`;
  const queueArn = (name: string) => `arn:aws:sqs:${region}:${accountId}:${name}`;
  const wakeAll = () => {
    for (const wake of [...wakers]) wake();
  };

  function createQueue(name: string, settings: Partial<QueueSettings> = {}): string {
    const existing = queues.get(name);
    if (existing) {
      // CreateQueue is idempotent only while the attributes asked for match the queue's.
      for (const [k, v] of Object.entries(settings) as [keyof QueueSettings, number][]) {
        if (existing.settings[k] !== v) throw sqsErrors.queueNameExists(name);
      }
      return queueUrl(name);
    }
    queues.set(name, new SimQueue(name, clock, settings));
    return queueUrl(name);
  }

  function queueByName(name: string): SimQueue {
    const q = queues.get(name);
    if (!q) throw sqsErrors.queueDoesNotExist();
    return q;
  }

  /** Resolves a QueueUrl by its path (`/<account>/<name>`); the host part is not compared. */
  function queueFromUrl(input: Json): SimQueue {
    const raw = requireString(input, 'QueueUrl');
    let path: string;
    try {
      path = new URL(raw).pathname;
    } catch {
      throw sqsErrors.invalidAddress(raw);
    }
    const [, account, name, ...rest] = path.split('/');
    if (account !== accountId || !name || rest.length > 0) throw sqsErrors.queueDoesNotExist();
    return queueByName(name);
  }

  /**
   * Waits until `queue` may have a visible message, `ms` passes, the client hangs up or the
   * simulator closes. Sends wake it at once; the tick catches visibility timeouts that end by
   * the (possibly injected) clock alone.
   */
  function waitForMessages(queue: SimQueue, ms: number, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(tick);
        wakers.delete(wake);
        res.off('close', done);
        resolve();
      };
      const wake = () => {
        if (closing || queue.hasVisible()) done();
      };
      const timer = setTimeout(done, ms);
      const tick = setInterval(wake, LONG_POLL_TICK_MS);
      wakers.add(wake);
      res.on('close', done);
    });
  }

  async function receiveMessage(input: Json, res: ServerResponse): Promise<Json> {
    const queue = queueFromUrl(input);
    const max = optionalInt(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
    const waitSeconds = optionalInt(input, 'WaitTimeSeconds', 0, 20) ?? queue.settings.receiveMessageWaitTimeSeconds;
    const visibility = optionalInt(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT) ?? queue.settings.visibilityTimeout;
    const wanted = requestedMessageAttributes(input);

    const deadline = Date.now() + waitSeconds * 1000;
    let messages = queue.receive(max, visibility, shuffle);
    // Another poller may take the message that woke us; keep waiting out the rest of the time.
    while (messages.length === 0 && !closing && !res.destroyed && Date.now() < deadline && queues.get(queue.name) === queue) {
      await waitForMessages(queue, deadline - Date.now(), res);
      if (res.destroyed) return {};
      messages = queue.receive(max, visibility, shuffle);
    }
    // SQS omits `Messages` entirely when there are none; consumers must cope with undefined.
    if (messages.length === 0) return {};
    return { Messages: messages.map((m) => wireMessage(m, wanted)) };
  }

  function wireMessage(m: ReceivedMessage, wanted: Set<string>): Json {
    const out: Json = { MessageId: m.messageId, ReceiptHandle: m.receiptHandle, MD5OfBody: m.md5OfBody, Body: m.body };
    const values: Record<(typeof MESSAGE_SYSTEM_ATTRIBUTES)[number], string> = {
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
      SentTimestamp: String(m.sentAt),
      SenderId: 'AIDASANDBOXSENDER0000',
    };
    const attributes: Record<string, string> = {};
    for (const name of MESSAGE_SYSTEM_ATTRIBUTES) {
      if (wanted.has('All') || wanted.has(name)) attributes[name] = values[name];
    }
    if (Object.keys(attributes).length > 0) out.Attributes = attributes;
    return out;
  }

  function sendOne(queue: SimQueue, entry: Json): { MessageId: string; MD5OfMessageBody: string } {
    const body = requireString(entry, 'MessageBody');
    if (body.length === 0) throw sqsErrors.invalidParameterValue('The request must contain the parameter MessageBody.');
    const delay = optionalInt(entry, 'DelaySeconds', 0, 900);
    const { messageId, md5OfBody } = queue.send(body, delay);
    wakeAll();
    return { MessageId: messageId, MD5OfMessageBody: md5OfBody };
  }

  function changeVisibility(queue: SimQueue, handle: string, seconds: number): void {
    const result = queue.changeVisibility(handle, seconds);
    if (result === 'invalid-handle') throw sqsErrors.receiptHandleIsInvalid(handle);
    // Real SQS answers a handle from an earlier receive this way rather than with a typed error.
    if (result === 'stale-handle') {
      throw sqsErrors.invalidParameterValue(`Value ${handle.slice(0, 32)}… for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
    }
    if (result === 'not-in-flight') throw sqsErrors.messageNotInflight();
    if (seconds === 0) wakeAll();
  }

  function deleteOne(queue: SimQueue, handle: string): void {
    if (queue.delete(handle) === 'invalid') throw sqsErrors.receiptHandleIsInvalid(handle);
  }

  /** Runs `each` per batch entry; entry errors become `Failed` rows, as SQS reports them. */
  function batch(input: Json, listKey: string, each: (entry: Json) => Json): Json {
    const entries = input[listKey];
    if (!Array.isArray(entries)) throw sqsErrors.missingParameter(listKey);
    if (entries.length === 0) throw sqsErrors.emptyBatchRequest();
    if (entries.length > 10) throw sqsErrors.tooManyEntriesInBatchRequest(entries.length);
    const seen = new Set<string>();
    for (const e of entries) {
      const id = isJson(e) && typeof e.Id === 'string' ? e.Id : '';
      if (!BATCH_ID.test(id)) throw sqsErrors.invalidBatchEntryId(id);
      if (seen.has(id)) throw sqsErrors.batchEntryIdsNotDistinct(id);
      seen.add(id);
    }
    const Successful: Json[] = [];
    const Failed: Json[] = [];
    for (const e of entries as Json[]) {
      try {
        Successful.push({ Id: e.Id, ...each(e) });
      } catch (err) {
        if (!(err instanceof SqsWireError)) throw err;
        Failed.push({ Id: e.Id, SenderFault: err.fault === 'Sender', Code: err.queryCode, Message: err.message });
      }
    }
    return { Successful, Failed };
  }

  function queueAttributes(queue: SimQueue, names: string[]): Record<string, string> {
    const { visible, inFlight, delayed } = queue.counts();
    const seconds = (ms: number) => String(Math.floor(ms / 1000));
    const all: Record<(typeof QUEUE_ATTRIBUTES)[number], string> = {
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: seconds(queue.createdAt),
      LastModifiedTimestamp: seconds(queue.lastModifiedAt),
      QueueArn: queueArn(queue.name),
      VisibilityTimeout: String(queue.settings.visibilityTimeout),
      DelaySeconds: String(queue.settings.delaySeconds),
      ReceiveMessageWaitTimeSeconds: String(queue.settings.receiveMessageWaitTimeSeconds),
      MaximumMessageSize: '1048576',
      MessageRetentionPeriod: '345600',
      SqsManagedSseEnabled: 'true',
    };
    const out: Record<string, string> = {};
    for (const name of names) {
      if (name === 'All') return all;
      if (!(QUEUE_ATTRIBUTES as readonly string[]).includes(name)) throw sqsErrors.invalidAttributeName(name);
      out[name] = all[name as keyof typeof all];
    }
    return out;
  }

  function parseSettings(input: Json): Partial<QueueSettings> {
    const attrs = input.Attributes;
    if (attrs === undefined) return {};
    if (!isJson(attrs)) throw sqsErrors.serialization('Attributes must be a map.');
    const settings: Partial<QueueSettings> = {};
    for (const [name, value] of Object.entries(attrs)) {
      const rule = SETTABLE[name];
      // Other attributes (policy, redrive, KMS…) are accepted and ignored.
      if (!rule) continue;
      const n = Number(value);
      if (typeof value !== 'string' || !Number.isInteger(n) || n < 0 || n > rule.max) {
        throw sqsErrors.invalidParameterValue(`Invalid value for the parameter ${name}.`);
      }
      settings[rule.key] = n;
    }
    return settings;
  }

  const actions: Record<string, (input: Json, res: ServerResponse) => Json | Promise<Json>> = {
    CreateQueue: (input) => {
      const name = requireString(input, 'QueueName');
      if (!QUEUE_NAME.test(name)) {
        // FIFO queues end in `.fifo`, which this pattern rejects on purpose: they are not simulated.
        throw sqsErrors.invalidParameterValue('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
      }
      return { QueueUrl: createQueue(name, parseSettings(input)) };
    },
    GetQueueUrl: (input) => {
      const name = requireString(input, 'QueueName');
      const owner = input.QueueOwnerAWSAccountId;
      if (owner !== undefined && owner !== accountId) throw sqsErrors.queueDoesNotExist();
      queueByName(name);
      return { QueueUrl: queueUrl(name) };
    },
    ListQueues: (input) => {
      const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
      return { QueueUrls: [...queues.keys()].filter((n) => n.startsWith(prefix)).sort().map(queueUrl) };
    },
    DeleteQueue: (input) => {
      queues.delete(queueFromUrl(input).name);
      wakeAll();
      return {};
    },
    PurgeQueue: (input) => {
      queueFromUrl(input).purge();
      return {};
    },
    GetQueueAttributes: (input) => {
      const queue = queueFromUrl(input);
      // Like SQS, naming no attributes returns none; ask for 'All' to get every one.
      return { Attributes: queueAttributes(queue, stringList(input, 'AttributeNames')) };
    },
    SendMessage: (input) => sendOne(queueFromUrl(input), input),
    SendMessageBatch: (input) => {
      const queue = queueFromUrl(input);
      return batch(input, 'Entries', (e) => sendOne(queue, e));
    },
    ReceiveMessage: receiveMessage,
    DeleteMessage: (input) => {
      deleteOne(queueFromUrl(input), requireString(input, 'ReceiptHandle'));
      return {};
    },
    DeleteMessageBatch: (input) => {
      const queue = queueFromUrl(input);
      return batch(input, 'Entries', (e) => {
        deleteOne(queue, requireString(e, 'ReceiptHandle'));
        return {};
      });
    },
    ChangeMessageVisibility: (input) => {
      const seconds = optionalInt(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT);
      if (seconds === undefined) throw sqsErrors.missingParameter('VisibilityTimeout');
      changeVisibility(queueFromUrl(input), requireString(input, 'ReceiptHandle'), seconds);
      return {};
    },
    ChangeMessageVisibilityBatch: (input) => {
      const queue = queueFromUrl(input);
      return batch(input, 'Entries', (e) => {
        const seconds = optionalInt(e, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT);
        if (seconds === undefined) throw sqsErrors.missingParameter('VisibilityTimeout');
        changeVisibility(queue, requireString(e, 'ReceiptHandle'), seconds);
        return {};
      });
    },
  };

  function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
      ...headers,
    });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (down === 'reset') {
      req.socket.destroy();
      return;
    }
    if (down === '503') throw sqsErrors.serviceUnavailable();
    if (failures.remaining > 0) {
      failures.remaining -= 1;
      throw failures.status === 503 ? sqsErrors.serviceUnavailable() : sqsErrors.internalError();
    }
    if (!req.headers.authorization) throw sqsErrors.missingAuthenticationToken();
    const target = String(req.headers['x-amz-target'] ?? '');
    const contentType = String(req.headers['content-type'] ?? '');
    if (req.method !== 'POST' || !contentType.startsWith('application/x-amz-json-1.0')) {
      throw sqsErrors.invalidAction(`${req.method} ${contentType || '(no content-type)'}: only the AWS JSON 1.0 protocol is simulated`);
    }
    const action = target.startsWith('AmazonSQS.') ? actions[target.slice('AmazonSQS.'.length)] : undefined;
    if (!action) throw sqsErrors.invalidAction(target || '(no X-Amz-Target)');
    let input: unknown;
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      input = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      throw sqsErrors.serialization('Request body is not valid JSON.');
    }
    if (!isJson(input)) throw sqsErrors.serialization('Request body must be a JSON object.');
    const output = await action(input, res);
    reply(res, 200, JSON.stringify(output));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const wire = err instanceof SqsWireError ? err : sqsErrors.internalError();
      reply(res, wire.status, wire.body(), wire.headers());
    });
  });

  // Node's 5 s default would close idle keep-alive sockets under a consumer that pauses between
  // polls, and a request racing that close fails with ECONNRESET; AWS endpoints keep them longer.
  server.keepAliveTimeout = 65_000;

  baseUrl = await listenOnLoopback(server, { ...opts, host }, 'http');
  for (const name of opts.queues ?? []) createQueue(name);

  const existing = (name: string) => {
    const q = queues.get(name);
    if (!q) throw new Error(`SQS simulator has no queue named ${name}`);
    return q;
  };

  return {
    url: baseUrl,
    queueUrl,
    queueArn,
    createQueue: (name, settings) => createQueue(name, settings),
    send: (queueName, body) => {
      const { messageId } = existing(queueName).send(body);
      wakeAll();
      return messageId;
    },
    depth: (name) => existing(name).counts(),
    received: (name) => existing(name).receivedCount,
    deleted: (name) => existing(name).deletedCount,
    failNext: (count, status = 500) => {
      failures = { remaining: count, status };
    },
    setDown: (isDown, mode = '503') => {
      down = isDown ? mode : false;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        wakeAll();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

// ---------------------------------------------------------------- input helpers

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireString(input: Json, name: string): string {
  const v = input[name];
  if (v === undefined || v === null || v === '') throw sqsErrors.missingParameter(name);
  if (typeof v !== 'string') throw sqsErrors.serialization(`${name} must be a string.`);
  return v;
}

function optionalInt(input: Json, name: string, min: number, max: number): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw sqsErrors.serialization(`${name} must be an integer.`);
  if (v < min || v > max) {
    throw sqsErrors.invalidParameterValue(`Value ${v} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`);
  }
  return v;
}

function stringList(input: Json, name: string): string[] {
  const v = input[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw sqsErrors.serialization(`${name} must be a list of strings.`);
  return v as string[];
}

/** Union of the current `MessageSystemAttributeNames` and the deprecated `AttributeNames`. */
function requestedMessageAttributes(input: Json): Set<string> {
  return new Set([...stringList(input, 'MessageSystemAttributeNames'), ...stringList(input, 'AttributeNames')]);
}
