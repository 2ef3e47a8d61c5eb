import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createOrderFactory } from '../src/sandbox/amazon/order-factory';
import { startSlackSimulator } from '../src/sandbox/slack/web-api-simulator';
import { percentile, sleep, startBenchEnv } from './harness';

/**
 * `npm run bench -- slack`: 2,000 signed slash commands and button clicks, 100 at a time, at the
 * running app while a 5,000-order spike is being imported; ack latency (request sent → HTTP
 * answer, which is what Slack's 3 s limit measures) and errors.
 */
const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function sign(body: string, ts: number): Record<string, string> {
  const sig = 'v0=' + createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex');
  return { 'x-slack-signature': sig, 'x-slack-request-timestamp': String(ts), 'content-type': 'application/x-www-form-urlencoded' };
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '100' }, scale: { type: 'string', default: '100' } } });
  const total = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const scale = Number(values.scale);

  // Where the app's answers to response_url go: counted, not shown.
  let responses = 0;
  const responseSink = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      responses++;
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => responseSink.listen(0, '127.0.0.1', r));
  const responseUrl = `http://127.0.0.1:${(responseSink.address() as { port: number }).port}/respond`;

  const slack = await startSlackSimulator({ botToken: TOKEN, signingSecret: SECRET });
  const port = await freePort();
  const env = await startBenchEnv({
    scale,
    intervalSeconds: 60 / scale,
    overlapSeconds: 60 / scale,
    events: false,
    env: { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url, PORT: String(port), ...(process.env.BENCH_CHILD_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_CHILD_NODE_OPTIONS } : {}) },
    yaml: `slack:\n  channels:\n    alerts: C0OPS00001\n  managers: [S0MGRS0001]\n`,
  });
  const appUrl = `http://127.0.0.1:${port}/slack/events`;
  try {
    await env.started;
    await sleep(1_000);
    const factory = createOrderFactory(9);
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const { lastUpdatedTime: _l, ...order } = factory.make(i % 50 === 0 ? 'malformed' : 'standard');
      env.sandbox.spApi.putOrder(order);
      ids.push(order.orderId);
    }

    const commands = ['status', 'help', 'quarantine', 'sku unmapped', 'audit 5', `order ${ids[1]}`];
    const makeRequest = (i: number): string => {
      if (i % 2 === 0) {
        const text = commands[i % commands.length]!;
        return new URLSearchParams({ token: 'x', team_id: 'T0DOCKHAND', channel_id: 'C0OPS00001', channel_name: 'dockhand-ops', user_id: i % 4 === 0 ? 'U0MAYA0001' : 'U0SAM00002', user_name: 'bench', command: '/dockhand', text, response_url: responseUrl, trigger_id: `trig.${i}`, api_app_id: 'A0DOCKHAND' }).toString();
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
    };

    const latencies: number[] = [];
    let errors = 0;
    const errorKinds = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const body = makeRequest(i);
        const started = performance.now();
        try {
          const res = await fetch(appUrl, { method: 'POST', headers: sign(body, Math.floor(Date.now() / 1000)), body });
          await res.arrayBuffer();
          latencies.push(performance.now() - started);
          if (res.status !== 200) {
            errors++;
            errorKinds.set(String(res.status), (errorKinds.get(String(res.status)) ?? 0) + 1);
          }
        } catch (e) {
          errors++;
          errorKinds.set((e as Error).message, (errorKinds.get((e as Error).message) ?? 0) + 1);
        }
      }
    };
    const startedAt = Date.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsed = (Date.now() - startedAt) / 1000;
    await sleep(3_000); // let the last answers reach response_url
    latencies.sort((a, b) => a - b);
    const inShipStation = env.sandbox.shipstation.orders().length;
    process.stdout.write(
      [
        `slack benchmark: ${total} signed slash commands and button clicks, ${concurrency} concurrent, during a 5,000-order spike (limits x${scale})`,
        `  ack latency                 p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms (goal p99 <= 300 ms; Slack allows 3 s)`,
        `  errors                      ${errors}${errorKinds.size ? ` (${[...errorKinds].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''} (goal 0)`,
        `  throughput                  ${(total / elapsed).toFixed(0)} requests/s over ${elapsed.toFixed(1)} s`,
        `  answers via response_url    ${responses}`,
        `  import meanwhile            ${inShipStation} orders in ShipStation by the end`,
      ].join('\n') + '\n',
    );
  } finally {
    await env.close();
    await slack.close();
    responseSink.close();
  }
}
