import { describe, expect, it } from 'vitest';
import { classifyThrown, createSellingPartner, type AmazonCredentials, type ThrownKind } from '../../src/amazon/selling-partner';
import { DockhandError } from '../../src/domain/errors';

const withCode = (code: unknown, message = 'boom'): Error => Object.assign(new Error(message), { code });

describe('classifyThrown', () => {
  it.each<[string, unknown, ThrownKind]>([
    ['an LWA refusal', withCode('invalid_grant'), 'lwa_refused'],
    ['an LWA client error', withCode('invalid_client'), 'lwa_refused'],
    ['LWA being unwell', withCode('temporarily_unavailable'), 'lwa_unavailable'],
    ['an LWA answer that is not JSON', withCode('REFRESH_ACCESS_TOKEN_PARSE_ERROR'), 'lwa_unavailable'],
    ['an untrusted certificate', withCode('SELF_SIGNED_CERT_IN_CHAIN'), 'tls'],
    ['a wrong host name in the certificate', withCode('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'],
    ['a refused connection', withCode('ECONNREFUSED'), 'network'],
    ["the library's deadline", withCode('API_DEADLINE_TIMEOUT'), 'network'],
    ['a happy-eyeballs connect timeout', withCode('ERR_SOCKET_CONNECTION_TIMEOUT'), 'network'],
    ['an unknown code', withCode('SOMETHING_ELSE'), 'unknown'],
    ['an empty code', withCode(''), 'unknown'],
    ['a numeric code', withCode(42), 'unknown'],
    ['an error without a code', new Error('plain'), 'unknown'],
    ['a thrown string', 'just text', 'unknown'],
    ['null', null, 'unknown'],
  ])('sorts %s', (_name, thrown, kind) => {
    expect(classifyThrown(thrown).kind).toBe(kind);
  });

  it('keeps the code and the message', () => {
    expect(classifyThrown(withCode('ECONNRESET', 'socket hang up'))).toEqual({ kind: 'network', code: 'ECONNRESET', message: 'socket hang up' });
    expect(classifyThrown('just text')).toEqual({ kind: 'unknown', code: undefined, message: 'just text' });
  });

  it.each([
    ['an IP checked against DNS names', { host: '127.0.0.1', cert: { subjectaltname: 'DNS:other.example', subject: { CN: 'x' } } }, 'not valid for 127.0.0.1, the host Dockhand expected; it names DNS:other.example'],
    ['a certificate with only a subject', { host: 'localhost', cert: { subject: { CN: 'other.example' } } }, 'not valid for localhost, the host Dockhand expected; it names only the subject CN=other.example'],
    ['an error without the checked host', {}, "Hostname/IP does not match certificate's altnames"],
  ])('names both sides of a certificate name mismatch: %s', (_name, fields, wording) => {
    const e = Object.assign(withCode('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: "), fields);
    expect(classifyThrown(e)).toMatchObject({ kind: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: expect.stringContaining(wording) });
  });
});

describe('createSellingPartner', () => {
  const creds: AmazonCredentials = { region: 'na', clientId: 'id', clientSecret: 'secret', refreshToken: 'Atzr|token' };
  const opts = { timeouts: { deadline: 1000 }, hints: { auth: 'auth hint', config: 'config hint' } };

  function thrownBy(f: () => unknown): DockhandError {
    try {
      f();
    } catch (e) {
      if (e instanceof DockhandError) return e;
      throw e;
    }
    throw new Error('expected a DockhandError');
  }

  it.each<[string, Partial<AmazonCredentials>, string, string]>([
    ['an empty client id', { clientId: '' }, 'config.missing', 'auth hint'],
    ['an empty refresh token', { refreshToken: '' }, 'config.missing', 'auth hint'],
    ['a region the library does not know', { region: 'xx' as AmazonCredentials['region'] }, 'config.invalid', 'config hint'],
  ])('refuses %s with the caller’s hint', (_name, change, code, hint) => {
    expect(thrownBy(() => createSellingPartner({ ...creds, ...change }, opts))).toMatchObject({ code, hint });
  });

  it('refuses an SP-API URL that is not https before looking at the credentials', () => {
    expect(thrownBy(() => createSellingPartner({ ...creds, clientId: '', spApiUrl: 'http://127.0.0.1:1' }, opts)).code).toBe('config.invalid');
  });

  it('builds a client with an agent only when a URL is redirected', () => {
    const direct = createSellingPartner(creds, opts);
    expect(direct.agent).toBeUndefined();
    const routed = createSellingPartner({ ...creds, spApiUrl: 'https://127.0.0.1:1' }, { ...opts, endpointsVersions: { orders: '2026-01-01' } });
    expect(routed.agent).toBeDefined();
    routed.agent?.destroy();
  });
});
