import { createServer, type Server } from 'node:http';
import { webApi } from '@slack/bolt';
import type { NotifierRelay } from '../domain/notifier';
import { createAlertManager } from '../slack/alerts';
import { createSlackApp, healthStatus, type HttpRoute, type SlackApp } from '../slack/app';
import { WEBHOOK_PATH } from './writeback';
import { createRoleResolver } from '../slack/roles';
import type { Product } from './product';
import type { Runtime } from './runtime';
import { createDockhandOps, healthReport } from './slack-ops';

export interface SlackFace {
  /** The port Slack requests, /healthz and webhooks are served on. */
  port: number;
  stop(): Promise<void>;
}

/**
 * The product's face: the Bolt app (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT at
 * /slack/events) with /healthz, alerts replacing plain log lines. Without Slack credentials only
 * /healthz is served and problems are logged.
 */
export async function startSlackFace(rt: Runtime, product: Product, relay: NotifierRelay): Promise<SlackFace> {
  const slack = rt.config.slack;
  if (!slack.botToken || (!slack.appToken && !slack.signingSecret)) return startHealthOnly(rt, product);

  const client = new webApi.WebClient(slack.botToken, slack.apiUrl ? { slackApiUrl: `${slack.apiUrl.replace(/\/+$/, '')}/api/` } : {});
  let app: SlackApp | undefined;
  const alerts = createAlertManager({
    store: rt.store,
    post: (channel, msg) => app!.post(channel, msg),
    update: (channel, ts, msg) => app!.update(channel, ts, msg),
    channels: slack.channels,
    now: () => new Date(),
    logger: rt.logger.child({ part: 'slack-alerts' }),
  });
  const roles = createRoleResolver({
    managers: slack.managers,
    listGroupMembers: async (usergroup) => ((await client.usergroups.users.list({ usergroup })).users ?? []) as string[],
  });
  app = createSlackApp({
    config: rt.config,
    ops: createDockhandOps(rt, product),
    store: rt.store,
    alerts,
    roles,
    logger: rt.logger.child({ part: 'slack' }),
    health: () => healthReport(rt, product),
    routes: [shipNotifyRoute(product)],
  });
  const started = await app.start();
  relay.attach(alerts);
  return {
    port: started.port ?? slack.port,
    async stop() {
      await app!.stop();
    },
  };
}

async function startHealthOnly(rt: Runtime, product: Product): Promise<SlackFace> {
  const server: Server = createServer((req, res) => {
    const route = shipNotifyRoute(product);
    if (req.method === 'POST' && req.url?.split('?')[0] === route.path) return route.handler(req, res);
    if (req.method === 'GET' && req.url?.split('?')[0] === '/healthz') {
      void healthReport(rt, product).then((report) => {
        res.writeHead(healthStatus(report), { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: healthStatus(report) === 200, ...report }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(rt.config.slack.port, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : rt.config.slack.port,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** ShipStation's SHIP_NOTIFY webhook, on the same HTTP server as Slack and /healthz. */
function shipNotifyRoute(product: Product): HttpRoute {
  return { path: WEBHOOK_PATH, method: ['POST'], handler: (req, res) => product.writeback.intake.handle(req, res) };
}
