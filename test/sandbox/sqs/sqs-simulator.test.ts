import { afterEach, describe, expect, it } from 'vitest';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
  type Message,
} from '@aws-sdk/client-sqs';
import { startSqsSimulator, type SqsSimulator, type SqsSimulatorOptions } from '../../../src/sandbox/sqs/sqs-simulator';

const QUEUE = 'dockhand-order-change';
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };

let sim: SqsSimulator | undefined;
const clients: SQSClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await sim?.close();
  sim = undefined;
});

async function setup(opts: SqsSimulatorOptions = {}, clientOpts: { maxAttempts?: number } = {}) {
  sim = await startSqsSimulator({ queues: [QUEUE], ...opts });
  // maxAttempts 1 by default so an injected failure reaches the test instead of being retried.
  const sqs = new SQSClient({ endpoint: sim.url, region: 'us-east-1', credentials, maxAttempts: clientOpts.maxAttempts ?? 1 });
  clients.push(sqs);
  return { sim, sqs, queueUrl: sim.queueUrl(QUEUE) };
}

/** A clock the test moves by hand, so visibility timeouts expire without sleeping. */
function manualClock(start = Date.UTC(2026, 0, 15, 12)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

async function receive(sqs: SQSClient, queueUrl: string, extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}): Promise<Message[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, ...extra }));
  return out.Messages ?? [];
}

