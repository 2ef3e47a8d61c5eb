import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DockhandError } from '../../src/domain/errors';
import { listenOn } from '../../src/domain/listen';
import { silentLogger } from '../../src/log/logger';
import { startSlackFront, type SlackFront } from '../../src/slack/front';

/** A port some other process holds, on `host`. */
async function occupy(host: string): Promise<{ port: number; close(): Promise<void> }> {
  const other = createServer();
  await new Promise<void>((resolve) => other.listen(0, host, resolve));
  return { port: (other.address() as AddressInfo).port, close: () => new Promise((r) => other.close(() => r())) };
}

/** The port the hint suggests, and proof that it can be listened on. */
async function suggestedPortIsFree(hint: string, host: string): Promise<boolean> {
  const port = Number(/PORT=(\d+)/.exec(hint)?.[1]);
  if (!Number.isInteger(port) || port <= 0) return false;
  const probe = createServer();
  try {
    await listenOn(probe, { port, host });
    return true;
  } catch {
    return false;
  } finally {
    await new Promise((r) => probe.close(r));
  }
}

async function failure(p: Promise<unknown>): Promise<DockhandError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DockhandError);
  return e as DockhandError;
}

describe('a taken port', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('names PORT and a free port, from a plain server', async () => {
    const taken = await occupy('127.0.0.1');
    cleanup.push(taken.close);
    const server: Server = createServer();
    const e = await failure(listenOn(server, { port: taken.port, host: '127.0.0.1' }));
    expect(e.code).toBe('config.port_in_use');
    expect(e.message).toBe(`port ${taken.port} is in use (PORT)`);
    expect(e.hint).toMatch(/^Set PORT to a free port, e\.g\. PORT=\d+, or stop the other process\.$/);
    expect(await suggestedPortIsFree(e.hint, '127.0.0.1')).toBe(true);
    expect(server.listening).toBe(false);
  });

  it('names PORT and a free port from the Slack front, whose listen fails in its worker thread', async () => {
    const taken = await occupy('127.0.0.1');
    cleanup.push(taken.close);
    const e = await failure(startSlackFront({ port: taken.port, host: '127.0.0.1', upstreamPort: 9, signingSecret: 's', logger: silentLogger }));
    expect(e.code).toBe('config.port_in_use');
    expect(e.message).toBe(`port ${taken.port} is in use (PORT)`);
    expect(await suggestedPortIsFree(e.hint, '127.0.0.1')).toBe(true);
  });

  it('a HOST that is not this machine’s is named as HOST', async () => {
    // 203.0.113.0/24 is TEST-NET-3 (RFC 5737), for documentation: not an address of a test machine.
    const e = await failure(listenOn(createServer(), { port: 0, host: '203.0.113.7' }));
    expect(e.code).toBe('config.invalid');
    expect(e.message).toMatch(/\(HOST\)$/);
  });
});

describe('the Slack front’s address', () => {
  let front: SlackFront | undefined;
  afterEach(async () => {
    await front?.stop();
    front = undefined;
  });

  it('is loopback when HOST is 127.0.0.1', async () => {
    front = await startSlackFront({ port: 0, host: '127.0.0.1', upstreamPort: 9, signingSecret: 's', logger: silentLogger });
    expect(front.address).toBe('127.0.0.1');
  });

  it('is every interface when HOST is unset, as before', async () => {
    front = await startSlackFront({ port: 0, upstreamPort: 9, signingSecret: 's', logger: silentLogger });
    expect(['::', '0.0.0.0']).toContain(front.address);
  });
});
