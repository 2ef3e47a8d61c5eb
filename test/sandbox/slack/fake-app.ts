import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake app accepted: the form fields, and `payload` parsed when present. */
export interface ReceivedRequest {
  form: Record<string, string>;
  payload?: Record<string, any>;
  rawBody: string;
}

export type AppHandler = (req: ReceivedRequest) => { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>;

export interface FakeApp {
  url: string;
  received: ReceivedRequest[];
  rejected: number;
  setHandler(h: AppHandler): void;
  close(): Promise<void>;
}

/**
 * Written here rather than imported from the simulator, so a wrong signature on the sending
 * side cannot pass by being wrong the same way: `v0=` + hex HMAC-SHA256 over `v0:ts:body`.
 */
export function isSignedBySlack(secret: string, headers: IncomingMessage['headers'], rawBody: string, nowSec: number): boolean {
  const ts = Number(headers['x-slack-request-timestamp']);
  const sig = String(headers['x-slack-signature'] ?? '');
  if (!Number.isInteger(ts) || Math.abs(nowSec - ts) > 300) return false;
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${ts}:${rawBody}`).digest('hex')}`);
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A tiny app on node:http: verifies each request's signature (401 if bad) and records it. */
export async function startFakeApp(signingSecret: string, handler: AppHandler = () => ({ status: 200 })): Promise<FakeApp> {
  let current = handler;
  const received: ReceivedRequest[] = [];
  const state = { rejected: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        if (!isSignedBySlack(signingSecret, req.headers, rawBody, Math.floor(Date.now() / 1000))) {
          state.rejected++;
          res.writeHead(401).end('bad signature');
          return;
        }
        const form = Object.fromEntries(new URLSearchParams(rawBody));
        const r: ReceivedRequest = { form, rawBody, ...(form.payload ? { payload: JSON.parse(form.payload) } : {}) };
        received.push(r);
        const out = await current(r);
        const body = out.body === undefined ? '' : typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
        res.writeHead(out.status ?? 200, typeof out.body === 'object' ? { 'content-type': 'application/json' } : {}).end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    received,
    get rejected() {
      return state.rejected;
    },
    setHandler(h) {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Posts to a Web API method the way @slack/web-api does: form body, Bearer token. */
export async function callApi(baseUrl: string, method: string, args: Record<string, unknown>, token?: string): Promise<{ status: number; retryAfter: string | null; body: any }> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(args)) if (v !== undefined) form.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  const res = await fetch(`${baseUrl}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: form.toString(),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}
