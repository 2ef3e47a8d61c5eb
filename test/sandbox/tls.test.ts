import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandboxTls, loadOrCreateSandboxTls, SANDBOX_TLS_DNS_NAMES } from '../../src/sandbox/tls';

const tls = createSandboxTls();

function handshake(port: number, servername: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca }, () => {
      resolve(socket.authorized);
      socket.end();
    });
    socket.on('error', () => resolve(false));
  });
}

describe('createSandboxTls', () => {
  it('issues a CA certificate marked as a CA and a leaf certificate signed by it', () => {
    const ca = new X509Certificate(tls.caCertPem);
    const leaf = new X509Certificate(tls.serverCertPem);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
  });

  it('covers loopback and every Amazon hostname the vendor client dials', () => {
    const leaf = new X509Certificate(tls.serverCertPem);
    for (const name of SANDBOX_TLS_DNS_NAMES) expect(leaf.checkHost(name)).toBe(name);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('::1')).toBe('::1');
    expect(leaf.checkHost('evil.example.com')).toBeUndefined();
  });

  it('completes a verified TLS handshake for an Amazon hostname routed to 127.0.0.1', async () => {
    const server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, (_req, res) => res.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await handshake(port, 'sellingpartnerapi-na.amazon.com', tls.caCertPem)).toBe(true);
      expect(await handshake(port, 'api.amazon.com', tls.caCertPem)).toBe(true);
      // Another CA's trust store must not accept this server.
      expect(await handshake(port, 'api.amazon.com', createSandboxTls().caCertPem)).toBe(false);
    } finally {
      server.close();
    }
  });
});

describe('loadOrCreateSandboxTls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the key with mode 0600 and reuses the cached PEMs on the next call', () => {
    const first = loadOrCreateSandboxTls(join(dir, 'certs'));
    expect(first.caPath).toBe(join(dir, 'certs', 'ca.pem'));
    expect(statSync(join(dir, 'certs', 'server-key.pem')).mode & 0o777).toBe(0o600);
    const second = loadOrCreateSandboxTls(join(dir, 'certs'));
    expect(second.caCertPem).toBe(first.caCertPem);
    expect(second.serverKeyPem).toBe(first.serverKeyPem);
  });
});
