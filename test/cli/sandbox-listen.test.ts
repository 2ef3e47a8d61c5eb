import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSigningSecret, withSandboxSlack } from '../../src/cli/sandbox';
import { loadConfig, type Config } from '../../src/config/config';
import { DockhandError } from '../../src/domain/errors';
import { silentLogger } from '../../src/log/logger';
import { startSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/web-api-simulator';
import { createSlackApp, type SlackApp } from '../../src/slack/app';
import { finished, spawnCli } from '../support/cli';

/** This machine's first address that is not loopback: what someone else on the LAN would dial. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2_000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function occupied(): Promise<{ port: number; close(): Promise<void> }> {
  const other = createServer();
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  return { port: (other.address() as AddressInfo).port, close: () => new Promise((r) => other.close(() => r())) };
}

/** The Slack app alone: these tests are about its port, so no handler is ever reached. */
function appWith(config: Config): SlackApp {
  const unused = {} as never;
  return createSlackApp({
    config,
    ops: unused,
    store: unused,
    alerts: { stop: () => undefined } as never,
    roles: unused,
    logger: silentLogger,
    health: async () => ({ jobs: [], accounts: [], storeReachable: true }),
  });
}

const dir = () => mkdtempSync(path.join(tmpdir(), 'dockhand-listen-'));

describe('where the Slack app listens', () => {
  let sim: SlackSimulator;
  let app: SlackApp | undefined;
  beforeAll(async () => {
    sim = await startSlackSimulator({ botToken: 'xoxb-listen-test', signingSecret: 'listen-test-secret' });
  });
  afterEach(async () => {
    await app?.stop().catch(() => undefined);
    app = undefined;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('with the sandbox settings: on 127.0.0.1 only, even when HOST says every interface', async () => {
    const config = withSandboxSlack(loadConfig({ PORT: '0', HOST: '0.0.0.0' }, dir()), { url: sim.url, signingSecret: 'listen-test-secret' });
    expect(config.slack.host).toBe('127.0.0.1');
    app = appWith(config);
    const { port, address } = await app.start();
    expect(address).toBe('127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    if (lanAddress) expect(await canConnect(lanAddress, port)).toBe(false);
  });

  it('in production: every interface when HOST is unset, as before', async () => {
    app = appWith(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: sim.url, PORT: '0' }, dir()));
    const { port, address } = await app.start();
    expect(['::', '0.0.0.0']).toContain(address);
    if (lanAddress) expect(await canConnect(lanAddress, port)).toBe(true);
  });

  it('in production: on the interface HOST names', async () => {
    app = appWith(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: sim.url, PORT: '0', HOST: '127.0.0.1' }, dir()));
    expect((await app.start()).address).toBe('127.0.0.1');
  });

  it.each([
    ['over HTTP', {}],
    // Fails on the port before it opens a Socket Mode connection, so no Slack is needed here.
    ['in Socket Mode', { SLACK_APP_TOKEN: 'xapp-1-test' }],
  ])('%s, a taken port names PORT and a free one', async (_mode, extra) => {
    const taken = await occupied();
    try {
      const a = appWith(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: sim.url, PORT: String(taken.port), HOST: '127.0.0.1', ...extra }, dir()));
      const e = await a.start().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(DockhandError);
      expect(e).toMatchObject({ code: 'config.port_in_use', message: `port ${taken.port} is in use (PORT)` });
      expect((e as DockhandError).hint).toMatch(/^Set PORT to a free port, e\.g\. PORT=\d+, or stop the other process\.$/);
    } finally {
      await taken.close();
    }
  });
});

describe('the sandbox signing secret', () => {
  it('differs between two fresh data dirs and is the same on the next start in one', () => {
    const a = dir();
    const b = dir();
    const first = sandboxSigningSecret(a);
    expect(sandboxSigningSecret(b)).not.toBe(first);
    expect(sandboxSigningSecret(a)).toBe(first);
    expect(statSync(path.join(a, 'sandbox', 'slack-signing-secret')).mode & 0o777).toBe(0o600);
  });
});

/** `dockhand sandbox` as a newcomer runs it, in its own process. */
describe('dockhand sandbox on the network', { timeout: 60_000 }, () => {
  const dataDirs: string[] = [];
  afterAll(() => {
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  });

  it('serves the app, the simulators and the Slack page on loopback only, signing with the secret of its data dir', async () => {
    const dataDir = dir();
    dataDirs.push(dataDir);
    const child = spawnCli(['sandbox', '--no-feed'], { DOCKHAND_DATA_DIR: dataDir, PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'error' });
    const done = finished(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 45_000;
      while (!out.includes('Ctrl-C stops.') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('Ctrl-C stops.');
      const urls = ['SP-API simulator', 'ShipStation simulator', 'Dockhand app', 'Slack sandbox'].map((name) => {
        const m = new RegExp(`${name}\\s+(https?)://([^:/]+):(\\d+)`).exec(out);
        expect(m, name).not.toBeNull();
        return { name, host: m![2]!, port: Number(m![3]) };
      });
      for (const u of urls) {
        expect(u.host, u.name).toBe('127.0.0.1');
        expect(await canConnect('127.0.0.1', u.port), u.name).toBe(true);
        if (lanAddress) expect(await canConnect(lanAddress, u.port), `${u.name} from the LAN`).toBe(false);
      }
      const secret = readFileSync(path.join(dataDir, 'sandbox', 'slack-signing-secret'), 'utf8').trim();
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      child.kill('SIGINT');
      await done;
    }
  });

  it('exits with one clear line naming PORT and a free port when its port is taken', async () => {
    const dataDir = dir();
    dataDirs.push(dataDir);
    const taken = await occupied();
    try {
      const r = await finished(spawnCli(['sandbox', '--no-feed'], { DOCKHAND_DATA_DIR: dataDir, PORT: String(taken.port), LOG_LEVEL: 'error' }));
      expect(r.code).toBe(1);
      const [line, hint] = r.stderr.trim().split('\n');
      expect(line).toBe(`dockhand: port ${taken.port} is in use (PORT) [config.port_in_use]`);
      expect(hint).toMatch(/^ {2}→ Set PORT to a free port, e\.g\. PORT=\d+, or stop the other process\.$/);
      expect(r.stderr).not.toMatch(/EADDRINUSE/);
    } finally {
      await taken.close();
    }
  });
});
