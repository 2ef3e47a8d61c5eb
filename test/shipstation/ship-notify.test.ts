import { describe, expect, it } from 'vitest';
import { isTrustedResourceUrl, ShipNotifyPayload } from '../../src/shipstation/ship-notify';

const PROD = 'https://ssapi.shipstation.com';
const SIM = 'http://127.0.0.1:4321';

describe('isTrustedResourceUrl', () => {
  it.each([
    ['the real SHIP_NOTIFY URL', `${PROD}/shipments?batchId=12345&includeShipmentItems=False`, PROD, true],
    ['host case and the default port do not matter', 'https://SSAPI.ShipStation.com:443/shipments?batchId=1', PROD, true],
    ['a base URL with a trailing slash', `${PROD}/shipments`, `${PROD}/`, true],
    ['the simulator on loopback', `${SIM}/shipments?batchId=1`, SIM, true],
    ['a backslash after the host stays on the host (WHATWG)', `${PROD}\\@evil.example/`, PROD, true],
    ['userinfo trick: the real host is evil.example', 'https://ssapi.shipstation.com@evil.example/shipments', PROD, false],
    ['userinfo with a password, even on the right host', 'https://user:pw@ssapi.shipstation.com/shipments', PROD, false],
    ['our host as a subdomain of another', 'https://ssapi.shipstation.com.evil.example/shipments', PROD, false],
    ['a percent-encoded dot in the host', 'https://ssapi.shipstation.com%2eevil.example/shipments', PROD, false],
    ['a trailing dot on the host', 'https://ssapi.shipstation.com./shipments', PROD, false],
    ['a look-alike host (Cyrillic і)', 'https://ssapi.shipstatіon.com/shipments', PROD, false],
    ['our host only in the query string', 'https://evil.example/?u=https://ssapi.shipstation.com/shipments', PROD, false],
    ['plain http for an https base', 'http://ssapi.shipstation.com/shipments', PROD, false],
    ['https for an http base', 'https://127.0.0.1:4321/shipments', SIM, false],
    ['another port', 'https://ssapi.shipstation.com:8443/shipments', PROD, false],
    ['another loopback port', 'http://127.0.0.1:4322/shipments', SIM, false],
    ['another ShipStation host', 'https://ss.shipstation.com/shipments', PROD, false],
    ['a relative URL', '/shipments?batchId=1', PROD, false],
    ['a protocol-relative URL', '//ssapi.shipstation.com/shipments', PROD, false],
    ['a javascript: URL', 'javascript:alert(1)', PROD, false],
    ['a file: URL', 'file:///etc/passwd', PROD, false],
    ['an empty string', '', PROD, false],
    ['a base URL that does not parse', `${PROD}/shipments`, 'not a url', false],
  ])('%s', (_name, resourceUrl, baseUrl, expected) => {
    expect(isTrustedResourceUrl(resourceUrl, baseUrl)).toBe(expected);
  });
});

describe('ShipNotifyPayload', () => {
  it.each([
    ['the documented body', { resource_url: `${PROD}/shipments?batchId=1&includeShipmentItems=False`, resource_type: 'SHIP_NOTIFY' }, true],
    ['extra fields are kept, not refused', { resource_url: `${PROD}/shipments`, resource_type: 'SHIP_NOTIFY', data: {} }, true],
    ['resource_url missing', { resource_type: 'SHIP_NOTIFY' }, false],
    ['resource_url not a URL', { resource_url: 'shipments?batchId=1', resource_type: 'SHIP_NOTIFY' }, false],
    ['resource_url not http(s)', { resource_url: 'ftp://ssapi.shipstation.com/shipments', resource_type: 'SHIP_NOTIFY' }, false],
    ['resource_type missing', { resource_url: `${PROD}/shipments` }, false],
    ['not an object', 'SHIP_NOTIFY', false],
  ])('%s', (_name, body, ok) => {
    expect(ShipNotifyPayload.safeParse(body).success).toBe(ok);
  });
});
