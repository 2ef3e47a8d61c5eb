import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger';

/** A stream that keeps what is written; `isTTY` says whether it claims to be a terminal. */
function sink(isTTY: boolean): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { isTTY, text: () => chunks.join('') });
}

// Colour codes, when the test runs in a terminal that colorette allows colour in.
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

describe('createLogger', () => {
  it('writes one JSON object per line to a file or a pipe', () => {
    const out = sink(false);
    createLogger({ destination: out }).warn({ accountId: 'us-main', amazonOrderId: '111-0000000-0000001' }, 'order quarantined');
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, app: 'dockhand', accountId: 'us-main', amazonOrderId: '111-0000000-0000001', msg: 'order quarantined' });
  });

  it('writes a readable line, level, message and key=value, to a terminal', () => {
    const out = sink(true);
    createLogger({ destination: out }).warn({ accountId: 'us-main', code: 'order.malformed', count: 3, reason: 'no items here' }, 'order quarantined');
    const text = plain(out.text());
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] WARN: order quarantined accountId=us-main code=order\.malformed count=3 reason="no items here"\n$/);
    expect(text).not.toMatch(/[{}]/);
  });

  it('keeps buyer data out of both forms', () => {
    for (const tty of [false, true]) {
      const out = sink(tty);
      createLogger({ destination: out }).warn({ order: { shipTo: { name: 'Jane Buyer', street1: '1 Main St' }, buyerEmail: 'jane@example.com' } }, 'an object slipped through');
      expect(out.text()).not.toMatch(/Jane Buyer|1 Main St|jane@example\.com/);
      expect(out.text()).toContain('[redacted]');
    }
  });

  it('shows an error by its message on a terminal', () => {
    const out = sink(true);
    createLogger({ destination: out }).error({ job: 'reconcile', err: new Error('ShipStation answered 503') }, 'pass failed');
    expect(plain(out.text())).toMatch(/ERROR: pass failed job=reconcile err="ShipStation answered 503"\n$/);
  });
});
