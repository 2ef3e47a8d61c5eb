import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DockhandError } from '../../src/domain/errors';
import { queueBackoffMs, retryVisibilitySeconds, startSqsConsumer, type SqsConsumer, type SqsConsumerOptions } from '../../src/events/sqs-consumer';
import { silentLogger } from '../../src/log/logger';
import { startSqsSimulator, type SqsSimulator } from '../../src/sandbox/sqs/sqs-simulator';

const Q = 'dockhand-orders';
const open: { sims: SqsSimulator[]; consumers: SqsConsumer[]; clients: SQSClient[] } = { sims: [], consumers: [], clients: [] };
afterEach(async () => {
  await Promise.all(open.consumers.map((c) => c.stop()));
  open.clients.forEach((c) => c.destroy());
  await Promise.all(open.sims.map((s) => s.close()));
  open.sims = [];
  open.consumers = [];
  open.clients = [];
});

async function setup(opts: Partial<SqsConsumerOptions> & Pick<SqsConsumerOptions, 'handle'>) {
  const sim = await startSqsSimulator({ queues: [Q] });
  open.sims.push(sim);
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: sim.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  open.clients.push(sqs);
  const errors: DockhandError[] = [];
  const consumer = startSqsConsumer({
    sqs,
    queueUrl: sim.queueUrl(Q),
    waitTimeSeconds: 1,
    retryStepSeconds: 0,
    errorBackoffBaseMs: 20,
    errorBackoffCapMs: 100,
    logger: silentLogger,
    onError: (e) => errors.push(e),
    ...opts,
  });
  open.consumers.push(consumer);
  return { sim, sqs, consumer, errors };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('retry timing', () => {
  it.each([
    [1, 5, 900, 5],
    [3, 5, 900, 15],
    [1000, 5, 900, 900],
    [0, 5, 900, 5],
    [2, 0, 900, 0],
  ])('receive %i, step %i, cap %i → hidden %i s', (count, step, cap, expected) => {
    expect(retryVisibilitySeconds(count, step, cap)).toBe(expected);
  });
  it.each([
    [1, 1000],
    [2, 2000],
    [4, 8000],
    [20, 60_000],
  ])('queue failure %i → wait %i ms', (n, ms) => expect(queueBackoffMs(n)).toBe(ms));
});

describe('startSqsConsumer', () => {
  it('deletes a message once the handler says done', async () => {
    const seen: { body: string; receiveCount: number; sentAt?: string }[] = [];
    const { sim, consumer } = await setup({ handle: async (body, meta) => (seen.push({ body, ...meta }), 'done') });
    sim.send(Q, '{"hello":1}');
    await until(() => consumer.stats().deleted === 1);
    expect(seen).toEqual([expect.objectContaining({ body: '{"hello":1}', receiveCount: 1, sentAt: expect.any(String) })]);
    expect(sim.depth(Q)).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('brings a message back when the handler asks to retry, with a growing receive count', async () => {
    const counts: number[] = [];
    const { sim, consumer } = await setup({ handle: async (_b, meta) => (counts.push(meta.receiveCount), counts.length < 3 ? 'retry' : 'done') });
    sim.send(Q, 'x');
    await until(() => consumer.stats().deleted === 1);
    expect(counts).toEqual([1, 2, 3]);
    expect(consumer.stats()).toMatchObject({ received: 3, retried: 2, deleted: 1 });
  });

  it('brings a message back when the handler throws, and reports the throw', async () => {
    let calls = 0;
    const { sim, consumer, errors } = await setup({
      handle: async () => {
        calls++;
        if (calls === 1) throw new Error('store down');
        return 'done';
      },
    });
    sim.send(Q, 'x');
    await until(() => consumer.stats().deleted === 1);
    expect(calls).toBe(2);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/store down/)]);
  });

  it('never runs more handlers at once than its concurrency', async () => {
    let running = 0;
    let peak = 0;
    const { sim, consumer } = await setup({
      concurrency: 3,
      handle: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 30));
        running--;
        return 'done';
      },
    });
    for (let i = 0; i < 12; i++) sim.send(Q, `m${i}`);
    await until(() => consumer.stats().deleted === 12);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it('survives a queue outage and resumes', async () => {
    const { sim, consumer, errors } = await setup({ handle: async () => 'done' });
    sim.setDown(true);
    await until(() => errors.length >= 3);
    expect(errors.every((e) => e.code === 'events.queue_unreachable' && e.transient)).toBe(true);
    sim.setDown(false);
    sim.send(Q, 'after');
    await until(() => consumer.stats().deleted === 1);
    expect(consumer.stats().errors).toBeGreaterThanOrEqual(3);
  });

  it('survives dropped connections too', async () => {
    const { sim, consumer, errors } = await setup({ handle: async () => 'done' });
    sim.setDown(true, 'reset');
    await until(() => errors.length >= 2);
    sim.setDown(false);
    sim.send(Q, 'after');
    await until(() => consumer.stats().deleted === 1);
  });

  it('stop waits for the handlers in flight and settles their messages', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let finished = false;
    const { sim, consumer } = await setup({
      handle: async () => {
        await gate;
        finished = true;
        return 'done';
      },
    });
    sim.send(Q, 'slow');
    await until(() => consumer.stats().inFlight === 1);
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(consumer.stats()).toMatchObject({ deleted: 1, inFlight: 0 });
    expect(sim.depth(Q)).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('reports the queue depth', async () => {
    const { sim, consumer } = await setup({ handle: async () => 'done' });
    await consumer.stop();
    sim.send(Q, 'a');
    sim.send(Q, 'b');
    expect(await consumer.queueDepth()).toEqual({ visible: 2, inFlight: 0 });
  });
});
