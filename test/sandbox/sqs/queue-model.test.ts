import { describe, expect, it } from 'vitest';
import { md5Hex, SimQueue } from '../../../src/sandbox/sqs/queue-model';

describe('md5Hex', () => {
  // RFC 1321 test-suite values, plus a non-ASCII body: SQS hashes the UTF-8 bytes (c3 a9), not UTF-16.
  it.each([
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['é', '66ddcd97cfdeabb2f6fb8a999b4bc76f'],
  ])('md5 of %j is %s', (text, hex) => {
    expect(md5Hex(text)).toBe(hex);
  });
});

describe('SimQueue receipt handles', () => {
  function queueAt() {
    let now = 1_000_000;
    const q = new SimQueue('q', () => now);
    return { q, advance: (ms: number) => void (now += ms) };
  }

  it.each([
    {
      name: 'the latest handle deletes even after its visibility timeout ran out',
      run: (q: SimQueue, advance: (ms: number) => void) => {
        q.send('x');
        const [a] = q.receive(1, 1);
        advance(2_000);
        return { result: q.delete(a!.receiptHandle), left: q.counts().visible };
      },
      expected: { result: 'ok', left: 0 },
    },
    {
      name: 'a handle from an earlier receive succeeds without deleting',
      run: (q: SimQueue, advance: (ms: number) => void) => {
        q.send('x');
        const [a] = q.receive(1, 1);
        advance(1_000);
        q.receive(1, 30);
        return { result: q.delete(a!.receiptHandle), left: q.counts().inFlight };
      },
      expected: { result: 'ok', left: 1 },
    },
    {
      name: 'a handle never issued is invalid',
      run: (q: SimQueue) => ({ result: q.delete('forged'), left: q.counts().visible }),
      expected: { result: 'invalid', left: 0 },
    },
  ])('$name', ({ run, expected }) => {
    const { q, advance } = queueAt();
    expect(run(q, advance)).toEqual(expected);
  });

  it.each([
    { name: 'in flight', advanceMs: 0, reReceive: false, expected: 'ok' },
    { name: 'visibility ended', advanceMs: 10_000, reReceive: false, expected: 'not-in-flight' },
    { name: 'received again since', advanceMs: 10_000, reReceive: true, expected: 'stale-handle' },
  ])('ChangeMessageVisibility on a handle whose message is $name → $expected', ({ advanceMs, reReceive, expected }) => {
    const { q, advance } = queueAt();
    q.send('x');
    const [a] = q.receive(1, 5);
    advance(advanceMs);
    if (reReceive) q.receive(1, 5);
    expect(q.changeVisibility(a!.receiptHandle, 60)).toBe(expected);
  });

  it('counts a delayed message apart from in-flight ones', () => {
    const { q, advance } = queueAt();
    q.send('later', 10);
    q.send('now', 0);
    q.receive(10, 30);
    expect(q.counts()).toEqual({ visible: 0, inFlight: 1, delayed: 1 });
    advance(10_000);
    expect(q.counts()).toEqual({ visible: 1, inFlight: 1, delayed: 0 });
  });
});
