import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

/**
 * The load generator of `npm run bench -- slack`, run as its own process: signed slash commands
 * and button clicks, `concurrency` at a time; prints the ack latencies as JSON.
 */
const [appUrl, responseUrl, totalArg, concurrencyArg, idsFile, secret] = process.argv.slice(2) as [string, string, string, string, string, string];
const total = Number(totalArg);
const concurrency = Number(concurrencyArg);
const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as string[];

function sign(body: string, ts: number): Record<string, string> {
  const sig = 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
  return { 'x-slack-signature': sig, 'x-slack-request-timestamp': String(ts), 'content-type': 'application/x-www-form-urlencoded' };
}

const commands = ['status', 'help', 'quarantine', 'sku unmapped', 'audit 5', `order ${ids[1]}`];
function makeRequest(i: number): string {
  if (i % 2 === 0) {
    const text = commands[(i / 2) % commands.length]!;
    const user = i % 4 === 0 ? 'U0MAYA0001' : 'U0SAM00002';
    return new URLSearchParams({ token: 'x', team_id: 'T0DOCKHAND', channel_id: 'C0OPS00001', channel_name: 'dockhand-ops', user_id: user, user_name: 'bench', command: '/dockhand', text, response_url: responseUrl, trigger_id: `trig.${i}`, api_app_id: 'A0DOCKHAND' }).toString();
  }
  const id = ids[i % ids.length]!;
  const payload = {
    type: 'block_actions',
    user: { id: 'U0SAM00002', username: 'sam' },
    team: { id: 'T0DOCKHAND' },
    channel: { id: 'C0OPS00001', name: 'dockhand-ops' },
    container: { type: 'message', message_ts: '1.0', channel_id: 'C0OPS00001' },
    api_app_id: 'A0DOCKHAND',
    trigger_id: `trig.${i}`,
    response_url: responseUrl,
    actions: [{ type: 'button', action_id: 'show_order', block_id: 'alert:actions', action_ts: `${Date.now() / 1000}`, value: JSON.stringify({ key: `quarantine:default:${id}`, version: 'v1', accountId: 'default', amazonOrderId: id }) }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

// node:http with kept-alive connections, as Slack's own senders use: fetch costs this process
// enough CPU per request that, on a small machine, it would measure itself rather than the app.
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(appUrl);
function post(body: string, signed = true): Promise<number> {
  const headers = signed ? sign(body, Math.floor(Date.now() / 1000)) : { 'content-type': 'application/x-www-form-urlencoded' };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const latencies: number[] = [];
const slow: Array<{ i: number; at: number; ms: number }> = [];
const errorKinds: Record<string, number> = {};
let errors = 0;
let next = 0;
async function worker(): Promise<void> {
  for (;;) {
    const i = next++;
    if (i >= total) return;
    const body = makeRequest(i);
    const started = performance.now();
    try {
      const status = await post(body);
      latencies.push(performance.now() - started);
      if (process.env.BENCH_TRACE) slow.push({ i, at: Math.round(started), ms: Math.round(performance.now() - started) });
      if (status !== 200) {
        errors++;
        errorKinds[String(status)] = (errorKinds[String(status)] ?? 0) + 1;
      }
    } catch (e) {
      errors++;
      const kind = (e as Error).message;
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    }
  }
}
// Warm-up, not measured: one unsigned request per connection opens the pool (the app refuses
// them with 401 and does no work), as Slack's long-lived connections to a running app would be.
// Without it the first round measures 100 TCP handshakes into a process that just started.
await Promise.all(Array.from({ length: concurrency }, () => post('warm-up', false).catch(() => 0)));
const startedAt = Date.now();
await Promise.all(Array.from({ length: concurrency }, worker));
if (process.env.BENCH_TRACE) process.stderr.write(JSON.stringify(slow.sort((a, b) => b.ms - a.ms).slice(0, 15)) + '\n');
agent.destroy();
process.stdout.write(JSON.stringify({ latencies, errors, errorKinds, elapsed: (Date.now() - startedAt) / 1000 }));
