import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger';
import { startSlackFront, type SlackFront } from '../../src/slack/front';
import { startLoopbackServer, type LoopbackServer } from '../support/loopback';

const SECRET = 'front-test-secret';

function signed(body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`,
  };
}

/** The main thread's side, holding each request until the test lets it answer. */
async function upstream() {
  const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string; answer: (status: number, body?: string) => void }> = [];
  const server = await startLoopbackServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        answer: (status, body = '') => res.writeHead(status, { 'content-type': 'application/json' }).end(body),
      }),
    );
  });
  return { server, seen };
}

const until = async (check: () => boolean) => {
  const stop = Date.now() + 5_000;
  while (!check() && Date.now() < stop) await new Promise((r) => setTimeout(r, 10));
};

describe('the Slack front in its worker thread', () => {
  let front: SlackFront | undefined;
  let main: LoopbackServer | undefined;
  afterEach(async () => {
    await front?.stop();
    await main?.close();
    front = undefined;
  });

  const start = async () => {
    const up = await upstream();
    main = up.server;
    front = await startSlackFront({ port: 0, host: '127.0.0.1', upstreamPort: Number(new URL(up.server.url).port), signingSecret: SECRET, logger: silentLogger });
    return { url: `http://127.0.0.1:${front.port}`, seen: up.seen };
  };

  it('acks a signed slash command while the app is still busy, then hands it over byte for byte', async () => {
    const { url, seen } = await start();
    const body = new URLSearchParams({ command: '/dockhand', text: 'status', user_id: 'U1', response_url: 'http://127.0.0.1:9/r' }).toString();
    const headers = signed(body);
    const res = await fetch(`${url}/slack/events`, { method: 'POST', headers, body });
    expect(res.status).toBe(200);
    // The ack came back although the app has not answered its copy of the request.
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/slack/events', body });
    expect(seen[0]!.headers['x-slack-signature']).toBe(headers['x-slack-signature']);
    seen[0]!.answer(200);
  });

  it('refuses a wrong signature and a stale timestamp with 401, and the app never sees them', async () => {
    const { url, seen } = await start();
    const body = 'command=%2Fdockhand&text=status';
    const wrong = await fetch(`${url}/slack/events`, { method: 'POST', headers: { ...signed(body), 'x-slack-signature': 'v0=00' }, body });
    const stale = await fetch(`${url}/slack/events`, { method: 'POST', headers: signed(body, Math.floor(Date.now() / 1000) - 301), body });
    const future = await fetch(`${url}/slack/events`, { method: 'POST', headers: signed(body, Math.floor(Date.now() / 1000) + 301), body });
    expect([wrong.status, stale.status, future.status]).toEqual([401, 401, 401]);
    expect(front!.refused()).toBe(3);
    expect(seen).toHaveLength(0);
  });

  it('refuses an absolute-form request target instead of guessing which route it means', async () => {
    const { url, seen } = await start();
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/`, { method: 'POST', path: 'http://evil.example/slack/events' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('command=%2Fdockhand');
    });
    expect(status).toBe(400);
    expect(seen).toHaveLength(0);
  });

  it('passes a modal submission through, so its validation errors reach Slack', async () => {
    const { url, seen } = await start();
    const body = new URLSearchParams({ payload: JSON.stringify({ type: 'view_submission', user: { id: 'U1' }, view: {} }) }).toString();
    const pending = fetch(`${url}/slack/events`, { method: 'POST', headers: signed(body), body });
    await until(() => seen.length === 1);
    seen[0]!.answer(200, '{"response_action":"errors","errors":{"sku":"Required"}}');
    const res = await pending;
    expect(await res.json()).toEqual({ response_action: 'errors', errors: { sku: 'Required' } });
  });

  it('passes other routes (health, ShipStation webhook) through unchanged', async () => {
    const { url, seen } = await start();
    const pending = fetch(`${url}/webhooks/shipstation?secret=s`, { method: 'POST', body: '{"resource_type":"SHIP_NOTIFY"}' });
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ url: '/webhooks/shipstation?secret=s', body: '{"resource_type":"SHIP_NOTIFY"}' });
    seen[0]!.answer(401, '{"ok":false}');
    expect((await pending).status).toBe(401);
  });
});
