import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createHttpServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createOrderFactory } from '../src/sandbox/amazon/order-factory';
import { startSlackSimulator } from '../src/sandbox/slack/web-api-simulator';
import { freePort, percentile, sleep, startBenchEnv } from './harness';

/**
 * `npm run bench -- slack`: 2,000 signed slash commands and button clicks, 100 at a time, at the
 * running app while a 5,000-order spike is being imported; ack latency (request sent → HTTP
 * answer, which is what Slack's 3 s limit measures) and errors.
 */
const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { spike: { type: 'boolean', default: true }, 'no-spike': { type: 'boolean', default: false }, requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '100' }, scale: { type: 'string', default: '100' } } });
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
    const spikeSize = values['no-spike'] ? 0 : 5000;
    for (let i = 0; i < Math.max(spikeSize, 200); i++) {
      const { lastUpdatedTime: _l, ...order } = factory.make(i % 50 === 0 ? 'malformed' : 'standard');
      if (i < spikeSize) env.sandbox.spApi.putOrder(order);
      ids.push(order.orderId);
    }

    // The load comes from a process of its own, so the simulators' work here does not count as
    // the app's latency.
    const idsFile = path.join(tmpdir(), `dockhand-bench-ids-${process.pid}.json`);
    writeFileSync(idsFile, JSON.stringify(ids.slice(0, 200)));
    const startedAt = Date.now();
    const load = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'slack-load.ts'), appUrl, responseUrl, String(total), String(concurrency), idsFile, SECRET], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    load.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => load.once('exit', r));
    const result = JSON.parse(out) as { latencies: number[]; errors: number; errorKinds: Record<string, number>; elapsed: number };
    const latencies = result.latencies.sort((a, b) => a - b);
    const { errors, elapsed } = result;
    const errorKinds = new Map(Object.entries(result.errorKinds));
    // The work behind each ack runs after it; wait (up to a minute) for every answer.
    const answersBy = Date.now() + 60_000;
    while (responses < total && Date.now() < answersBy) await sleep(50);
    const answeredAfter = (Date.now() - startedAt) / 1000;
    const inShipStation = env.sandbox.shipstation.orders().length;
    process.stdout.write(
      [
        `slack benchmark: ${total} signed slash commands and button clicks, ${concurrency} concurrent, ${spikeSize ? `during a ${spikeSize}-order spike` : 'no import running'} (limits x${scale})`,
        `  ack latency                 p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms (goal p99 <= 300 ms; Slack allows 3 s)`,
        `  errors                      ${errors}${errorKinds.size ? ` (${[...errorKinds].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''} (goal 0)`,
        `  throughput                  ${(total / elapsed).toFixed(0)} requests/s over ${elapsed.toFixed(1)} s`,
        `  answers via response_url    ${responses}/${total}, the last ${answeredAfter.toFixed(1)} s after the first request`,
        `  import meanwhile            ${inShipStation} orders in ShipStation by the end`,
      ].join('\n') + '\n',
    );
  } finally {
    await env.close();
    await slack.close();
    responseSink.close();
  }
}
