import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, slackApiBaseUrl } from '../../src/config/config';

const dir = () => mkdtempSync(path.join(tmpdir(), 'dockhand-slack-settings-'));

describe('SLACK_API_URL', () => {
  it.each([
    ["Slack's SDK form", 'https://slack.com/api/', 'https://slack.com/api/'],
    ['the SDK form without its trailing slash', 'https://slack.com/api', 'https://slack.com/api/'],
    ['the bare origin', 'https://slack.com', 'https://slack.com/api/'],
    ['the bare origin with a slash', 'https://slack.com/', 'https://slack.com/api/'],
    ['GovSlack in the SDK form', 'https://slack-gov.com/api/', 'https://slack-gov.com/api/'],
    ['a loopback simulator with a port', 'http://127.0.0.1:4100', 'http://127.0.0.1:4100/api/'],
    ['a loopback simulator with /api/ and a port', 'http://127.0.0.1:4100/api/', 'http://127.0.0.1:4100/api/'],
    ['a proxy under a path prefix', 'https://proxy.example.com/slack', 'https://proxy.example.com/slack/api/'],
    ['a proxy under a path prefix, with /api', 'https://proxy.example.com/slack/api//', 'https://proxy.example.com/slack/api/'],
    ['a path that only ends like api is not mistaken for it', 'https://example.com/myapi', 'https://example.com/myapi/api/'],
  ])('%s: %s becomes %s', (_name, given, expected) => {
    expect(loadConfig({ SLACK_API_URL: given }, dir()).slack.apiUrl).toBe(expected);
    // The sandbox builds its Config without loadConfig and normalises with the same function.
    expect(slackApiBaseUrl(given)).toBe(expected);
  });

  it('is absent when unset or blank, so Bolt uses Slack’s own', () => {
    expect(loadConfig({}, dir()).slack.apiUrl).toBeUndefined();
    expect(loadConfig({ SLACK_API_URL: '  ' }, dir()).slack.apiUrl).toBeUndefined();
  });

  it.each([
    ['not a URL', 'slack.com/api/'],
    ['another scheme', 'ftp://slack.com/api/'],
    ['a query', 'https://slack.com/api/?x=1'],
  ])('refuses %s, naming SLACK_API_URL', (_name, given) => {
    expect(() => loadConfig({ SLACK_API_URL: given }, dir())).toThrow(/environment: SLACK_API_URL/);
  });
});

describe('HOST', () => {
  it.each([
    ['unset: every interface, as before', undefined, undefined],
    ['blank: the same', ' ', undefined],
    ['loopback only', '127.0.0.1', '127.0.0.1'],
    ['every IPv4 interface', '0.0.0.0', '0.0.0.0'],
    ['every interface, IPv6 too', '::', '::'],
    ['a host name', 'localhost', 'localhost'],
  ])('%s', (_name, given, expected) => {
    expect(loadConfig(given === undefined ? {} : { HOST: given }, dir()).slack.host).toBe(expected);
  });

  it.each([['a URL', 'http://0.0.0.0'], ['a port with it', '127.0.0.1:3000'], ['a bracketed IPv6 address', '[::1]']])('refuses %s, naming HOST', (_name, given) => {
    expect(() => loadConfig({ HOST: given }, dir())).toThrow(/environment: HOST/);
  });

  it('leaves PORT as it was: 3000 by default', () => {
    expect(loadConfig({}, dir()).slack.port).toBe(3000);
    expect(loadConfig({ PORT: '8080' }, dir()).slack.port).toBe(8080);
  });
});
