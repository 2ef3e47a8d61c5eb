import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockhandError } from '../../src/domain/errors';
import { createRoutingAgent } from '../../src/amazon/routing-agent';
import { startSpApiSimulator, type SpApiSimulator } from '../../src/sandbox/amazon/sp-api-simulator';

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
    'sends %s to the sandbox and verifies its certificate by the Amazon name',
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
