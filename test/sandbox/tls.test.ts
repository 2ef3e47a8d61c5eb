import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandboxTls, loadOrCreateSandboxTls, SANDBOX_TLS_DNS_NAMES } from '../../src/sandbox/tls';
import { issueTestCertificates, type ServerNames } from '../support/test-ca';

const tls = createSandboxTls();

/** Whether a TLS client connecting to 127.0.0.1 accepts the server, checking `servername` (no SNI: the IP itself). */
function handshake(port: number, servername: string | undefined, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, ...(servername ? { servername } : {}) }, () => {
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

  it('covers loopback only: localhost, 127.0.0.1 and ::1, and no Amazon host', () => {
    const leaf = new X509Certificate(tls.serverCertPem);
    for (const name of SANDBOX_TLS_DNS_NAMES) expect(leaf.checkHost(name)).toBe(name);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('::1')).toBe('::1');
    // Endpoint overrides check the URL's host, so trusting the sandbox CA must not vouch for Amazon.
    for (const name of ['api.amazon.com', 'sellingpartnerapi-na.amazon.com', 'evil.example.com']) expect(leaf.checkHost(name)).toBeUndefined();
  });

  it('completes a verified TLS handshake for 127.0.0.1 and localhost', async () => {
    const server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, (_req, res) => res.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await handshake(port, undefined, tls.caCertPem)).toBe(true);
      expect(await handshake(port, 'localhost', tls.caCertPem)).toBe(true);
      expect(await handshake(port, 'api.amazon.com', tls.caCertPem)).toBe(false);
      // Another CA's trust store must not accept this server.
      expect(await handshake(port, undefined, createSandboxTls().caCertPem)).toBe(false);
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

  // A data dir from an older release may hold a certificate issued for other names.
  it.each<[string, boolean, ServerNames]>([
    ['without 127.0.0.1 and ::1', true, { dns: ['localhost'] }],
    ['without localhost', true, { ips: ['127.0.0.1', '::1'] }],
    ["that still names Amazon's hosts", true, { dns: ['localhost', 'api.amazon.com', 'sellingpartnerapi-na.amazon.com'], ips: ['127.0.0.1', '::1'] }],
    ['for exactly the loopback names', false, { dns: ['localhost'], ips: ['127.0.0.1', '::1'] }],
  ])('a stored certificate %s is regenerated: %s', (_name, regenerated, names) => {
    const certs = mkdtempSync(join(dir, 'stored-'));
    const stored = issueTestCertificates(names);
    writeFileSync(join(certs, 'ca.pem'), stored.caCertPem);
    writeFileSync(join(certs, 'server-key.pem'), stored.serverKeyPem, { mode: 0o600 });
    writeFileSync(join(certs, 'server.pem'), stored.serverCertPem);
    const loaded = loadOrCreateSandboxTls(certs);
    expect(loaded.caCertPem !== stored.caCertPem).toBe(regenerated);
    const leaf = new X509Certificate(loaded.serverCertPem);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(readFileSync(join(certs, 'ca.pem'), 'utf8')).toBe(loaded.caCertPem);
  });
});
