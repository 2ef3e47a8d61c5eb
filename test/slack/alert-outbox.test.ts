import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, slackApiBaseUrl, type Config } from '../../src/config/config';
import { applySandbox, openRuntime, type Runtime } from '../../src/cli/runtime';
import { SANDBOX_SLACK, startSandboxServices, type Sandbox } from '../../src/cli/sandbox';
import { startProduct } from '../../src/cli/product';
import { startSlackFace, type SlackFace } from '../../src/cli/slack';
import { silentLogger } from '../../src/log/logger';
import { createOrderFactory, SANDBOX_CATALOGUE, type OrderKind } from '../../src/sandbox/amazon/order-factory';
import { startSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/web-api-simulator';
import { Store } from '../../src/store/store';
import { run as runSync } from '../../src/sync/sync-orders.job';
import { quarantinedOrderProblem } from '../../src/sync/quarantine-alert';
import { ROOT, runCli } from '../support/cli';

/**
 * Every problem reaches the alerts channel exactly once, however it was recorded: before the
 * Slack app started, by `sync --once` in another process, or by a process killed before it posted.
 */

const SIGNING_SECRET = 'alert-outbox-test-secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface World {
  dataDir: string;
  sandbox: Sandbox;
  slack: SlackSimulator;
  /** The ids of the malformed and unmapped-SKU orders placed. */
  placed: Record<'malformed' | 'unmapped_sku', string>;
  env: Record<string, string>;
}

async function world(kinds: OrderKind[] = ['standard', 'malformed', 'unmapped_sku']): Promise<World> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-outbox-'));
  const sandbox = await startSandboxServices(dataDir, { rateScale: 1000 });
  const factory = createOrderFactory(4242);
  const placed = { malformed: '', unmapped_sku: '' };
  for (const kind of kinds) {
    const { lastUpdatedTime: _t, ...o } = factory.make(kind);
    sandbox.spApi.putOrder(o);
    if (kind === 'malformed' || kind === 'unmapped_sku') placed[kind] = o.orderId;
  }
  const store = await Store.open({ dataDir });
  for (const p of SANDBOX_CATALOGUE) await store.putSkuMapping({ amazonSku: p.sellerSku, shipstationSku: p.shipstationSku, asin: p.asin });
  await store.close();
  const slack = await startSlackSimulator({ botToken: SANDBOX_SLACK.botToken, signingSecret: SIGNING_SECRET });
  return { dataDir, sandbox, slack, placed, env: { DOCKHAND_DATA_DIR: dataDir, DOCKHAND_SECRET_KEY: 'outbox-test' } };
}

/** The configuration `dockhand start` would have with Slack pointed at the simulator. */
function slackConfig(w: World): Config {
  const base = applySandbox(loadConfig(w.env, w.dataDir), w.sandbox.info);
  return {
    ...base,
    slack: {
      ...base.slack,
      botToken: SANDBOX_SLACK.botToken,
      signingSecret: SIGNING_SECRET,
      apiUrl: slackApiBaseUrl(w.slack.url),
      channels: { alerts: SANDBOX_SLACK.channel },
      port: 0,
      host: '127.0.0.1',
    },
  };
}

/** Alerts in the channel once `expected` are there (or 10 s passed), and a while longer. */
async function settledAlerts(slack: SlackSimulator, expected: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  while (slack.messages(SANDBOX_SLACK.channel).length < expected && Date.now() < deadline) await sleep(50);
  return quietAlerts(slack);
}

/** Alerts in the channel after a wait long enough for any other post to show up. */
async function quietAlerts(slack: SlackSimulator): Promise<string[]> {
  // The drain sweeps the outbox every 2 s and posts one message a second.
  await sleep(3_000);
  return slack.messages(SANDBOX_SLACK.channel).map((m) => m.text);
}

/** Runs the product and its Slack face on the data dir, as `dockhand start` does. */
async function start(w: World): Promise<{ rt: Runtime; face: SlackFace; stop(): Promise<void> }> {
  const rt = await openRuntime(slackConfig(w), silentLogger);
  const product = startProduct(rt);
  const face = await startSlackFace(rt, product);
  return {
    rt,
    face,
    async stop() {
      await face.stop();
      await product.stop();
      await rt.close();
    },
  };
}

describe('the alert outbox', { timeout: 60_000 }, () => {
  let w: World | undefined;
  afterEach(async () => {
    if (!w) return;
    await w.slack.close();
    await w.sandbox.close();
    rmSync(w.dataDir, { recursive: true, force: true });
    w = undefined;
  });

  it('posts problems raised before the Slack app started, one message each', async () => {
    w = await world();
    const rt = await openRuntime(slackConfig(w), silentLogger);
    // The first pass runs, and finds both problems, before anything of Slack exists.
    const pass = await runSync({ accountId: 'default' }, rt.contextFor(rt.config.accounts[0]!));
    expect(pass.quarantined).toBe(1);
    const product = startProduct(rt);
    const face = await startSlackFace(rt, product);
    try {
      const texts = await settledAlerts(w.slack, 2);
      expect(texts).toHaveLength(2);
      expect(texts.filter((t) => t.includes(w!.placed.malformed))).toHaveLength(1);
      expect(texts.filter((t) => /BLUE|unmapped|SKU/i.test(t))).toHaveLength(1);
      expect(await countPending(rt.store)).toBe(0);
    } finally {
      await face.stop();
      await product.stop();
      await rt.close();
    }
  });

  it('posts what `dockhand sync --once` recorded when the app starts, and nothing again on the next start', async () => {
    w = await world();
    const once = await runCli(['sync', '--once'], w.env);
    expect(once.code).toBe(2);
    expect(w.slack.messages(SANDBOX_SLACK.channel)).toHaveLength(0);

    const first = await start(w);
    const texts = await settledAlerts(w.slack, 2);
    await first.stop();
    expect(texts).toHaveLength(2);
    expect(texts.filter((t) => t.includes(w!.placed.malformed))).toHaveLength(1);

    const second = await start(w);
    expect(await quietAlerts(w.slack)).toHaveLength(2);
    await second.stop();
  });

  it('posts once after a kill -9 between recording a problem and posting it', async () => {
    w = await world(['standard']);
    // A process that records two problems in the outbox and is killed while Slack has not answered.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/record-then-hang.ts'), w.dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('recorded') && resolve());
      child.once('exit', (code) => reject(new Error(`recorder exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const first = await start(w);
    const texts = await settledAlerts(w.slack, 2);
    await first.stop();
    expect(texts).toHaveLength(2);
    expect(texts.filter((t) => t.includes('111-0000000-0000001'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('KILLED-SKU'))).toHaveLength(1);

    const second = await start(w);
    expect(await quietAlerts(w.slack)).toHaveLength(2);
    await second.stop();
  });

  it('posts what another process records while the app runs, within its sweep', async () => {
    w = await world(['standard']);
    const running = await start(w);
    try {
      await sleep(500);
      const other = await openRuntime(slackConfig(w), silentLogger);
      await other.notifier.raise(quarantinedOrderProblem({ accountId: 'default', amazonOrderId: '111-0000000-0000042', code: 'order.malformed', reason: 'no shipping address', hint: 'Amazon must correct it' }));
      await other.close();
      const texts = await settledAlerts(w.slack, 1);
      expect(texts.filter((t) => t.includes('111-0000000-0000042'))).toHaveLength(1);
    } finally {
      await running.stop();
    }
  });
});

async function countPending(store: Store): Promise<number> {
  return (await store.outbox.pendingKeys()).length;
}