describe('SQS simulator through @aws-sdk/client-sqs', () => {
  it('delivers a published message with a body MD5 the SDK accepts, and deleting removes it', async () => {
    const { sim, sqs, queueUrl } = await setup();
    const body = JSON.stringify({ NotificationType: 'ORDER_CHANGE', Payload: { OrderChangeNotification: { AmazonOrderId: '113-0000000-0000001' } } });
    const messageId = sim.send(QUEUE, body);

    const [msg, ...rest] = await receive(sqs, queueUrl, { MessageSystemAttributeNames: ['All'] });
    expect(rest).toEqual([]);
    expect(msg).toMatchObject({ MessageId: messageId, Body: body });
    expect(msg!.Attributes).toMatchObject({ ApproximateReceiveCount: '1' });
    expect(Number(msg!.Attributes!.SentTimestamp)).toBeGreaterThan(0);
    expect(sim.depth(QUEUE)).toMatchObject({ visible: 0, inFlight: 1 });

    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: msg!.ReceiptHandle }));
    expect(sim.depth(QUEUE)).toMatchObject({ visible: 0, inFlight: 0 });
    expect(sim.received(QUEUE)).toBe(1);
    expect(sim.deleted(QUEUE)).toBe(1);
    // Deleting again succeeds, as on SQS.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: msg!.ReceiptHandle }));
    expect(sim.deleted(QUEUE)).toBe(1);
  });

  it('returns no Messages key on an empty short poll', async () => {
    const { sqs, queueUrl } = await setup();
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(out.Messages).toBeUndefined();
  });

  it('sends through the SDK, including batches, and keeps FIFO order by default', async () => {
    const { sqs, queueUrl } = await setup();
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'first' }));
    expect(sent.MessageId).toBeTruthy();
    const batch = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: ['second', 'third'].map((b, i) => ({ Id: `e${i}`, MessageBody: b })) }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['e0', 'e1']);
    expect((await receive(sqs, queueUrl)).map((m) => m.Body)).toEqual(['first', 'second', 'third']);
  });

  it('caps a receive at MaxNumberOfMessages and rejects values outside 1–10', async () => {
    const { sim, sqs, queueUrl } = await setup();
    for (let i = 0; i < 12; i++) sim.send(QUEUE, `m${i}`);
    expect(await receive(sqs, queueUrl)).toHaveLength(10);
    expect(await receive(sqs, queueUrl, { MaxNumberOfMessages: 1 })).toHaveLength(1);
    await expect(receive(sqs, queueUrl, { MaxNumberOfMessages: 11 })).rejects.toMatchObject({ name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } });
    await expect(receive(sqs, queueUrl, { WaitTimeSeconds: 21 })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('answers a long poll as soon as a message arrives', async () => {
    const { sim, sqs, queueUrl } = await setup();
    const started = Date.now();
    const polling = receive(sqs, queueUrl, { WaitTimeSeconds: 20 });
    setTimeout(() => sim.send(QUEUE, 'late arrival'), 100);
    const messages = await polling;
    expect(messages.map((m) => m.Body)).toEqual(['late arrival']);
    // Far below the 20 s wait: the poll returned on arrival, not at its deadline.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('ends an idle long poll empty after WaitTimeSeconds', async () => {
    const { sqs, queueUrl } = await setup();
    const started = Date.now();
    expect(await receive(sqs, queueUrl, { WaitTimeSeconds: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('redelivers a message that was not deleted once its visibility timeout ends, with receive count 2', async () => {
    const clock = manualClock();
    const { sim, sqs, queueUrl } = await setup({ clock: clock.now });
    sim.send(QUEUE, 'order 1');
    const attrs = { MessageSystemAttributeNames: ['ApproximateReceiveCount' as const] };

    const [first] = await receive(sqs, queueUrl, { ...attrs, VisibilityTimeout: 30 });
    expect(await receive(sqs, queueUrl)).toEqual([]);
    clock.advance(29_000);
    expect(await receive(sqs, queueUrl)).toEqual([]);
    clock.advance(1_000);

    const [second] = await receive(sqs, queueUrl, attrs);
    expect(second).toMatchObject({ MessageId: first!.MessageId, Body: 'order 1', Attributes: { ApproximateReceiveCount: '2' } });
    expect(second!.ReceiptHandle).not.toBe(first!.ReceiptHandle);

    // The first handle is stale now: SQS says the call succeeds but the message stays.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first!.ReceiptHandle }));
    expect(sim.depth(QUEUE)).toMatchObject({ inFlight: 1 });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: second!.ReceiptHandle }));
    expect(sim.depth(QUEUE)).toMatchObject({ visible: 0, inFlight: 0 });
    expect(sim.received(QUEUE)).toBe(2);
  });

  it('uses the queue default visibility timeout of 30 s when the receive names none', async () => {
    const clock = manualClock();
    const { sim, sqs, queueUrl } = await setup({ clock: clock.now });
    sim.send(QUEUE, 'x');
    await receive(sqs, queueUrl);
    clock.advance(29_999);
    expect(sim.depth(QUEUE)).toMatchObject({ visible: 0, inFlight: 1 });
    clock.advance(1);
    expect(sim.depth(QUEUE)).toMatchObject({ visible: 1, inFlight: 0 });
  });

  it('wakes a long poll when a message becomes visible again by the clock alone', async () => {
    const clock = manualClock();
    const { sim, sqs, queueUrl } = await setup({ clock: clock.now });
    sim.send(QUEUE, 'x');
    await receive(sqs, queueUrl, { VisibilityTimeout: 5 });
    const polling = receive(sqs, queueUrl, { WaitTimeSeconds: 20 });
    setTimeout(() => clock.advance(5_000), 50);
    expect((await polling).map((m) => m.Body)).toEqual(['x']);
  });

  it('makes a message visible at once with ChangeMessageVisibility 0, and refuses it when not in flight', async () => {
    const clock = manualClock();
    const { sim, sqs, queueUrl } = await setup({ clock: clock.now });
    sim.send(QUEUE, 'x');
    const [m] = await receive(sqs, queueUrl);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 0 }));
    expect(sim.depth(QUEUE)).toMatchObject({ visible: 1, inFlight: 0 });
    await expect(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 10 })),
    ).rejects.toBeInstanceOf(MessageNotInflight);
  });

  it('deletes in a batch and reports a forged handle as a failed entry', async () => {
    const { sim, sqs, queueUrl } = await setup();
    for (const b of ['a', 'b', 'c']) sim.send(QUEUE, b);
    const messages = await receive(sqs, queueUrl);
    const out = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [...messages.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: 'forged', ReceiptHandle: 'not-a-handle' }],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['m0', 'm1', 'm2']);
    expect(out.Failed).toEqual([expect.objectContaining({ Id: 'forged', Code: 'ReceiptHandleIsInvalid', SenderFault: true })]);
    expect(sim.deleted(QUEUE)).toBe(3);
    expect(sim.depth(QUEUE)).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('rejects a handle it never issued with ReceiptHandleIsInvalid', async () => {
    const { sqs, queueUrl } = await setup();
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: 'forged' }))).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  it('reports depth and identity through GetQueueAttributes', async () => {
    const { sim, sqs, queueUrl } = await setup();
    for (const b of ['a', 'b', 'c']) sim.send(QUEUE, b);
    await receive(sqs, queueUrl, { MaxNumberOfMessages: 1 });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later', DelaySeconds: 60 }));

    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: '2',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
      QueueArn: `arn:aws:sqs:us-east-1:000000000000:${QUEUE}`,
      VisibilityTimeout: '30',
    });
    expect(sim.queueArn(QUEUE)).toBe(Attributes!.QueueArn);

    const named = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(named.Attributes).toEqual({ ApproximateNumberOfMessages: '2' });

    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    expect(sim.depth(QUEUE)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('creates queues idempotently and resolves their URL', async () => {
    const { sim, sqs } = await setup();
    const a = await sqs.send(new CreateQueueCommand({ QueueName: 'other', Attributes: { VisibilityTimeout: '5' } }));
    const b = await sqs.send(new CreateQueueCommand({ QueueName: 'other', Attributes: { VisibilityTimeout: '5' } }));
    expect(a.QueueUrl).toBe(sim.queueUrl('other'));
    expect(b.QueueUrl).toBe(a.QueueUrl);
    await expect(sqs.send(new CreateQueueCommand({ QueueName: 'other', Attributes: { VisibilityTimeout: '6' } }))).rejects.toMatchObject({
      name: 'QueueNameExists',
    });
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl).toBe(sim.queueUrl(QUEUE));
  });

  it('surfaces an unknown queue as the SDK QueueDoesNotExist error', async () => {
    const { sim, sqs } = await setup();
    const err = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sim.queueUrl('nope') })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueDoesNotExist);
    expect(err).toMatchObject({ $metadata: { httpStatusCode: 400 }, Code: 'AWS.SimpleQueueService.NonExistentQueue' });
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it('answers the next calls with a 500 after failNext, then recovers', async () => {
    const { sim, sqs, queueUrl } = await setup();
    sim.send(QUEUE, 'x');
    sim.failNext(1);
    const err = await receive(sqs, queueUrl).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SQSServiceException);
    expect(err).toMatchObject({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    expect((await receive(sqs, queueUrl)).map((m) => m.Body)).toEqual(['x']);
  });

  it('lets the SDK retry its way past a single 503', async () => {
    const { sim, sqs, queueUrl } = await setup({}, { maxAttempts: 3 });
    sim.send(QUEUE, 'x');
    sim.failNext(1, 503);
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(out.Messages?.map((m) => m.Body)).toEqual(['x']);
    expect(out.$metadata.attempts).toBe(2);
  });

  it('answers every call with 503 while down, or drops the connection in reset mode', async () => {
    const { sim, sqs, queueUrl } = await setup();
    sim.setDown(true);
    await expect(receive(sqs, queueUrl)).rejects.toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    sim.setDown(true, 'reset');
    const err = await receive(sqs, queueUrl).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(SQSServiceException);
    sim.setDown(false);
    expect(await receive(sqs, queueUrl)).toEqual([]);
  });

  it('closes promptly while a long poll is pending', async () => {
    const { sim: s, sqs, queueUrl } = await setup();
    const polling = receive(sqs, queueUrl, { WaitTimeSeconds: 20 }).catch(() => 'ended');
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await s.close();
    sim = undefined;
    expect(Date.now() - started).toBeLessThan(1_000);
    await polling;
  });

  it('refuses an unsigned request', async () => {
    const { sim, queueUrl } = await setup();
    const res = await fetch(sim.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage' },
      body: JSON.stringify({ QueueUrl: queueUrl }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-query-error')).toBe('MissingAuthenticationToken;Sender');
  });

  it('can deliver out of order when shuffle is on', async () => {
    const { sim, sqs, queueUrl } = await setup({ shuffle: true });
    const bodies = Array.from({ length: 10 }, (_, i) => `m${i}`);
    const orders = new Set<string>();
    // Redelivery via a zero visibility timeout lets the same ten messages be drawn repeatedly.
    for (let round = 0; round < 5; round++) {
      if (round === 0) bodies.forEach((b) => sim.send(QUEUE, b));
      const got = await receive(sqs, queueUrl, { VisibilityTimeout: 0 });
      expect([...got.map((m) => m.Body)].sort()).toEqual([...bodies].sort());
      orders.add(got.map((m) => m.Body).join(','));
    }
    // 5 draws of 10! orders all coinciding with FIFO has negligible probability.
    expect([...orders].some((o) => o !== bodies.join(','))).toBe(true);
  });

  it('is reached through the standard AWS_ENDPOINT_URL_SQS variable', async () => {
    sim = await startSqsSimulator({ queues: [QUEUE] });
    const saved = process.env.AWS_ENDPOINT_URL_SQS;
    process.env.AWS_ENDPOINT_URL_SQS = sim.url;
    try {
      const sqs = new SQSClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
      clients.push(sqs);
      await sqs.send(new SendMessageCommand({ QueueUrl: sim.queueUrl(QUEUE), MessageBody: 'via env' }));
      expect(sim.depth(QUEUE)).toMatchObject({ visible: 1 });
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }));
      expect(QueueUrl).toBe(sim.queueUrl(QUEUE));
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SQS;
      else process.env.AWS_ENDPOINT_URL_SQS = saved;
    }
  });
});
