import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

/** PEM material for the sandbox's loopback HTTPS servers. */
export interface SandboxTls {
  caCertPem: string;
  serverKeyPem: string;
  serverCertPem: string;
}

/**
 * Host names the sandbox's server certificate is for. Dockhand's endpoint overrides check TLS
 * against the host of the URL they were given (https://127.0.0.1:<port>), as SDKs do, so the
 * certificate names loopback only. It used to name Amazon's SP-API and LWA hosts too, for an
 * agent that kept those names; it no longer does, so trusting the sandbox CA never means
 * trusting a local key for api.amazon.com.
 */
export const SANDBOX_TLS_DNS_NAMES: readonly string[] = ['localhost'];

export const SANDBOX_TLS_IPS: readonly string[] = ['127.0.0.1', '::1'];

const DAY_MS = 24 * 60 * 60 * 1000;

interface ForgeKeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  privateKeyPem: string;
}

// node:crypto generates RSA keys natively (tens of ms); forge's pure-JS keygen takes seconds.
function rsaKeyPair(): ForgeKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    privateKeyPem: privateKey,
  };
}

// X.509 serials must be positive; a leading 0x01 byte keeps the DER integer from going negative.
function serialNumber(): string {
  return '01' + randomBytes(15).toString('hex');
}

/**
 * Creates a throwaway CA and a server certificate signed by it, valid for localhost,
 * 127.0.0.1 and ::1. The CA key is discarded, so nobody
 * can mint further certificates that a client trusting `caCertPem` would accept.
 */
export function createSandboxTls(): SandboxTls {
  const now = Date.now();
  const caKeys = rsaKeyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serialNumber();
  ca.validity.notBefore = new Date(now - DAY_MS);
  ca.validity.notAfter = new Date(now + 3650 * DAY_MS);
  const caSubject = [
    { name: 'commonName', value: 'Dockhand Sandbox CA' },
    { name: 'organizationName', value: 'Dockhand Sandbox' },
  ];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = rsaKeyPair();
  const server = forge.pki.createCertificate();
  server.publicKey = serverKeys.publicKey;
  server.serialNumber = serialNumber();
  server.validity.notBefore = new Date(now - DAY_MS);
  server.validity.notAfter = new Date(now + 825 * DAY_MS);
  server.setSubject([{ name: 'commonName', value: 'localhost' }]);
  server.setIssuer(caSubject);
  server.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...SANDBOX_TLS_DNS_NAMES.map((value) => ({ type: 2, value })),
        ...SANDBOX_TLS_IPS.map((ip) => ({ type: 7, ip })),
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  server.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caCertPem: forge.pki.certificateToPem(ca),
    serverKeyPem: serverKeys.privateKeyPem,
    serverCertPem: forge.pki.certificateToPem(server),
  };
}

const FILES = { ca: 'ca.pem', key: 'server-key.pem', cert: 'server.pem' } as const;

function isUsable(tls: SandboxTls, now: number): boolean {
  try {
    const cert = new X509Certificate(tls.serverCertPem);
    const ca = new X509Certificate(tls.caCertPem);
    // Reissue a day early so a long-running sandbox never serves an expired certificate.
    if (Date.parse(cert.validTo) - DAY_MS < now) return false;
    if (!cert.verify(ca.publicKey)) return false;
    // A cache from before a name was added must be regenerated, or that host fails TLS; one
    // that still names a host we no longer issue for (Amazon's, from older releases) too.
    if (!SANDBOX_TLS_DNS_NAMES.every((name) => cert.checkHost(name) === name)) return false;
    if (!SANDBOX_TLS_IPS.every((ip) => cert.checkIP(ip) !== undefined)) return false;
    const dnsNames = (cert.subjectAltName ?? '')
      .split(', ')
      .filter((entry) => entry.startsWith('DNS:'))
      .map((entry) => entry.slice('DNS:'.length));
    return dnsNames.every((name) => SANDBOX_TLS_DNS_NAMES.includes(name));
  } catch {
    return false;
  }
}

/**
 * Like {@link createSandboxTls}, but caches the PEMs in `dir` (created if missing; the key
 * file is written with mode 0600) and reuses them while they are valid, so a browser or
 * `NODE_EXTRA_CA_CERTS` can trust `caPath` once.
 */
export function loadOrCreateSandboxTls(dir: string): SandboxTls & { caPath: string } {
  const caPath = join(dir, FILES.ca);
  const keyPath = join(dir, FILES.key);
  const certPath = join(dir, FILES.cert);
  if (existsSync(caPath) && existsSync(keyPath) && existsSync(certPath)) {
    const cached: SandboxTls = {
      caCertPem: readFileSync(caPath, 'utf8'),
      serverKeyPem: readFileSync(keyPath, 'utf8'),
      serverCertPem: readFileSync(certPath, 'utf8'),
    };
    if (isUsable(cached, Date.now())) return { ...cached, caPath };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fresh = createSandboxTls();
  writeFileSync(keyPath, fresh.serverKeyPem, { mode: 0o600 });
  // writeFileSync's mode only applies when it creates the file; tighten an existing one too.
  chmodSync(keyPath, 0o600);
  writeFileSync(certPath, fresh.serverCertPem, { mode: 0o644 });
  writeFileSync(caPath, fresh.caCertPem, { mode: 0o644 });
  return { ...fresh, caPath };
}
