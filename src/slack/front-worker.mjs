// The Slack-facing HTTP front, run in a worker thread (see front.ts for why). Plain JavaScript so
// that it loads in a worker under any runner (tsx, vitest) without a TypeScript loader.
//
// It owns the public port. A signed slash command or click is answered 200 at once, on this
// thread's own event loop, and then handed to the Bolt app on the main thread over loopback,
// byte for byte, so Bolt verifies and handles it as usual. Requests whose answer carries data
// (a modal submission's errors, url_verification, options) and every other route (/healthz,
// ShipStation's webhook) are passed through and answered by the main thread. A request without
// a valid signature, or more than five minutes old, gets 401 here.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { port, host, upstreamPort, signingSecret } = workerData;
const MAX_SKEW_S = 5 * 60;
const MAX_BODY = 1024 * 1024;
const upstream = new Agent({ keepAlive: true, maxSockets: 64 });

/** Slack's v0 signature over `v0:<timestamp>:<raw body>`, and a timestamp at most five minutes off. */
function isSigned(headers, body) {
  const ts = headers['x-slack-request-timestamp'];
  const sig = headers['x-slack-signature'];
  if (typeof ts !== 'string' || !/^\d+$/.test(ts) || typeof sig !== 'string') return false;
  if (Math.abs(Number(ts) - Math.floor(Date.now() / 1000)) > MAX_SKEW_S) return false;
  const expected = Buffer.from(`v0=${createHmac('sha256', signingSecret).update(`v0:${ts}:`).update(body).digest('hex')}`);
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Whether Slack reads something from the answer (so only the Bolt app can give it). */
function wantsAnswer(headers, body) {
  const type = String(headers['content-type'] ?? '');
  try {
    if (type.includes('application/json')) return JSON.parse(body.toString('utf8')).type === 'url_verification';
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.has('command')) return false;
    const payload = form.get('payload');
    if (payload === null) return true;
    return ['view_submission', 'block_suggestion', 'dialog_suggestion'].includes(JSON.parse(payload).type);
  } catch {
    return true;
  }
}

/** Requests acked here and not yet handed over: shutdown waits for them. */
let handingOver = 0;

/** Sends the request on to the main thread; pipes its answer back when `res` is given. */
function forward(req, body, res) {
  if (!res) handingOver++;
  const done = () => {
    if (!res) handingOver--;
  };
  const out = request(
    { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${upstreamPort}` }, agent: upstream },
    (answer) => {
      if (!res) {
        answer.on('end', done);
        return void answer.resume();
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  out.on('error', (e) => {
    done();
    if (res && !res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('Dockhand is not answering');
    parentPort?.postMessage({ type: 'error', message: `forwarding to the app failed: ${e.message}` });
  });
  if (body) out.end(body);
  else req.pipe(out);
}

/** The path as a router reads it; an absolute-form target (`POST http://x/slack/events`) counts too. */
function pathOf(url) {
  try {
    return new URL(url ?? '/', 'http://front').pathname;
  } catch {
    return '';
  }
}

const server = createServer((req, res) => {
  if ((req.url ?? '').startsWith('http')) return void res.writeHead(400).end();
  const path = pathOf(req.url);
  if (req.method !== 'POST' || path !== '/slack/events') return forward(req, undefined, res);
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= MAX_BODY) chunks.push(c);
  });
  req.on('end', () => {
    if (size > MAX_BODY) return void res.writeHead(413).end();
    const body = Buffer.concat(chunks);
    if (!isSigned(req.headers, body)) {
      parentPort?.postMessage({ type: 'refused' });
      return void res.writeHead(401).end();
    }
    if (wantsAnswer(req.headers, body)) return forward(req, body, res);
    // The ack Slack waits for: an empty 200 (https://api.slack.com/interactivity/handling#acknowledgment_response).
    res.writeHead(200).end();
    forward(req, body, undefined);
  });
});
server.keepAliveTimeout = 65_000;

// A failed listen (a taken port, a wrong HOST) goes back with its code; front.ts turns it into
// the same error every other listener gives.
server.once('error', (e) => parentPort?.postMessage({ type: 'listen_failed', code: e.code, message: e.message }));
server.listen(port, host, () => {
  const { port: bound, address } = server.address();
  parentPort?.postMessage({ type: 'listening', port: bound, address });
});
parentPort?.on('message', (m) => {
  if (m === 'stop') {
    server.close();
    server.closeIdleConnections();
    // A click already acked must still reach the app: wait (a little) for those in hand.
    const until = Date.now() + 2_000;
    const finish = () => {
      if (handingOver > 0 && Date.now() < until) return void setTimeout(finish, 20);
      server.closeAllConnections();
      upstream.destroy();
      parentPort?.postMessage({ type: 'stopped' });
    };
    finish();
  }
});
