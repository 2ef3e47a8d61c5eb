import { describe, expect, it } from 'vitest';
import { DockhandError } from '../../src/domain/errors';
import { erpRetryDelayMs } from '../../src/inventory/erp-push';
import { signBody, verifySignature } from '../../src/inventory/signature';
import { parseStockCsv } from '../../src/inventory/stock-csv';
import { parseStockBody } from '../../src/inventory/stock-webhook';
import { parseCommand } from '../../src/slack/commands';

describe('dockhand stock import', () => {
  it('reads sku,on_hand[,warehouse] with or without a header', () => {
    expect(parseStockCsv('sku,on_hand,warehouse\nWH-1,12,Reno\nWH-2,0\n', 'f.csv')).toEqual([{ sku: 'WH-1', onHand: 12, warehouse: 'Reno' }, { sku: 'WH-2', onHand: 0 }]);
    expect(parseStockCsv('WH-1,3\n', 'f.csv')).toEqual([{ sku: 'WH-1', onHand: 3 }]);
  });

  it('names every bad line by number and imports nothing', () => {
    let err: unknown;
    try {
      parseStockCsv('sku,on_hand\nWH-1,12\n,4\nWH-3,many\nWH-4,-1\nWH-5,1,Reno,extra\n', 'stock.csv');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DockhandError);
    const m = (err as DockhandError).message;
    expect(m).toMatch(/stock\.csv: 4 bad line/);
    for (const part of ['line 3: the SKU is empty', 'line 4: on_hand "many"', 'line 5: on_hand -1 is negative', 'line 6: 4 columns']) expect(m).toContain(part);
  });
});

describe('POST /webhooks/stock body', () => {
  it.each([
    ['{"levels":[{"sku":"WH-1000","onHand":12,"warehouse":"Reno"}]}', { levels: [{ sku: 'WH-1000', onHand: 12, warehouse: 'Reno' }] }],
    ['{"levels":[{"sku":"A","onHand":1},{"sku":"B","onHand":2.5}]}', { error: 'levels[1] (sku B): onHand: Invalid input: expected int, received number' }],
    ['{"levels":[{"onHand":1}]}', { error: expect.stringMatching(/^levels\[0\]: sku:/) }],
    ['{"levels":[]}', { error: expect.stringMatching(/at least one level/) }],
    ['not json', { error: 'the body is not JSON' }],
  ])('%s', (raw, expected) => {
    expect(parseStockBody(raw)).toEqual(expected);
  });
});

describe('signatures', () => {
  const secret = 's3cret';
  const now = 1_800_000_000_000;
  const ts = now / 1000;
  it.each([
    ['a good signature', { timestamp: String(ts), signature: signBody(secret, ts, 'body') }, { ok: true }],
    ['one good among rotated ones', { timestamp: String(ts), signature: `v1=abc, ${signBody(secret, ts, 'body')}` }, { ok: true }],
    ['another body', { timestamp: String(ts), signature: signBody(secret, ts, 'other') }, { ok: false, reason: 'forged' }],
    ['another secret', { timestamp: String(ts), signature: signBody('nope', ts, 'body') }, { ok: false, reason: 'forged' }],
    ['five minutes and one second old', { timestamp: String(ts - 301), signature: signBody(secret, ts - 301, 'body') }, { ok: false, reason: 'stale' }],
    ['exactly five minutes in the future', { timestamp: String(ts + 300), signature: signBody(secret, ts + 300, 'body') }, { ok: true }],
    ['no headers', {}, { ok: false, reason: 'missing' }],
  ])('%s', (_name, headers, verdict) => {
    expect(verifySignature(secret, headers, 'body', now)).toEqual(verdict);
  });

  it('signs "<timestamp>.<body>" as hex HMAC-SHA256 under v1=', () => {
    // echo -n '1800000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret
    expect(signBody(secret, 1_800_000_000, '{"a":1}')).toBe('v1=476d445fc5d734bcaf69961f0de38cb8c2ec42450829655895ca5e064c0765c9');
  });

  it('backs ERP retries off from 5 s to 5 min', () => {
    expect([1, 2, 3, 7, 20].map(erpRetryDelayMs)).toEqual([5_000, 10_000, 20_000, 300_000, 300_000]);
  });
});

describe('/dockhand stock', () => {
  it.each([
    ['stock WH-1000', { kind: 'stock', sku: 'WH-1000' }],
    ['STOCK "BLUE MUG"', { kind: 'stock', sku: 'BLUE MUG' }],
  ])('%s', (text, cmd) => expect(parseCommand(text)).toEqual(cmd));
  it('asks for a SKU', () => expect(parseCommand('stock')).toMatchObject({ kind: 'usage', command: 'stock' }));
});
