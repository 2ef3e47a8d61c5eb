import Bottleneck from 'bottleneck';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import { renderContextOf, type Config } from '../config/config';
import { listenOn } from '../domain/listen';
import { healthStatus, type HealthReport } from '../jobs/health';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import type { AlertManager, AlertMessage } from './alerts';
import { createHandlers, type DockhandOps, type HandlerDeps, type HandlerRoles, type Reply } from './handlers';
import { startSlackFront, type SlackFront } from './front';
import { modalClient, modalOpener } from './modal';
import { registerReturnsSlack } from '../returns/returns-slack';
import type { ReturnActions } from '../returns/return-actions';

/**
 * The Slack face of Dockhand on Bolt: `/dockhand`, the alert buttons and the map-SKU modal.
 * Socket Mode when SLACK_APP_TOKEN is set (no public URL), otherwise HTTP on `slack.port`
 * with Slack's requests at /slack/events and our own GET /healthz.
 */

/** Commands and clicks whose work (after the ack) runs at the same time. */
const WORK_IN_FLIGHT = 2;

export interface SlackAppOptions {
  config: Config;
  ops: DockhandOps;
  store: Store;
  alerts: AlertManager;
  roles: HandlerRoles;
  logger: Logger;
  health: () => Promise<HealthReport>;
  /** The return buttons and modals (src/returns/returns-slack.ts); absent until returns are wired. */
  returns?: ReturnActions;
  /** More routes on the same HTTP server (ShipStation's webhook); each checks its own caller. */
  routes?: HttpRoute[];
  now?: () => Date;
  /** `/dockhand report` and the report buttons. */
  reports?: HandlerDeps['reports'];
}

export interface HttpRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface SlackApp {
  /**
   * Starts listening on HOST:PORT; `port` and `address` are where it is bound (also in Socket
   * Mode, where only /healthz and the routes are served).
   */
  start(): Promise<{ port: number; address: string }>;
  stop(): Promise<void>;
  /** chat.postMessage / chat.update for the AlertManager, through this app's Web API client. */
  post(channel: string, msg: AlertMessage): Promise<{ ts: string }>;
  update(channel: string, ts: string, msg: AlertMessage): Promise<void>;
}

/** Slack allows a request timestamp at most five minutes off (https://api.slack.com/authentication/verifying-requests-from-slack). */
const MAX_SKEW_S = 5 * 60;

/** True when the X-Slack-Request-Timestamp header is missing or more than five minutes from now, either way. Pure. */
export function isStaleTimestamp(header: string | string[] | undefined, nowMs: number): boolean {
  if (typeof header !== 'string' || !/^\d+$/.test(header)) return true;
  return Math.abs(Number(header) - Math.floor(nowMs / 1000)) > MAX_SKEW_S;
}

