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

/** Issues a fresh CA (its key thrown away) and a server certificate for exactly `names`. */
export function issueTestCertificates(names: ServerNames, subjectCn = 'dockhand test double'): TestCertificates {
  const now = Date.now();
  const caKeys = keyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  ca.validity.notBefore = new Date(now - DAY_MS);
  ca.validity.notAfter = new Date(now + 30 * DAY_MS);
  const caSubject = [{ name: 'commonName', value: 'Dockhand test CA' }];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = keyPair();
  const server = forge.pki.createCertificate();
  server.publicKey = serverKeys.publicKey;
  server.serialNumber = serial();
  server.validity.notBefore = new Date(now - DAY_MS);
  server.validity.notAfter = new Date(now + 30 * DAY_MS);
  server.setSubject([{ name: 'commonName', value: subjectCn }]);
  server.setIssuer(caSubject);
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
