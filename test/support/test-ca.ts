import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/**
 * A CA and one server certificate made for a test, independent of src/sandbox/tls.ts, so a
 * double built on it shares nothing with the bundled sandbox.
 */
export interface TestCertificates {
  caCertPem: string;
  serverKeyPem: string;
  serverCertPem: string;
}

export interface ServerNames {
  /** subjectAltName DNS entries, e.g. ['other.example']. */
  dns?: string[];
  /** subjectAltName IP entries, e.g. ['127.0.0.1']. */
  ips?: string[];
}

const DAY_MS = 86_400_000;

// node:crypto makes the RSA keys (fast); forge builds and signs the X.509 structures.
function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; privateKeyPem: string } {
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

// A positive DER integer: the leading 0x01 byte keeps the sign bit clear.
const serial = (): string => '01' + randomBytes(15).toString('hex');

/** An unsigned certificate valid from a day ago for 30 days. */
function certificate(publicKey: forge.pki.rsa.PublicKey, subject: forge.pki.CertificateField[], issuer: forge.pki.CertificateField[], now: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now - DAY_MS);
  cert.validity.notAfter = new Date(now + 30 * DAY_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  return cert;
}

/** Issues a fresh CA (its key thrown away) and a server certificate for exactly `names`. */
export function issueTestCertificates(names: ServerNames, subjectCn = 'dockhand test double'): TestCertificates {
  const now = Date.now();
  const caKeys = keyPair();
  const caSubject = [{ name: 'commonName', value: 'Dockhand test CA' }];
  const ca = certificate(caKeys.publicKey, caSubject, caSubject, now);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = keyPair();
  const server = certificate(serverKeys.publicKey, [{ name: 'commonName', value: subjectCn }], caSubject, now);
  server.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...(names.dns ?? []).map((value) => ({ type: 2, value })), ...(names.ips ?? []).map((ip) => ({ type: 7, ip }))],
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  server.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caCertPem: forge.pki.certificateToPem(ca),
    serverKeyPem: serverKeys.privateKeyPem,
    serverCertPem: forge.pki.certificateToPem(server),
  };
}