/** Bolt logs through its own interface; send it to pino. */
function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => log.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => log.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => log.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => log.error(m.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

interface ViewStateValue {
  value?: string | null;
}

/** Creates the Slack app. Throws when the bot token or (for HTTP) the signing secret is missing. */
export function createSlackApp(opts: SlackAppOptions): SlackApp {
  const { config, logger } = opts;
  const now = opts.now ?? (() => new Date());
  const botToken = config.slack.botToken;
  if (!botToken) throw new Error('SLACK_BOT_TOKEN is not set');
  const socketMode = !!config.slack.appToken;
  if (!socketMode && !config.slack.signingSecret) throw new Error('SLACK_SIGNING_SECRET is not set');

  const healthRoute = {
    path: '/healthz',
    method: ['GET'],
    // Bolt does not verify custom routes. This one needs no authentication: it only reads, and
    // says whether jobs run, when each account last synced and whether the store answers.
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      void opts
        .health()
        .then((r) => {
          res.writeHead(healthStatus(r), { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(JSON.stringify({ ok: healthStatus(r) === 200, ...r }));
        })
        .catch((e: unknown) => {
          logger.warn({ err: (e as Error).message }, 'health check failed');
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: false, error: 'health check failed' }));
        });
    },
  };

  const bLogger = boltLogger(logger);
  const routes: HttpRoute[] = [healthRoute, ...(opts.routes ?? [])];
  let receiver: HTTPReceiver | SocketModeReceiver;
  if (socketMode) {
    // No customRoutes for Bolt here: its Socket Mode receiver would serve them on a server of its
    // own, on every interface whatever HOST says, and a taken port would crash the process with a
    // bare EADDRINUSE. They get a plain server in start() instead.
    receiver = new SocketModeReceiver({ appToken: config.slack.appToken!, logger: bLogger });
  } else {
    const http = new HTTPReceiver({
      signingSecret: config.slack.signingSecret!,
      endpoints: '/slack/events',
      port: config.slack.port,
      customRoutes: routes,
      logger: bLogger,
      // ack() answers at once and the listener goes on: Slack's 3-second limit is never at the mercy of Amazon or ShipStation.
      processBeforeResponse: false,
    });
    // Bolt rejects a bad signature and an old timestamp with 401, but not one from the future:
    // make the five-minute window hold both ways before Bolt sees the request.
    const boltListener = http.requestListener;
    http.requestListener = (req, res) => {
      if (req.method === 'POST' && req.url?.split('?')[0] === '/slack/events' && isStaleTimestamp(req.headers['x-slack-request-timestamp'], now().getTime())) {
        logger.warn('Slack request refused: timestamp missing or more than five minutes off');
        res.writeHead(401);
        res.end();
        return;
      }
      boltListener(req, res);
    };
    receiver = http;
  }

  const app = new App({
    receiver,
    // A fixed bot token through `authorize` rather than `token`: Bolt then never calls auth.test,
    // so a Slack outage at start-up does not stop Dockhand from starting.
    authorize: async () => ({ botToken }),
    // Bolt's conversation store keeps per-conversation state for Events API flows we don't use;
    // it cost a store lookup on every request.
    convoStore: false,
    logger: bLogger,
    ...(config.slack.apiUrl ? { clientOptions: { slackApiUrl: config.slack.apiUrl } } : {}),
  });

  const handlers = createHandlers({ ops: opts.ops, store: opts.store, alerts: opts.alerts, roles: opts.roles, logger, now, render: renderContextOf(config), ...(opts.reports ? { reports: opts.reports } : {}) });

  // The work behind a command or click runs after its ack, a few at a time: when many arrive at
  // once, new requests are still read and acked at once instead of queueing behind the work of
  // every earlier one on the event loop. Replies go to response_url, which stays valid 30 minutes.
  const work = new Bottleneck({ maxConcurrent: WORK_IN_FLIGHT });
  const later = (fn: () => Promise<void>): void => {
    void work.schedule(fn).catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'Slack work failed'));
  };

  app.command('/dockhand', async ({ command, ack, respond, context }) => {
    await ack();
    if ((context.retryNum ?? 0) > 0) return; // the first delivery already ran it
    later(async () => {
      const reply = await handlers.command(command.user_id, command.text ?? '');
      await respond(toRespond(reply)).catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'command reply not delivered'));
    });
  });

  const openModal = modalOpener(modalClient(botToken, config.slack.apiUrl), logger);
  if (opts.returns) registerReturnsSlack(app, { actions: opts.returns, logger, later, openModal });
  // Every action but the returns' (registered above, each acking its own).
  app.action(/^(?!returns_)/, async ({ action, body, ack, respond, context }) => {
    await ack();
    const actionId = 'action_id' in action ? action.action_id : '';
    const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    const userId = body.user.id;
    const triggerId = 'trigger_id' in body ? (body.trigger_id as string | undefined) : undefined;
    if ((context.retryNum ?? 0) > 0) logger.info({ action: actionId }, 'Slack retried an action');
    if (handlers.opensModal(actionId)) {
      // trigger_id lives 3 s: open the modal before any slow work.
      const view = await handlers.modalFor(actionId, value, userId);
      if (view && !(await openModal(triggerId, view, respond))) return;
      await handlers.auditModalOpened(actionId, userId, value);
      return;
    }
    later(async () => {
      const container = ('container' in body ? body.container : undefined) as { channel_id?: string; message_ts?: string; is_ephemeral?: boolean } | undefined;
      const where = { ...(container?.channel_id ? { channel: container.channel_id } : {}), ...(container?.message_ts ? { messageTs: container.message_ts } : {}), ephemeral: container?.is_ephemeral === true };
      const reply = await handlers.action(actionId, userId, value, where);
      if (reply) await respond(toRespond(reply)).catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'action reply not delivered'));
    });
  });

  app.view(handlers.mapSkuCallbackId, async ({ ack, view, body }) => {
    const values = view.state.values as Record<string, Record<string, ViewStateValue>>;
    // One input per block in our modals: read values by block_id.
    const flat: Record<string, string> = {};
    for (const [blockId, block] of Object.entries(values)) for (const v of Object.values(block)) if (typeof v.value === 'string') flat[blockId] = v.value;
    const errors = handlers.validateMapSku(flat);
    if (errors) {
      await ack(errors);
      return;
    }
    await ack();
    await handlers.mapSku(body.user.id, flat, view.private_metadata);
  });

  app.view(handlers.rerouteCallbackId, async ({ ack, view, body }) => {
    await ack();
    const flat: Record<string, string> = {};
    for (const [blockId, block] of Object.entries(view.state.values as Record<string, Record<string, ViewStateValue>>)) {
      for (const v of Object.values(block)) {
        const picked = (v as { selected_option?: { value?: string } | null }).selected_option?.value ?? v.value;
        if (typeof picked === 'string') flat[blockId] = picked;
      }
    }
    await handlers.reroute(body.user.id, flat, view.private_metadata);
  });

  app.view(handlers.reorderCallbackId, async ({ ack, view, body }) => {
    const flat: Record<string, string> = {};
    for (const [blockId, block] of Object.entries(view.state.values as Record<string, Record<string, ViewStateValue>>)) for (const v of Object.values(block)) if (typeof v.value === 'string') flat[blockId] = v.value;
    const errors = handlers.validateReorder(flat);
    await ack(errors);
    if (!errors) await handlers.markReordered(body.user.id, flat, view.private_metadata);
  });

  app.error(async (e) => {
    logger.error({ err: e.message, code: e.code }, 'Slack handler failed');
  });

  let server: Server | undefined;
  let front: SlackFront | undefined;
  let routeServer: Server | undefined;
  const at = { port: config.slack.port, ...(config.slack.host ? { host: config.slack.host } : {}) };
  return {
    async start() {
      if (socketMode) {
        // The port first: a taken one fails before a Socket Mode connection is opened.
        routeServer = createServer((req, res) => serveRoute(routes, req, res));
        const bound = await listenOn(routeServer, at);
        try {
          await app.start();
        } catch (e) {
          await closeServer(routeServer);
          throw e;
        }
        return { port: bound.port, address: bound.address };
      }
      // The Bolt app on loopback behind the front, which owns the public port (front.ts).
      const started = (await app.start({ port: 0, host: '127.0.0.1' })) as unknown;
      server = started && typeof (started as Server).address === 'function' ? (started as Server) : undefined;
      const addr = server?.address() as AddressInfo | null | undefined;
      if (!addr) throw new Error('the Slack app did not start listening');
      try {
        front = await startSlackFront({ ...at, upstreamPort: addr.port, signingSecret: config.slack.signingSecret!, logger });
      } catch (e) {
        await app.stop();
        throw e;
      }
      return { port: front.port, address: front.address };
    },
    async stop() {
      opts.alerts.stop();
      await front?.stop();
      if (routeServer) await closeServer(routeServer);
      // Let accepted commands finish their work and replies before the server goes.
      await work.stop({ dropWaitingJobs: false }).catch(() => undefined);
      await app.stop();
    },
    async post(channel, msg) {
      const res = await app.client.chat.postMessage({ token: botToken, channel, ...(msg as object) } as never);
      if (!res.ts) throw new Error('chat.postMessage returned no ts');
      return { ts: res.ts };
    },
    async update(channel, ts, msg) {
      await app.client.chat.update({ token: botToken, channel, ts, ...(msg as object) } as never);
    },
  };
}

/** Our routes by exact path and method, for the Socket Mode server; anything else is 404. */
function serveRoute(routes: HttpRoute[], req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://dockhand').pathname;
  const route = routes.find((r) => r.path === path && r.method.includes(req.method ?? ''));
  if (route) return route.handler(req, res);
  res.writeHead(404).end();
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function toRespond(r: Reply): { response_type: 'ephemeral' | 'in_channel'; text: string; blocks?: never[]; replace_original?: boolean } {
  return { response_type: r.inChannel ? 'in_channel' : 'ephemeral', text: r.text, ...(r.blocks ? { blocks: r.blocks as never[] } : {}), replace_original: false };
}
