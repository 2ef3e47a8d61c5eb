import { createServer, type Server } from 'node:http';
import { listenOn } from '../domain/listen';
import { renderContextOf } from '../config/config';
import { JOB_LEASE_TTL_MS } from '../jobs/lease';
import { startAlertDrain, type AlertManager } from '../slack/alerts';
import { healthStatus } from '../jobs/health';
import type { HttpRoute, SlackApp } from '../slack/app';
import { WEBHOOK_PATH } from '../writeback/ship-notify-webhook';
import { createRoleResolver } from '../slack/roles';
import type { Product } from './product';
import type { Runtime } from './runtime';
import { createDockhandOps, productHealth } from './slack-ops';
import { reportsFace, startDigestSchedule } from '../reports/digest.job';
import { reportsContextFor, reportsWebClient } from './reports';
import { inventoryChannels } from '../inventory/inventory-alerts';

export interface SlackFace {
  /** The port Slack requests, /healthz and webhooks are served on. */
  port: number;
  /** The address that port is bound to (HOST; `::` or `0.0.0.0` when unset). */
  address: string;
  stop(): Promise<void>;
}

/**
 * The product's face: the Bolt app (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT at
 * /slack/events) with /healthz, alerts replacing plain log lines. Without Slack credentials only
 * /healthz is served and problems are logged.
 */
export async function startSlackFace(rt: Runtime, product: Product): Promise<SlackFace> {
  const slack = rt.config.slack;
  if (!slack.botToken || (!slack.appToken && !slack.signingSecret)) return startHealthOnly(rt, product);

  // Bolt and our app are loaded only when Slack is configured: a process without Slack never
  // runs them, and loading them costs some 10 MB of resident memory.
  const [{ webApi }, { createSlackApp }] = await Promise.all([import('@slack/bolt'), import('../slack/app')]);
  const client = new webApi.WebClient(slack.botToken, slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {});
  let app: SlackApp | undefined;
  let appStarted!: () => void;
  const ready = new Promise<void>((resolve) => (appStarted = resolve));
  // Posts what the outbox holds (problems recorded before Slack started, by `sync --once`, or by
  // an earlier run) and what is recorded from now on.
  const drain = startAlertDrain({
    store: rt.store,
    recorder: rt.alerts,
    post: async (channel, msg) => (await ready, app!.post(channel, msg)),
    update: async (channel, ts, msg) => (await ready, app!.update(channel, ts, msg)),
    channels: slack.channels,
    kindChannels: inventoryChannels(slack.channels),
    now: () => new Date(),
    logger: rt.logger.child({ part: 'slack-alerts' }),
    render: renderContextOf(rt.config),
    // One replica at a time posts alerts: the one holding `job:slack-alerts`, renewed as it drains.
    mayDrain: () => rt.store.acquireLease(DRAIN_LEASE, rt.owner, JOB_LEASE_TTL_MS, Date.now(), leaseOwnerGone(rt)),
  });
  const alerts: AlertManager = { ...rt.alerts, ...drain };
  const roles = createRoleResolver({
    managers: slack.managers,
    listGroupMembers: async (usergroup) => ((await client.usergroups.users.list({ usergroup })).users ?? []) as string[],
  });
  const reports = reportsContextFor(rt, reportsWebClient(webApi.WebClient, rt.config));
  app = createSlackApp({
    config: rt.config,
    ops: createDockhandOps(rt, product),
    store: rt.store,
    alerts,
    roles,
    logger: rt.logger.child({ part: 'slack' }),
    health: productHealth(rt, product),
    routes: [shipNotifyRoute(product), product.inventory.route],
    reports: reportsFace(reports),
    returns: product.returns.actionsFor((user) => roles.isManager(user)),
  });
  const started = await app.start();
  appStarted();
  const digest = startDigestSchedule(reports);
  return {
    ...started,
    async stop() {
      digest.stop();
      reports.close?.();
      await app!.stop();
      await rt.store.releaseLease(DRAIN_LEASE, rt.owner).catch(() => undefined);
    },
  };
}

const DRAIN_LEASE = 'job:slack-alerts';

function leaseOwnerGone(rt: Runtime): ((owner: string) => boolean) | undefined {
  const first = rt.config.accounts[0];
  return first ? rt.contextFor(first).isLeaseOwnerGone : undefined;
}

async function startHealthOnly(rt: Runtime, product: Product): Promise<SlackFace> {
  const health = productHealth(rt, product);
  const server: Server = createServer((req, res) => {
    const route = shipNotifyRoute(product);
    if (req.method === 'POST' && req.url?.split('?')[0] === route.path) return route.handler(req, res);
    if (req.method === 'POST' && req.url?.split('?')[0] === product.inventory.route.path) return product.inventory.route.handler(req, res);
    if (req.method === 'GET' && req.url?.split('?')[0] === '/healthz') {
      void health().then((report) => {
        res.writeHead(healthStatus(report), { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: healthStatus(report) === 200, ...report }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  const { port, host } = rt.config.slack;
  const bound = await listenOn(server, { port, ...(host ? { host } : {}) });
  return {
    port: bound.port,
    address: bound.address,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** ShipStation's SHIP_NOTIFY webhook, on the same HTTP server as Slack and /healthz. */
function shipNotifyRoute(product: Product): HttpRoute {
  return { path: WEBHOOK_PATH, method: ['POST'], handler: (req, res) => product.writeback.intake.handle(req, res) };
}
