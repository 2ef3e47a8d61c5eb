import type { AddressInfo, Server } from 'node:net';

/**
 * Starts a simulator's server on loopback (port 0 picks a free one) and returns its base URL,
 * with an IPv6 host bracketed and a wildcard host reported as 127.0.0.1.
 */
export async function listenOnLoopback(server: Server, opts: { host?: string; port?: number }, scheme: 'http' | 'https'): Promise<string> {
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${urlHost}:${port}`;
}
