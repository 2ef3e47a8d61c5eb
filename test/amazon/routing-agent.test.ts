import type { Server } from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DockhandError } from '../../src/domain/errors';
import { createRoutingAgent } from '../../src/amazon/routing-agent';
import { startSpApiSimulator, type SpApiSimulator } from '../../src/sandbox/amazon/sp-api-simulator';
import { listenOnLoopback } from '../../src/sandbox/listen';
import { issueTestCertificates, type ServerNames } from '../support/test-ca';

describe('createRoutingAgent', () => {
  it('returns undefined when nothing is redirected, so amazon-sp-api talks to Amazon', () => {
    expect(createRoutingAgent({})).toBeUndefined();
    expect(createRoutingAgent({ ca: 'PEM' })).toBeUndefined();
  });

  it.each([
    [{ spApiUrl: 'https://127.0.0.1:8443' }],
    [{ spApiUrl: 'https://127.0.0.1:8443/' }],
    [{ lwaUrl: 'https://127.0.0.1:8443/auth/o2/token' }],
    [{ spApiUrl: 'https://[::1]:8443', lwaUrl: 'https://localhost/auth/o2/token' }],
  ])('accepts %j', (opts) => {
    expect(createRoutingAgent(opts)).toBeInstanceOf(https.Agent);
  });

  it.each([
    ['an LWA URL with another path', { lwaUrl: 'https://127.0.0.1:8443/token' }, '/auth/o2/token'],
    ['an LWA URL without a path', { lwaUrl: 'https://127.0.0.1:8443' }, '/auth/o2/token'],
    ['an SP-API URL with a path', { spApiUrl: 'https://127.0.0.1:8443/orders' }, 'AMAZON_SP_API_URL'],
    ['an SP-API URL with a query', { spApiUrl: 'https://127.0.0.1:8443/?x=1' }, 'AMAZON_SP_API_URL'],
    ['plain http', { spApiUrl: 'http://127.0.0.1:8080' }, 'https'],
    ['not a URL', { lwaUrl: '127.0.0.1:8443/auth/o2/token' }, 'AMAZON_LWA_URL'],
  ])('rejects %s as config.invalid', (_name, opts, mentions) => {
    let err: unknown;
    try {
      createRoutingAgent(opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DockhandError);
    expect((err as DockhandError).code).toBe('config.invalid');
    expect(`${(err as DockhandError).message} ${(err as DockhandError).hint}`).toContain(mentions);
  });
});

describe('routing over TLS', () => {
  let sim: SpApiSimulator;
  beforeAll(async () => {
    sim = await startSpApiSimulator({});
  });
  afterAll(async () => {
    await sim.close();
  });

  function post(agent: https.Agent, host: string, path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = https.request({ agent, host, port: 443, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end('{}');
    });
  }

  it.each(['api.amazon.com', 'sellingpartnerapi-na.amazon.com', 'sellingpartnerapi-fe.amazon.com'])(
    'sends %s to the sandbox and verifies its certificate by the URL host, 127.0.0.1',
    async (host) => {
      const agent = createRoutingAgent({ spApiUrl: sim.url, lwaUrl: sim.lwaUrl, ca: sim.caCertPem })!;
      // 400: the sandbox answered (an empty LWA grant / an unknown route), over a verified TLS session.
      const status = await post(agent, host, '/auth/o2/token');
      expect(status).toBe(400);
      agent.destroy();
    },
  );

  it('fails the handshake without the sandbox CA', async () => {
    const agent = createRoutingAgent({ lwaUrl: sim.lwaUrl })!;
    await expect(post(agent, 'api.amazon.com', '/auth/o2/token')).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    agent.destroy();
  });
});

/** A bare HTTPS double with its own CA (test/support/test-ca.ts), recording what each request carried. */
describe('what the redirected endpoint sees', () => {
  interface Seen {
    host: string | undefined;
    servername: string | false | null;
  }
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function double(names: ServerNames): Promise<{ url: string; ca: string; seen: Seen[] }> {
    const tls = issueTestCertificates(names);
    const seen: Seen[] = [];
    server = https.createServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, (req, res) => {
      seen.push({ host: req.headers.host, servername: (req.socket as TLSSocket).servername });
      res.end('{}');
    });
    const url = await listenOnLoopback(server, {}, 'https');
    return { url, ca: tls.caCertPem, seen };
  }

  // Resolves every name to 127.0.0.1, so a DNS-named override reaches the double and nothing else.
  const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  };

  function get(agent: https.Agent, host: string, lookup?: LookupFunction): Promise<number> {
    return new Promise((resolve, reject) => {
      // As amazon-sp-api does: hostname and port 443, with the Host header set to the Amazon name.
      https
        .get({ agent, hostname: host, port: 443, path: '/orders/2026-01-01/orders', headers: { host }, ...(lookup ? { lookup } : {}) }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  }

  it('gets a Host header naming the override host and port, and no SNI for an IP literal', async () => {
    const d = await double({ ips: ['127.0.0.1'] });
    const agent = createRoutingAgent({ spApiUrl: d.url, lwaUrl: `${d.url}/auth/o2/token`, ca: d.ca })!;
    expect(await get(agent, 'sellingpartnerapi-eu.amazon.com')).toBe(200);
    expect(await get(agent, 'api.amazon.com')).toBe(200);
    agent.destroy();
    expect(d.seen).toEqual([
      { host: new URL(d.url).host, servername: false },
      { host: new URL(d.url).host, servername: false },
    ]);
  });

  it('sends a DNS-named override its name as SNI and in the Host header, and checks the certificate against it', async () => {
    const d = await double({ dns: ['dockhand-double.test'] });
    const port = new URL(d.url).port;
    const agent = createRoutingAgent({ spApiUrl: `https://dockhand-double.test:${port}`, ca: d.ca })!;
    expect(await get(agent, 'sellingpartnerapi-na.amazon.com', loopbackLookup)).toBe(200);
    agent.destroy();
    expect(d.seen).toEqual([{ host: `dockhand-double.test:${port}`, servername: 'dockhand-double.test' }]);
  });

  it("refuses a certificate for Amazon's name: the identity checked is the override's host", async () => {
    const d = await double({ dns: ['sellingpartnerapi-na.amazon.com', 'api.amazon.com'] });
    const agent = createRoutingAgent({ spApiUrl: d.url, ca: d.ca })!;
    await expect(get(agent, 'sellingpartnerapi-na.amazon.com')).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', host: '127.0.0.1' });
    agent.destroy();
    expect(d.seen).toEqual([]);
  });
});
